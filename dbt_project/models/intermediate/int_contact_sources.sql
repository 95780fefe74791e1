{#- One row per live contact with the team credited for it (definitions.yml `source_team`,
    `source_team_from_creator`, `source_team_default`), first touch (original source) and last touch
    (latest source) side by side. Incremental by changed contact (a change of owners, teams or campaigns
    marks every contact changed). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}
{%- set defs = definitions() %}

with contacts as (
    select * from {{ ref('int_contacts_resolved') }}
    where {{ where_changed('contact_id', 'contact') }}
),

source_teams as (
    select * from {{ ref('definitions_source_teams') }}
),

owners as (
    select * from {{ ref('int_owners_teams') }}
),

campaigns as (
    select * from {{ ref('stg_hubspot__campaigns') }}
),

final as (
    select
        -- ids
        contacts.contact_id,

        -- first touch
        coalesce(contacts.original_source, 'UNKNOWN') as original_source,
        contacts.original_source_detail,
        case
            when first_touch.is_team_from_creator and creators.team_role in ('sales', 'marketing')
                then creators.team_role
            else coalesce(first_touch.team, {{ dbt.string_literal(defs['source_team_default']) }})
        end as source_team,
        creators.team_role as creator_team_role,

        -- last touch
        coalesce(contacts.latest_source, contacts.original_source, 'UNKNOWN') as latest_source,
        coalesce(
            last_touch.team, first_touch.team, {{ dbt.string_literal(defs['source_team_default']) }}
        ) as latest_source_team,

        -- campaign (HubSpot stores the converting campaign by id or name)
        coalesce(campaigns_by_id.campaign_name, campaigns_by_name.campaign_name, contacts.first_touch_campaign)
            as first_touch_campaign,
        coalesce(
            last_campaigns_by_id.campaign_name, last_campaigns_by_name.campaign_name, contacts.last_touch_campaign
        ) as last_touch_campaign,
        {{ batch_loaded_at() }} as _loaded_at
    from contacts
    left join source_teams as first_touch
        on contacts.original_source = first_touch.source
    left join source_teams as last_touch
        on contacts.latest_source = last_touch.source
    left join owners as creators
        on contacts.created_by_user_id = creators.user_id
    left join campaigns as campaigns_by_id
        on contacts.first_touch_campaign = campaigns_by_id.campaign_id
    left join campaigns as campaigns_by_name
        on contacts.first_touch_campaign = campaigns_by_name.campaign_name
        and campaigns_by_id.campaign_id is null
    left join campaigns as last_campaigns_by_id
        on contacts.last_touch_campaign = last_campaigns_by_id.campaign_id
    left join campaigns as last_campaigns_by_name
        on contacts.last_touch_campaign = last_campaigns_by_name.campaign_name
        and last_campaigns_by_id.campaign_id is null
)

select * from final
