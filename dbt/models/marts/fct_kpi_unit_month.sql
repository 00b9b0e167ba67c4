{{ config(materialized='incremental', incremental_strategy='append',
    pre_hook="{{ delete_window(month_in_window('month')) }}") }}
-- One figure per unit, month and indicator, by precedence: the unit's own current
-- submission, else its parent's current consolidated figure, else its grandparent's.
-- Decided per indicator; a quarantined row is no figure.
select
    unit_code,
    month,
    kpi_code,
    arg_min(numerator, depth) as numerator,
    arg_min(denominator, depth) as denominator,
    case when arg_min(denominator, depth) = 0 then null
        else arg_min(numerator, depth) / arg_min(denominator, depth) end as value,
    case min(depth) when 0 then 'self' when 1 then 'parent' else 'grandparent' end as source_level,
    arg_min(submission_id, depth) as submission_id
from {{ ref('int_kpi_unit_month_candidates') }}
where depth <= 2 and {{ month_in_window('month') }}
group by unit_code, month, kpi_code
