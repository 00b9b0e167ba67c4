-- Each unit's contribution to each area of TODAY's tree, per period and indicator: every
-- month of the unit's figures rolls up along its chain on today's tree.
{{ area_unit_period("
    select a.ancestor_code as area_code, a.ancestor_type as area_type, f.unit_code, f.month,
           f.kpi_code, f.numerator, f.denominator
    from " ~ ref('fct_kpi_unit_month') ~ " as f
    inner join " ~ ref('int_org_ancestry_today') ~ " as a on a.unit_code = f.unit_code
    where a.ancestor_type in ('district', 'commune', 'province', 'national')
") }}
