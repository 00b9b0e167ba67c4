select
    submission_id,
    sheet,
    row_number,
    scope,
    unit_code,
    kpi_code,
    numerator::bigint as numerator,
    denominator::bigint as denominator,
    note
from {{ source('raw', 'figures') }}
