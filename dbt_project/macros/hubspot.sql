{#- Reading the HubSpot landing zone: rows of a dataset, its (drifting) columns, and typing HubSpot's strings. -#}

{% macro landing_dir() %}
    {{- return(env_var('ONEFUNNEL_LANDING_DIR', '../data/landing')) -}}
{% endmacro %}


{#- Columns of a landed dataset (empty before execution or when nothing has landed yet). -#}
{% macro landing_columns(dataset) %}
    {%- if not execute or not landing_dataset_exists(dataset) -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(landing_column_names(source('hubspot', dataset))) }}
{% endmacro %}


{#- select * from the landed dataset; in an incremental build only the runs after the newest one already
    processed (and that one again if it was still landing then). When the dataset has not landed at all, an
    empty row set with the given columns. -#}
{% macro landed_rows(dataset, empty_columns) %}
    {%- set relation = source('hubspot', dataset) -%}
    {%- if execute and not landing_dataset_exists(dataset) -%}
        select
        {%- for column in empty_columns %}
            cast(null as {{ column[1] }}) as {{ column[0] }},
        {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as run_id
        where 1 = 0
    {%- else -%}
        select *
        from {{ relation }}
        {%- if is_incremental() and execute %}
        {%- set newest = run_query('select max(last_run_id) from ' ~ this).columns[0].values()[0] %}
        {%- if newest is not none %}
        {#- a literal bound lets DuckDB skip the older run folders (hive partition pruning); the newest run
            already processed is read again unless its run manifest shows it had finished landing #}
        where run_id {{ '>' if files_exist(landing_dir() ~ '/_runs/' ~ newest ~ '.json') else '>=' }} {{ dbt.string_literal(newest) }}
        {%- endif %}
        {%- endif %}
    {%- endif -%}
{% endmacro %}


{% macro crm_empty_columns() %}
    {{ return([('id', dbt.type_string()), ('createdAt', dbt.type_string()), ('updatedAt', dbt.type_string()),
               ('archived', dbt.type_boolean()), ('archivedAt', dbt.type_string()),
               ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())]) }}
{% endmacro %}


{#- A HubSpot property as landed (text), or null when the portal never sent it. -#}
{% macro hs_text(columns, name) %}
    {%- if ('properties__' ~ name) in columns -%}
        nullif(properties__{{ name }}, '')
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{% endmacro %}

{% macro hs_timestamp(columns, name) %}
    {{- parse_hubspot_timestamp(hs_text(columns, name)) -}}
{% endmacro %}

{% macro hs_number(columns, name) %}
    {{- dbt.safe_cast(hs_text(columns, name), 'numeric(38, 6)') -}}
{% endmacro %}

{% macro hs_integer(columns, name) %}
    {{- dbt.safe_cast(dbt.safe_cast(hs_text(columns, name), 'numeric(38, 6)'), dbt.type_bigint()) -}}
{% endmacro %}

{% macro hs_boolean(columns, name) %}
    (lower({{ hs_text(columns, name) }}) = 'true')
{% endmacro %}


{#- The landing bookkeeping every CRM staging model keeps, to pick and audit the latest version. -#}
{#- When a landed row was first extracted: its own extraction time (keep_latest_version takes the minimum per
    key); on engines whose keep_latest_version cannot replace a column, the minimum per id already here. -#}
{% macro landing_first_extracted_at() %}
    {{- return(adapter.dispatch('landing_first_extracted_at', 'onefunnel')()) -}}
{% endmacro %}

{% macro default__landing_first_extracted_at() %}
    {{ utc_naive('_extracted_at') }}
{% endmacro %}


{#- A landed column's identifier, quoted (landed names keep HubSpot's camelCase). -#}
{% macro landed_identifier(name) %}
    {{- return(adapter.dispatch('landed_identifier', 'onefunnel')(name)) -}}
{% endmacro %}

{% macro default__landed_identifier(name) %}
    {{- '"' ~ name ~ '"' -}}
{% endmacro %}


{% macro crm_landing_columns() %}
        {{ parse_hubspot_timestamp('createdAt') }} as created_at,
        {{ parse_hubspot_timestamp('updatedAt') }} as updated_at,
        coalesce(archived, false) as is_archived,
        {{ parse_hubspot_timestamp('archivedAt') }} as archived_at,
        {{ utc_naive('_extracted_at') }} as extracted_at,
        {{ landing_first_extracted_at() }} as first_extracted_at,
        run_id as last_run_id
{% endmacro %}


{#- Latest version per key (by updated_at, then extraction time), first extraction kept for audits.
    Incremental: the new rows compete with the stored version of the same keys; every row written carries
    this build's `_loaded_at` (what int_records_changed looks for). -#}
{% macro keep_latest_version(typed_cte, key) %}
    {{- return(adapter.dispatch('keep_latest_version', 'onefunnel')(typed_cte, key)) -}}
{% endmacro %}

{% macro default__keep_latest_version(typed_cte, key) %}
    with candidates as (
        select * from {{ typed_cte }}
        {%- if is_incremental() %}
        {{ union_all_by_name() }}
        select * from {{ this }}
        where {{ key }} in (select {{ key }} from {{ typed_cte }})
        {%- endif %}
    ),

    ranked as (
        select
            {{ star_except(['first_extracted_at']) }},
            min(first_extracted_at) over (partition by {{ key }}) as first_extracted_at,
            row_number() over (
                partition by {{ key }}
                order by updated_at desc nulls last, extracted_at desc, last_run_id desc, is_archived desc
            ) as version_rank
        from candidates
    )

    select
        {{ star_except(['version_rank', '_loaded_at'] if is_incremental() else ['version_rank']) }},
        {{ batch_loaded_at() }} as _loaded_at
    from ranked
    where version_rank = 1
{% endmacro %}


{#- A landed column by its own name (non-property datasets), or null when this landing zone lacks it. -#}
{% macro landed_column(columns, name) %}
    {%- if not execute or name in columns or (name | lower) in columns -%}
        {{ landed_identifier(name) }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{% endmacro %}

{#- Staging of one association dataset (e.g. associations_calls_contacts) keyed by its from-object:
    associations are replaced as a whole, so an object's newest extraction lists all its contacts (or one
    row with a null to_id when it has none now). -#}
{% macro stg_hubspot_association(dataset, from_key) %}
{%- set association_columns = [
    ('from_id', dbt.type_string()), ('to_id', dbt.type_string()), ('association_types', dbt.type_string()),
    ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())] %}

with landed as (
    {{ landed_rows(dataset, association_columns) }}
),

typed as (
    select
        cast(from_id as {{ dbt.type_string() }}) as {{ from_key }},
        cast(to_id as {{ dbt.type_string() }}) as contact_id,
        {{ utc_naive('_extracted_at') }} as extracted_at,
        run_id as last_run_id
    from landed
),

ranked as (
    select
        *,
        max(last_run_id) over (partition by {{ from_key }}) as newest_run_id
    from typed
),

-- A run can land the same association twice (at-least-once landing: overlapping read chains,
-- retried pages), with different extraction times: keep one row per pair.
final as (
    select
        {{ from_key }},
        contact_id,
        max(extracted_at) as extracted_at,
        last_run_id,
        {{ batch_loaded_at() }} as _loaded_at
    from ranked
    where last_run_id = newest_run_id
    group by {{ from_key }}, contact_id, last_run_id
)

select * from final
{% endmacro %}


{#- Staging of one property-history dataset (contacts_property_history, deals_property_history): one row per
    change (object, property, when, value), the newest extraction of it kept, typed. -#}
{% macro stg_hubspot_property_history(dataset, id_column) %}
{%- set history_columns = [
    ('object_id', dbt.type_string()), ('property', dbt.type_string()), ('value', dbt.type_string()),
    ('timestamp', dbt.type_string()), ('sourceType', dbt.type_string()), ('updatedByUserId', dbt.type_string()),
    ('_extracted_at', dbt.type_timestamp()), ('_run_id', dbt.type_string())] %}
{%- set landed_columns = landing_columns(dataset) %}

with landed as (
    {{ landed_rows(dataset, history_columns) }}
),

typed as (
    select
        -- ids
        cast(object_id as {{ dbt.type_string() }}) as {{ id_column }},
        cast({{ landed_column(landed_columns, 'updatedByUserId') }} as {{ dbt.type_string() }}) as updated_by_user_id,

        -- dimensions
        property as property_name,
        coalesce(value, '') as property_value,
        {{ landed_column(landed_columns, 'sourceType') }} as change_source_type,

        -- timestamps
        {{ parse_hubspot_timestamp('"timestamp"') }} as changed_at,
        {{ utc_naive('_extracted_at') }} as extracted_at,
        run_id as last_run_id
    from landed
),

ranked as (
    select
        *,
        row_number() over (
            partition by {{ id_column }}, property_name, changed_at, property_value
            order by extracted_at desc
        ) as version_rank
    from typed
),

final as (
    select
        {{ id_column }},
        updated_by_user_id,
        property_name,
        property_value,
        change_source_type,
        changed_at,
        extracted_at,
        last_run_id,
        {{ batch_loaded_at() }} as _loaded_at
    from ranked
    where version_rank = 1
)

select * from final
{% endmacro %}


{#- Staging of one engagement object (calls, emails, meetings, notes, tasks): the latest version per id, typed,
    with the id, owner, when it happened (hs_timestamp, else its create date) and the object's own text
    properties given as {column: property}. -#}
{% macro stg_hubspot_engagement(dataset, id_column, text_properties={}) %}
{%- set landed_columns = landing_columns(dataset) %}

with landed as (
    {{ landed_rows(dataset, crm_empty_columns()) }}
),

typed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as {{ id_column }},
        {{ hs_text(landed_columns, 'hubspot_owner_id') }} as owner_id,

        -- dimensions
        {%- for column, property in text_properties.items() %}
        {{ hs_text(landed_columns, property) }} as {{ column }},
        {%- endfor %}

        -- timestamps
        coalesce(
            {{ hs_timestamp(landed_columns, 'hs_timestamp') }},
            {{ hs_timestamp(landed_columns, 'hs_createdate') }}
        ) as occurred_at,

        -- landing bookkeeping
        {{ crm_landing_columns() }}
    from landed
),

final as (
    {{ keep_latest_version('typed', id_column) }}
)

select * from final
{% endmacro %}
