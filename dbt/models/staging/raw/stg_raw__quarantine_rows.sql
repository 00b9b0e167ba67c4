select
    submission_id,
    sheet,
    row_number,
    scope,
    unit_code,
    kpi_code,
    reason_code,
    detail,
    raw_numerator,
    raw_denominator
from {{ source('raw', 'quarantine_rows') }}
