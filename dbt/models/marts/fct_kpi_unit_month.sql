{{ config(materialized='incremental', incremental_strategy='append',
    pre_hook="{{ delete_window(month_in_window('month')) }}") }}
-- One figure per unit, month and indicator, by precedence: the unit's own current
-- submission, else its parent's current consolidated figure, else its grandparent's.
-- Decided per indicator; a quarantined row is no figure.
with chosen as (
    -- the candidate nearest the unit (there is one per depth); a window rather than
    -- arg_min aggregates, whose states for 8 M keys of a year outgrew DuckDB's memory cap
    select unit_code, month, kpi_code, numerator, denominator, submission_id, depth
    from {{ ref('int_kpi_unit_month_candidates') }}
    where depth <= 2 and {{ month_in_window('month') }}
    qualify depth = min(depth) over (partition by unit_code, month, kpi_code)
)

select
    unit_code,
    month,
    kpi_code,
    numerator,
    denominator,
    case when denominator = 0 then null else numerator / denominator end as value,
    case depth when 0 then 'self' when 1 then 'parent' else 'grandparent' end as source_level,
    submission_id
from chosen
