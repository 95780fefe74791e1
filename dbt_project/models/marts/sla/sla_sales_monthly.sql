{#- Sales' side of the SLA by MQL month: every owned MQL gets a first sales touch within H hours.
    pct_within_sla = within / (within + breached + untouched past H hours); MQLs still inside their
    first H hours without a touch are pending and left out of the rate. -#}

with months as (
    select * from {{ ref('int_months') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
    where mql_at is not null
),

aggregated as (
    select
        mql_month as month_start,
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
    from leads
    group by mql_month
),

final as (
    select
        -- ids
        months.month_start,

        -- measures
        coalesce(aggregated.mqls, 0) as mqls,
        coalesce(aggregated.mqls_assigned, 0) as mqls_assigned,
        coalesce(aggregated.mqls_unassigned, 0) as mqls_unassigned,
        coalesce(aggregated.mqls_within_sla, 0) as mqls_within_sla,
        coalesce(aggregated.mqls_breached, 0) as mqls_breached,
        coalesce(aggregated.mqls_untouched, 0) as mqls_untouched,
        coalesce(aggregated.mqls_pending, 0) as mqls_pending,
        coalesce(aggregated.mqls_aging, 0) as mqls_aging,
        coalesce(aggregated.mqls_assigned, 0) - coalesce(aggregated.mqls_pending, 0) as mqls_sla_due,
        {{ safe_ratio('coalesce(aggregated.mqls_within_sla, 0)',
                      'coalesce(aggregated.mqls_assigned, 0) - coalesce(aggregated.mqls_pending, 0)') }}
            as pct_within_sla,
        cast(aggregated.median_speed_to_lead_hours as double precision) as median_speed_to_lead_hours,
        cast(aggregated.p75_speed_to_lead_hours as double precision) as p75_speed_to_lead_hours,
        {{ definitions_version_column() }}
    from months
    left join aggregated
        on months.month_start = aggregated.month_start
)

select * from final
