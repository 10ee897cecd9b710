{#-
    The first (leftmost) substring of `expression` matching the regular expression `pattern`, or null when
    nothing matches (or the expression is null); `... is not null` tests for a match. Targets spell regular
    expressions differently, hence adapter.dispatch. `pattern` is a plain string rendered as a SQL literal:
    keep to the syntax all targets share (character classes, quantifiers +, *, ?, {m,n}, alternation and
    non-capturing groups (?:...)); no capturing groups (PostgreSQL would return the group, not the match).
-#}
{% macro regexp_first_match(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_first_match', 'lifecycle')(expression, pattern)) }}
{%- endmacro %}

{#- SQL:2008-style regexp_substr (Snowflake, Redshift, Oracle, PostgreSQL 15+): null when nothing matches. -#}
{% macro default__regexp_first_match(expression, pattern) -%}
    regexp_substr({{ expression }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{#- regexp_extract returns '' when nothing matches. -#}
{% macro duckdb__regexp_first_match(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern | replace("'", "''") }}'), '')
{%- endmacro %}

{#- substring(... from pattern) is a POSIX regular expression match on every version; null when nothing matches. -#}
{% macro postgres__regexp_first_match(expression, pattern) -%}
    substring({{ expression }} from '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{#- Spark string literals take backslash escapes: double the pattern's backslashes. -#}
{% macro spark__regexp_first_match(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}', 0), '')
{%- endmacro %}
