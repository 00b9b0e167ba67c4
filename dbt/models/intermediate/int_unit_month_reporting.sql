-- Each unit's reporting duty and record for each month: its deadline, whether it sent an
-- accepted own submission (received), and whether its first one was on time.
--   Deadline: day `due_day` of the next month (capped at that month's last day), from the
--   unit's province row for its unit type, else the `*` row, else the built-in default
--   (school 5, district and commune 8, province 10). District and commune behave alike.
--   Dates only: a report dated on the due day, at any hour, is on time.
with units as (
    select
        u.unit_code,
        u.month,
        u.unit_type,
        u.is_expected,
        case when u.unit_type = 'commune' then 'district' else u.unit_type end as deadline_type,
        p.ancestor_code as province_code
    from {{ ref('int_org_units_monthly') }} as u
    left join {{ ref('int_org_ancestry_monthly') }} as p
        on p.unit_code = u.unit_code and p.month = u.month and p.ancestor_type = 'province'
),

deadline_rows as (
    select
        area_code,
        case when unit_type = 'commune' then 'district' else unit_type end as deadline_type,
        max(due_day) as due_day
    from {{ ref('stg_reference__reporting_deadlines') }}
    group by 1, 2
),

arrivals as (
    select
        unit_code,
        month,
        min(report_date) as first_report_date,
        arg_min(submission_id, report_date) as first_submission_id,
        count(*) as accepted_versions
    from {{ ref('int_submissions_versioned') }}
    where status in ('current', 'superseded')
    group by unit_code, month
),

due as (
    select
        units.*,
        coalesce(
            own_province.due_day,
            national.due_day,
            case units.deadline_type when 'school' then 5 when 'province' then 10 else 8 end
        ) as due_day
    from units
    left join deadline_rows as own_province
        on own_province.area_code = units.province_code
        and own_province.deadline_type = units.deadline_type
    left join deadline_rows as national
        on national.area_code = '*'
        and national.deadline_type = units.deadline_type
)

select
    due.unit_code,
    due.month,
    due.unit_type,
    due.province_code,
    due.is_expected,
    due.due_day,
    least(
        make_date(year(due.month + interval 1 month), month(due.month + interval 1 month), 1)
            + (due.due_day - 1) * interval 1 day,
        last_day(due.month + interval 1 month)
    )::date as due_date,
    arrivals.first_report_date,
    arrivals.first_submission_id,
    coalesce(arrivals.accepted_versions, 0) as accepted_versions,
    arrivals.first_report_date is not null as has_accepted_submission
from due
left join arrivals using (unit_code, month)
