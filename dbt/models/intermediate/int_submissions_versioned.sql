-- Every landed submission with its status. For one unit and month the accepted
-- submission with the latest report date is current (ties: ingested later, then the
-- later path in code-point order); the others are superseded.
-- `is_first_accepted` marks the earliest report date (for timeliness).
with accepted as (
    select
        submission_id,
        row_number() over (
            partition by unit_code, month
            order by report_date desc, ingested_at desc, file_path desc
        ) as version_rank,
        row_number() over (
            partition by unit_code, month
            order by report_date asc, ingested_at asc, file_path asc
        ) as arrival_rank
    from {{ ref('stg_raw__submissions') }}
    where is_accepted
)

select
    s.*,
    case
        when not s.is_accepted then 'rejected'
        when a.version_rank = 1 then 'current'
        else 'superseded'
    end as status,
    coalesce(a.arrival_rank = 1, false) as is_first_accepted
from {{ ref('stg_raw__submissions') }} as s
left join accepted as a using (submission_id)
