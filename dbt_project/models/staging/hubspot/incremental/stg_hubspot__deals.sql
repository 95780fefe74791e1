{{ config(unique_key='deal_id') }}

{%- set landed_columns = landing_columns('deals') %}

with landed as (
    {{ landed_rows('deals', crm_empty_columns()) }}
),

typed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as deal_id,
        {{ hs_text(landed_columns, 'pipeline') }} as pipeline_id,
        {{ hs_text(landed_columns, 'dealstage') }} as deal_stage_id,
        {{ hs_text(landed_columns, 'hubspot_owner_id') }} as owner_id,

        -- dimensions
        {{ hs_text(landed_columns, 'dealname') }} as deal_name,
        {{ hs_text(landed_columns, 'dealtype') }} as deal_type,
        {{ hs_text(landed_columns, 'deal_currency_code') }} as currency_code,
        {{ hs_text(landed_columns, 'closed_lost_reason') }} as closed_lost_reason,

        -- timestamps
        {{ hs_timestamp(landed_columns, 'createdate') }} as hubspot_created_at,
        {{ hs_timestamp(landed_columns, 'closedate') }} as close_date_at,

        -- measures
        {{ hs_number(landed_columns, 'amount') }} as amount,
        {{ hs_number(landed_columns, 'amount_in_home_currency') }} as amount_in_home_currency,

        -- landing bookkeeping
        {{ crm_landing_columns() }}
    from landed
),

final as (
    {{ keep_latest_version('typed', 'deal_id') }}
)

select * from final
