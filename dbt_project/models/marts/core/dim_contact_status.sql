{#- Audit trail of every contact ever landed: live, archived (deleted) or merged away (and into whom).
    Only live contacts count in metrics. Incremental by changed contact record or resolution. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact_record') }}",
) }}

with contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
    where {{ where_changed('contact_id', 'contact_record') }}
),

merges as (
    select * from {{ ref('int_contact_merges') }}
),

final as (
    select
        -- ids
        contacts.contact_id,
        merges.survivor_contact_id,

        -- dimensions
        case
            when merges.merged_contact_id is not null then 'merged_away'
            when contacts.is_archived then 'archived'
            else 'live'
        end as contact_status,

        -- timestamps
        contacts.created_at,
        contacts.updated_at,
        contacts.archived_at,
        contacts.first_extracted_at,
        contacts.extracted_at as last_extracted_at,
        {{ definitions_version_column() }},
        {{ batch_loaded_at() }} as _loaded_at
    from contacts
    left join merges
        on contacts.contact_id = merges.merged_contact_id
)

select * from final
