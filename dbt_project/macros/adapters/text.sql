{#- Text that other engines spell differently: JSON fields, exploding a delimited list into rows, and
    UNION ALL BY NAME (columns matched by name, needed where landed columns drift). -#}

{% macro json_text(expression, key) %}
    {{- return(adapter.dispatch('json_text', 'onefunnel')(expression, key)) -}}
{% endmacro %}

{% macro default__json_text(expression, key) %}
    (cast({{ expression }} as json) ->> '{{ key }}')
{% endmacro %}

{% macro duckdb__json_text(expression, key) %}
    json_extract_string({{ expression }}, '$.{{ key }}')
{% endmacro %}


{#- select <id_column>, <each item of list_column split on delimiter> as <item_alias> from <relation> -#}
{% macro explode_delimited(relation, id_column, list_column, delimiter, item_alias) %}
    {{- return(adapter.dispatch('explode_delimited', 'onefunnel')(relation, id_column, list_column, delimiter, item_alias)) -}}
{% endmacro %}

{% macro default__explode_delimited(relation, id_column, list_column, delimiter, item_alias) %}
    select
        source_rows.{{ id_column }},
        trim({{ dbt.split_part('source_rows.' ~ list_column, "'" ~ delimiter ~ "'", 'positions.n') }}) as {{ item_alias }}
    from {{ relation }} as source_rows
    inner join ({{ numbers_0_to_9999() }}) as positions
        on positions.n between 1 and 200
    where {{ dbt.split_part('source_rows.' ~ list_column, "'" ~ delimiter ~ "'", 'positions.n') }} <> ''
{% endmacro %}

{% macro duckdb__explode_delimited(relation, id_column, list_column, delimiter, item_alias) %}
    select
        exploded.{{ id_column }},
        trim(exploded.item) as {{ item_alias }}
    from (
        select
            {{ id_column }},
            unnest(string_split({{ list_column }}, '{{ delimiter }}')) as item
        from {{ relation }}
    ) as exploded
    where trim(exploded.item) <> ''
{% endmacro %}


{% macro union_all_by_name() %}
    {{- return(adapter.dispatch('union_all_by_name', 'onefunnel')()) -}}
{% endmacro %}

{% macro default__union_all_by_name() %}
    union all
{% endmacro %}

{% macro duckdb__union_all_by_name() %}
    union all by name
{% endmacro %}


{% macro percentile(expression, fraction) %}
    {{- return(adapter.dispatch('percentile', 'onefunnel')(expression, fraction)) -}}
{% endmacro %}

{% macro default__percentile(expression, fraction) %}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{% endmacro %}

{% macro duckdb__percentile(expression, fraction) %}
    quantile_cont({{ expression }}, {{ fraction }})
{% endmacro %}


{#- every column but these (DuckDB / Snowflake: * exclude; BigQuery: * except) -#}
{% macro star_except(columns, relation=none) %}
    {{- return(adapter.dispatch('star_except', 'onefunnel')(columns, relation)) -}}
{% endmacro %}

{% macro default__star_except(columns, relation=none) %}
    * exclude ({{ columns | join(', ') }})
{% endmacro %}

{% macro bigquery__star_except(columns, relation=none) %}
    * except ({{ columns | join(', ') }})
{% endmacro %}
