-- Targets of today's areas for every year with data: own row, else today's province's row,
-- else `*` (a restated area's targets are today's, for every period).
{{ resolve_targets("
    select distinct a.ancestor_code as area_code, y.year, p.ancestor_code as province_code
    from " ~ ref('int_org_ancestry_today') ~ " as a
    cross join (select distinct year(month) as year from " ~ ref('int_reporting_months') ~ ") as y
    left join " ~ ref('int_org_ancestry_today') ~ " as p
        on p.unit_code = a.ancestor_code and p.ancestor_type = 'province'
    where a.ancestor_type in " ~ rollup_area_types() ~ "
") }}
