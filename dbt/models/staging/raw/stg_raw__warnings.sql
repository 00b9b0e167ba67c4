select
    submission_id,
    sheet,
    row_number,
    warning_code,
    detail
from {{ source('raw', 'warnings') }}
