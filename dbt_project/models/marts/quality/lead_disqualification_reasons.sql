{#- Why leads did not work, by lead month and segment: disqualification reasons (the disqualifying lead
    status or lifecycle stage) and closed-lost reasons of deals the leads sourced. -#}

with leads as (
    select * from {{ ref('fct_leads') }}
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

segmented as (
    select leads.lead_month, 'source' as segment_type, leads.original_source as segment_value, reasons.*
    from reasons inner join leads on reasons.contact_id = leads.contact_id
    union all
    select leads.lead_month, 'campaign', coalesce(leads.first_touch_campaign, '(none)'), reasons.*
    from reasons inner join leads on reasons.contact_id = leads.contact_id
    union all
    select leads.lead_month, 'persona', coalesce(leads.persona, '(none)'), reasons.*
    from reasons inner join leads on reasons.contact_id = leads.contact_id
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(lead_month as " ~ dbt.type_string() ~ ")", "'-'", 'segment_type', "'-'", 'segment_value', "'-'", 'reason_type', "'-'", 'reason']) }} as reason_row_id,
        lead_month as month_start,
        segment_type,
        segment_value,
        reason_type,
        reason,

        -- measures
        count(*) as occurrences,
        {{ definitions_version_column() }}
    from segmented
    group by lead_month, segment_type, segment_value, reason_type, reason
)

select * from final
