select
    trim(area_code) as area_code,
    lower(trim(unit_type)) as unit_type,
    cast(trim(day) as integer) as due_day
from {{ source('reference', 'reporting_deadlines') }}
