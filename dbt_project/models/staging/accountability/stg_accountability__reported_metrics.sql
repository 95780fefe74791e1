{#- The frozen "reported" numbers (written once per month by `onefunnel month-close`, never rewritten). -#}
{%- set relation = source('accountability', 'reported_metrics') %}

with reported as (
    {%- if execute and not files_exist(env_var('ONEFUNNEL_ACCOUNTABILITY_DIR', '../data/accountability') ~ '/reported_metrics/*.parquet') %}
    select
        cast(null as date) as month_start,
        cast(null as {{ dbt.type_string() }}) as metric_key,
        cast(null as double precision) as metric_value,
        cast(null as {{ dbt.type_bigint() }}) as record_count,
        cast(null as {{ dbt.type_string() }}) as definitions_version,
        cast(null as {{ dbt.type_timestamp() }}) as frozen_at,
        cast(null as {{ dbt.type_timestamp() }}) as frozen_data_as_of
    where 1 = 0
    {%- else %}
    select * from {{ relation }}
    {%- endif %}
),

final as (
    select
        -- ids
        cast(month_start as date) as month_start,
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,

        -- dimensions
        cast(definitions_version as {{ dbt.type_string() }}) as reported_definitions_version,

        -- timestamps
        cast(frozen_at as {{ dbt.type_timestamp() }}) as frozen_at,
        cast(frozen_data_as_of as {{ dbt.type_timestamp() }}) as frozen_data_as_of,

        -- measures
        cast(metric_value as double precision) as reported_value,
        cast(record_count as {{ dbt.type_bigint() }}) as reported_record_count
    from reported
)

select * from final
