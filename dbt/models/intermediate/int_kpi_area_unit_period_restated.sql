-- Each unit's contribution to each area of TODAY's tree, per period and indicator: every
-- month of the unit's figures rolls up along its chain on today's tree (the same chain in
-- every month, so each unit's period figure is computed once).
{{ area_unit_period(
    "select unit_code, month, kpi_code, numerator, denominator from " ~ ref('fct_kpi_unit_month'),
    "(select a.unit_code, m.month, a.ancestor_code, a.ancestor_type from " ~ ref('int_org_ancestry_today')
    ~ " as a cross join (select month from " ~ ref('int_reporting_months') ~ ") as m)"
) }}
