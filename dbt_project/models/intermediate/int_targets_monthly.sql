{#- One row per month, team and target metric: the month's own target or the default (definitions.yml
    `targets`). -#}

with months as (
    select * from {{ ref('int_months') }}
),

targets as (
    select * from {{ ref('definitions_targets') }}
),

defaults as (
    select team, metric, target_value from targets where target_month is null
),

overrides as (
    select team, metric, target_month, target_value from targets where target_month is not null
),

final as (
    select
        months.month_start,
        months.fiscal_year,
        months.fiscal_quarter,
        defaults.team,
        defaults.metric,
        coalesce(overrides.target_value, defaults.target_value) as target_value
    from months
    cross join defaults
    left join overrides
        on defaults.team = overrides.team
        and defaults.metric = overrides.metric
        and months.month_start = overrides.target_month
)

select * from final
