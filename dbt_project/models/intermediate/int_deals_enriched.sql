{#- One row per live deal (not deleted, in a counted pipeline of definitions.yml `deal_pipelines`) with its
    outcome from the pipeline stage metadata (won = closed with probability 1, lost = closed with
    probability 0; a deal moved back out of won is simply no longer won), revenue in the home currency,
    the team that sourced it (the team of its earliest-created associated contact) and whether marketing
    influenced it (an associated contact's marketing interaction before the deal's creation, within the
    lookback of definitions.yml `influence`). Incremental by changed deal (a deal whose associated contacts
    changed counts as changed). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('deal_id', 'deal') }}",
) }}
{%- set defs = definitions() %}

with deals as (
    select * from {{ ref('stg_hubspot__deals') }}
    where {{ where_changed('deal_id', 'deal') }}
),

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

pipelines as (
    select * from {{ ref('stg_hubspot__deal_pipelines') }}
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
    where {{ where_changed('deal_id', 'deal') }}
),

merges as (
    select * from {{ ref('int_contact_merges') }}
),

contacts as (
    select * from {{ ref('int_contacts_resolved') }}
),

sources as (
    select * from {{ ref('int_contact_sources') }}
),

interactions as (
    select * from {{ ref('int_marketing_interactions') }}
),

live_deals as (
    select
        deals.*,
        coalesce(deals.hubspot_created_at, deals.created_at) as deal_created_at,
        pipelines.pipeline_label,
        stages.deal_stage_label,
        coalesce(stages.is_closed, false) as is_closed,
        stages.probability
    from deals
    left join pipelines
        on deals.pipeline_id = pipelines.pipeline_id
    left join stages
        on deals.pipeline_id = stages.pipeline_id
        and deals.deal_stage_id = stages.deal_stage_id
    where not deals.is_archived
    {%- if defs['deal_pipelines'] != 'all' %}
      and deals.pipeline_id in {{ sql_list(defs['deal_pipelines']) }}
    {%- endif %}
),

associated_contacts as (
    select distinct
        deal_contacts.deal_id,
        contacts.contact_id,
        contacts.created_at as contact_created_at
    from deal_contacts
    left join merges
        on deal_contacts.contact_id = merges.merged_contact_id
    inner join contacts
        on coalesce(merges.survivor_contact_id, deal_contacts.contact_id) = contacts.contact_id
),

sourcing_contacts as (
    select
        deal_id,
        contact_id,
        row_number() over (partition by deal_id order by contact_created_at, contact_id) as contact_rank,
        count(*) over (partition by deal_id) as associated_contacts
    from associated_contacts
),

influence as (
    select
        live_deals.deal_id,
        min(interactions.interacted_at) as first_influence_at
    from live_deals
    inner join associated_contacts
        on live_deals.deal_id = associated_contacts.deal_id
    inner join interactions
        on associated_contacts.contact_id = interactions.contact_id
        and interactions.interacted_at < live_deals.deal_created_at
        and interactions.interacted_at >= {{ dbt.dateadd('day', -defs['influence']['lookback_days'], 'live_deals.deal_created_at') }}
    group by live_deals.deal_id
),

final as (
    select
        -- ids
        live_deals.deal_id,
        live_deals.pipeline_id,
        live_deals.deal_stage_id,
        live_deals.owner_id,
        sourcing_contacts.contact_id as sourcing_contact_id,

        -- dimensions
        live_deals.deal_name,
        live_deals.deal_type,
        live_deals.pipeline_label,
        live_deals.deal_stage_label,
        live_deals.is_closed,
        live_deals.is_closed and live_deals.probability = 1 as is_won,
        live_deals.is_closed and live_deals.probability = 0 as is_lost,
        live_deals.closed_lost_reason,
        coalesce(sources.source_team, 'unattributed') as source_team,
        coalesce(sources.original_source, 'UNKNOWN') as original_source,
        coalesce(sources.latest_source, 'UNKNOWN') as latest_source,
        coalesce(sources.latest_source_team, 'unattributed') as latest_source_team,
        influence.deal_id is not null as is_marketing_influenced,
        coalesce(sourcing_contacts.associated_contacts, 0) as associated_contacts,

        -- timestamps
        live_deals.deal_created_at as created_at,
        live_deals.close_date_at as closed_at,
        influence.first_influence_at,

        live_deals.currency_code,
        -- metrics.md: a deal in another currency without HubSpot's home-currency amount counts 0, never its
        -- foreign amount; flagged so the quality gate can name them (expectations/warehouse/revenue.yml)
        live_deals.amount_in_home_currency is null
            and live_deals.amount is not null
            and live_deals.currency_code is not null
            and live_deals.currency_code <> {{ dbt.string_literal(defs['home_currency']) }}
            as is_home_amount_missing,

        -- measures
        -- revenue in the home currency: HubSpot's amount_in_home_currency; when HubSpot left it empty, the
        -- amount itself if the deal is in the home currency (or has no currency: single-currency portals);
        -- else 0
        cast(coalesce(
            live_deals.amount_in_home_currency,
            case
                when live_deals.currency_code is null
                    or live_deals.currency_code = {{ dbt.string_literal(defs['home_currency']) }}
                    then live_deals.amount
            end,
            0
        ) as double precision) as amount,
        cast(live_deals.amount as double precision) as amount_in_deal_currency,
        cast(case
            when live_deals.is_closed and live_deals.probability = 1
                then {{ days_between('live_deals.deal_created_at', 'live_deals.close_date_at') }}
        end as double precision) as sales_cycle_days,
        {{ batch_loaded_at() }} as _loaded_at
    from live_deals
    left join sourcing_contacts
        on live_deals.deal_id = sourcing_contacts.deal_id
        and sourcing_contacts.contact_rank = 1
    left join sources
        on sourcing_contacts.contact_id = sources.contact_id
    left join influence
        on live_deals.deal_id = influence.deal_id
)

select * from final
