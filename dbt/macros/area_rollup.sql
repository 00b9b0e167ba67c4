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
  within the period is rolled up area by area, through the months it sat there: its
  months under one placement (a stint) are rolled up first, then each area adds the
  stints it held the unit in.
-#}
{% macro area_unit_period(facts, ancestry) %}
with anc as materialized (
    select unit_code, month, ancestor_code, ancestor_type
    from {{ ancestry }}
    where ancestor_type in {{ rollup_area_types() }}
),

placement as (
    -- the areas a unit sits under in a month, numbered: equal numbers, equal areas
    select unit_code, month, dense_rank() over (order by areas) as placement_id
    from (
        select unit_code, month,
            string_agg(ancestor_code || ':' || ancestor_type, ',' order by ancestor_code) as areas
        from anc
        group by unit_code, month
    )
),

placement_areas as (
    select distinct pl.placement_id, a.ancestor_code, a.ancestor_type
    from anc as a
    inner join placement as pl using (unit_code, month)
),

facts as materialized (
    -- one row per unit, month and indicator, with the unit's placement that month
    select f.unit_code, f.month, f.kpi_code, f.numerator, f.denominator, k.kind, pl.placement_id
    from ({{ facts }}) as f
    inner join placement as pl using (unit_code, month)
    inner join {{ ref('kpi_catalogue') }} as k using (kpi_code)
),

moved as (
    -- the periods in which a unit sat under more than one placement
    select pl.unit_code, p.period_type, p.period_start
    from placement as pl
    inner join {{ ref('int_periods_months') }} as p using (month)
    where p.period_type <> 'month'
    group by pl.unit_code, p.period_type, p.period_start
    having min(pl.placement_id) <> max(pl.placement_id)
),

stints as (
    -- a unit's months of a period under one placement, rolled up like a period of their
    -- own (flow: sum; stock: the last month's figure); a unit that stayed has one stint
    select f.unit_code, p.period_type, p.period_start, f.kpi_code, f.kind, f.placement_id,
        {{ period_figure('f.numerator', 'f.kind', 'f.month') }} as numerator,
        {{ period_figure('f.denominator', 'f.kind', 'f.month') }} as denominator,
        max(f.month) as last_month
    from facts as f
    inner join {{ ref('int_periods_months') }} as p using (month)
    where p.period_type <> 'month'
    group by f.unit_code, p.period_type, p.period_start, f.kpi_code, f.kind, f.placement_id
),

unit_periods as (
    -- a unit under the same areas all period; a month period holds one month: the
    -- unit's figure of that month, as it is
    select f.unit_code, p.period_type, p.period_start, f.kpi_code, f.numerator, f.denominator,
        f.placement_id
    from facts as f
    inner join {{ ref('int_periods_months') }} as p using (month)
    where p.period_type = 'month'

    union all

    select s.unit_code, s.period_type, s.period_start, s.kpi_code, s.numerator, s.denominator,
        s.placement_id
    from stints as s
    anti join moved as m using (unit_code, period_type, period_start)
)

select a.ancestor_code as area_code, a.ancestor_type as area_type, u.period_type, u.period_start,
    u.kpi_code, u.unit_code, u.numerator, u.denominator
from unit_periods as u
inner join placement_areas as a using (placement_id)

union all

-- an area of a moved unit gets the stints under it: flows summed, the last stock
select a.ancestor_code as area_code, arg_max(a.ancestor_type, s.last_month) as area_type,
    s.period_type, s.period_start, s.kpi_code, s.unit_code,
    {{ period_figure('s.numerator', 's.kind', 's.last_month') }} as numerator,
    {{ period_figure('s.denominator', 's.kind', 's.last_month') }} as denominator
from stints as s
semi join moved as m using (unit_code, period_type, period_start)
inner join placement_areas as a using (placement_id)
group by a.ancestor_code, s.period_type, s.period_start, s.kpi_code, s.unit_code, s.kind
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
