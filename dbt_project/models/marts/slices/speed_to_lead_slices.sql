{#- Speed to lead distribution by MQL month and slice: source team x owner (SLA owner, else contact owner) x
    original source (macros/slices.sql). Every MQL in one bucket - no owner, not touched (clock running or
    not), or its speed to lead in hours (up to 1 h, 1-4 h, 4-24 h, 1-3 days, 3-7 days, over 7 days) - beside its
    SLA status. The buckets of a month add up to sla_sales_slices.mqls of the same slice. -#}

with leads as (
    select * from {{ ref('fct_leads') }}
    where mql_at is not null
),

bucketed as (
    select
        mql_month,
        sla_status,
        is_sla_pending,
        case
            when sla_status = 'unassigned' then 1
            when first_touch_at is null and is_sla_pending then 2
            when first_touch_at is null then 3
            when speed_to_lead_hours <= 1 then 4
            when speed_to_lead_hours <= 4 then 5
            when speed_to_lead_hours <= 24 then 6
            when speed_to_lead_hours <= 72 then 7
            when speed_to_lead_hours <= 168 then 8
            else 9
        end as bucket_order,
        {{ slice_value('source_team') }} as source_team,
        {{ slice_value('coalesce(sla_owner_id, owner_id)') }} as owner_id,
        {{ slice_value('original_source') }} as original_source
    from leads
),

aggregated as (
    select
        mql_month as month_start,
        sla_status,
        is_sla_pending,
        bucket_order,
        {{ slice_member('source_team') }} as source_team,
        {{ slice_member('owner_id') }} as owner_id,
        {{ slice_member('original_source') }} as original_source,
        count(*) as mqls
    from bucketed
    group by mql_month, sla_status, is_sla_pending, bucket_order, cube (source_team, owner_id, original_source)
),

final as (
    select
        -- ids
        {{ slice_id(['month_start', 'sla_status', 'is_sla_pending', 'bucket_order', 'source_team', 'owner_id', 'original_source']) }} as speed_to_lead_slice_id,
        month_start,
        sla_status,
        is_sla_pending,

        -- slice
        source_team,
        owner_id,
        original_source,

        -- dimensions
        bucket_order,
        case bucket_order
            when 1 then 'No owner'
            when 2 then 'Not touched yet (clock running)'
            when 3 then 'Not touched'
            when 4 then 'Up to 1 h'
            when 5 then '1–4 h'
            when 6 then '4–24 h'
            when 7 then '1–3 days'
            when 8 then '3–7 days'
            else 'Over 7 days'
        end as bucket,

        -- measures
        mqls,
        {{ definitions_version_column() }}
    from aggregated
)

select * from final
