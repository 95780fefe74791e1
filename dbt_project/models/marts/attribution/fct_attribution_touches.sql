{#- One row per live deal and touch that counts for it (grain: deal x touch), with its share of the deal under
    every attribution model side by side (dbt_project/README.md, "Multi-touch attribution"):
    A deal's touches are the touches (int_attribution_touches) of its associated contacts (merged contacts
    followed to their survivor) at or before the deal's creation and at most attribution.lookback_days
    before it, in time order (a contact's creation first at equal times). Positions: the first touch; the
    lead creation = the creation of the deal's sourcing contact (its earliest-created contact); the
    opportunity creation = the last touch before the deal was created.
      first_touch  - all to the first touch          last_touch - all to the last touch
      linear       - equal shares                    w_shaped   - the position shares of definitions.yml
    W-shaped: each touch gets the shares of the positions it holds (shares add up where positions coincide)
    and the touches holding none split other_touches evenly; the shares are then scaled to add up to 1 (so a
    deal with one touch gives it everything, and one with two splits 2:1 when the first touch created the
    lead). A deal without any touch (no contacts, or none before it) has one touch "(no touch)" with the
    whole deal in every model, so each deal's credits always add up to its amount. -#}
{%- set rules = attribution_rules() %}
{%- set w = rules['w_shaped'] %}

with deals as (
    select * from {{ ref('int_deals_enriched') }}
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
),

merges as (
    select * from {{ ref('int_contact_merges') }}
),

touches as (
    select * from {{ ref('int_attribution_touches') }}
),

associated as (
    select distinct
        deal_contacts.deal_id,
        coalesce(merges.survivor_contact_id, deal_contacts.contact_id) as contact_id
    from deal_contacts
    left join merges
        on deal_contacts.contact_id = merges.merged_contact_id
),

deal_touches as (
    select
        deals.deal_id,
        touches.contact_id,
        touches.touch_type,
        touches.touch_priority,
        touches.channel,
        touches.campaign,
        touches.touched_at,
        touches.touch_type = 'contact_created'
            and touches.contact_id = deals.sourcing_contact_id as is_lead_creation
    from deals
    inner join associated
        on deals.deal_id = associated.deal_id
    inner join touches
        on associated.contact_id = touches.contact_id
        and touches.touched_at <= deals.created_at
        and touches.touched_at >= {{ dbt.dateadd('day', -rules['lookback_days'], 'deals.created_at') }}
),

untouched as (
    select
        deals.deal_id,
        cast(null as {{ dbt.type_string() }}) as contact_id,
        'no_touch' as touch_type,
        0 as touch_priority,
        '(no touch)' as channel,
        '(none)' as campaign,
        deals.created_at as touched_at,
        false as is_lead_creation
    from deals
    where not exists (select 1 from deal_touches where deal_touches.deal_id = deals.deal_id)
),

all_touches as (
    select * from deal_touches
    union all
    select * from untouched
),

positioned as (
    select
        *,
        row_number() over (partition by deal_id order by touched_at, touch_priority, contact_id) as touch_rank,
        count(*) over (partition by deal_id) as deal_touches
    from all_touches
),

flagged as (
    select
        *,
        touch_rank = 1 as is_first_touch,
        touch_rank = deal_touches as is_opportunity_creation
    from positioned
),

others as (
    select
        *,
        sum(case when is_first_touch or is_lead_creation or is_opportunity_creation then 0 else 1 end)
            over (partition by deal_id) as other_touches
    from flagged
),

w_raw as (
    select
        *,
        cast(
            case when is_first_touch then {{ w['first_touch'] }} else 0 end
            + case when is_lead_creation then {{ w['lead_creation'] }} else 0 end
            + case when is_opportunity_creation then {{ w['opportunity_creation'] }} else 0 end
            + case
                when is_first_touch or is_lead_creation or is_opportunity_creation then 0
                else {{ w['other_touches'] }} / other_touches
            end
        as double precision) as w_shaped_weight
    from others
),

final as (
    select
        -- ids
        {{ dbt.concat(['w_raw.deal_id', "'-'", 'cast(w_raw.touch_rank as ' ~ dbt.type_string() ~ ')']) }} as deal_touch_id,
        w_raw.deal_id,
        w_raw.contact_id,

        -- dimensions
        w_raw.touch_rank,
        w_raw.deal_touches,
        w_raw.touch_type,
        w_raw.channel,
        w_raw.campaign,
        w_raw.is_first_touch,
        w_raw.is_lead_creation,
        w_raw.is_opportunity_creation,
        deals.is_won,
        deals.pipeline_id,

        -- timestamps
        w_raw.touched_at,
        {{ local_month('deals.created_at') }} as created_month,
        case when deals.is_won then {{ local_month('deals.closed_at') }} end as closed_month,

        -- measures
        deals.amount,
        cast(case when w_raw.is_first_touch then 1 else 0 end as double precision) as first_touch_share,
        cast(case when w_raw.is_opportunity_creation then 1 else 0 end as double precision) as last_touch_share,
        -- shares rounded to 10 decimals: a deal's credits add up to its amount within a millionth of a cent
        cast(round(cast(1.0 / w_raw.deal_touches as numeric(24, 14)), 10) as double precision) as linear_share,
        cast(round(cast({{ safe_ratio('w_raw.w_shaped_weight', 'sum(w_raw.w_shaped_weight) over (partition by w_raw.deal_id)') }} as numeric(24, 14)), 10) as double precision) as w_shaped_share,
        {{ definitions_version_column() }}
    from w_raw
    inner join deals
        on w_raw.deal_id = deals.deal_id
)

select * from final
