{{ config(materialized='incremental', incremental_strategy='append',
    pre_hook="{{ delete_window(period_in_window('period_type', 'period_start')) }}") }}
-- Areas (district or commune, province, nation) per period and indicator, on the tree as
-- reported: sums of the numerators and denominators of every unit in the subtree (own
-- office included), after each unit's aggregation over the period. Never averaged shares.
{{ area_period_facts(ref('int_kpi_area_unit_period'), ref('int_area_targets'),
                     where=period_in_window('period_type', 'period_start')) }}
