{#- The deal-stage funnel and velocity: one row per counted pipeline and deal stage (HubSpot's pipeline
    stages, in display order), over every live deal's stage history (fct_deal_stage_spells).
    deals_entered = deals that were in the stage at some time; deals_reached = deals that entered it or any
    later open stage or a won stage (a skipped stage is reached, not entered); deals_advanced = deals that
    left it for a later open or a won stage; deals_moved_back = deals that left it for an earlier stage;
    deals_won / deals_lost = deals closed won / lost straight from it; days in stage (median, p75) = per deal,
    its finished stays in the stage added up (open stages only); conversion_to_next_stage = deals reaching
    the next funnel stage (next open stage, the won stage after the last) / deals reaching this one;
    deals_open_now / deals_stalled_now = open deals in the stage now, and those that have not moved for the
    stalled threshold (definitions.yml deal_stages). -#}
{%- set defs = definitions() %}

with spells as (
    select * from {{ ref('fct_deal_stage_spells') }}
),

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
    where not is_archived
    {%- if defs['deal_pipelines'] != 'all' %}
      and pipeline_id in {{ sql_list(defs['deal_pipelines']) }}
    {%- endif %}
),

pipelines as (
    select * from {{ ref('stg_hubspot__deal_pipelines') }}
),

-- per deal: the furthest open stage it was ever in, and whether it ever entered a won stage
deal_reach as (
    select
        deal_id,
        pipeline_id,
        max(case when not is_closed_stage then display_order end) as furthest_open_order,
        max(case when is_won_stage then 1 else 0 end) = 1 as entered_won
    from spells
    group by deal_id, pipeline_id
),

entered as (
    select distinct deal_id, deal_stage_id from spells
),

stage_reached as (
    select
        stages.pipeline_id,
        stages.deal_stage_id,
        count(distinct deal_reach.deal_id) as deals_reached
    from stages
    inner join deal_reach
        on stages.pipeline_id = deal_reach.pipeline_id
    left join entered
        on deal_reach.deal_id = entered.deal_id
        and stages.deal_stage_id = entered.deal_stage_id
    where entered.deal_id is not null
       or (not stages.is_closed
           and (deal_reach.furthest_open_order >= stages.display_order or deal_reach.entered_won))
    group by stages.pipeline_id, stages.deal_stage_id
),

stage_moves as (
    select
        pipeline_id,
        deal_stage_id,
        count(distinct deal_id) as deals_entered,
        count(distinct case when movement in ('advanced', 'won') then deal_id end) as deals_advanced,
        count(distinct case when movement = 'moved_back' then deal_id end) as deals_moved_back,
        count(distinct case when movement = 'won' then deal_id end) as deals_won,
        count(distinct case when movement = 'lost' then deal_id end) as deals_lost,
        count(distinct case when is_current and not is_closed_stage then deal_id end) as deals_open_now,
        count(distinct case when is_stalled then deal_id end) as deals_stalled_now,
        sum(case when is_current and not is_closed_stage then amount else 0 end) as open_amount_now,
        sum(case when is_stalled then amount else 0 end) as stalled_amount_now
    from spells
    group by pipeline_id, deal_stage_id
),

-- per deal and open stage: the finished stays added up
deal_stage_days as (
    select
        pipeline_id,
        deal_stage_id,
        deal_id,
        sum(days_in_stage) as days_in_stage
    from spells
    where exited_at is not null
      and not is_closed_stage
    group by pipeline_id, deal_stage_id, deal_id
),

stage_days as (
    select
        pipeline_id,
        deal_stage_id,
        {{ percentile('days_in_stage', 0.5) }} as median_days_in_stage,
        {{ percentile('days_in_stage', 0.75) }} as p75_days_in_stage
    from deal_stage_days
    group by pipeline_id, deal_stage_id
),

combined as (
    select
        stages.pipeline_id,
        pipelines.pipeline_label,
        stages.deal_stage_id,
        stages.deal_stage_label,
        stages.display_order,
        stages.is_closed,
        stages.probability,
        case
            when stages.is_closed and stages.probability = 1 then 'won'
            when stages.is_closed and stages.probability = 0 then 'lost'
            when stages.is_closed then 'closed'
            else 'open'
        end as stage_outcome,
        coalesce(stage_reached.deals_reached, 0) as deals_reached,
        coalesce(stage_moves.deals_entered, 0) as deals_entered,
        coalesce(stage_moves.deals_advanced, 0) as deals_advanced,
        coalesce(stage_moves.deals_moved_back, 0) as deals_moved_back,
        coalesce(stage_moves.deals_won, 0) as deals_won,
        coalesce(stage_moves.deals_lost, 0) as deals_lost,
        coalesce(stage_moves.deals_open_now, 0) as deals_open_now,
        coalesce(stage_moves.deals_stalled_now, 0) as deals_stalled_now,
        coalesce(stage_moves.open_amount_now, 0) as open_amount_now,
        coalesce(stage_moves.stalled_amount_now, 0) as stalled_amount_now,
        stage_days.median_days_in_stage,
        stage_days.p75_days_in_stage
    from stages
    left join pipelines
        on stages.pipeline_id = pipelines.pipeline_id
    left join stage_reached
        on stages.pipeline_id = stage_reached.pipeline_id
        and stages.deal_stage_id = stage_reached.deal_stage_id
    left join stage_moves
        on stages.pipeline_id = stage_moves.pipeline_id
        and stages.deal_stage_id = stage_moves.deal_stage_id
    left join stage_days
        on stages.pipeline_id = stage_days.pipeline_id
        and stages.deal_stage_id = stage_days.deal_stage_id
),

-- the funnel steps: open stages, then the won stage(s); lost stages are exits, not steps
funnel_steps as (
    select
        pipeline_id,
        deal_stage_id,
        lead(deals_reached) over (partition by pipeline_id order by display_order, deal_stage_id) as next_stage_reached,
        lead(deal_stage_label) over (partition by pipeline_id order by display_order, deal_stage_id) as next_stage_label
    from combined
    where stage_outcome in ('open', 'won')
),

final as (
    select
        -- ids
        {{ dbt.concat(['combined.pipeline_id', "'-'", 'combined.deal_stage_id']) }} as pipeline_stage_id,
        combined.pipeline_id,
        combined.deal_stage_id,

        -- dimensions
        combined.pipeline_label,
        combined.deal_stage_label,
        combined.display_order,
        combined.stage_outcome,
        funnel_steps.next_stage_label,
        {{ stalled_after_days('combined.pipeline_id') }} as stalled_after_days,

        -- measures
        combined.probability,
        combined.deals_reached,
        combined.deals_entered,
        combined.deals_reached - combined.deals_entered as deals_skipped,
        combined.deals_advanced,
        combined.deals_moved_back,
        combined.deals_won,
        combined.deals_lost,
        combined.deals_open_now,
        combined.deals_stalled_now,
        combined.open_amount_now,
        combined.stalled_amount_now,
        combined.median_days_in_stage,
        combined.p75_days_in_stage,
        case when combined.stage_outcome = 'open'
            then {{ safe_ratio('funnel_steps.next_stage_reached', 'combined.deals_reached') }}
        end as conversion_to_next_stage,
        {{ definitions_version_column() }}
    from combined
    left join funnel_steps
        on combined.pipeline_id = funnel_steps.pipeline_id
        and combined.deal_stage_id = funnel_steps.deal_stage_id
)

select * from final
