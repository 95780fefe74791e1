{#- Deals by month: created (opportunities, deal view) by create date; won / lost by close date; win rate
    by count and amount; sales cycle (create -> close of won deals) median and p75. The numbers are
    deals_slices' all-'(all)' rows (every deal, no filter): they are computed there, once; a month with no
    deal created or closed has zeros and no sales cycle. -#}

with months as (
    select * from {{ ref('int_months') }}
),

unfiltered as (
    select * from {{ ref('deals_slices') }}
    where source_team = '(all)'
      and owner_id = '(all)'
      and original_source = '(all)'
      and pipeline_id = '(all)'
),

final as (
    select
        -- ids
        months.month_start,

        -- dimensions
        months.fiscal_year,
        months.fiscal_quarter,

        -- measures
        coalesce(unfiltered.deals_created, 0) as deals_created,
        coalesce(unfiltered.pipeline_created, 0) as pipeline_created,
        coalesce(unfiltered.deals_won, 0) as deals_won,
        coalesce(unfiltered.revenue_won, 0) as revenue_won,
        coalesce(unfiltered.deals_lost, 0) as deals_lost,
        coalesce(unfiltered.amount_lost, 0) as amount_lost,
        unfiltered.win_rate_by_count,
        unfiltered.win_rate_by_amount,
        unfiltered.median_sales_cycle_days,
        unfiltered.p75_sales_cycle_days,
        {{ definitions_version_column() }}
    from months
    left join unfiltered
        on months.month_start = unfiltered.month_start
)

select * from final
