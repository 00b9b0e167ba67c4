select
    trim(unit_code) as unit_code,
    trim(unit_name) as unit_name,
    lower(trim(unit_type)) as unit_type,
    nullif(trim(parent_code), '') as parent_code,
    nullif(lower(trim(school_level)), '') as school_level,
    cast(trim(active_from) as date) as active_from,
    cast(nullif(trim(active_to), '') as date) as active_to,
    nullif(trim(successor_code), '') as successor_code
from {{ source('reference', 'org_units') }}
where nullif(trim(unit_code), '') is not null
