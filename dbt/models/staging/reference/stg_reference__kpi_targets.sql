select
    trim(kpi_code) as kpi_code,
    trim(area_code) as area_code,
    cast(trim(year) as integer) as year,
    cast(replace(trim(target), ',', '.') as double) as target
from {{ source('reference', 'kpi_targets') }}
where nullif(trim(target), '') is not null
