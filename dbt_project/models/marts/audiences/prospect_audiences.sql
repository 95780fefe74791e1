{#- One row per (sales rep, contact) candidate: a live contact owned by an active sales rep that is in active
    prospecting (a prospecting lead status, or an open deal when definitions.yml says so), with whether it
    may go into the rep's audience and, if not, the first reason it may not. Merged-away and deleted contacts
    never appear (int_contacts_resolved). Only the contact's own owner gets it: an open deal owned by
    someone else does not put the contact into the deal owner's audience. -#}
{{ config(materialized='table', tags=['audiences']) }}
{%- set rules = audience_rules() %}

with contacts as (
    select * from {{ ref('int_contacts_resolved') }}
),

contact_records as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

merges as (
    select * from {{ ref('int_contact_merges') }}
),

owners as (
    select * from {{ ref('int_owners_teams') }}
),

companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
),

sales_reps as (
    select
        owner_id,
        owner_name,
        team_name
    from owners
    where team_role = 'sales'
      and not coalesce(is_archived, false)
),

-- live contacts on a live open deal; a merged-away contact's deal counts for its survivor
open_deal_contacts as (
    select distinct
        coalesce(merges.survivor_contact_id, deal_contacts.contact_id) as contact_id
    from deal_contacts
    inner join deals
        on deal_contacts.deal_id = deals.deal_id
    left join merges
        on deal_contacts.contact_id = merges.merged_contact_id
    where deal_contacts.contact_id is not null
      and not deals.is_closed
),

-- an opt-out on any record merged into a contact holds for the survivor: the person asked once (the
-- survivor's own opt-out is read in `assessed`; only the merged-away records are gathered here)
merged_opt_outs as (
    select
        merges.survivor_contact_id as contact_id,
        max(case when contact_records.is_email_opted_out then 1 else 0 end) as any_opted_out
    from merges
    inner join contact_records
        on merges.merged_contact_id = contact_records.contact_id
    group by merges.survivor_contact_id
),

candidates as (
    select
        contacts.contact_id,
        contacts.owner_id,
        contacts.company_id,
        sales_reps.owner_name,
        sales_reps.team_name,
        contacts.email,
        contacts.lifecycle_stage,
        contacts.lead_status,
        contacts.job_title,
        coalesce(contacts.lead_status in {{ sql_list(rules['prospecting_lead_statuses']) }}, false)
            as has_prospecting_status,
        open_deal_contacts.contact_id is not null as has_open_deal
    from contacts
    inner join sales_reps
        on contacts.owner_id = sales_reps.owner_id
    left join open_deal_contacts
        on contacts.contact_id = open_deal_contacts.contact_id
),

prospects as (
    select *
    from candidates
    where has_prospecting_status
    {%- if rules['include_open_deal_contacts'] %}
       or has_open_deal
    {%- endif %}
),

assessed as (
    select
        prospects.*,
        contact_records.first_name,
        contact_records.last_name,
        contact_records.phone,
        coalesce(contact_records.company_name, companies.company_name) as company_name,
        contact_records.country,
        contact_records.city,
        contact_records.postal_code,
        contact_records.legal_basis,
        coalesce(prospects.lifecycle_stage in {{ sql_list(rules['excluded_lifecycle_stages']) }}, false)
            as is_customer,
        coalesce(contact_records.is_email_opted_out, false) or coalesce(merged_opt_outs.any_opted_out, 0) = 1
            as is_email_opted_out,
        {{ audience_has_lawful_basis('contact_records.legal_basis') }} as has_lawful_basis,
        coalesce(trim(prospects.email), '') <> '' as has_email
    from prospects
    inner join contact_records
        on prospects.contact_id = contact_records.contact_id
    left join merged_opt_outs
        on prospects.contact_id = merged_opt_outs.contact_id
    left join companies
        on prospects.company_id = companies.company_id
),

reasoned as (
    select
        *,
        -- the first reason that keeps the contact out; the order is the order of the checks in the docs
        case
            when is_customer then 'customer'
            when is_email_opted_out then 'opted_out'
            when not has_lawful_basis then 'no_lawful_basis'
            when not has_email then 'no_email'
        end as exclusion_reason
    from assessed
),

final as (
    select
        -- ids
        {{ dbt.concat(['owner_id', "'-'", 'contact_id']) }} as prospect_audience_id,
        owner_id,
        contact_id,
        company_id,

        -- the rep
        owner_name,
        team_name,

        -- the contact (as HubSpot holds it; normalised for each platform at export)
        email,
        first_name,
        last_name,
        phone,
        job_title,
        company_name,
        country,
        city,
        postal_code,
        lifecycle_stage,
        lead_status,
        legal_basis,

        -- why a prospect
        has_prospecting_status,
        has_open_deal,
        case
            when has_prospecting_status and has_open_deal then 'lead_status_and_open_deal'
            when has_prospecting_status then 'lead_status'
            else 'open_deal'
        end as prospect_reason,

        -- may it go into the rep's audience
        is_customer,
        is_email_opted_out,
        has_lawful_basis,
        has_email,
        exclusion_reason is null as is_included,
        exclusion_reason,

        {{ definitions_version_column() }}
    from reasoned
)

select * from final
