{#- Sales' side of the SLA by MQL month: every owned MQL gets a first sales touch within H hours.
    pct_within_sla = within / (within + breached + untouched past H hours); MQLs still inside their
    first H hours without a touch are pending and left out of the rate. The numbers are sla_sales_slices'
    all-'(all)' rows (every MQL, no filter): computed there, once; a month with no MQL has zeros. -#}

with months as (
    select * from {{ ref('int_months') }}
),

unfiltered as (
    select * from {{ ref('sla_sales_slices') }}
    where source_team = '(all)'
      and owner_id = '(all)'
      and original_source = '(all)'
),

final as (
    select
        -- ids
        months.month_start,

        -- measures
        coalesce(unfiltered.mqls, 0) as mqls,
        coalesce(unfiltered.mqls_assigned, 0) as mqls_assigned,
        coalesce(unfiltered.mqls_unassigned, 0) as mqls_unassigned,
        coalesce(unfiltered.mqls_within_sla, 0) as mqls_within_sla,
        coalesce(unfiltered.mqls_breached, 0) as mqls_breached,
        coalesce(unfiltered.mqls_untouched, 0) as mqls_untouched,
        coalesce(unfiltered.mqls_pending, 0) as mqls_pending,
        coalesce(unfiltered.mqls_aging, 0) as mqls_aging,
        coalesce(unfiltered.mqls_sla_due, 0) as mqls_sla_due,
        unfiltered.pct_within_sla,
        unfiltered.median_speed_to_lead_hours,
        unfiltered.p75_speed_to_lead_hours,
        {{ definitions_version_column() }}
    from months
    left join unfiltered
        on months.month_start = unfiltered.month_start
)

select * from final
