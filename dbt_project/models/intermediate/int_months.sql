{#- One row per calendar month (portal time zone) from the first month with funnel activity to the
    as-of month (or the last month with a closed deal, if later): the spine that keeps monthly marts
    free of missing months. -#}

with stages as (
    select * from {{ ref('int_contact_stages') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

activity_months as (
    select min(entered_month) as first_month, max(entered_month) as last_month from stages
    union all
    select min({{ local_month('created_at') }}), max({{ local_month('created_at') }}) from deals
    union all
    select min({{ local_month('closed_at') }}), max({{ local_month('closed_at') }}) from deals
    where is_won or is_lost
    union all
    select as_of_month, as_of_month from as_of
),

bounds as (
    select
        min(first_month) as first_month,
        max(last_month) as last_month
    from activity_months
),

numbers as (
    {{ numbers_0_to_9999() }}
),

spine as (
    select
        cast({{ dbt.dateadd('month', 'numbers.n', 'bounds.first_month') }} as date) as month_start
    from bounds
    inner join numbers
        on numbers.n <= {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'month') }}
),

final as (
    select
        month_start,
        cast(extract(year from month_start) as {{ dbt.type_int() }}) as calendar_year,
        cast(extract(month from month_start) as {{ dbt.type_int() }}) as calendar_month,
        {{ fiscal_year('month_start') }} as fiscal_year,
        {{ fiscal_quarter('month_start') }} as fiscal_quarter
    from spine
)

select * from final
