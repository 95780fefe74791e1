{#- One row per live contact: not archived (deleted) and not merged away. A survivor keeps the earliest
    stage and first-activity dates of every contact merged into it (and the latest last-activity dates).
    Stage dates: per lifecycle stage value, each contact's date comes from the first source that has one -
    HubSpot's stage date property (hs_lifecyclestage_<value>_date), its "date entered" property
    (hs_v2_date_entered_<value>, the one custom stages have), the lifecyclestage property history (the first
    time the value was set) - and entered_<value>_source records which. The create-date fallback for contacts
    with no stage date at all is applied in int_contact_lifecycle_events.
    Incremental: the changed contacts (int_records_changed) are recomputed. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}

with contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

merges as (
    select * from {{ ref('int_contact_merges') }}
),

history as (
    select * from {{ ref('stg_hubspot__contact_property_history') }}
),

grouped as (
    select
        coalesce(merges.survivor_contact_id, contacts.contact_id) as survivor_contact_id,
        contacts.*
    from contacts
    left join merges
        on contacts.contact_id = merges.merged_contact_id
    where {{ where_changed('coalesce(merges.survivor_contact_id, contacts.contact_id)', 'contact') }}
),

-- per contact (merged-away ones too) and stage value: the first time the lifecyclestage property took it
lifecycle_history as (
    select
        contact_id,
        {%- for value in lifecycle_values() %}
        min(case when property_value = {{ dbt.string_literal(value) }} then changed_at end)
            as history_{{ loop.index }}_at{% if not loop.last %},{% endif %}
        {%- endfor %}
    from history
    where property_name = 'lifecyclestage'
      and property_value in {{ sql_list(lifecycle_values()) }}
      and contact_id in (select contact_id from grouped)
    group by contact_id
),

-- per contact: each stage value's date from the first source that has one, and which source
dated as (
    select
        grouped.*,
        {%- for value in lifecycle_values() %}
        {%- set stage_property = 'grouped.' ~ lifecycle_date_column(value) %}
        {%- set date_entered = 'grouped.' ~ lifecycle_date_entered_column(value) %}
        {%- set first_set = 'lifecycle_history.history_' ~ loop.index ~ '_at' %}
        coalesce({{ stage_property }}, {{ date_entered }}, {{ first_set }}) as dated_{{ loop.index }}_at,
        case
            when {{ stage_property }} is not null then 'stage_property'
            when {{ date_entered }} is not null then 'date_entered_property'
            when {{ first_set }} is not null then 'history'
        end as dated_{{ loop.index }}_source{% if not loop.last %},{% endif %}
        {%- endfor %}
    from grouped
    left join lifecycle_history
        on grouped.contact_id = lifecycle_history.contact_id
),

-- the group's earliest date of each value, beside each contact's, to keep the source of the earliest
dated_in_group as (
    select
        dated.*,
        {%- for value in lifecycle_values() %}
        min(dated_{{ loop.index }}_at) over (partition by survivor_contact_id)
            as group_{{ loop.index }}_at{% if not loop.last %},{% endif %}
        {%- endfor %}
    from dated
),

merged_dates as (
    select
        survivor_contact_id,
        {%- for value in lifecycle_values() %}
        min(dated_{{ loop.index }}_at) as {{ lifecycle_date_column(value) }},
        -- the source of the earliest date (ties: the strongest source)
        case min(case when dated_{{ loop.index }}_at = group_{{ loop.index }}_at then
            case dated_{{ loop.index }}_source
                when 'stage_property' then 1 when 'date_entered_property' then 2 else 3
            end
        end)
            when 1 then 'stage_property' when 2 then 'date_entered_property' when 3 then 'history'
        end as {{ lifecycle_date_source_column(value) }},
        {%- endfor %}
        min(hubspot_created_at) as earliest_created_at,
        min(first_visit_at) as first_visit_at,
        max(last_visit_at) as last_visit_at,
        min(first_form_submission_at) as first_form_submission_at,
        max(last_form_submission_at) as last_form_submission_at,
        min(first_email_click_at) as first_email_click_at,
        max(last_email_click_at) as last_email_click_at,
        count(*) - 1 as merged_contacts
    from dated_in_group
    group by survivor_contact_id
),

survivors as (
    select *
    from contacts
    where not is_archived
      and contact_id not in (select merged_contact_id from merges)
      and {{ where_changed('contact_id', 'contact') }}
),

final as (
    select
        -- ids
        survivors.contact_id,
        survivors.owner_id,
        survivors.company_id,
        survivors.created_by_user_id,

        -- dimensions
        survivors.email,
        survivors.lifecycle_stage,
        survivors.lead_status,
        survivors.original_source,
        survivors.original_source_detail,
        survivors.latest_source,
        survivors.latest_source_detail,
        survivors.first_touch_campaign,
        survivors.last_touch_campaign,
        survivors.persona,
        survivors.seniority,
        survivors.job_title,
        merged_dates.merged_contacts,

        -- timestamps
        coalesce(merged_dates.earliest_created_at, survivors.created_at) as created_at,
        survivors.owner_assigned_at,
        survivors.updated_at,
        {%- for value in lifecycle_values() %}
        merged_dates.{{ lifecycle_date_column(value) }},
        {%- endfor %}
        {%- for value in lifecycle_values() %}
        merged_dates.{{ lifecycle_date_source_column(value) }},
        {%- endfor %}
        merged_dates.first_visit_at,
        merged_dates.last_visit_at,
        merged_dates.first_form_submission_at,
        merged_dates.last_form_submission_at,
        merged_dates.first_email_click_at,
        merged_dates.last_email_click_at,

        -- measures
        survivors.page_views,
        survivors.form_submissions,
        survivors.email_clicks,
        {{ batch_loaded_at() }} as _loaded_at
    from survivors
    inner join merged_dates
        on survivors.contact_id = merged_dates.survivor_contact_id
)

select * from final
