{{ config(unique_key='meeting_id') }}

{{ stg_hubspot_association('associations_meetings_contacts', 'meeting_id') }}
