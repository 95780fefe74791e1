{#- One row per live contact: not archived (deleted) and not merged away. A survivor keeps the earliest
    stage and first-activity dates of every contact merged into it (and the latest last-activity dates).
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

grouped as (
    select
        coalesce(merges.survivor_contact_id, contacts.contact_id) as survivor_contact_id,
        contacts.*
    from contacts
    left join merges
        on contacts.contact_id = merges.merged_contact_id
    where {{ where_changed('coalesce(merges.survivor_contact_id, contacts.contact_id)', 'contact') }}
),

merged_dates as (
    select
        survivor_contact_id,
        {%- for value in lifecycle_values() %}
        min({{ lifecycle_date_column(value) }}) as {{ lifecycle_date_column(value) }},
        {%- endfor %}
        min(hubspot_created_at) as earliest_created_at,
        min(first_visit_at) as first_visit_at,
        max(last_visit_at) as last_visit_at,
        min(first_form_submission_at) as first_form_submission_at,
        max(last_form_submission_at) as last_form_submission_at,
        min(first_email_click_at) as first_email_click_at,
        max(last_email_click_at) as last_email_click_at,
        count(*) - 1 as merged_contacts
    from grouped
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
