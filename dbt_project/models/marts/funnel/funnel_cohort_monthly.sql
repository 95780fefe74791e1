{#- Cohort view: of the contacts that entered a cohort stage in a month, how many reached each later stage
    (ever, and within the summed conversion windows of every step on the way), and how fast. A contact
    counts as converted to S within the window only when it reached every step up to S within that step's
    cumulative window, so the cohort funnel can never grow from one stage to the next. A cohort is
    incomplete for S while the month's last day plus the summed windows up to S is after the as-of date.
    Each contact's stage dates are laid side by side first, so pairing a cohort stage with each later stage
    needs no self-join of fct_contact_stages, and the path check no window function. -#}
{%- set stages = funnel_stages() %}

with contact_stages as (
    select * from {{ ref('fct_contact_stages') }}
),

stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

months as (
    select * from {{ ref('int_months') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

-- summed window from each cohort stage to each later stage
stage_pairs as (
    select
        cohort_stage.stage_key as cohort_stage_key,
        cohort_stage.stage_order as cohort_stage_order,
        target_stage.stage_key,
        target_stage.stage_label,
        target_stage.stage_order,
        cast(coalesce(sum(step.step_window_days), 0) as {{ dbt.type_bigint() }}) as window_days
    from stages as cohort_stage
    inner join stages as target_stage
        on target_stage.stage_order >= cohort_stage.stage_order
    left join stages as step
        on step.stage_order > cohort_stage.stage_order
        and step.stage_order <= target_stage.stage_order
    where cohort_stage.stage_order < (select max(stage_order) from stages)
    group by
        cohort_stage.stage_key, cohort_stage.stage_order,
        target_stage.stage_key, target_stage.stage_label, target_stage.stage_order
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

-- one row per contact, cohort stage it entered and later stage it reached
reached as (
    select
        contact_id,
        cohort_stage_key,
        cohort_month,
        stage_key,
        stage_order,
        {{ days_between('cohort_entered_at', 'entered_at') }} as days_to_reach,
        {{ days_between('cohort_entered_at', 'entered_at') }} > window_days as is_late_step
    from (
        select
            contact_dates.contact_id,
            stage_pairs.cohort_stage_key,
            stage_pairs.stage_key,
            stage_pairs.stage_order,
            stage_pairs.window_days,
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
            end as entered_at
        from contact_dates
        cross join stage_pairs
    ) as paired
    where cohort_entered_at is not null
      and entered_at is not null
),

-- the first step reached outside its (summed) window: every later stage is outside the window too
first_late_steps as (
    select
        contact_id,
        cohort_stage_key,
        min(stage_order) as first_late_order
    from reached
    where is_late_step
    group by contact_id, cohort_stage_key
),

path_within_window as (
    select
        reached.*,
        case
            when first_late_steps.first_late_order is null
                or reached.stage_order < first_late_steps.first_late_order then 1
            else 0
        end as is_within_window
    from reached
    left join first_late_steps
        on reached.contact_id = first_late_steps.contact_id
        and reached.cohort_stage_key = first_late_steps.cohort_stage_key
),

aggregated as (
    select
        cohort_stage_key,
        cohort_month,
        stage_key,
        count(*) as contacts_reached,
        cast(sum(is_within_window) as {{ dbt.type_bigint() }}) as contacts_reached_within_window,
        {{ percentile('case when is_within_window = 1 then days_to_reach end', 0.5) }} as median_days_to_reach
    from path_within_window
    group by cohort_stage_key, cohort_month, stage_key
),

-- the cohort itself: the contacts that reached the cohort stage (the pair of a stage with itself)
cohort_sizes as (
    select
        cohort_stage_key,
        cohort_month,
        contacts_reached as cohort_size
    from aggregated
    where stage_key = cohort_stage_key
),

final as (
    select
        -- ids
        {{ dbt.concat(['stage_pairs.cohort_stage_key', "'-'", "cast(months.month_start as " ~ dbt.type_string() ~ ")", "'-'", 'stage_pairs.stage_key']) }} as funnel_cohort_id,
        stage_pairs.cohort_stage_key,
        months.month_start as cohort_month,
        stage_pairs.stage_key,

        -- dimensions
        stage_pairs.stage_label,
        stage_pairs.stage_order,
        stage_pairs.window_days,
        {{ dbt.dateadd('day', 'stage_pairs.window_days', dbt.last_day('months.month_start', 'month')) }}
            >= as_of.as_of_at as is_incomplete,

        -- measures
        coalesce(cohort_sizes.cohort_size, 0) as cohort_size,
        coalesce(aggregated.contacts_reached, 0) as contacts_reached,
        coalesce(aggregated.contacts_reached_within_window, 0) as contacts_reached_within_window,
        {{ safe_ratio('coalesce(aggregated.contacts_reached_within_window, 0)', 'cohort_sizes.cohort_size') }}
            as conversion_rate,
        cast(aggregated.median_days_to_reach as double precision) as median_days_to_reach,
        {{ definitions_version_column() }}
    from months
    cross join stage_pairs
    cross join as_of
    left join cohort_sizes
        on months.month_start = cohort_sizes.cohort_month
        and stage_pairs.cohort_stage_key = cohort_sizes.cohort_stage_key
    left join aggregated
        on months.month_start = aggregated.cohort_month
        and stage_pairs.cohort_stage_key = aggregated.cohort_stage_key
        and stage_pairs.stage_key = aggregated.stage_key
)

select * from final
