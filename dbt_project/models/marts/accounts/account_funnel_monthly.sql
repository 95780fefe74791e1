{#- The account funnel by month (grain: month x stage): accounts entering each funnel stage in the month (an
    account enters when its first contact does), won deals and revenue by revenue type (new business,
    expansion) by close month, every month of int_months. -#}

with months as (
    select * from {{ ref('int_months') }}
),

stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

account_stages as (
    select * from {{ ref('fct_account_stages') }}
),

entered as (
    select
        entered_month as month_start,
        stage_key,
        count(*) as accounts_entered
    from account_stages
    group by entered_month, stage_key
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(months.month_start as " ~ dbt.type_string() ~ ")", "'-'", 'stages.stage_key']) }} as account_funnel_id,
        months.month_start,
        stages.stage_key,

        -- dimensions
        stages.stage_label,
        stages.stage_order,

        -- measures
        coalesce(entered.accounts_entered, 0) as accounts_entered,
        {{ definitions_version_column() }}
    from months
    cross join stages
    left join entered
        on months.month_start = entered.month_start
        and stages.stage_key = entered.stage_key
)

select * from final
