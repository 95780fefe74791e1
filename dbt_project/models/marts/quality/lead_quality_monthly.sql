{#- Lead quality by lead month and segment (original source, first-touch campaign, persona): leads, MQLs,
    SQLs, customers (the last funnel stage), disqualified, MQL->SQL and SQL->won rates. Rates are cohort
    rates of the month's leads (as of now, not windowed: see funnel_cohort_monthly for windowed rates).
    The numbers are lead_quality_slices' all-'(all)' rows (every lead, no filter): computed there, once. -#}

with unfiltered as (
    select * from {{ ref('lead_quality_slices') }}
    where source_team = '(all)'
      and owner_id = '(all)'
      and original_source = '(all)'
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(month_start as " ~ dbt.type_string() ~ ")", "'-'", 'segment_type', "'-'", 'segment_value']) }} as lead_quality_id,
        month_start,
        segment_type,
        segment_value,

        -- measures
        leads,
        mqls,
        sqls,
        customers,
        disqualified,
        mql_to_sql_rate,
        sql_to_won_rate,
        disqualified_rate,
        {{ definitions_version_column() }}
    from unfiltered
)

select * from final
