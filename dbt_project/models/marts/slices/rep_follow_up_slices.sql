{#- Rep follow-up by SLA owner, MQL month and slice: the measures of rep_follow_up_monthly over the rep's MQLs
    of each source team x original source combination (macros/slices.sql; the owner is the grain, never
    rolled up). Only reps with MQLs in the slice. The '(all)' x '(all)' rows equal rep_follow_up_monthly's
    rows with MQLs. -#}

with leads as (
    select * from {{ ref('fct_leads') }}
    where mql_at is not null
      and sla_owner_id is not null
),

owners as (
    select * from {{ ref('dim_owners') }}
),

sliced as (
    select
        sla_owner_id as owner_id,
        mql_month,
        sla_status,
        is_sla_pending,
        is_aging,
        untouched_age_days,
        speed_to_lead_hours,
        grade_band,
        first_touch_at,
        {{ slice_value('source_team') }} as source_team,
        {{ slice_value('original_source') }} as original_source
    from leads
),

aggregated as (
    select
        owner_id,
        mql_month as month_start,
        {{ slice_member('source_team') }} as source_team,
        {{ slice_member('original_source') }} as original_source,
        count(*) as mqls_assigned,
        count(case when sla_status = 'within_sla' then 1 end) as mqls_within_sla,
        count(case when sla_status = 'breached' then 1 end) as mqls_breached,
        count(case when sla_status = 'untouched' then 1 end) as mqls_untouched,
        count(case when is_sla_pending then 1 end) as mqls_pending,
        count(case when is_aging then 1 end) as mqls_aging,
        max(untouched_age_days) as oldest_untouched_age_days,
        {{ percentile('speed_to_lead_hours', 0.5) }} as median_speed_to_lead_hours,
        count(case when grade_band = 'high' and not is_sla_pending then 1 end) as high_grade_mqls,
        count(case when grade_band = 'high' and not is_sla_pending and first_touch_at is not null then 1 end)
            as high_grade_mqls_touched,
        count(case when grade_band = 'low' and not is_sla_pending then 1 end) as low_grade_mqls,
        count(case when grade_band = 'low' and not is_sla_pending and first_touch_at is not null then 1 end)
            as low_grade_mqls_touched
    from sliced
    group by owner_id, mql_month, cube (source_team, original_source)
),

final as (
    select
        -- ids
        {{ slice_id(['aggregated.owner_id', 'aggregated.month_start', 'aggregated.source_team', 'aggregated.original_source']) }} as rep_follow_up_slice_id,
        aggregated.owner_id,
        aggregated.month_start,

        -- slice
        aggregated.source_team,
        aggregated.original_source,

        -- dimensions
        owners.owner_name,
        owners.team_name,

        -- measures
        aggregated.mqls_assigned,
        aggregated.mqls_within_sla,
        aggregated.mqls_breached,
        aggregated.mqls_untouched,
        aggregated.mqls_pending,
        aggregated.mqls_aging,
        cast(aggregated.oldest_untouched_age_days as double precision) as oldest_untouched_age_days,
        {{ safe_ratio('aggregated.mqls_within_sla', 'aggregated.mqls_assigned - aggregated.mqls_pending') }}
            as pct_within_sla,
        cast(aggregated.median_speed_to_lead_hours as double precision) as median_speed_to_lead_hours,
        aggregated.high_grade_mqls,
        aggregated.high_grade_mqls_touched,
        aggregated.low_grade_mqls,
        aggregated.low_grade_mqls_touched,
        {{ safe_ratio('aggregated.high_grade_mqls_touched', 'aggregated.high_grade_mqls') }}
            - {{ safe_ratio('aggregated.low_grade_mqls_touched', 'aggregated.low_grade_mqls') }}
            as cherry_picking_index,
        {{ definitions_version_column() }}
    from aggregated
    left join owners
        on aggregated.owner_id = owners.owner_id
)

select * from final
