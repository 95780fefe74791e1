{#- One row per live contact that is disqualified now (lead status or lifecycle stage in definitions.yml
    `disqualification`), with when: the date of the disqualifying lifecycle stage, or the time the property
    took its current value (property history). Unknown time = null (then no reached stage is dropped).
    Incremental by changed contact. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}
{%- set rules = definitions()['disqualification'] %}

with contacts as (
    select * from {{ ref('int_contacts_resolved') }}
    where {{ where_changed('contact_id', 'contact') }}
),

history as (
    select * from {{ ref('stg_hubspot__contact_property_history') }}
),

disqualified as (
    select
        contact_id,
        lifecycle_stage,
        lead_status,
        lifecycle_stage in {{ sql_list(rules['lifecycle_stages']) }} as by_lifecycle_stage,
        lead_status in {{ sql_list(rules['lead_statuses']) }} as by_lead_status,
        case
            {%- for value in rules['lifecycle_stages'] %}
            when lifecycle_stage = {{ dbt.string_literal(value) }} then {{ lifecycle_date_column(value) }}
            {%- endfor %}
        end as lifecycle_stage_dated_at
    from contacts
    where lifecycle_stage in {{ sql_list(rules['lifecycle_stages']) }}
       or lead_status in {{ sql_list(rules['lead_statuses']) }}
),

-- when the property last took its current (disqualifying) value
lifecycle_changes as (
    select
        history.contact_id,
        max(history.changed_at) as changed_at
    from history
    inner join disqualified
        on history.contact_id = disqualified.contact_id
        and history.property_name = 'lifecyclestage'
        and history.property_value = disqualified.lifecycle_stage
    where disqualified.by_lifecycle_stage
    group by history.contact_id
),

lead_status_changes as (
    select
        history.contact_id,
        max(history.changed_at) as changed_at
    from history
    inner join disqualified
        on history.contact_id = disqualified.contact_id
        and history.property_name = 'hs_lead_status'
        and history.property_value = disqualified.lead_status
    where disqualified.by_lead_status
    group by history.contact_id
),

final as (
    select
        disqualified.contact_id,
        case
            when disqualified.by_lead_status and disqualified.by_lifecycle_stage then 'lead_status_and_lifecycle_stage'
            when disqualified.by_lead_status then 'lead_status'
            else 'lifecycle_stage'
        end as disqualified_by,
        case when disqualified.by_lead_status then disqualified.lead_status else disqualified.lifecycle_stage end
            as disqualification_reason,
        case
            when disqualified.by_lead_status and disqualified.by_lifecycle_stage then
                case
                    when lead_status_changes.changed_at is null
                        then coalesce(disqualified.lifecycle_stage_dated_at, lifecycle_changes.changed_at)
                    when coalesce(disqualified.lifecycle_stage_dated_at, lifecycle_changes.changed_at) is null
                        then lead_status_changes.changed_at
                    when lead_status_changes.changed_at
                        < coalesce(disqualified.lifecycle_stage_dated_at, lifecycle_changes.changed_at)
                        then lead_status_changes.changed_at
                    else coalesce(disqualified.lifecycle_stage_dated_at, lifecycle_changes.changed_at)
                end
            when disqualified.by_lead_status then lead_status_changes.changed_at
            else coalesce(disqualified.lifecycle_stage_dated_at, lifecycle_changes.changed_at)
        end as disqualified_at,
        {{ batch_loaded_at() }} as _loaded_at
    from disqualified
    left join lifecycle_changes
        on disqualified.contact_id = lifecycle_changes.contact_id
    left join lead_status_changes
        on disqualified.contact_id = lead_status_changes.contact_id
)

select * from final
