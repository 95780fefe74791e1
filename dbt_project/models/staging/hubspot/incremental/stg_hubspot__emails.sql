{{ config(unique_key='email_id') }}

{%- set landed_columns = landing_columns('emails') %}

with landed as (
    {{ landed_rows('emails', crm_empty_columns()) }}
),

typed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as email_id,
        {{ hs_text(landed_columns, 'hubspot_owner_id') }} as owner_id,

        -- dimensions
        {{ hs_text(landed_columns, 'hs_email_direction') }} as email_direction,
        {{ hs_text(landed_columns, 'hs_email_status') }} as email_status,

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
    {{ keep_latest_version('typed', 'email_id') }}
)

select * from final
