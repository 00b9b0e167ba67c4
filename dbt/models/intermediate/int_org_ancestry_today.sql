-- Each unit's chain of areas on TODAY's tree (contract section 5, restated mart): every
-- unit hangs under the parent of its latest registry row; a closed unit on the way is
-- replaced by its successor (followed until an open unit), or skipped over to its own
-- latest parent when it has none. A closed unit's own figures follow its successor, else
-- its latest parent's chain. "Today" is the last day of the latest reporting month.
-- Grain: (unit_code, ancestor_code); depth 0 is where the unit's figures now sit.
with recursive
reference_day as (
    select last_day(max(month)) as day from {{ ref('int_reporting_months') }}
),

latest as (
    -- arg_max_null, not arg_max: arg_max skips NULLs, and an open-ended latest row
    -- (active_to NULL) or a top-level one (parent_code NULL) must win.
    select
        unit_code,
        arg_max(unit_type, active_from) as unit_type,
        arg_max_null(parent_code, active_from) as parent_code,
        arg_max_null(successor_code, active_from) as successor_code,
        arg_max_null(active_to, active_from) as active_to,
        min(active_from) as first_active_from
    from {{ ref('stg_reference__org_units') }}
    group by unit_code
),

nodes as (
    select
        latest.*,
        latest.first_active_from <= d.day and (latest.active_to is null or latest.active_to >= d.day) as is_open
    from latest cross join reference_day as d
),

-- From any code, walk successor (else latest parent) links until an open unit.
walk as (
    select unit_code as start_code, unit_code as code, 0 as steps from nodes
    union all
    select w.start_code, coalesce(n.successor_code, n.parent_code), w.steps + 1
    from walk as w
    inner join nodes as n on n.unit_code = w.code
    where not n.is_open and w.steps < 20 and coalesce(n.successor_code, n.parent_code) is not null
),

resolved as (
    select w.start_code, w.code as open_code
    from walk as w
    inner join nodes as n on n.unit_code = w.code and n.is_open
    qualify row_number() over (partition by w.start_code order by w.steps) = 1
),

today_parent as (
    select n.unit_code, r.open_code as parent_code
    from nodes as n
    inner join resolved as r on r.start_code = n.parent_code
    where n.is_open
),

chain as (
    select start_code as unit_code, open_code as ancestor_code, 0 as depth from resolved
    union all
    select c.unit_code, p.parent_code, c.depth + 1
    from chain as c
    inner join today_parent as p on p.unit_code = c.ancestor_code
    where c.depth < 10
)

select c.unit_code, c.ancestor_code, n.unit_type as ancestor_type, c.depth
from chain as c
inner join nodes as n on n.unit_code = c.ancestor_code
union all
select unit_code, 'VN', 'national', 99 from nodes
