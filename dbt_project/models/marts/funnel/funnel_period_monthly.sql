{#- Period view (flow): contacts entering each funnel stage during the month, by stage date. -#}

with months as (
    select * from {{ ref('int_months') }}
),

stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

contact_stages as (
    select * from {{ ref('fct_contact_stages') }}
),

entered as (
    select
        entered_month,
        stage_key,
        count(*) as contacts_entered,
        count(case when is_skipped then 1 end) as contacts_entered_by_skipping
    from contact_stages
    group by entered_month, stage_key
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(months.month_start as " ~ dbt.type_string() ~ ")", "'-'", 'stages.stage_key']) }} as funnel_period_id,
        months.month_start,
        stages.stage_key,

        -- dimensions
        stages.stage_label,
        stages.stage_order,
        months.fiscal_year,
        months.fiscal_quarter,

        -- measures
        coalesce(entered.contacts_entered, 0) as contacts_entered,
        coalesce(entered.contacts_entered_by_skipping, 0) as contacts_entered_by_skipping,
        {{ definitions_version_column() }}
    from months
    cross join stages
    left join entered
        on months.month_start = entered.entered_month
        and stages.stage_key = entered.stage_key
)

select * from final
