{#- Period view (flow): contacts entering each funnel stage during the month, by stage date. The counts are
    funnel_period_slices' all-'(all)' rows (every contact, no filter): computed there, once; every month
    has every stage, zeros when no contact entered it. -#}

with months as (
    select * from {{ ref('int_months') }}
),

stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

entered as (
    select * from {{ ref('funnel_period_slices') }}
    where source_team = '(all)'
      and owner_id = '(all)'
      and original_source = '(all)'
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
        on months.month_start = entered.month_start
        and stages.stage_key = entered.stage_key
)

select * from final
