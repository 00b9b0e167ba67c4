-- The target that applies to an area (as reported) for an indicator and year: its own
-- row, else the row of the province it sat in that year, else `*` (see resolve_targets).
{{ resolve_targets("
    select distinct a.ancestor_code as area_code, year(a.month) as year, p.ancestor_code as province_code
    from " ~ ref('int_org_ancestry_monthly') ~ " as a
    left join " ~ ref('int_org_ancestry_monthly') ~ " as p
        on p.unit_code = a.ancestor_code and p.month = a.month and p.ancestor_type = 'province'
    where a.ancestor_type in " ~ rollup_area_types() ~ "
") }}
