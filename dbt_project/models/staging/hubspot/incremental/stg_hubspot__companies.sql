{{ config(unique_key='company_id') }}

{%- set landed_columns = landing_columns('companies') %}

with landed as (
    {{ landed_rows('companies', crm_empty_columns()) }}
),

typed as (
    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as company_id,
        {{ hs_text(landed_columns, 'hubspot_owner_id') }} as owner_id,

        -- dimensions
        {{ hs_text(landed_columns, 'name') }} as company_name,
        {{ hs_text(landed_columns, 'domain') }} as domain,
        {{ hs_text(landed_columns, 'industry') }} as industry,

        -- measures
        {{ hs_integer(landed_columns, 'numberofemployees') }} as employees,

        -- landing bookkeeping
        {{ crm_landing_columns() }}
    from landed
),

final as (
    {{ keep_latest_version('typed', 'company_id') }}
)

select * from final
