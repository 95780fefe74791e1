-- Closed-won revenue in the marts equals the sum over won deals straight from staging (live deals in a
-- counted pipeline whose stage is closed with probability 1), per close month and in total. Revenue follows
-- metrics.md: the home-currency amount; without it, the amount of a deal in the home currency (or without a
-- currency); a deal in another currency without it counts 0 - never its foreign amount added as if it were
-- home currency.
{%- set defs = definitions() %}

with staged_won as (
    select
        {{ local_month('deals.close_date_at') }} as month_start,
        sum(coalesce(
            deals.amount_in_home_currency,
            case
                when coalesce(deals.currency_code, {{ dbt.string_literal(defs['home_currency']) }})
                    = {{ dbt.string_literal(defs['home_currency']) }}
                    then deals.amount
            end,
            0
        )) as revenue_won
    from {{ ref('stg_hubspot__deals') }} as deals
    inner join {{ ref('stg_hubspot__deal_pipeline_stages') }} as stages
        on deals.pipeline_id = stages.pipeline_id
        and deals.deal_stage_id = stages.deal_stage_id
    where not deals.is_archived
      and stages.is_closed
      and stages.probability = 1
      {%- if defs['deal_pipelines'] != 'all' %}
      and deals.pipeline_id in {{ sql_list(defs['deal_pipelines']) }}
      {%- endif %}
    group by 1
),

mart as (
    select month_start, revenue_won from {{ ref('deals_monthly') }}
),

compared as (
    select
        coalesce(staged_won.month_start, mart.month_start) as month_start,
        coalesce(staged_won.revenue_won, 0) as staged_revenue,
        coalesce(mart.revenue_won, 0) as mart_revenue
    from staged_won
    full outer join mart
        on staged_won.month_start = mart.month_start
)

select *
from compared
where abs(staged_revenue - mart_revenue) > 0.005
