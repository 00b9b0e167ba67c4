-- Each unit's contribution to each area it sat in, per period and indicator, on the tree
-- as reported (the month's tree). The rule itself is the `area_unit_period` macro.
{{ area_unit_period(
    "select unit_code, month, kpi_code, numerator, denominator from " ~ ref('fct_kpi_unit_month'),
    ref('int_org_ancestry_monthly')
) }}
