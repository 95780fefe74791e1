{{ config(unique_key='note_id') }}

{%- set landed_columns = landing_columns('notes') %}

with landed as (
    {{ landed_rows('notes', crm_empty_columns()) }}
),

typed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as note_id,
        {{ hs_text(landed_columns, 'hubspot_owner_id') }} as owner_id,

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
    {{ keep_latest_version('typed', 'note_id') }}
)

select * from final
