{#-
  The area roll-up, shared by the as-reported and the restated marts (contract section 4):
  a unit counts toward an area only through the months in which the tree placed it there;
  its flow figures of those months are summed, its stock figure is the last of those
  months with a figure (0/0 included); areas sum numerators and denominators.
-#}

{#- A unit's figure over a period from its months' rows: flow sums, stock takes the last. -#}
{% macro period_figure(column, kind, month) -%}
    case when {{ kind }} = 'flow' then sum({{ column }}) else arg_max({{ column }}, {{ month }}) end
{%- endmacro %}

{#- The area types figures roll up to (the marts, targets, completeness). -#}
{% macro rollup_area_types() -%}
    ('district', 'commune', 'province', 'national')
{%- endmacro %}

{#-
  `facts` yields (unit_code, month, kpi_code, numerator, denominator); `ancestry`
  (unit_code, month, ancestor_code, ancestor_type): the tree of each month. Nearly every
  unit sits under the same areas in every month it reports in a period; its figure over
  the period is then computed once and added to each of those areas. A unit that moved
  within the period is rolled up area by area, through the months it sat there.
-#}
{% macro area_unit_period(facts, ancestry) %}
with anc as materialized (
    select unit_code, month, ancestor_code, ancestor_type
    from {{ ancestry }}
    where ancestor_type in {{ rollup_area_types() }}
),

placement as (
    -- the areas a unit sits under in a month, as one comparable text
    select unit_code, month,
        string_agg(ancestor_code || ':' || ancestor_type, ',' order by ancestor_code) as areas
    from anc
    group by unit_code, month
),

facts as (
    select f.unit_code, f.month, f.kpi_code, f.numerator, f.denominator,
        p.period_type, p.period_start, k.kind, pl.areas
    from ({{ facts }}) as f
    inner join placement as pl using (unit_code, month)
    inner join {{ ref('int_periods_months') }} as p using (month)
    inner join {{ ref('kpi_catalogue') }} as k using (kpi_code)
),

unit_periods as (
    select unit_code, period_type, period_start, kpi_code,
        {{ period_figure('numerator', 'kind', 'month') }} as numerator,
        {{ period_figure('denominator', 'kind', 'month') }} as denominator,
        max(month) as last_month,
        min(areas) = max(areas) as stayed
    from facts
    group by unit_code, period_type, period_start, kpi_code, kind
),

moved as (
    select f.*
    from facts as f
    semi join (select * from unit_periods where not stayed) as u
        using (unit_code, period_type, period_start, kpi_code)
)

select a.ancestor_code as area_code, a.ancestor_type as area_type, u.period_type, u.period_start,
    u.kpi_code, u.unit_code, u.numerator, u.denominator
from unit_periods as u
inner join anc as a on a.unit_code = u.unit_code and a.month = u.last_month
where u.stayed

union all

select a.ancestor_code as area_code, arg_max(a.ancestor_type, m.month) as area_type, m.period_type,
    m.period_start, m.kpi_code, m.unit_code,
    {{ period_figure('m.numerator', 'm.kind', 'm.month') }} as numerator,
    {{ period_figure('m.denominator', 'm.kind', 'm.month') }} as denominator
from moved as m
inner join anc as a on a.unit_code = m.unit_code and a.month = m.month
group by a.ancestor_code, m.period_type, m.period_start, m.kpi_code, m.unit_code, m.kind
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
