{#- Rep follow-up per SLA owner and MQL month: MQLs assigned, within SLA, speed to lead, untouched and aging
    leads, and the cherry-picking index = touch rate of high-grade MQLs - touch rate of low-grade MQLs
    (definitions.yml `lead_grade.cherry_picking`); touch rate = touched / assigned, pending MQLs left out. -#}

with leads as (
    select * from {{ ref('fct_leads') }}
    where mql_at is not null
      and sla_owner_id is not null
),

owners as (
    select * from {{ ref('dim_owners') }}
),

months as (
    select * from {{ ref('int_months') }}
),

reps as (
    select owner_id from owners where team_role = 'sales'
    union
    select distinct sla_owner_id from leads
),

aggregated as (
    select
        sla_owner_id as owner_id,
        mql_month as month_start,
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
    from leads
    group by sla_owner_id, mql_month
),

final as (
    select
        -- ids
        {{ dbt.concat(['reps.owner_id', "'-'", "cast(months.month_start as " ~ dbt.type_string() ~ ")"]) }} as rep_month_id,
        reps.owner_id,
        months.month_start,

        -- dimensions
        owners.owner_name,
        owners.team_name,

        -- measures
        coalesce(aggregated.mqls_assigned, 0) as mqls_assigned,
        coalesce(aggregated.mqls_within_sla, 0) as mqls_within_sla,
        coalesce(aggregated.mqls_breached, 0) as mqls_breached,
        coalesce(aggregated.mqls_untouched, 0) as mqls_untouched,
        coalesce(aggregated.mqls_pending, 0) as mqls_pending,
        coalesce(aggregated.mqls_aging, 0) as mqls_aging,
        cast(aggregated.oldest_untouched_age_days as double precision) as oldest_untouched_age_days,
        {{ safe_ratio('coalesce(aggregated.mqls_within_sla, 0)',
                      'coalesce(aggregated.mqls_assigned, 0) - coalesce(aggregated.mqls_pending, 0)') }}
            as pct_within_sla,
        cast(aggregated.median_speed_to_lead_hours as double precision) as median_speed_to_lead_hours,
        coalesce(aggregated.high_grade_mqls, 0) as high_grade_mqls,
        coalesce(aggregated.high_grade_mqls_touched, 0) as high_grade_mqls_touched,
        coalesce(aggregated.low_grade_mqls, 0) as low_grade_mqls,
        coalesce(aggregated.low_grade_mqls_touched, 0) as low_grade_mqls_touched,
        {{ safe_ratio('aggregated.high_grade_mqls_touched', 'aggregated.high_grade_mqls') }}
            - {{ safe_ratio('aggregated.low_grade_mqls_touched', 'aggregated.low_grade_mqls') }}
            as cherry_picking_index,
        {{ definitions_version_column() }}
    from reps
    cross join months
    left join owners
        on reps.owner_id = owners.owner_id
    left join aggregated
        on reps.owner_id = aggregated.owner_id
        and months.month_start = aggregated.month_start
)

select * from final
