-- The months the warehouse knows about: every month with an accepted submission
-- (current or superseded) anywhere. Completeness rows and the calendar use these.
select distinct month
from {{ ref('stg_raw__submissions') }}
where is_accepted and month is not null
