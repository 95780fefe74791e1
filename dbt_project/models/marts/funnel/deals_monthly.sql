{#- Deals by month: created (opportunities, deal view) by create date; won / lost by close date; win rate
    by count and amount; sales cycle (create -> close of won deals) median and p75. -#}

with months as (
    select * from {{ ref('int_months') }}
),

deals as (
    select * from {{ ref('fct_deals') }}
),

created as (
    select
        created_month as month_start,
        count(*) as deals_created,
        sum(amount) as pipeline_created
    from deals
    group by created_month
),

closed as (
    select
        closed_month as month_start,
        count(case when is_won then 1 end) as deals_won,
        sum(case when is_won then amount else 0 end) as revenue_won,
        count(case when is_lost then 1 end) as deals_lost,
        sum(case when is_lost then amount else 0 end) as amount_lost,
        {{ percentile('sales_cycle_days', 0.5) }} as median_sales_cycle_days,
        {{ percentile('sales_cycle_days', 0.75) }} as p75_sales_cycle_days
    from deals
    where closed_month is not null
    group by closed_month
),

final as (
    select
        -- ids
        months.month_start,

        -- dimensions
        months.fiscal_year,
        months.fiscal_quarter,

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
    from months
    left join created
        on months.month_start = created.month_start
    left join closed
        on months.month_start = closed.month_start
)

select * from final
