{#-
    The six attribution models, in the order the marts list them: the one list read by int_touches_weighted
    (which computes a <model>_weight column for each), fct_attribution, attribution_monthly and the attribution
    data tests. Adding a model means adding its weight formula to int_touches_weighted as well.
-#}
{% macro attribution_models() -%}
    {{ return(['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay']) }}
{%- endmacro %}
