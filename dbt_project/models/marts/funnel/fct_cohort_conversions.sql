{#- Cohort view, per contact: for every cohort stage a contact entered, every stage it reached from there (the
    cohort stage itself included), how many days after the cohort date, and whether it counts as converted
    within the conversion windows. The rule (definitions.yml `conversion_windows_days`): a contact counts as
    converted to S when it made every step from its cohort stage up to S within that step's own window,
    each step timed from the date of the stage before it. A step taken late ends the path: the contact does
    not count as converted within the windows for that stage or any later one, so the cohort funnel never
    grows from one stage to the next. Each contact's stage dates are laid side by side first, so pairing
    needs no self-join of fct_contact_stages. funnel_cohort_monthly and funnel_cohort_slices count these rows. -#}
{%- set stages = funnel_stages() %}

with contact_stages as (
    select * from {{ ref('fct_contact_stages') }}
),

stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

-- each cohort stage (every stage but the last) with itself and each later stage, and the step's own window
stage_pairs as (
    select
        cohort_stage.stage_key as cohort_stage_key,
        cohort_stage.stage_order as cohort_stage_order,
        target_stage.stage_key,
        target_stage.stage_order,
        case when target_stage.stage_order > cohort_stage.stage_order
             then target_stage.step_window_days end as step_window_days
    from stages as cohort_stage
    inner join stages as target_stage
        on target_stage.stage_order >= cohort_stage.stage_order
    where cohort_stage.stage_order < (select max(stage_order) from stages)
),

-- each contact's stage dates and months side by side (one row per contact)
contact_dates as (
    select
        contact_id,
        {%- for stage in stages %}
        {%- set is_stage = 'stage_key = ' ~ dbt.string_literal(stage['key']) %}
        min(case when {{ is_stage }} then entered_at end) as entered_{{ loop.index }}_at,
        min(case when {{ is_stage }} then entered_month end) as entered_{{ loop.index }}_month{% if not loop.last %},{% endif %}
        {%- endfor %}
    from contact_stages
    group by contact_id
),

paired as (
    select
        contact_dates.contact_id,
        stage_pairs.cohort_stage_key,
        stage_pairs.stage_key,
        stage_pairs.stage_order,
        stage_pairs.step_window_days,
        case stage_pairs.cohort_stage_key
            {%- for stage in stages %}
            when {{ dbt.string_literal(stage['key']) }} then contact_dates.entered_{{ loop.index }}_month
            {%- endfor %}
        end as cohort_month,
        case stage_pairs.cohort_stage_key
            {%- for stage in stages %}
            when {{ dbt.string_literal(stage['key']) }} then contact_dates.entered_{{ loop.index }}_at
            {%- endfor %}
        end as cohort_entered_at,
        case stage_pairs.stage_key
            {%- for stage in stages %}
            when {{ dbt.string_literal(stage['key']) }} then contact_dates.entered_{{ loop.index }}_at
            {%- endfor %}
        end as entered_at,
        -- the date of the stage before the target stage: where the step into it starts
        case stage_pairs.stage_key
            {%- for stage in stages %}
            when {{ dbt.string_literal(stage['key']) }} then {% if loop.first %}null{% else %}contact_dates.entered_{{ loop.index - 1 }}_at{% endif %}
            {%- endfor %}
        end as previous_entered_at
    from contact_dates
    cross join stage_pairs
),

reached as (
    select
        contact_id,
        cohort_stage_key,
        cohort_month,
        cohort_entered_at,
        stage_key,
        stage_order,
        entered_at,
        step_window_days,
        {{ days_between('cohort_entered_at', 'entered_at') }} as days_to_reach,
        case when stage_key <> cohort_stage_key
             then {{ days_between('previous_entered_at', 'entered_at') }} end as step_days,
        stage_key <> cohort_stage_key
            and {{ days_between('previous_entered_at', 'entered_at') }} > step_window_days as is_late_step
    from paired
    where cohort_entered_at is not null
      and entered_at is not null
),

-- the first step taken outside its own window: that stage and every later one are outside the windows
first_late_steps as (
    select
        contact_id,
        cohort_stage_key,
        min(stage_order) as first_late_order
    from reached
    where is_late_step
    group by contact_id, cohort_stage_key
),

final as (
    select
        -- ids
        {{ dbt.concat(['reached.contact_id', "'-'", 'reached.cohort_stage_key', "'-'", 'reached.stage_key']) }} as cohort_conversion_id,
        reached.contact_id,
        reached.cohort_stage_key,
        reached.stage_key,

        -- timestamps
        reached.cohort_month,
        reached.cohort_entered_at,
        reached.entered_at,

        -- measures
        reached.stage_order,
        reached.step_window_days,
        reached.days_to_reach,
        reached.step_days,
        coalesce(reached.is_late_step, false) as is_late_step,
        first_late_steps.first_late_order is null
            or reached.stage_order < first_late_steps.first_late_order as is_within_window,
        {{ definitions_version_column() }}
    from reached
    left join first_late_steps
        on reached.contact_id = first_late_steps.contact_id
        and reached.cohort_stage_key = first_late_steps.cohort_stage_key
)

select * from final
