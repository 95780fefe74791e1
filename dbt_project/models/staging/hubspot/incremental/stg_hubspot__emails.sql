{{ config(unique_key='email_id') }}

{{ stg_hubspot_engagement('emails', 'email_id', {'email_direction': 'hs_email_direction', 'email_status': 'hs_email_status'}) }}
