{{ config(materialized='table') }}
-- The same columns and rules as fct_kpi_area_period, on today's tree, so that history
-- compares with the present across the July 2025 reorganisation. Rebuilt whole on every
-- build: today's tree moves with the latest reporting month.
{{ area_period_facts(ref('int_kpi_area_unit_period_restated'), ref('int_area_targets_today')) }}
