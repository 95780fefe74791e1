{#- The HubSpot portal the data comes from, one row: its id, the UI domain of its data centre (record
    links: https://<ui_domain>/contacts/<portal_id>/record/<type>/<id>), data hosting location, time zone and
    company currency, from the newest account details the extraction landed. No row when none landed. -#}

with account as (
    select * from {{ ref('stg_hubspot__account_details') }}
),

final as (
    select
        -- ids
        portal_id,

        -- dimensions
        ui_domain,
        data_hosting_location,
        time_zone,
        company_currency,
        account_type,

        -- timestamps
        extracted_at as details_extracted_at,
        {{ definitions_version_column() }}
    from account
    where portal_id is not null
)

select * from final
