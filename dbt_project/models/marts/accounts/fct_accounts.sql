{#- One row per account (grain: HubSpot company with at least one live contact or a deal): its furthest
    funnel stage, contacts, the team and channel that sourced it (those of its earliest-created contact),
    pipeline created, revenue won and how much of it was new business and expansion (int_account_deals). -#}

with companies as (
    select * from {{ ref('stg_hubspot__companies') }}
    where not is_archived
),

contacts as (
    select * from {{ ref('int_contacts_resolved') }}
),

sources as (
    select * from {{ ref('int_contact_sources') }}
),

account_stages as (
    select * from {{ ref('fct_account_stages') }}
),

account_deals as (
    select * from {{ ref('int_account_deals') }}
),

first_contacts as (
    select
        contacts.company_id as account_id,
        contacts.contact_id,
        row_number() over (partition by contacts.company_id order by contacts.created_at, contacts.contact_id) as contact_rank,
        count(*) over (partition by contacts.company_id) as contacts
    from contacts
    where contacts.company_id is not null
),

furthest as (
    select
        account_id,
        stage_key,
        stage_label,
        entered_at,
        row_number() over (partition by account_id order by stage_order desc) as stage_rank
    from account_stages
),

deal_totals as (
    select
        account_id,
        count(*) as deals_created,
        sum(amount) as pipeline_created,
        sum(case when is_won then 1 else 0 end) as deals_won,
        sum(case when is_won then amount else 0 end) as revenue_won,
        sum(case when revenue_type = 'new_business' then amount else 0 end) as new_business_revenue,
        sum(case when revenue_type = 'expansion' then amount else 0 end) as expansion_revenue,
        min(case when is_won then closed_at end) as first_won_at
    from account_deals
    where account_id is not null
    group by account_id
),

final as (
    select
        -- ids
        companies.company_id as account_id,

        -- dimensions
        companies.company_name as account_name,
        companies.industry,
        companies.employees,
        furthest.stage_key as furthest_stage_key,
        furthest.stage_label as furthest_stage_label,
        coalesce(sources.source_team, 'unattributed') as source_team,
        coalesce(sources.original_source, 'UNKNOWN') as original_source,

        -- timestamps
        furthest.entered_at as furthest_stage_at,
        deal_totals.first_won_at,

        -- measures
        coalesce(first_contacts.contacts, 0) as contacts,
        coalesce(deal_totals.deals_created, 0) as deals_created,
        coalesce(deal_totals.pipeline_created, 0) as pipeline_created,
        coalesce(deal_totals.deals_won, 0) as deals_won,
        coalesce(deal_totals.revenue_won, 0) as revenue_won,
        coalesce(deal_totals.new_business_revenue, 0) as new_business_revenue,
        coalesce(deal_totals.expansion_revenue, 0) as expansion_revenue,
        {{ definitions_version_column() }}
    from companies
    left join first_contacts
        on companies.company_id = first_contacts.account_id
        and first_contacts.contact_rank = 1
    left join sources
        on first_contacts.contact_id = sources.contact_id
    left join furthest
        on companies.company_id = furthest.account_id
        and furthest.stage_rank = 1
    left join deal_totals
        on companies.company_id = deal_totals.account_id
    where first_contacts.account_id is not null
       or deal_totals.account_id is not null
)

select * from final
