-- Accepted rows of current submissions, with the sender and month of their submission.
-- Only current submissions speak: a newer version replaces an older one whole.
select
    s.unit_code as sender_code,
    s.month,
    s.report_date,
    f.submission_id,
    f.sheet,
    f.row_number,
    f.scope,
    f.unit_code,
    f.kpi_code,
    f.numerator,
    f.denominator
from {{ ref('stg_raw__figures') }} as f
inner join {{ ref('int_submissions_versioned') }} as s using (submission_id)
where s.status = 'current'
