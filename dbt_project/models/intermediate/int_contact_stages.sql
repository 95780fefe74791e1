{#- One row per live contact per funnel stage reached. Reached S = a date for S or any later stage (skipped
    stages still count); stage date = the earliest date among S and all later stages (never runs
    backwards); a disqualified contact keeps the stages reached up to its disqualification and stops
    counting for stages dated after it. Incremental by changed contact.
    The stage dates are computed side by side per contact (one row per contact, then one row per stage), not
    with a window over a contact x stage grid: the same result at a fraction of the cost. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}
{%- set stages = funnel_stages() %}

with events as (
    select * from {{ ref('int_contact_lifecycle_events') }}
    where {{ where_changed('contact_id', 'contact') }}
),

stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

disqualifications as (
    select * from {{ ref('int_contact_disqualifications') }}
    where {{ where_changed('contact_id', 'contact') }}
),

-- per contact: each stage's own earliest date, and whether every event of it is a create-date stand-in
own_dates as (
    select
        contact_id,
        {%- for stage in stages %}
        {%- set is_stage = 'stage_key = ' ~ dbt.string_literal(stage['key']) %}
        min(case when {{ is_stage }} then entered_at end) as own_{{ loop.index }}_at,
        min(case when {{ is_stage }} then case when is_date_from_create_date then 1 else 0 end end)
            as from_create_{{ loop.index }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from events
    group by contact_id
),

-- one row per stage: its own date and the earliest date of it and every later stage
stage_rows as (
    {%- for stage in stages %}
    {%- set later = [] %}
    {%- for position in range(loop.index, stages | length + 1) %}
        {%- do later.append('own_' ~ position ~ '_at') %}
    {%- endfor %}
    select
        contact_id,
        {{ dbt.string_literal(stage['key']) }} as stage_key,
        own_{{ loop.index }}_at as own_entered_at,
        from_create_{{ loop.index }} = 1 as is_date_from_create_date,
        {{ earliest_timestamp(later) }} as entered_at
    from own_dates
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        -- ids
        stage_rows.contact_id,
        stage_rows.stage_key,

        -- dimensions
        stages.stage_label,
        stages.stage_order,
        stage_rows.own_entered_at is null as is_skipped,
        coalesce(stage_rows.is_date_from_create_date, false) as is_date_from_create_date,
        disqualifications.contact_id is not null as is_disqualified,

        -- timestamps
        stage_rows.entered_at,
        stage_rows.own_entered_at,
        {{ local_month('stage_rows.entered_at') }} as entered_month,
        {{ batch_loaded_at() }} as _loaded_at
    from stage_rows
    inner join stages
        on stage_rows.stage_key = stages.stage_key
    left join disqualifications
        on stage_rows.contact_id = disqualifications.contact_id
    where stage_rows.entered_at is not null
      and (
        disqualifications.disqualified_at is null
        or stage_rows.entered_at <= disqualifications.disqualified_at
      )
)

select * from final
