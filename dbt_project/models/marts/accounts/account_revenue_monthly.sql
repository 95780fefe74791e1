{#- Won revenue by account type by month (grain: month x revenue type): deals won, revenue and accounts won
    per revenue type (new_business, expansion; definitions.yml accounts.expansion_rule) by close month, every
    month of int_months. -#}

with months as (
    select * from {{ ref('int_months') }}
),

account_deals as (
    select * from {{ ref('int_account_deals') }}
),

revenue_types as (
    select 'new_business' as revenue_type
    union all
    select 'expansion'
),

won as (
    select
        {{ local_month('closed_at') }} as month_start,
        revenue_type,
        count(*) as deals_won,
        sum(amount) as revenue_won,
        count(distinct account_id) as accounts_won
    from account_deals
    where is_won
    group by {{ local_month('closed_at') }}, revenue_type
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(months.month_start as " ~ dbt.type_string() ~ ")", "'-'", 'revenue_types.revenue_type']) }} as account_revenue_id,
        months.month_start,
        revenue_types.revenue_type,

        -- measures
        coalesce(won.deals_won, 0) as deals_won,
        cast(coalesce(won.revenue_won, 0) as double precision) as revenue_won,
        coalesce(won.accounts_won, 0) as accounts_won,
        {{ definitions_version_column() }}
    from months
    cross join revenue_types
    left join won
        on months.month_start = won.month_start
        and revenue_types.revenue_type = won.revenue_type
)

select * from final
