-- Every figure that could stand for a unit, month and indicator, with how far up the
-- tree (as of the month) its sender sits: 0 = the unit's own submission, 1 = its parent's
-- consolidated sheet, 2 = its grandparent's, 3+ = higher ancestors (reconciliation only).
select
    f.unit_code,
    f.month,
    f.kpi_code,
    f.numerator,
    f.denominator,
    f.submission_id,
    f.sender_code,
    f.scope,
    a.depth
from {{ ref('int_figures_current') }} as f
inner join {{ ref('int_org_ancestry_monthly') }} as a
    on a.unit_code = f.unit_code
    and a.month = f.month
    and a.ancestor_code = f.sender_code
where (f.scope = 'own' and a.depth = 0) or (f.scope = 'consolidated' and a.depth between 1 and 8)
