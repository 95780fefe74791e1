{#- Deals by slice: created (by create month), won / lost (by close month), win rates and the sales cycle's
    median and p75, for every combination of source team x owner x original source x pipeline
    (macros/slices.sql: '(all)' = rolled up, '(none)' = no value). The medians are computed over each
    slice's own deals. The all-'(all)' rows equal deals_monthly on every month with deals. -#}

with deals as (
    select * from {{ ref('fct_deals') }}
),

sliced as (
    select
        created_month,
        closed_month,
        amount,
        is_won,
        is_lost,
        sales_cycle_days,
        {{ slice_value('source_team') }} as source_team,
        {{ slice_value('owner_id') }} as owner_id,
        {{ slice_value('original_source') }} as original_source,
        {{ slice_value('pipeline_id') }} as pipeline_id
    from deals
),

created as (
    select
        created_month as month_start,
        {{ slice_member('source_team') }} as source_team,
        {{ slice_member('owner_id') }} as owner_id,
        {{ slice_member('original_source') }} as original_source,
        {{ slice_member('pipeline_id') }} as pipeline_id,
        count(*) as deals_created,
        sum(amount) as pipeline_created
    from sliced
    group by created_month, cube (source_team, owner_id, original_source, pipeline_id)
),

closed as (
    select
        closed_month as month_start,
        {{ slice_member('source_team') }} as source_team,
        {{ slice_member('owner_id') }} as owner_id,
        {{ slice_member('original_source') }} as original_source,
        {{ slice_member('pipeline_id') }} as pipeline_id,
        count(case when is_won then 1 end) as deals_won,
        sum(case when is_won then amount else 0 end) as revenue_won,
        count(case when is_lost then 1 end) as deals_lost,
        sum(case when is_lost then amount else 0 end) as amount_lost,
        {{ percentile('sales_cycle_days', 0.5) }} as median_sales_cycle_days,
        {{ percentile('sales_cycle_days', 0.75) }} as p75_sales_cycle_days
    from sliced
    where closed_month is not null
    group by closed_month, cube (source_team, owner_id, original_source, pipeline_id)
),

keys as (
    select month_start, source_team, owner_id, original_source, pipeline_id from created
    union
    select month_start, source_team, owner_id, original_source, pipeline_id from closed
),

final as (
    select
        -- ids
        {{ slice_id(['keys.month_start', 'keys.source_team', 'keys.owner_id', 'keys.original_source', 'keys.pipeline_id']) }} as deals_slice_id,
        keys.month_start,

        -- slice
        keys.source_team,
        keys.owner_id,
        keys.original_source,
        keys.pipeline_id,

        -- measures
        coalesce(created.deals_created, 0) as deals_created,
        cast(coalesce(created.pipeline_created, 0) as double precision) as pipeline_created,
        coalesce(closed.deals_won, 0) as deals_won,
        cast(coalesce(closed.revenue_won, 0) as double precision) as revenue_won,
        coalesce(closed.deals_lost, 0) as deals_lost,
        cast(coalesce(closed.amount_lost, 0) as double precision) as amount_lost,
        {{ safe_ratio('coalesce(closed.deals_won, 0)', 'coalesce(closed.deals_won, 0) + coalesce(closed.deals_lost, 0)') }}
            as win_rate_by_count,
        {{ safe_ratio('coalesce(closed.revenue_won, 0)', 'coalesce(closed.revenue_won, 0) + coalesce(closed.amount_lost, 0)') }}
            as win_rate_by_amount,
        cast(closed.median_sales_cycle_days as double precision) as median_sales_cycle_days,
        cast(closed.p75_sales_cycle_days as double precision) as p75_sales_cycle_days,
        {{ definitions_version_column() }}
    from keys
    left join created
        on keys.month_start = created.month_start
        and keys.source_team = created.source_team
        and keys.owner_id = created.owner_id
        and keys.original_source = created.original_source
        and keys.pipeline_id = created.pipeline_id
    left join closed
        on keys.month_start = closed.month_start
        and keys.source_team = closed.source_team
        and keys.owner_id = closed.owner_id
        and keys.original_source = closed.original_source
        and keys.pipeline_id = closed.pipeline_id
)

select * from final
