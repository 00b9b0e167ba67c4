-- Each unit's contribution to each area it sat in, per period and indicator, on the tree
-- as reported (the month's tree). The rule itself is the `area_unit_period` macro.
{{ area_unit_period("
    select a.ancestor_code as area_code, a.ancestor_type as area_type, f.unit_code, f.month,
           f.kpi_code, f.numerator, f.denominator
    from " ~ ref('fct_kpi_unit_month') ~ " as f
    inner join " ~ ref('int_org_ancestry_monthly') ~ " as a
        on a.unit_code = f.unit_code and a.month = f.month
    where a.ancestor_type in ('district', 'commune', 'province', 'national')
") }}
