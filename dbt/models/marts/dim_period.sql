-- The calendar of periods that contain a reporting month, with Vietnamese labels.
with periods as (
    select distinct period_type, period_start from {{ ref('int_periods_months') }}
),

roman as (
    select * from (values (1, 'I'), (2, 'II'), (3, 'III'), (4, 'IV')) as r (quarter, numeral)
)

select
    p.period_type,
    p.period_start,
    {{ period_end('p.period_type', 'p.period_start') }} as period_end,
    -- the period of the same type just before (the reports' "previous period" column)
    (p.period_start - {{ period_length('p.period_type') }})::date as previous_period_start,
    year(p.period_start) as year,
    case p.period_type
        when 'month' then 'Tháng ' || month(p.period_start) || '/' || year(p.period_start)
        when 'quarter' then 'Quý ' || r.numeral || '/' || year(p.period_start)
        when 'half_year' then
            case when month(p.period_start) = 1 then '6 tháng đầu năm ' else '6 tháng cuối năm ' end
            || year(p.period_start)
        else 'Năm ' || year(p.period_start)
    end as label_vi,
    case p.period_type
        when 'month' then strftime(p.period_start, '%Y-%m')
        when 'quarter' then year(p.period_start) || '-Q' || quarter(p.period_start)
        when 'half_year' then year(p.period_start) || '-H' || case when month(p.period_start) = 1 then 1 else 2 end
        else year(p.period_start)::varchar
    end as period_key
from periods as p
left join roman as r on r.quarter = quarter(p.period_start)
