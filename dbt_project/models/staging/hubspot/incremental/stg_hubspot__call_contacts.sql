{{ config(unique_key='call_id') }}

{{ stg_hubspot_association('associations_calls_contacts', 'call_id') }}
