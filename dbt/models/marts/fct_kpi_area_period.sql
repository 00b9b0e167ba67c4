{{ config(materialized='incremental', incremental_strategy='append',
    pre_hook="{{ delete_window(period_in_window('period_type', 'period_start')) }}") }}
-- Areas (district or commune, province, nation) per period and indicator: sums of the
-- numerators and denominators of every unit in the subtree (own office included), after
-- each unit's aggregation over the period. Shares are never averaged.
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
    from {{ ref('int_kpi_area_unit_period') }}
    where {{ period_in_window('period_type', 'period_start') }}
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
left join {{ ref('int_area_targets') }} as t
    on t.area_code = s.area_code and t.year = year(s.period_start) and t.kpi_code = s.kpi_code
