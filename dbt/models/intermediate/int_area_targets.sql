-- The target that applies to an area for an indicator and year: the area's own row,
-- else its province's row, else the national `*` row. The nation uses only `*` rows.
-- `target_micro` is the target in millionths, for an exact comparison with integers.
with areas as (
    select distinct
        a.ancestor_code as area_code,
        year(a.month) as year,
        p.ancestor_code as province_code
    from {{ ref('int_org_ancestry_monthly') }} as a
    left join {{ ref('int_org_ancestry_monthly') }} as p
        on p.unit_code = a.ancestor_code and p.month = a.month and p.ancestor_type = 'province'
    where a.ancestor_type in ('district', 'commune', 'province', 'national')
),

resolved as (
    select
        areas.area_code,
        areas.year,
        k.kpi_code,
        case
            when areas.area_code = 'VN' then national.target
            else coalesce(own.target, province.target, national.target)
        end as target
    from areas
    cross join {{ ref('kpi_catalogue') }} as k
    left join {{ ref('stg_reference__kpi_targets') }} as own
        on own.area_code = areas.area_code and own.year = areas.year and own.kpi_code = k.kpi_code
    left join {{ ref('stg_reference__kpi_targets') }} as province
        on province.area_code = areas.province_code and province.year = areas.year
        and province.kpi_code = k.kpi_code
    left join {{ ref('stg_reference__kpi_targets') }} as national
        on national.area_code = '*' and national.year = areas.year and national.kpi_code = k.kpi_code
)

-- An area may sit under different provinces within a year only across a reorganisation;
-- the latest placement decides (max over the rows is deterministic for equal inputs).
select
    area_code,
    year,
    kpi_code,
    max(target) as target,
    max(round(target * 1000000))::hugeint as target_micro
from resolved
where target is not null
group by area_code, year, kpi_code
