{#-
  The area roll-up, shared by the as-reported and the restated marts (contract section 4):
  a unit counts toward an area only through the months in which the tree placed it there;
  its flow figures of those months are summed, its stock figure is the last of those
  months with a figure (0/0 included); areas sum numerators and denominators.
-#}

{#- `placed` yields (area_code, area_type, unit_code, month, kpi_code, numerator, denominator). -#}
{% macro area_unit_period(placed) %}
select
    placed.area_code,
    arg_max(placed.area_type, placed.month) as area_type,
    p.period_type,
    p.period_start,
    placed.kpi_code,
    placed.unit_code,
    case when k.kind = 'flow' then sum(placed.numerator) else arg_max(placed.numerator, placed.month) end as numerator,
    case when k.kind = 'flow' then sum(placed.denominator) else arg_max(placed.denominator, placed.month) end as denominator
from ({{ placed }}) as placed
inner join {{ ref('int_periods_months') }} as p using (month)
inner join {{ ref('kpi_catalogue') }} as k using (kpi_code)
group by placed.area_code, p.period_type, p.period_start, placed.kpi_code, placed.unit_code, k.kind
{% endmacro %}

{#- Sums per area, period and indicator, with the value, target and target_met. -#}
{% macro area_period_facts(unit_periods, targets, where='true') %}
with sums as (
    select
        area_code,
        max(area_type) as area_type,
        period_type,
        period_start,
        kpi_code,
        sum(numerator)::bigint as numerator,
        sum(denominator)::bigint as denominator,
        count(*) as reporting_units
    from {{ unit_periods }}
    where {{ where }}
    group by area_code, period_type, period_start, kpi_code
)

select
    s.area_code,
    s.area_type,
    s.period_type,
    s.period_start,
    s.kpi_code,
    s.numerator,
    s.denominator,
    case when s.denominator = 0 then null else s.numerator / s.denominator end as value,
    t.target,
    case
        when s.denominator = 0 or t.target is null then null
        else s.numerator::hugeint * 1000000 >= t.target_micro * s.denominator
    end as target_met,
    s.reporting_units
from sums as s
left join {{ targets }} as t
    on t.area_code = s.area_code and t.year = year(s.period_start) and t.kpi_code = s.kpi_code
{% endmacro %}

{#-
  Targets for areas: the area's own row, else its province's row, else the national `*`
  row; the nation uses only `*` rows. `areas` yields (area_code, year, province_code).
  `target_micro` is the target in millionths, for an exact comparison with integers.
-#}
{% macro resolve_targets(areas) %}
with areas as ({{ areas }}),

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
-- the highest target then applies (deterministic for equal inputs).
select
    area_code,
    year,
    kpi_code,
    max(target) as target,
    max(round(target * 1000000))::hugeint as target_micro
from resolved
where target is not null
group by area_code, year, kpi_code
{% endmacro %}
