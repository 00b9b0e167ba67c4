{#-
  References render as "schema"."table", without the database (catalog). DuckDB names a
  file's catalog after the file, so a view that named "de06"."staging"."x" would break in
  the analysts' copy (another file name) and in any copy an analyst makes; unqualified,
  a view resolves inside whichever file holds it.
-#}
{% macro ref() %}
    {%- do return(builtins.ref(*varargs, **kwargs).include(database=false)) -%}
{% endmacro %}

{% macro source(source_name, table_name) %}
    {%- do return(builtins.source(source_name, table_name).include(database=false)) -%}
{% endmacro %}
