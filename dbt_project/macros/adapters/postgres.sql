{#- PostgreSQL implementations of the adapter macros (dispatch picks postgres__ before default__). On
    Postgres the landing zone is loaded into raw tables (schema `hubspot`, by onefunnel.scaleout.postgres)
    instead of read in place, so the file checks become table checks. -#}

{#- Files on Postgres: a landing dataset's parts (<landing>/<dataset>/*/*.parquet) "exist" when its raw
    table does; a run manifest (<landing>/_runs/<run id>.json) when the loader loaded that run (it loads
    finished runs only, so a loaded run had finished landing). Other files (months frozen by month close)
    are not loaded into Postgres: they do not exist there. -#}
{% macro postgres__files_exist(pattern) %}
    {%- set landing = landing_dir() ~ '/' -%}
    {%- if not pattern.startswith(landing) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set rest = pattern[landing | length:] -%}
    {%- if rest.endswith('/*/*.parquet') and rest.count('/') == 2 -%}
        {%- set relation = adapter.get_relation(database=target.database, schema='hubspot', identifier=rest.split('/')[0]) -%}
        {{- return(relation is not none) -}}
    {%- endif -%}
    {%- if rest.startswith('_runs/') and rest.endswith('.json') and rest.count('/') == 1 -%}
        {%- set run_id = rest[6:-5] -%}
        {%- set loaded = adapter.get_relation(database=target.database, schema='hubspot', identifier='_loaded_runs') -%}
        {%- if loaded is none -%}
            {{- return(false) -}}
        {%- endif -%}
        {%- set result = run_query('select count(*) from ' ~ loaded ~ ' where run_id = ' ~ dbt.string_literal(run_id)) -%}
        {{- return(result.columns[0].values()[0] > 0) -}}
    {%- endif -%}
    {{- return(false) -}}
{% endmacro %}


{% macro postgres__explode_delimited(relation, id_column, list_column, delimiter, item_alias) %}
    select
        source_rows.{{ id_column }},
        trim(exploded.item) as {{ item_alias }}
    from {{ relation }} as source_rows
    cross join lateral unnest(string_to_array(source_rows.{{ list_column }}, '{{ delimiter }}')) as exploded (item)
    where trim(exploded.item) <> ''
{% endmacro %}


{#- Latest version per key, first extraction kept: DuckDB spells it with `* exclude`, which PostgreSQL lacks.
    A full build takes the newest row per key with DISTINCT ON (first_extracted_at is already the minimum
    per key there: landing_first_extracted_at); an incremental build lists the stored table's columns. -#}
{% macro postgres__keep_latest_version(typed_cte, key) %}
    {%- set order = 'updated_at desc nulls last, extracted_at desc, last_run_id desc, is_archived desc' -%}
    {%- if is_incremental() %}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | reject('equalto', '_loaded_at') | list %}
    {%- set kept = columns | reject('equalto', 'first_extracted_at') | list %}
    with candidates as (
        select {{ columns | join(', ') }} from {{ typed_cte }}
        union all
        select {{ columns | join(', ') }} from {{ this }}
        where {{ key }} in (select {{ key }} from {{ typed_cte }})
    ),

    firsts as (
        select {{ key }}, min(first_extracted_at) as first_extracted_at
        from candidates
        group by {{ key }}
    ),

    latest as (
        select distinct on ({{ key }}) {{ kept | join(', ') }}
        from candidates
        order by {{ key }}, {{ order }}
    )

    select latest.*, firsts.first_extracted_at, {{ batch_loaded_at() }} as _loaded_at
    from latest
    inner join firsts on firsts.{{ key }} = latest.{{ key }}
    {%- else %}
    select distinct on ({{ key }}) *, {{ batch_loaded_at() }} as _loaded_at
    from {{ typed_cte }}
    order by {{ key }}, {{ order }}
    {%- endif %}
{% endmacro %}


{% macro postgres__landing_first_extracted_at() %}
    min({{ utc_naive('_extracted_at') }}) over (partition by id)
{% endmacro %}


{#- The loader lower-cases landed column names (PostgreSQL folds unquoted identifiers). -#}
{% macro postgres__landed_identifier(name) %}
    {{- '"' ~ (name | lower) ~ '"' -}}
{% endmacro %}


{#- `* exclude (...)` spelled out from the relation's columns. -#}
{% macro postgres__star_except(columns, relation=none) %}
    {%- if not execute -%}
        {{- return('*') -}}
    {%- endif -%}
    {%- if relation is none -%}
        {{ exceptions.raise_compiler_error("star_except on PostgreSQL needs the relation to list its columns") }}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | reject('in', columns) | list -%}
    {{ names | join(', ') }}
{% endmacro %}
