{#- One row per live contact and known marketing interaction moment (definitions.yml `influence`):
    form submissions and marketing email clicks (first and last), campaign membership (the converting
    campaign's conversion dates). HubSpot keeps first/last dates only, so this is a lower bound.
    Incremental by changed contact. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}
{%- set interactions = definitions()['influence']['interactions'] %}

with contacts as (
    select * from {{ ref('int_contacts_resolved') }}
    where {{ where_changed('contact_id', 'contact') }}
),

moments as (
    select contact_id, 'form_submission' as interaction_type, first_form_submission_at as interacted_at from contacts
    union all
    select contact_id, 'form_submission', last_form_submission_at from contacts
    union all
    select contact_id, 'marketing_email_click', first_email_click_at from contacts
    union all
    select contact_id, 'marketing_email_click', last_email_click_at from contacts
    union all
    select contact_id, 'campaign_membership', first_form_submission_at from contacts
    where first_touch_campaign is not null
    union all
    select contact_id, 'campaign_membership', last_form_submission_at from contacts
    where last_touch_campaign is not null
),

final as (
    select distinct
        contact_id,
        interaction_type,
        interacted_at,
        {{ batch_loaded_at() }} as _loaded_at
    from moments
    where interacted_at is not null
      and interaction_type in {{ sql_list(interactions) }}
)

select * from final
