-- The registry: one row per registry row (a unit has one row per parent, name or type it had).
select
    unit_code,
    unit_name,
    unit_type,
    parent_code,
    school_level,
    active_from,
    active_to,
    successor_code
from {{ ref('stg_reference__org_units') }}
