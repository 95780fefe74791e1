{#- Shared targets: actual vs target per month, team and metric (definitions.yml `targets`).
    mqls / sqls = contacts entering the stage in the month (the whole funnel, both teams share it);
    sourced_pipeline = amount of deals created in the month sourced by that team;
    closed_won_revenue = revenue of deals won in the month (for marketing: marketing-sourced deals only). -#}

with targets as (
    select * from {{ ref('int_targets_monthly') }}
),

period as (
    select * from {{ ref('funnel_period_monthly') }}
),

deals as (
    select * from {{ ref('fct_deals') }}
),

actuals as (
    select month_start, 'marketing' as team, 'mqls' as metric, cast(contacts_entered as double precision) as actual_value
    from period where stage_key = 'mql'
    union all
    select month_start, 'sales', 'mqls', cast(contacts_entered as double precision)
    from period where stage_key = 'mql'
    union all
    select month_start, 'marketing', 'sqls', cast(contacts_entered as double precision)
    from period where stage_key = 'sql'
    union all
    select month_start, 'sales', 'sqls', cast(contacts_entered as double precision)
    from period where stage_key = 'sql'
    union all
    select created_month, source_team, 'sourced_pipeline', sum(amount)
    from deals where source_team in ('marketing', 'sales')
    group by created_month, source_team
    union all
    select closed_month, 'sales', 'closed_won_revenue', sum(amount)
    from deals where is_won
    group by closed_month
    union all
    select closed_month, 'marketing', 'closed_won_revenue', sum(amount)
    from deals where is_won and source_team = 'marketing'
    group by closed_month
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(targets.month_start as " ~ dbt.type_string() ~ ")", "'-'", 'targets.team', "'-'", 'targets.metric']) }} as attainment_id,
        targets.month_start,
        targets.team,
        targets.metric,

        -- dimensions
        targets.fiscal_year,
        targets.fiscal_quarter,

        -- measures
        coalesce(actuals.actual_value, 0) as actual_value,
        targets.target_value,
        {{ safe_ratio('coalesce(actuals.actual_value, 0)', 'targets.target_value') }} as attainment,
        {{ definitions_version_column() }}
    from targets
    left join actuals
        on targets.month_start = actuals.month_start
        and targets.team = actuals.team
        and targets.metric = actuals.metric
)

select * from final
