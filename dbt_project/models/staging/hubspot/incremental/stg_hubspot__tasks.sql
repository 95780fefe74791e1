{{ config(unique_key='task_id') }}

{%- set landed_columns = landing_columns('tasks') %}

with landed as (
    {{ landed_rows('tasks', crm_empty_columns()) }}
),

typed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as task_id,
        {{ hs_text(landed_columns, 'hubspot_owner_id') }} as owner_id,

        -- dimensions
        {{ hs_text(landed_columns, 'hs_task_type') }} as task_type,
        {{ hs_text(landed_columns, 'hs_task_status') }} as task_status,

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
    {{ keep_latest_version('typed', 'task_id') }}
)

select * from final
