{{ config(unique_key='call_id') }}

{%- set landed_columns = landing_columns('calls') %}

with landed as (
    {{ landed_rows('calls', crm_empty_columns()) }}
),

typed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as call_id,
        {{ hs_text(landed_columns, 'hubspot_owner_id') }} as owner_id,

        -- dimensions
        {{ hs_text(landed_columns, 'hs_call_direction') }} as call_direction,
        {{ hs_text(landed_columns, 'hs_call_status') }} as call_status,

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
    {{ keep_latest_version('typed', 'call_id') }}
)

select * from final
