{#- Period view by slice: contacts entering each funnel stage during the month, for every combination of
    source team x owner x original source (macros/slices.sql: '(all)' = rolled up, '(none)' = no value).
    The lead's owner is its SLA owner once it is an MQL, else its contact owner. The '(all)' x '(all)' x
    '(all)' rows equal funnel_period_monthly. -#}

with contact_stages as (
    select * from {{ ref('fct_contact_stages') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
),

stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

sliced as (
    select
        contact_stages.entered_month as month_start,
        contact_stages.stage_key,
        contact_stages.is_skipped,
        {{ slice_value('leads.source_team') }} as source_team,
        {{ slice_value('coalesce(leads.sla_owner_id, leads.owner_id)') }} as owner_id,
        {{ slice_value('leads.original_source') }} as original_source
    from contact_stages
    left join leads
        on contact_stages.contact_id = leads.contact_id
),

aggregated as (
    select
        month_start,
        stage_key,
        {{ slice_member('source_team') }} as source_team,
        {{ slice_member('owner_id') }} as owner_id,
        {{ slice_member('original_source') }} as original_source,
        count(*) as contacts_entered,
        count(case when is_skipped then 1 end) as contacts_entered_by_skipping
    from sliced
    group by month_start, stage_key, cube (source_team, owner_id, original_source)
),

final as (
    select
        -- ids
        {{ slice_id(['aggregated.month_start', 'aggregated.stage_key', 'aggregated.source_team', 'aggregated.owner_id', 'aggregated.original_source']) }} as funnel_period_slice_id,
        aggregated.month_start,
        aggregated.stage_key,

        -- slice
        aggregated.source_team,
        aggregated.owner_id,
        aggregated.original_source,

        -- dimensions
        stages.stage_label,
        stages.stage_order,

        -- measures
        aggregated.contacts_entered,
        aggregated.contacts_entered_by_skipping,
        {{ definitions_version_column() }}
    from aggregated
    inner join stages
        on aggregated.stage_key = stages.stage_key
)

select * from final
