{{ config(unique_key=['deal_id', 'property_name', 'changed_at', 'property_value']) }}

{{ stg_hubspot_property_history('deals_property_history', 'deal_id') }}
