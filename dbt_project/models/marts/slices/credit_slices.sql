{#- Sourced and influenced pipeline and revenue by month, attribution view, team and channel (as
    credit_monthly) and slice: deal owner x pipeline (macros/slices.sql; team and channel are the grain).
    Pipeline by deal create month, revenue by close month. The '(all)' x '(all)' rows equal credit_monthly. -#}

with deals as (
    select * from {{ ref('fct_deals') }}
),

attributed as (
    select
        'first_touch' as attribution,
        source_team as team,
        original_source as channel,
        {{ slice_value('owner_id') }} as owner_id,
        {{ slice_value('pipeline_id') }} as pipeline_id,
        created_month,
        closed_month,
        amount,
        is_won,
        is_marketing_influenced
    from deals
    union all
    select
        'last_touch',
        latest_source_team,
        latest_source,
        {{ slice_value('owner_id') }},
        {{ slice_value('pipeline_id') }},
        created_month,
        closed_month,
        amount,
        is_won,
        is_marketing_influenced
    from deals
),

pipeline as (
    select
        created_month as month_start,
        attribution,
        team,
        channel,
        {{ slice_member('owner_id') }} as owner_id,
        {{ slice_member('pipeline_id') }} as pipeline_id,
        count(*) as deals_created,
        sum(amount) as pipeline,
        count(case when is_marketing_influenced then 1 end) as influenced_deals_created,
        sum(case when is_marketing_influenced then amount else 0 end) as influenced_pipeline
    from attributed
    group by created_month, attribution, team, channel, cube (owner_id, pipeline_id)
),

revenue as (
    select
        closed_month as month_start,
        attribution,
        team,
        channel,
        {{ slice_member('owner_id') }} as owner_id,
        {{ slice_member('pipeline_id') }} as pipeline_id,
        count(*) as deals_won,
        sum(amount) as revenue,
        sum(case when is_marketing_influenced then amount else 0 end) as influenced_revenue
    from attributed
    where is_won
    group by closed_month, attribution, team, channel, cube (owner_id, pipeline_id)
),

keys as (
    select month_start, attribution, team, channel, owner_id, pipeline_id from pipeline
    union
    select month_start, attribution, team, channel, owner_id, pipeline_id from revenue
),

final as (
    select
        -- ids
        {{ slice_id(['keys.month_start', 'keys.attribution', 'keys.team', 'keys.channel', 'keys.owner_id', 'keys.pipeline_id']) }} as credit_slice_id,
        keys.month_start,
        keys.attribution,
        keys.team,
        keys.channel,

        -- slice
        keys.owner_id,
        keys.pipeline_id,

        -- measures
        coalesce(pipeline.deals_created, 0) as deals_created,
        cast(coalesce(pipeline.pipeline, 0) as double precision) as sourced_pipeline,
        coalesce(pipeline.influenced_deals_created, 0) as influenced_deals_created,
        cast(coalesce(pipeline.influenced_pipeline, 0) as double precision) as influenced_pipeline,
        coalesce(revenue.deals_won, 0) as deals_won,
        cast(coalesce(revenue.revenue, 0) as double precision) as sourced_revenue,
        cast(coalesce(revenue.influenced_revenue, 0) as double precision) as influenced_revenue,
        {{ definitions_version_column() }}
    from keys
    left join pipeline
        on keys.month_start is not distinct from pipeline.month_start
        and keys.attribution = pipeline.attribution
        and keys.team is not distinct from pipeline.team
        and keys.channel is not distinct from pipeline.channel
        and keys.owner_id = pipeline.owner_id
        and keys.pipeline_id = pipeline.pipeline_id
    left join revenue
        on keys.month_start is not distinct from revenue.month_start
        and keys.attribution = revenue.attribution
        and keys.team is not distinct from revenue.team
        and keys.channel is not distinct from revenue.channel
        and keys.owner_id = revenue.owner_id
        and keys.pipeline_id = revenue.pipeline_id
)

select * from final
