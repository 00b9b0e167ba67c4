{{ config(alias='submissions') }}
-- One row per distinct file (content hash) with its fate: current, superseded or rejected.
select
    s.submission_id,
    s.file_path,
    s.file_format,
    s.unit_code,
    s.month,
    s.report_date,
    s.status,
    s.reason_code,
    s.rows_total,
    s.rows_accepted,
    s.rows_quarantined,
    s.ingested_at,
    s.reason_detail,
    s.file_size,
    s.reported_unit_name,
    s.preparer,
    s.has_consolidated_section,
    coalesce(p.paths, 1) as copies_received
from {{ ref('int_submissions_versioned') }} as s
left join (
    select submission_id, count(*) as paths
    from {{ ref('stg_raw__submission_files') }}
    group by submission_id
) as p using (submission_id)
