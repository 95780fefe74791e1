{{ config(unique_key=['contact_id', 'property_name', 'changed_at', 'property_value']) }}

{{ stg_hubspot_property_history('contacts_property_history', 'contact_id') }}
