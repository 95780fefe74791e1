{#- Lead quality by lead month, segment (original source, first-touch campaign, persona) and slice: source
    team x owner (SLA owner, else contact owner) x original source (macros/slices.sql). Leads, MQLs, SQLs,
    MQLs reaching SQL, customers (the last funnel stage of definitions.yml), SQLs reaching it, disqualified,
    and the rates from them. The all-'(all)' rows equal lead_quality_monthly. -#}
{%- set last_stage = funnel_stages()[-1]['key'] %}

with leads as (
    select
        lead_month,
        original_source,
        first_touch_campaign,
        persona,
        mql_at,
        sql_at,
        {{ last_stage }}_at as last_stage_at,
        is_disqualified,
        {{ slice_value('source_team') }} as slice_source_team,
        {{ slice_value('coalesce(sla_owner_id, owner_id)') }} as slice_owner_id,
        {{ slice_value('original_source') }} as slice_original_source
    from {{ ref('fct_leads') }}
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
        {{ slice_member('slice_source_team') }} as source_team,
        {{ slice_member('slice_owner_id') }} as owner_id,
        {{ slice_member('slice_original_source') }} as original_source,
        count(*) as leads,
        count(case when mql_at is not null then 1 end) as mqls,
        count(case when sql_at is not null then 1 end) as sqls,
        count(case when mql_at is not null and sql_at is not null then 1 end) as mqls_reaching_sql,
        count(case when last_stage_at is not null then 1 end) as customers,
        count(case when sql_at is not null and last_stage_at is not null then 1 end) as sqls_won,
        count(case when is_disqualified then 1 end) as disqualified
    from segmented
    group by lead_month, segment_type, segment_value, cube (slice_source_team, slice_owner_id, slice_original_source)
),

final as (
    select
        -- ids
        {{ slice_id(['month_start', 'segment_type', 'segment_value', 'source_team', 'owner_id', 'original_source']) }} as lead_quality_slice_id,
        month_start,
        segment_type,
        segment_value,

        -- slice
        source_team,
        owner_id,
        original_source,

        -- measures
        leads,
        mqls,
        sqls,
        mqls_reaching_sql,
        customers,
        sqls_won,
        disqualified,
        {{ safe_ratio('mqls_reaching_sql', 'mqls') }} as mql_to_sql_rate,
        {{ safe_ratio('sqls_won', 'sqls') }} as sql_to_won_rate,
        {{ safe_ratio('disqualified', 'leads') }} as disqualified_rate,
        {{ definitions_version_column() }}
    from aggregated
)

select * from final
