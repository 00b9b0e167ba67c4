-- The registry as it stood in each reporting month: one row per unit active on at least
-- one day of the month, taken from the registry row covering the month (when rows change
-- inside a month, the latest-starting row decides). `is_expected`: active every day of
-- the month (across rows), so the unit is expected to report for it.
with months as (
    select month, last_day(month) as month_end from {{ ref('int_reporting_months') }}
),

overlapping as (
    select
        u.*,
        m.month,
        m.month_end,
        datediff(
            'day',
            greatest(u.active_from, m.month),
            least(coalesce(u.active_to, m.month_end), m.month_end)
        ) + 1 as days_active
    from {{ ref('stg_reference__org_units') }} as u
    inner join months as m
        on u.active_from <= m.month_end
        and (u.active_to is null or u.active_to >= m.month)
)

select
    unit_code,
    month,
    arg_max(unit_name, active_from) as unit_name,
    arg_max(unit_type, active_from) as unit_type,
    arg_max_null(parent_code, active_from) as parent_code,
    arg_max_null(school_level, active_from) as school_level,
    sum(days_active) >= datediff('day', month, month_end) + 1 as is_expected
from overlapping
group by unit_code, month, month_end
