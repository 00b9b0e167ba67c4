-- Each unit's contribution to each area it sat in, per period and indicator.
-- A unit counts toward an area only through the months in which the tree placed it
-- inside that area: flow figures of those months are summed; the stock figure is the
-- last of those months that has one (0/0 included).
with placed as (
    select
        a.ancestor_code as area_code,
        a.ancestor_type as area_type,
        f.unit_code,
        f.month,
        f.kpi_code,
        f.numerator,
        f.denominator
    from {{ ref('fct_kpi_unit_month') }} as f
    inner join {{ ref('int_org_ancestry_monthly') }} as a
        on a.unit_code = f.unit_code and a.month = f.month
    where a.ancestor_type in ('district', 'commune', 'province', 'national')
)

select
    placed.area_code,
    arg_max(placed.area_type, placed.month) as area_type,
    p.period_type,
    p.period_start,
    placed.kpi_code,
    placed.unit_code,
    case when k.kind = 'flow' then sum(placed.numerator) else arg_max(placed.numerator, placed.month) end as numerator,
    case when k.kind = 'flow' then sum(placed.denominator) else arg_max(placed.denominator, placed.month) end as denominator
from placed
inner join {{ ref('int_periods_months') }} as p using (month)
inner join {{ ref('kpi_catalogue') }} as k using (kpi_code)
group by placed.area_code, p.period_type, p.period_start, placed.kpi_code, placed.unit_code, k.kind
