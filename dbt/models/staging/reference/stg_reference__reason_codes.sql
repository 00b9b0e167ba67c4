select
    reason_code,
    level,
    message_vi,
    fix_vi,
    message_en
from {{ source('reference', 'reason_codes') }}
