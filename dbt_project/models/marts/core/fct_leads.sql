{#- Incremental by changed contact (with the contacts whose grade or SLA bucket moved with the as-of date); the
    age of the other untouched MQLs is moved in place (post-hook refresh_untouched_age). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'lead') }}",
    post_hook="{{ refresh_untouched_age() }}",
) }}
-- depends_on: {{ ref('int_as_of') }}
{%- set first_stage = funnel_stages()[0]['key'] %}

with funnel_dates as (
    select * from {{ ref('int_contact_funnel_dates') }}
    where {{ where_changed('contact_id', 'lead') }}
),

contacts as (
    select * from {{ ref('int_contacts_resolved') }}
),

grades as (
    select * from {{ ref('int_contact_grades') }}
),

sources as (
    select * from {{ ref('int_contact_sources') }}
),

sla as (
    select * from {{ ref('int_leads_sla') }}
),

final as (
    select
        -- ids
        funnel_dates.contact_id,
        contacts.owner_id,
        sla.sla_owner_id,
        contacts.company_id,

        -- dimensions
        contacts.lifecycle_stage,
        contacts.lead_status,
        contacts.persona,
        contacts.seniority,
        grades.lead_grade,
        grades.grade_band,
        sources.original_source,
        sources.source_team,
        sources.latest_source,
        sources.latest_source_team,
        sources.first_touch_campaign,
        sources.last_touch_campaign,
        funnel_dates.furthest_stage_order,
        {%- for stage in funnel_stages() %}
        funnel_dates.{{ stage['key'] }}_date_source,
        {%- endfor %}
        funnel_dates.is_stage_date_fallback,
        funnel_dates.is_stage_date_from_create_date,
        funnel_dates.is_disqualified,
        funnel_dates.disqualified_by,
        funnel_dates.disqualification_reason,
        coalesce(sla.sla_status, 'not_mql') as sla_status,
        coalesce(sla.is_sla_pending, false) as is_sla_pending,
        coalesce(sla.is_aging, false) as is_aging,
        contacts.merged_contacts,

        -- timestamps
        contacts.created_at,
        {%- for stage in funnel_stages() %}
        funnel_dates.{{ stage['key'] }}_at,
        {%- endfor %}
        {{ local_month('funnel_dates.' ~ first_stage ~ '_at') }} as lead_month,
        sla.mql_month,
        {{ local_timestamp('sla.mql_at') }} as mql_local_at,
        funnel_dates.disqualified_at,
        sla.sla_started_at,
        sla.first_touch_at,

        -- measures
        grades.fit_score,
        grades.engagement_score,
        sla.speed_to_lead_hours,
        sla.untouched_age_days,
        {{ definitions_version_column() }},
        {{ batch_loaded_at() }} as _loaded_at
    from funnel_dates
    inner join contacts
        on funnel_dates.contact_id = contacts.contact_id
    left join grades
        on funnel_dates.contact_id = grades.contact_id
    left join sources
        on funnel_dates.contact_id = sources.contact_id
    left join sla
        on funnel_dates.contact_id = sla.contact_id
    where funnel_dates.{{ first_stage }}_at is not null
)

select * from final
