{%- set relation = source('accountability', 'reported_contributions') %}

with reported as (
    {%- if execute and not files_exist(env_var('ONEFUNNEL_ACCOUNTABILITY_DIR', '../data/accountability') ~ '/reported_contributions/*.parquet') %}
    select
        cast(null as date) as month_start,
        cast(null as {{ dbt.type_string() }}) as metric_key,
        cast(null as {{ dbt.type_string() }}) as record_type,
        cast(null as {{ dbt.type_string() }}) as record_id,
        cast(null as double precision) as contribution
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
        cast(record_type as {{ dbt.type_string() }}) as record_type,
        cast(record_id as {{ dbt.type_string() }}) as record_id,

        -- measures
        cast(contribution as double precision) as reported_contribution
    from reported
)

select * from final
