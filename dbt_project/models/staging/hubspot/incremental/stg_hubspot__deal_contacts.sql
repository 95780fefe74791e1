{{ config(unique_key='deal_id') }}

{{ stg_hubspot_association('associations_deals_contacts', 'deal_id') }}
