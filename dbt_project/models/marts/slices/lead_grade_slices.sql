{#- Conversion by lead grade, by lead month and slice: source team x owner (SLA owner, else contact owner) x
    original source (macros/slices.sql). Leads, MQLs, SQLs, customers (the last funnel stage of definitions.yml),
    disqualified, and the sums and counts of the fit and engagement scores (average = sum / count, over any
    range of months). So the dashboard's grade table is a sum over the months of the range, never a re-count. -#}
{%- set last_stage = funnel_stages()[-1]['key'] %}

with leads as (
    select
        lead_month,
        lead_grade,
        mql_at,
        sql_at,
        {{ last_stage }}_at as last_stage_at,
        is_disqualified,
        fit_score,
        engagement_score,
        {{ slice_value('source_team') }} as source_team,
        {{ slice_value('coalesce(sla_owner_id, owner_id)') }} as owner_id,
        {{ slice_value('original_source') }} as original_source
    from {{ ref('fct_leads') }}
),

aggregated as (
    select
        lead_month as month_start,
        lead_grade,
        {{ slice_member('source_team') }} as source_team,
        {{ slice_member('owner_id') }} as owner_id,
        {{ slice_member('original_source') }} as original_source,
        count(*) as leads,
        count(mql_at) as mqls,
        count(sql_at) as sqls,
        count(last_stage_at) as customers,
        count(case when is_disqualified then 1 end) as disqualified,
        sum(fit_score) as fit_score_sum,
        count(fit_score) as fit_scored_leads,
        sum(engagement_score) as engagement_score_sum,
        count(engagement_score) as engagement_scored_leads
    from leads
    group by lead_month, lead_grade, cube (source_team, owner_id, original_source)
),

final as (
    select
        -- ids
        {{ slice_id(['month_start', 'lead_grade', 'source_team', 'owner_id', 'original_source']) }} as lead_grade_slice_id,
        month_start,
        lead_grade,

        -- slice
        source_team,
        owner_id,
        original_source,

        -- measures
        leads,
        mqls,
        sqls,
        customers,
        disqualified,
        cast(fit_score_sum as double precision) as fit_score_sum,
        fit_scored_leads,
        cast(engagement_score_sum as double precision) as engagement_score_sum,
        engagement_scored_leads,
        {{ definitions_version_column() }}
    from aggregated
)

select * from final
