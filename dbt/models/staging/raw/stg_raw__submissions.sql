select
    submission_id,
    file_path,
    file_format,
    file_size,
    accepted as is_accepted,
    reason_code,
    reason_detail,
    unit_code,
    unit_name as reported_unit_name,
    month,
    report_date,
    preparer,
    coalesce(has_consolidated_section, false) as has_consolidated_section,
    rows_total,
    rows_accepted,
    rows_quarantined,
    ingested_at
from {{ source('raw', 'submissions') }}
