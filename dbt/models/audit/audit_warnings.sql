{{ config(alias='warnings') }}
-- Accepted but worth a look: what the parser noticed, plus
--   late_submission: a unit's first accepted own submission for a month came after its deadline;
--   duplicate_file: the identical file arrived under more than one path.
select submission_id, sheet, row_number, warning_code, detail
from {{ ref('stg_raw__warnings') }}

union all

select
    r.first_submission_id,
    null,
    null,
    'late_submission',
    'Báo cáo tháng ' || month(r.month) || '/' || year(r.month)
    || ' nộp ngày ' || strftime(r.first_report_date, '%d/%m/%Y')
    || ', sau hạn ' || strftime(r.due_date, '%d/%m/%Y') || '.'
from {{ ref('int_unit_month_reporting') }} as r
where r.has_accepted_submission and r.first_report_date::date > r.due_date

union all

select
    f.submission_id,
    null,
    null,
    'duplicate_file',
    'Tệp giống hệt đã nhận ' || count(*) || ' lần: ' || string_agg(f.file_path, '; ' order by f.file_path)
from {{ ref('stg_raw__submission_files') }} as f
group by f.submission_id
having count(*) > 1
