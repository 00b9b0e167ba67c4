-- The indicator list (product data, the `kpi_catalogue` seed).
select
    kpi_code,
    name_vi,
    name_en,
    kind,
    is_binary,
    numerator_label,
    denominator_label,
    sort_order
from {{ ref('kpi_catalogue') }}
