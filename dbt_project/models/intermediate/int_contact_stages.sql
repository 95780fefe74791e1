{#- One row per live contact per funnel stage reached. Reached S = a date for S or any later stage (skipped
    stages still count); stage date = the earliest date among S and all later stages (never runs
    backwards); a disqualified contact keeps the stages reached up to its disqualification and stops
    counting for stages dated after it. date_source = where the stage date (entered_at) came from: the source of
    the stage value whose date it is ('stage_property', 'date_entered_property', 'history', 'create_date';
    int_contact_lifecycle_events); the last two are fallbacks (is_stage_date_fallback). Incremental by changed
    contact.
    The stage dates are computed side by side per contact (one row per contact, then one row per stage), not
    with a window over a contact x stage grid: the same result at a fraction of the cost. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed('contact_id', 'contact') }}",
) }}
{%- set stages = funnel_stages() %}
{%- set values = funnel_lifecycle_values() %}

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

-- per contact: each funnel lifecycle value's date and its source, side by side (one event per value)
own_dates as (
    select
        contact_id,
        {%- for value in values %}
        {%- set is_value = 'lifecycle_stage = ' ~ dbt.string_literal(value) %}
        min(case when {{ is_value }} then entered_at end) as value_{{ loop.index }}_at,
        min(case when {{ is_value }} then date_source end) as value_{{ loop.index }}_source{% if not loop.last %},{% endif %}
        {%- endfor %}
    from events
    group by contact_id
),

-- one row per stage: its own date, the earliest date of it and every later stage, and that date's source
stage_rows as (
    {%- for stage in stages %}
    {%- set own = [] %}
    {%- set later = [] %}
    {%- for value in values %}
        {%- if value in stage['lifecycle_stages'] %}{%- do own.append(loop.index) %}{%- endif %}
    {%- endfor %}
    {%- for later_stage in stages[loop.index0:] %}
        {%- for value in values %}
            {%- if value in later_stage['lifecycle_stages'] %}{%- do later.append(loop.index) %}{%- endif %}
        {%- endfor %}
    {%- endfor %}
    {%- set own_columns = [] %}{%- for position in own %}{%- do own_columns.append('value_' ~ position ~ '_at') %}{%- endfor %}
    {%- set later_columns = [] %}{%- for position in later %}{%- do later_columns.append('value_' ~ position ~ '_at') %}{%- endfor %}
    select
        contact_id,
        {{ dbt.string_literal(stage['key']) }} as stage_key,
        {{ earliest_timestamp(own_columns) }} as own_entered_at,
        {{ earliest_timestamp(later_columns) }} as entered_at,
        case
            {%- for position in later %}
            when value_{{ position }}_at = {{ earliest_timestamp(later_columns) }} then value_{{ position }}_source
            {%- endfor %}
        end as date_source
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
        stage_rows.date_source,
        stage_rows.date_source in {{ sql_list(stage_date_fallback_sources()) }} as is_stage_date_fallback,
        stage_rows.date_source = 'create_date' as is_date_from_create_date,
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
