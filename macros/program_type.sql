{#-
    The program a campaign is, from its audience and is_automated columns: 'nurture' (an automated prospect
    campaign), 'customer' (any customer-audience campaign), null (not a program). The one definition, read by
    nurture_lift, stall_points and the program intermediate models (program_outcomes takes its programs from
    int_program_accounts_compared).
-#}
{% macro program_type(audience, is_automated) -%}
    case
        when {{ audience }} = 'customer' then 'customer'
        when {{ audience }} = 'prospect' and {{ is_automated }} = true then 'nurture'
    end
{%- endmacro %}
