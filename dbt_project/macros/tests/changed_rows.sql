{#- Data tests of an incremental model look at the rows of its newest batch only (`_loaded_at`, see
    macros/incremental.sql); in a full refresh at every row. That keeps every guarantee: the incremental
    models replace whole records (all rows of a changed contact, deal or engagement are deleted and written
    again), so a row-level check (not null, accepted values and ranges, relationships of a child) holds for the
    whole table once it holds for the new rows, and a key that includes the replaced record's id (every key
    tested here does) cannot collide with an older row. Overrides dbt's default__get_where_subquery; a test's
    own `where` config still applies. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if execute and not flags.FULL_REFRESH and is_incremental_relation(relation) -%}
        {%- do conditions.append('_loaded_at = (select max(_loaded_at) from ' ~ relation ~ ')') -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{% macro is_incremental_relation(relation) %}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.config.materialized == 'incremental'
              and (node.alias or node.name) == relation.identifier and node.schema == relation.schema -%}
            {{- return(true) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return(false) -}}
{% endmacro %}
