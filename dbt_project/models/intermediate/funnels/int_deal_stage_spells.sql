{#- One row per live deal (int_deals_enriched) and stay in a deal stage ("spell"), from the dealstage
    property history: when the deal entered the stage, when it left and for which stage. Consecutive
    history entries with the same stage are one spell; a deal that goes back to a stage it left has a new
    spell for it. A deal without any dealstage history takes its stages from HubSpot's hs_v2_date_entered_*
    properties (stg_hubspot__deal_stage_dates: the last entry into each stage, so moves back are not seen);
    with neither, it has one spell: its current stage since its creation.
    Only stages of the deal's current pipeline count (a deal moved from another pipeline keeps its stays
    there out of this pipeline's funnel). movement says how the spell ended: advanced (to a later open or a
    won stage, skipping stages or not), moved_back (to an earlier stage), won, lost, or still_open / closed
    for the current spell. days_in_stage runs to the next stage, or to the as-of moment for the current one. -#}

with deals as (
    select * from {{ ref('int_deals_enriched') }}
),

history as (
    select * from {{ ref('stg_hubspot__deal_property_history') }}
    where property_name = 'dealstage'
      and property_value <> ''
),

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

stage_changes as (
    select
        history.deal_id,
        history.property_value as deal_stage_id,
        history.changed_at
    from history
    inner join deals
        on history.deal_id = deals.deal_id
),

-- deals HubSpot gave no dealstage history: the stages they have a "date entered" for (hs_v2_date_entered_*,
-- the last entry into each stage) ...
date_entered as (
    select
        stage_dates.deal_id,
        stage_dates.deal_stage_id,
        stage_dates.entered_at as changed_at
    from {{ ref('stg_hubspot__deal_stage_dates') }} as stage_dates
    inner join deals
        on stage_dates.deal_id = deals.deal_id
    where not exists (select 1 from stage_changes where stage_changes.deal_id = stage_dates.deal_id)
),

-- ... and with neither, their current stage since creation
current_stage as (
    select
        deals.deal_id,
        deals.deal_stage_id,
        deals.created_at as changed_at
    from deals
    where deals.deal_stage_id is not null
      and not exists (select 1 from stage_changes where stage_changes.deal_id = deals.deal_id)
      and not exists (select 1 from date_entered where date_entered.deal_id = deals.deal_id)
),

all_changes as (
    select deal_id, deal_stage_id, changed_at from stage_changes
    union all
    select deal_id, deal_stage_id, changed_at from date_entered
    union all
    select deal_id, deal_stage_id, changed_at from current_stage
),

in_pipeline as (
    select
        all_changes.deal_id,
        all_changes.deal_stage_id,
        all_changes.changed_at,
        deals.pipeline_id,
        stages.deal_stage_label,
        stages.display_order,
        stages.is_closed,
        stages.probability
    from all_changes
    inner join deals
        on all_changes.deal_id = deals.deal_id
    inner join stages
        on deals.pipeline_id = stages.pipeline_id
        and all_changes.deal_stage_id = stages.deal_stage_id
),

ordered as (
    select
        *,
        lag(deal_stage_id) over (partition by deal_id order by changed_at, display_order) as previous_stage_id
    from in_pipeline
),

-- a spell starts where the stage differs from the one before
spell_starts as (
    select * from ordered
    where previous_stage_id is null or previous_stage_id <> deal_stage_id
),

spells as (
    select
        *,
        row_number() over (partition by deal_id order by changed_at, display_order) as spell_number,
        lead(changed_at) over (partition by deal_id order by changed_at, display_order) as exited_at,
        lead(deal_stage_id) over (partition by deal_id order by changed_at, display_order) as next_deal_stage_id,
        lead(display_order) over (partition by deal_id order by changed_at, display_order) as next_display_order,
        lead(is_closed) over (partition by deal_id order by changed_at, display_order) as next_is_closed,
        lead(probability) over (partition by deal_id order by changed_at, display_order) as next_probability
    from spell_starts
),

final as (
    select
        -- ids
        {{ dbt.concat(['spells.deal_id', "'-'", 'cast(spells.spell_number as ' ~ dbt.type_string() ~ ')']) }} as deal_stage_spell_id,
        spells.deal_id,
        spells.pipeline_id,
        spells.deal_stage_id,
        spells.next_deal_stage_id,

        -- dimensions
        spells.spell_number,
        spells.deal_stage_label,
        spells.display_order,
        coalesce(spells.is_closed, false) as is_closed_stage,
        coalesce(spells.is_closed, false) and spells.probability = 1 as is_won_stage,
        coalesce(spells.is_closed, false) and spells.probability = 0 as is_lost_stage,
        spells.exited_at is null as is_current,
        case
            when spells.exited_at is null and coalesce(spells.is_closed, false) then 'closed'
            when spells.exited_at is null then 'still_open'
            when coalesce(spells.next_is_closed, false) and spells.next_probability = 1 then 'won'
            when coalesce(spells.next_is_closed, false) and spells.next_probability = 0 then 'lost'
            when spells.next_display_order > spells.display_order then 'advanced'
            when spells.next_display_order < spells.display_order then 'moved_back'
            else 'moved_sideways'
        end as movement,

        -- timestamps
        spells.changed_at as entered_at,
        spells.exited_at,

        -- measures
        spells.probability,
        cast({{ days_between('spells.changed_at', 'coalesce(spells.exited_at, as_of.as_of_at)') }} as double precision) as days_in_stage
    from spells
    cross join as_of
)

select * from final
