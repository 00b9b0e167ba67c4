{{ config(materialized='incremental', incremental_strategy='append',
    pre_hook="{{ delete_window(month_in_window('month')) }}") }}
-- Per area and month: units expected to report (active the whole month, own office
-- included), those with an accepted own submission, and those whose first accepted
-- submission met the deadline. Every area with expected units gets a row for every
-- month that has any accepted submission anywhere, even with nothing received.
with duties as (
    select
        a.ancestor_code as area_code,
        a.ancestor_type as area_type,
        r.month,
        r.unit_code,
        r.has_accepted_submission,
        r.has_accepted_submission and r.first_report_date::date <= r.due_date as is_on_time
    from {{ ref('int_unit_month_reporting') }} as r
    inner join {{ ref('int_org_ancestry_monthly') }} as a
        on a.unit_code = r.unit_code and a.month = r.month
    where r.is_expected
        and {{ month_in_window('r.month') }}
        and a.ancestor_type in {{ rollup_area_types() }}
)

select
    area_code,
    max(area_type) as area_type,
    month,
    count(*) as expected_units,
    count(*) filter (where has_accepted_submission) as received_units,
    count(*) filter (where is_on_time) as on_time_units,
    count(*) filter (where has_accepted_submission) / count(*) as completeness,
    count(*) filter (where is_on_time) / count(*) as timeliness
from duties
group by area_code, month
