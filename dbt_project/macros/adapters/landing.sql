{#- The Parquet landing zone, read in place (DuckDB's read_parquet; see _hubspot__sources.yml). -#}

{% macro landing_dataset_exists(dataset) %}
    {{- return(files_exist(landing_dir() ~ '/' ~ dataset ~ '/*/*.parquet')) -}}
{% endmacro %}

{% macro files_exist(pattern) %}
    {{- return(adapter.dispatch('files_exist', 'onefunnel')(pattern)) -}}
{% endmacro %}

{% macro default__files_exist(pattern) %}
    {{- return(true) -}}
{% endmacro %}

{% macro duckdb__files_exist(pattern) %}
    {%- set result = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
    {{- return(result.columns[0].values()[0] > 0) -}}
{% endmacro %}


{% macro landing_column_names(relation) %}
    {{- return(adapter.dispatch('landing_column_names', 'onefunnel')(relation)) -}}
{% endmacro %}

{% macro default__landing_column_names(relation) %}
    {%- set columns = adapter.get_columns_in_relation(relation) -%}
    {{- return(columns | map(attribute='name') | list) -}}
{% endmacro %}

{% macro duckdb__landing_column_names(relation) %}
    {%- set result = run_query('describe select * from ' ~ relation) -%}
    {{- return(result.columns[0].values() | list) -}}
{% endmacro %}
