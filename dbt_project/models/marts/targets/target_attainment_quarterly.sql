{#- Quarterly attainment per fiscal quarter (definitions.yml `fiscal_year_start_month`), team and metric:
    summed actuals over summed monthly targets of the quarter's months present in the spine. -#}

with monthly as (
    select * from {{ ref('target_attainment_monthly') }}
),

aggregated as (
    select
        fiscal_year,
        fiscal_quarter,
        team,
        metric,
        min(month_start) as first_month,
        count(*) as months_in_data,
        sum(actual_value) as actual_value,
        sum(target_value) as target_value
    from monthly
    group by fiscal_year, fiscal_quarter, team, metric
),

final as (
    select
        -- ids
        {{ dbt.concat(["'FY'", "cast(fiscal_year as " ~ dbt.type_string() ~ ")", "'-Q'", "cast(fiscal_quarter as " ~ dbt.type_string() ~ ")", "'-'", 'team', "'-'", 'metric']) }} as attainment_id,
        fiscal_year,
        fiscal_quarter,
        team,
        metric,

        -- dimensions
        {{ dbt.concat(["'FY'", "cast(fiscal_year as " ~ dbt.type_string() ~ ")", "'-Q'", "cast(fiscal_quarter as " ~ dbt.type_string() ~ ")"]) }} as fiscal_quarter_label,
        first_month,
        months_in_data,

        -- measures
        actual_value,
        target_value,
        {{ safe_ratio('actual_value', 'target_value') }} as attainment,
        {{ definitions_version_column() }}
    from aggregated
)

select * from final
