{#- A share: NULL, or a number from 0 to 1. -#}
{% test share_between_0_and_1(model, column_name) %}
select * from {{ model }} where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
