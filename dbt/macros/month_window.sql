{#-
  The month window of a build. Dagster passes the partition window as
  --vars '{"min_month": "2025-03-01", "max_month": "2025-03-01"}'; empty means all months.
  Incremental marts delete the rows of the window before inserting them again, so a
  rebuild of one month touches no row outside it (and a full build rebuilds everything).
-#}
{% macro window_min() -%}
    {%- set v = var('min_month', '') -%}
    {%- if v -%}date '{{ v }}'{%- else -%}date '0001-01-01'{%- endif -%}
{%- endmacro %}

{% macro window_max() -%}
    {%- set v = var('max_month', '') -%}
    {%- if v -%}date '{{ v }}'{%- else -%}date '9999-12-01'{%- endif -%}
{%- endmacro %}

{% macro month_in_window(column) -%}
    ({{ column }} between {{ window_min() }} and {{ window_max() }})
{%- endmacro %}

{#- The last day of a period given its type and first day. -#}
{#- The length of a period of each type, as an interval. -#}
{% macro period_length(period_type) -%}
    case {{ period_type }}
        when 'month' then interval 1 month
        when 'quarter' then interval 3 month
        when 'half_year' then interval 6 month
        else interval 12 month end
{%- endmacro %}

{% macro period_end(period_type, period_start) -%}
    (({{ period_start }}) + {{ period_length(period_type) }} - interval 1 day)::date
{%- endmacro %}

{#- A period overlaps the window when it contains at least one month of it. -#}
{% macro period_in_window(period_type, period_start) -%}
    ({{ period_start }} <= {{ window_max() }} and {{ period_end(period_type, period_start) }} >= {{ window_min() }})
{%- endmacro %}

{% macro delete_window(predicate) -%}
    {%- if is_incremental() -%}delete from {{ this }} where {{ predicate }}{%- endif -%}
{%- endmacro %}
