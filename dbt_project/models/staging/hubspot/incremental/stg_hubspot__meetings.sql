{{ config(unique_key='meeting_id') }}

{%- set landed_columns = landing_columns('meetings') %}

with landed as (
    {{ landed_rows('meetings', crm_empty_columns()) }}
),

typed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as meeting_id,
        {{ hs_text(landed_columns, 'hubspot_owner_id') }} as owner_id,

        -- dimensions
        {{ hs_text(landed_columns, 'hs_meeting_outcome') }} as meeting_outcome,

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
    {{ keep_latest_version('typed', 'meeting_id') }}
)

select * from final
