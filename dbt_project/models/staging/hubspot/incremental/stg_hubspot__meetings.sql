{{ config(unique_key='meeting_id') }}

{{ stg_hubspot_engagement('meetings', 'meeting_id', {'meeting_outcome': 'hs_meeting_outcome'}) }}
