{#- One row per live contact and lifecycle stage value it has a date for (the "stage events"), mapped to
    the funnel stage of definitions.yml. A contact sitting in a mapped lifecycle stage without that stage's
    date (e.g. imported straight into it) gets its create date for it. Incremental by changed contact. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}

with contacts as (
    select * from {{ ref('int_contacts_resolved') }}
    where {{ where_changed('contact_id', 'contact') }}
),

lifecycle_stages as (
    select * from {{ ref('definitions_lifecycle_stages') }}
),

dated as (
    {%- for stage in funnel_stages() %}
    {%- set stage_loop = loop %}
    {%- for value in stage['lifecycle_stages'] %}
    select
        contact_id,
        {{ dbt.string_literal(value) }} as lifecycle_stage,
        {{ lifecycle_date_column(value) }} as entered_at,
        false as is_date_from_create_date
    from contacts
    where {{ lifecycle_date_column(value) }} is not null
    {%- if not (stage_loop.last and loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

undated_current_stage as (
    select
        contacts.contact_id,
        contacts.lifecycle_stage,
        contacts.created_at as entered_at,
        true as is_date_from_create_date
    from contacts
    inner join lifecycle_stages
        on contacts.lifecycle_stage = lifecycle_stages.lifecycle_stage
    left join dated
        on contacts.contact_id = dated.contact_id
        and contacts.lifecycle_stage = dated.lifecycle_stage
    where dated.contact_id is null
),

final as (
    select
        events.contact_id,
        events.lifecycle_stage,
        lifecycle_stages.stage_key,
        events.entered_at,
        events.is_date_from_create_date,
        {{ batch_loaded_at() }} as _loaded_at
    from (
        select * from dated
        union all
        select * from undated_current_stage
    ) as events
    inner join lifecycle_stages
        on events.lifecycle_stage = lifecycle_stages.lifecycle_stage
)

select * from final
