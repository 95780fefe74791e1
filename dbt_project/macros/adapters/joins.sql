{#- Null-safe equality usable as a FULL OUTER JOIN condition. DuckDB joins on `is not distinct from`;
    PostgreSQL runs a full join only on hash- or merge-joinable conditions (plain `=`), so there both sides
    become text with nulls mapped to one marker no real key takes. -#}

{% macro full_join_equal(left, right) %}
    {{- return(adapter.dispatch('full_join_equal', 'onefunnel')(left, right)) -}}
{% endmacro %}

{% macro default__full_join_equal(left, right) %}
    {{ left }} is not distinct from {{ right }}
{% endmacro %}

{% macro postgres__full_join_equal(left, right) %}
    coalesce(cast({{ left }} as text), E'\x01null') = coalesce(cast({{ right }} as text), E'\x01null')
{% endmacro %}
