{{ config(materialized='incremental', incremental_strategy='append',
    pre_hook="{{ delete_window(month_in_window('month')) }}") }}
-- Consolidated figures against the units' own, on current submissions only.
--   match / mismatch: an ancestor's accepted consolidated figure and the unit's own
--     figure (numerator and denominator compared exactly);
--   missing_self: a consolidated figure for a unit with no own figure;
--   missing_consolidated: the unit has its own figure, its parent's current submission
--     has a consolidated section with at least one row, but no accepted row of it is
--     about this unit and indicator.
with own as (
    select unit_code, month, kpi_code, numerator, denominator
    from {{ ref('int_kpi_unit_month_candidates') }}
    where depth = 0
),

consolidated as (
    select unit_code, month, kpi_code, sender_code as reported_by, numerator, denominator
    from {{ ref('int_kpi_unit_month_candidates') }}
    where depth >= 1
),

reported as (
    select
        c.unit_code,
        c.month,
        c.kpi_code,
        o.numerator as self_numerator,
        o.denominator as self_denominator,
        c.reported_by,
        c.numerator as reported_numerator,
        c.denominator as reported_denominator,
        case
            when o.unit_code is null then 'missing_self'
            when o.numerator = c.numerator and o.denominator = c.denominator then 'match'
            else 'mismatch'
        end as status
    from consolidated as c
    left join own as o using (unit_code, month, kpi_code)
),

parents_with_section as (
    select u.unit_code, u.month, u.parent_code
    from {{ ref('int_org_units_monthly') }} as u
    inner join {{ ref('int_submissions_versioned') }} as s
        on s.unit_code = u.parent_code and s.month = u.month
    where s.status = 'current' and s.has_consolidated_section
),

left_out as (
    select
        o.unit_code,
        o.month,
        o.kpi_code,
        o.numerator as self_numerator,
        o.denominator as self_denominator,
        p.parent_code as reported_by,
        null::bigint as reported_numerator,
        null::bigint as reported_denominator,
        'missing_consolidated' as status
    from own as o
    inner join parents_with_section as p using (unit_code, month)
    anti join consolidated as c
        on c.unit_code = o.unit_code and c.month = o.month and c.kpi_code = o.kpi_code
        and c.reported_by = p.parent_code
)

select * from reported where {{ month_in_window('month') }}
union all
select * from left_out where {{ month_in_window('month') }}
