{{ config(unique_key='email_id') }}

{{ stg_hubspot_association('associations_emails_contacts', 'email_id') }}
