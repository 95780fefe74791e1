{#- Why leads did not work, by lead month, segment, reason and slice: source team x owner (SLA owner, else
    contact owner) x original source of the lead (macros/slices.sql). Disqualification reasons and closed-lost
    reasons of deals the leads sourced, as lead_disqualification_reasons; its all-'(all)' rows equal it. -#}

with leads as (
    select
        contact_id,
        lead_month,
        original_source,
        first_touch_campaign,
        persona,
        is_disqualified,
        disqualification_reason,
        {{ slice_value('source_team') }} as slice_source_team,
        {{ slice_value('coalesce(sla_owner_id, owner_id)') }} as slice_owner_id,
        {{ slice_value('original_source') }} as slice_original_source
    from {{ ref('fct_leads') }}
),

deals as (
    select * from {{ ref('fct_deals') }}
),

reasons as (
    select
        contact_id,
        'disqualification' as reason_type,
        disqualification_reason as reason
    from leads
    where is_disqualified
    union all
    select
        sourcing_contact_id,
        'closed_lost_reason',
        coalesce(closed_lost_reason, '(none given)')
    from deals
    where is_lost
      and sourcing_contact_id is not null
),

with_leads as (
    select leads.*, reasons.reason_type, reasons.reason
    from reasons
    inner join leads
        on reasons.contact_id = leads.contact_id
),

segmented as (
    select 'source' as segment_type, original_source as segment_value, with_leads.* from with_leads
    union all
    select 'campaign', coalesce(first_touch_campaign, '(none)'), with_leads.* from with_leads
    union all
    select 'persona', coalesce(persona, '(none)'), with_leads.* from with_leads
),

aggregated as (
    select
        lead_month as month_start,
        segment_type,
        segment_value,
        reason_type,
        reason,
        {{ slice_member('slice_source_team') }} as source_team,
        {{ slice_member('slice_owner_id') }} as owner_id,
        {{ slice_member('slice_original_source') }} as original_source,
        count(*) as occurrences
    from segmented
    group by
        lead_month, segment_type, segment_value, reason_type, reason,
        cube (slice_source_team, slice_owner_id, slice_original_source)
),

final as (
    select
        -- ids
        {{ slice_id(['month_start', 'segment_type', 'segment_value', 'reason_type', 'reason', 'source_team', 'owner_id', 'original_source']) }} as reason_slice_id,
        month_start,
        segment_type,
        segment_value,
        reason_type,
        reason,

        -- slice
        source_team,
        owner_id,
        original_source,

        -- measures
        occurrences,
        {{ definitions_version_column() }}
    from aggregated
)

select * from final
