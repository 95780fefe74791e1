{#- One row per live deal (int_deals_enriched) with its account - the company of the deal's sourcing contact
    (its earliest-created associated contact; the deal-company association is not landed as its own
    dataset) - and, for won deals, whether the win is new business or expansion (definitions.yml
    accounts.expansion_rule): prior_won_deal = the account already had a deal won before this one closed
    (equal close times: the lower deal id first); deal_type = HubSpot's dealtype is existingbusiness. A won
    deal without an account is new business under prior_won_deal (no earlier win can be seen). -#}
{%- set rules = account_rules() %}

with deals as (
    select * from {{ ref('int_deals_enriched') }}
),

contacts as (
    select * from {{ ref('int_contacts_resolved') }}
),

with_account as (
    select
        deals.*,
        contacts.company_id as account_id
    from deals
    left join contacts
        on deals.sourcing_contact_id = contacts.contact_id
),

won_order as (
    select
        deal_id,
        row_number() over (partition by account_id order by closed_at, deal_id) as account_win_number
    from with_account
    where is_won
      and account_id is not null
),

final as (
    select
        -- ids
        with_account.deal_id,
        with_account.account_id,

        -- dimensions
        with_account.deal_type,
        with_account.pipeline_id,
        with_account.is_won,
        with_account.is_lost,
        with_account.source_team,
        won_order.account_win_number,
        case
            when not with_account.is_won then null
        {%- if rules['expansion_rule'] == 'deal_type' %}
            when with_account.deal_type = 'existingbusiness' then 'expansion'
        {%- else %}
            when won_order.account_win_number > 1 then 'expansion'
        {%- endif %}
            else 'new_business'
        end as revenue_type,

        -- timestamps
        with_account.created_at,
        with_account.closed_at,

        -- measures
        with_account.amount
    from with_account
    left join won_order
        on with_account.deal_id = won_order.deal_id
)

select * from final
