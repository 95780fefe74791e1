{#- Lead quality by lead month and segment (original source, first-touch campaign, persona): leads, MQLs,
    SQLs, customers (the last funnel stage), disqualified, MQL->SQL and SQL->won rates. Rates are cohort
    rates of the month's leads (as of now, not windowed: see funnel_cohort_monthly for windowed rates). -#}
{%- set last_stage = funnel_stages()[-1]['key'] %}

with leads as (
    select * from {{ ref('fct_leads') }}
),

segmented as (
    select 'source' as segment_type, original_source as segment_value, leads.* from leads
    union all
    select 'campaign', coalesce(first_touch_campaign, '(none)'), leads.* from leads
    union all
    select 'persona', coalesce(persona, '(none)'), leads.* from leads
),

aggregated as (
    select
        lead_month as month_start,
        segment_type,
        segment_value,
        count(*) as leads,
        count(case when mql_at is not null then 1 end) as mqls,
        count(case when sql_at is not null then 1 end) as sqls,
        count(case when mql_at is not null and sql_at is not null then 1 end) as mqls_reaching_sql,
        count(case when {{ last_stage }}_at is not null then 1 end) as customers,
        count(case when sql_at is not null and {{ last_stage }}_at is not null then 1 end) as sqls_won,
        count(case when is_disqualified then 1 end) as disqualified
    from segmented
    group by lead_month, segment_type, segment_value
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
        {{ safe_ratio('mqls_reaching_sql', 'mqls') }} as mql_to_sql_rate,
        {{ safe_ratio('sqls_won', 'sqls') }} as sql_to_won_rate,
        {{ safe_ratio('disqualified', 'leads') }} as disqualified_rate,
        {{ definitions_version_column() }}
    from aggregated
)

select * from final
