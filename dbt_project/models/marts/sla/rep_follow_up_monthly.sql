{#- Rep follow-up per SLA owner and MQL month: MQLs assigned, within SLA, speed to lead, untouched and aging
    leads, and the cherry-picking index = touch rate of high-grade MQLs - touch rate of low-grade MQLs
    (definitions.yml `lead_grade.cherry_picking`); touch rate = touched / assigned, pending MQLs left out.
    The numbers are rep_follow_up_slices' '(all)' x '(all)' rows (every MQL of the rep): computed there,
    once. Every sales rep and every rep with MQLs has a row for every month, zeros when no MQLs. -#}

with owners as (
    select * from {{ ref('dim_owners') }}
),

months as (
    select * from {{ ref('int_months') }}
),

aggregated as (
    select * from {{ ref('rep_follow_up_slices') }}
    where source_team = '(all)'
      and original_source = '(all)'
),

reps as (
    select owner_id from owners where team_role = 'sales'
    union
    select distinct owner_id from aggregated
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
        aggregated.oldest_untouched_age_days,
        aggregated.pct_within_sla,
        aggregated.median_speed_to_lead_hours,
        coalesce(aggregated.high_grade_mqls, 0) as high_grade_mqls,
        coalesce(aggregated.high_grade_mqls_touched, 0) as high_grade_mqls_touched,
        coalesce(aggregated.low_grade_mqls, 0) as low_grade_mqls,
        coalesce(aggregated.low_grade_mqls_touched, 0) as low_grade_mqls_touched,
        aggregated.cherry_picking_index,
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
