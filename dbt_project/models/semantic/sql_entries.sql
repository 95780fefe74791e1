{#- One row per contact entering the SQL stage: the event table of the MQL -> SQL conversion metric.
    A view: a filter of fct_contact_stages, nothing worth storing twice. -#}
{{ config(materialized='view') }}

with contact_stages as (
    select * from {{ ref('fct_contact_stages') }}
),

final as (
    select
        contact_stage_id,
        contact_id,
        entered_local_at,
        definitions_version
    from contact_stages
    where stage_key = 'sql'
)

select * from final
