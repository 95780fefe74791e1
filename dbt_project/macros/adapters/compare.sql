{#- The earliest of several timestamps, nulls ignored (null only when all are null). DuckDB's and
    PostgreSQL's least() already ignore nulls; engines whose least() returns null for any null argument
    (Snowflake, BigQuery) get the default, which parks nulls at the end of time first. -#}

{% macro earliest_timestamp(expressions) %}
    {{- return(adapter.dispatch('earliest_timestamp', 'onefunnel')(expressions)) -}}
{% endmacro %}

{% macro default__earliest_timestamp(expressions) %}
    {%- if expressions | length == 1 -%}
        {{ expressions[0] }}
    {%- else -%}
        nullif(least(
            {%- for expression in expressions %}
            coalesce({{ expression }}, cast('9999-12-31' as {{ dbt.type_timestamp() }})){% if not loop.last %},{% endif %}
            {%- endfor %}
        ), cast('9999-12-31' as {{ dbt.type_timestamp() }}))
    {%- endif -%}
{% endmacro %}

{% macro duckdb__earliest_timestamp(expressions) %}
    {%- if expressions | length == 1 -%}
        {{ expressions[0] }}
    {%- else -%}
        least({{ expressions | join(', ') }})
    {%- endif -%}
{% endmacro %}

{% macro postgres__earliest_timestamp(expressions) %}
    {{- duckdb__earliest_timestamp(expressions) -}}
{% endmacro %}
