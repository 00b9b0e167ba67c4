-- Each reporting month and the four periods that contain it.
with months as (
    select month from {{ ref('int_reporting_months') }}
)
select month, 'month' as period_type, month as period_start from months
union all
select month, 'quarter', date_trunc('quarter', month)::date from months
union all
select month, 'half_year', make_date(year(month), case when month(month) <= 6 then 1 else 7 end, 1) from months
union all
select month, 'year', date_trunc('year', month)::date from months
