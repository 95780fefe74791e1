{#- Sales' side of the SLA by MQL month and slice: MQLs by SLA bucket (within, breached, untouched,
    unassigned), pending and aging, the SLA-due denominator, % within SLA and speed to lead median / p75
    computed over each slice's own MQLs, for every combination of source team x owner (SLA owner, else
    contact owner) x original source (macros/slices.sql). The all-'(all)' rows equal sla_sales_monthly. -#}

with leads as (
    select * from {{ ref('fct_leads') }}
    where mql_at is not null
),

sliced as (
    select
        mql_month,
        sla_status,
        is_sla_pending,
        is_aging,
        speed_to_lead_hours,
        {{ slice_value('source_team') }} as source_team,
        {{ slice_value('coalesce(sla_owner_id, owner_id)') }} as owner_id,
        {{ slice_value('original_source') }} as original_source
    from leads
),

aggregated as (
    select
        mql_month as month_start,
        {{ slice_member('source_team') }} as source_team,
        {{ slice_member('owner_id') }} as owner_id,
        {{ slice_member('original_source') }} as original_source,
        count(*) as mqls,
        count(case when sla_status <> 'unassigned' then 1 end) as mqls_assigned,
        count(case when sla_status = 'unassigned' then 1 end) as mqls_unassigned,
        count(case when sla_status = 'within_sla' then 1 end) as mqls_within_sla,
        count(case when sla_status = 'breached' then 1 end) as mqls_breached,
        count(case when sla_status = 'untouched' then 1 end) as mqls_untouched,
        count(case when is_sla_pending then 1 end) as mqls_pending,
        count(case when is_aging then 1 end) as mqls_aging,
        {{ percentile('speed_to_lead_hours', 0.5) }} as median_speed_to_lead_hours,
        {{ percentile('speed_to_lead_hours', 0.75) }} as p75_speed_to_lead_hours
    from sliced
    group by mql_month, cube (source_team, owner_id, original_source)
),

final as (
    select
        -- ids
        {{ slice_id(['month_start', 'source_team', 'owner_id', 'original_source']) }} as sla_sales_slice_id,
        month_start,

        -- slice
        source_team,
        owner_id,
        original_source,

        -- measures
        mqls,
        mqls_assigned,
        mqls_unassigned,
        mqls_within_sla,
        mqls_breached,
        mqls_untouched,
        mqls_pending,
        mqls_aging,
        mqls_assigned - mqls_pending as mqls_sla_due,
        {{ safe_ratio('mqls_within_sla', 'mqls_assigned - mqls_pending') }} as pct_within_sla,
        cast(median_speed_to_lead_hours as double precision) as median_speed_to_lead_hours,
        cast(p75_speed_to_lead_hours as double precision) as p75_speed_to_lead_hours,
        {{ definitions_version_column() }}
    from aggregated
)

select * from final
