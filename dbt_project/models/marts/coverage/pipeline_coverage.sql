{#- Pipeline coverage now (grain: period type, the as-of month and the as-of fiscal quarter; two rows):
    open pipeline against the closed-won revenue target of definitions.yml pipeline_coverage.target_team still
    to win in the period. Target = the months' targets (definitions.yml targets: a month's own or the
    default, as in int_targets_monthly) added up; won to date = revenue won in the period, counted as in
    target_attainment_monthly (sales: every won deal; marketing: marketing-sourced ones); still to win =
    target - won to date, never below 0. Open pipeline = open deals (not won or lost) whose expected close
    date falls on or before the period's last month (closing_in_period: overdue ones included) or every open
    deal (all_open); weighted = each deal's amount x its deal stage's probability. Coverage = open pipeline /
    still to win (null when nothing is left to win). -#}
{%- set rules = coverage_rules() %}

with as_of as (
    select * from {{ ref('int_as_of') }}
),

targets as (
    select * from {{ ref('definitions_targets') }}
    where team = {{ dbt.string_literal(rules['target_team']) }}
      and metric = 'closed_won_revenue'
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

-- the as-of month and the first month of its fiscal quarter
anchors as (
    select
        as_of.as_of_at,
        as_of.as_of_month,
        {%- set months_into_quarter = 'mod(cast(extract(month from as_of.as_of_month) as ' ~ dbt.type_int() ~ ') - ' ~ definitions()['fiscal_year_start_month'] ~ ' + 12, 3)' %}
        cast({{ dbt.dateadd('month', '-1 * ' ~ months_into_quarter, 'as_of.as_of_month') }} as date) as quarter_start
    from as_of
),

periods as (
    select 'month' as period_type, as_of_month as period_start, as_of_month as period_end_month, as_of_at, as_of_month
    from anchors
    union all
    select
        'quarter', quarter_start,
        cast({{ dbt.dateadd('month', 2, 'quarter_start') }} as date),
        as_of_at, as_of_month
    from anchors
),

period_months as (
    select periods.period_type, periods.period_start, cast(periods.period_start as date) as month_start from periods
    union all
    select periods.period_type, periods.period_start, cast({{ dbt.dateadd('month', 1, 'periods.period_start') }} as date)
    from periods where periods.period_type = 'quarter'
    union all
    select periods.period_type, periods.period_start, cast({{ dbt.dateadd('month', 2, 'periods.period_start') }} as date)
    from periods where periods.period_type = 'quarter'
),

month_targets as (
    select
        period_months.period_type,
        period_months.month_start,
        coalesce(overrides.target_value, defaults.target_value, 0) as target_value
    from period_months
    left join targets as defaults
        on defaults.target_month is null
    left join targets as overrides
        on overrides.target_month = period_months.month_start
),

period_targets as (
    select period_type, sum(target_value) as revenue_target
    from month_targets
    group by period_type
),

won as (
    select
        period_months.period_type,
        sum(deals.amount) as revenue_won
    from deals
    inner join period_months
        on {{ local_month('deals.closed_at') }} = period_months.month_start
    where deals.is_won
    {%- if rules['target_team'] == 'marketing' %}
      and deals.source_team = 'marketing'
    {%- endif %}
    group by period_months.period_type
),

open_deals as (
    select
        periods.period_type,
        count(*) as open_deals,
        sum(deals.amount) as open_pipeline,
        sum(deals.amount * coalesce(stages.probability, 0)) as weighted_open_pipeline
    from deals
    cross join periods
    left join stages
        on deals.pipeline_id = stages.pipeline_id
        and deals.deal_stage_id = stages.deal_stage_id
    where not deals.is_won
      and not deals.is_lost
    {%- if rules['open_deals'] == 'closing_in_period' %}
      and {{ local_month('deals.closed_at') }} <= periods.period_end_month
    {%- endif %}
    group by periods.period_type
),

combined as (
    select
        periods.period_type,
        periods.period_start,
        periods.period_end_month,
        periods.as_of_at,
        coalesce(period_targets.revenue_target, 0) as revenue_target,
        coalesce(won.revenue_won, 0) as revenue_won,
        case
            when coalesce(period_targets.revenue_target, 0) - coalesce(won.revenue_won, 0) > 0
                then coalesce(period_targets.revenue_target, 0) - coalesce(won.revenue_won, 0)
            else 0
        end as revenue_to_win,
        coalesce(open_deals.open_deals, 0) as open_deals,
        coalesce(open_deals.open_pipeline, 0) as open_pipeline,
        coalesce(open_deals.weighted_open_pipeline, 0) as weighted_open_pipeline
    from periods
    left join period_targets
        on periods.period_type = period_targets.period_type
    left join won
        on periods.period_type = won.period_type
    left join open_deals
        on periods.period_type = open_deals.period_type
),

final as (
    select
        -- ids
        period_type,

        -- dimensions
        period_start,
        period_end_month,
        {{ dbt.string_literal(rules['target_team']) }} as target_team,
        {{ dbt.string_literal(rules['open_deals']) }} as open_deals_rule,

        -- timestamps
        as_of_at,

        -- measures
        cast(revenue_target as double precision) as revenue_target,
        cast(revenue_won as double precision) as revenue_won,
        cast(revenue_to_win as double precision) as revenue_to_win,
        open_deals,
        cast(open_pipeline as double precision) as open_pipeline,
        cast(weighted_open_pipeline as double precision) as weighted_open_pipeline,
        {{ safe_ratio('open_pipeline', 'revenue_to_win') }} as coverage,
        {{ safe_ratio('weighted_open_pipeline', 'revenue_to_win') }} as weighted_coverage,
        cast({{ rules['healthy_coverage'] }} as double precision) as healthy_coverage,
        {{ definitions_version_column() }}
    from combined
)

select * from final
