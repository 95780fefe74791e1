{{ config(unique_key='call_id') }}

{{ stg_hubspot_engagement('calls', 'call_id', {'call_direction': 'hs_call_direction', 'call_status': 'hs_call_status'}) }}
