{#- One row per live contact and funnel lifecycle stage value it has a date for (the "stage events"), mapped to
    the funnel stage of definitions.yml, with where the date came from (date_source): HubSpot's stage date
    property, its "date entered" property or the lifecyclestage history (chosen in int_contacts_resolved).
    A contact with no date for any funnel stage value from any of them (typically imported) takes its create
    date for the stage it is in now (date_source 'create_date'), when definitions.yml
    stage_dates.create_date_fallback is on; when it is off, such a contact has no stage events.
    Incremental by changed contact. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}
{%- set values = funnel_lifecycle_values() %}

with contacts as (
    select * from {{ ref('int_contacts_resolved') }}
    where {{ where_changed('contact_id', 'contact') }}
),

lifecycle_stages as (
    select * from {{ ref('definitions_lifecycle_stages') }}
),

dated as (
    {%- for value in values %}
    select
        contact_id,
        {{ dbt.string_literal(value) }} as lifecycle_stage,
        {{ lifecycle_date_column(value) }} as entered_at,
        {{ lifecycle_date_source_column(value) }} as date_source
    from contacts
    where {{ lifecycle_date_column(value) }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- no stage date at all: the current (funnel) stage at the create date, when the definitions allow it
undated_contacts as (
    select
        contacts.contact_id,
        contacts.lifecycle_stage,
        contacts.created_at as entered_at,
        'create_date' as date_source
    from contacts
    where {{ 'true' if stage_date_create_date_fallback() else 'false' }}
      {%- for value in values %}
      and {{ lifecycle_date_column(value) }} is null
      {%- endfor %}
      and contacts.lifecycle_stage in {{ sql_list(values) }}
),

final as (
    select
        events.contact_id,
        events.lifecycle_stage,
        lifecycle_stages.stage_key,
        events.entered_at,
        events.date_source,
        events.date_source = 'create_date' as is_date_from_create_date,
        {{ batch_loaded_at() }} as _loaded_at
    from (
        select * from dated
        union all
        select * from undated_contacts
    ) as events
    inner join lifecycle_stages
        on events.lifecycle_stage = lifecycle_stages.lifecycle_stage
)

select * from final
