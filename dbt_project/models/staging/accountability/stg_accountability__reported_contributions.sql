{%- set relation = source('accountability', 'reported_contributions') %}

with reported as (
    {%- if execute and not files_exist(env_var('ONEFUNNEL_ACCOUNTABILITY_DIR', '../data/accountability') ~ '/reported_contributions/*.parquet') %}
    select
        cast(null as date) as month_start,
        cast(null as {{ dbt.type_string() }}) as metric_key,
        cast(null as {{ dbt.type_string() }}) as record_type,
        cast(null as {{ dbt.type_string() }}) as record_id,
        cast(null as double precision) as contribution,
        cast(null as {{ dbt.type_string() }}) as definitions_version,
        cast(null as {{ dbt.type_timestamp() }}) as frozen_at
    where 1 = 0
    {%- else %}
    {#- months frozen before the freeze kept the definitions version have no such columns: null there #}
    {%- set frozen_columns = landing_column_names(relation) if execute else [] %}
    select
        month_start,
        metric_key,
        record_type,
        record_id,
        contribution,
        {{ 'definitions_version' if 'definitions_version' in frozen_columns else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as definitions_version,
        {{ 'frozen_at' if 'frozen_at' in frozen_columns else 'cast(null as ' ~ dbt.type_timestamp() ~ ')' }} as frozen_at
    from {{ relation }}
    {%- endif %}
),

final as (
    select
        -- ids
        cast(month_start as date) as month_start,
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(record_type as {{ dbt.type_string() }}) as record_type,
        cast(record_id as {{ dbt.type_string() }}) as record_id,

        -- dimensions
        cast(definitions_version as {{ dbt.type_string() }}) as reported_definitions_version,

        -- timestamps
        cast(frozen_at as {{ dbt.type_timestamp() }}) as frozen_at,

        -- measures
        cast(contribution as double precision) as reported_contribution
    from reported
)

select * from final
