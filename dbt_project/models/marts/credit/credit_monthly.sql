{#- Sourced and influenced pipeline and revenue by month, attribution view (first touch = original source,
    last touch = latest source), team and channel. Pipeline by deal create month, revenue by close month. -#}

with deals as (
    select * from {{ ref('fct_deals') }}
),

attributed as (
    select 'first_touch' as attribution, source_team as team, original_source as channel, deals.* from deals
    union all
    select 'last_touch', latest_source_team, latest_source, deals.* from deals
),

pipeline as (
    select
        created_month as month_start,
        attribution,
        team,
        channel,
        count(*) as deals_created,
        sum(amount) as pipeline,
        count(case when is_marketing_influenced then 1 end) as influenced_deals_created,
        sum(case when is_marketing_influenced then amount else 0 end) as influenced_pipeline
    from attributed
    group by created_month, attribution, team, channel
),

revenue as (
    select
        closed_month as month_start,
        attribution,
        team,
        channel,
        count(*) as deals_won,
        sum(amount) as revenue,
        sum(case when is_marketing_influenced then amount else 0 end) as influenced_revenue
    from attributed
    where is_won
    group by closed_month, attribution, team, channel
),

keys as (
    select month_start, attribution, team, channel from pipeline
    union
    select month_start, attribution, team, channel from revenue
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(keys.month_start as " ~ dbt.type_string() ~ ")", "'-'", 'keys.attribution', "'-'", 'keys.team', "'-'", 'keys.channel']) }} as credit_id,
        keys.month_start,
        keys.attribution,
        keys.team,
        keys.channel,

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
        on keys.month_start = pipeline.month_start
        and keys.attribution = pipeline.attribution
        and keys.team = pipeline.team
        and keys.channel = pipeline.channel
    left join revenue
        on keys.month_start = revenue.month_start
        and keys.attribution = revenue.attribution
        and keys.team = revenue.team
        and keys.channel = revenue.channel
)

select * from final
