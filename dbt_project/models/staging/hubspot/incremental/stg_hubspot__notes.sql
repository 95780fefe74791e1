{{ config(unique_key='note_id') }}

{{ stg_hubspot_engagement('notes', 'note_id') }}
