{{ config(unique_key='note_id') }}

{{ stg_hubspot_association('associations_notes_contacts', 'note_id') }}
