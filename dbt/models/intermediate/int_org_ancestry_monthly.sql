-- Each unit's chain of ancestors in each month, on the tree as it stood that month:
-- depth 0 is the unit itself, 1 its parent, 2 its grandparent ... The nation `VN` sits
-- above every chain (depth 99) so that national figures roll up like any other area.
with recursive tree as (
    select unit_code, month, unit_type, parent_code from {{ ref('int_org_units_monthly') }}
),

chain as (
    select unit_code, month, unit_code as ancestor_code, unit_type as ancestor_type,
        0 as depth, parent_code as next_code
    from tree
    union all
    select c.unit_code, c.month, t.unit_code, t.unit_type, c.depth + 1, t.parent_code
    from chain as c
    inner join tree as t on t.unit_code = c.next_code and t.month = c.month
    where c.depth < 8
)

select unit_code, month, ancestor_code, ancestor_type, depth from chain
union all
select unit_code, month, 'VN', 'national', 99 from tree
