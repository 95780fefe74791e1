{#- Cohort view: of the contacts that entered a cohort stage in a month, how many reached each later stage
    (ever, and within the conversion windows), and how fast. The window rule lives in fct_cohort_conversions:
    converted to S = every step from the cohort stage up to S made within that step's own window
    (definitions.yml `conversion_windows_days`), so the cohort funnel can never grow from one stage to the
    next. The step conversion rate = converted to S / converted to the stage before S, same cohort. A cohort
    is incomplete for S while the month's last day plus the summed step windows up to S (the longest a
    contact may take and still count) is after the as-of date. -#}

with conversions as (
    select * from {{ ref('fct_cohort_conversions') }}
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

-- summed window from each cohort stage to each later stage, and the stage before each later stage
stage_pairs as (
    select
        cohort_stage.stage_key as cohort_stage_key,
        cohort_stage.stage_order as cohort_stage_order,
        target_stage.stage_key,
        target_stage.stage_label,
        target_stage.stage_order,
        case when target_stage.stage_order > cohort_stage.stage_order
             then target_stage.step_window_days end as step_window_days,
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
        target_stage.stage_key, target_stage.stage_label, target_stage.stage_order, target_stage.step_window_days
),

aggregated as (
    select
        cohort_stage_key,
        cohort_month,
        stage_key,
        count(*) as contacts_reached,
        cast(count(case when is_within_window then 1 end) as {{ dbt.type_bigint() }}) as contacts_reached_within_window,
        {{ percentile('case when is_within_window then days_to_reach end', 0.5) }} as median_days_to_reach
    from conversions
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

cells as (
    select
        stage_pairs.cohort_stage_key,
        months.month_start as cohort_month,
        stage_pairs.stage_key,
        stage_pairs.stage_label,
        stage_pairs.stage_order,
        stage_pairs.step_window_days,
        stage_pairs.window_days,
        {{ dbt.dateadd('day', 'stage_pairs.window_days', dbt.last_day('months.month_start', 'month')) }}
            >= as_of.as_of_at as is_incomplete,
        coalesce(cohort_sizes.cohort_size, 0) as cohort_size,
        coalesce(aggregated.contacts_reached, 0) as contacts_reached,
        coalesce(aggregated.contacts_reached_within_window, 0) as contacts_reached_within_window,
        aggregated.median_days_to_reach
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
),

-- the step into each stage: converted to the stage before it, same cohort (null for the cohort stage)
with_previous as (
    select
        cells.*,
        previous_cell.contacts_reached_within_window as previous_stage_reached_within_window
    from cells
    left join cells as previous_cell
        on cells.cohort_stage_key = previous_cell.cohort_stage_key
        and cells.cohort_month = previous_cell.cohort_month
        and previous_cell.stage_order = cells.stage_order - 1
        and cells.stage_key <> cells.cohort_stage_key
),

final as (
    select
        -- ids
        {{ dbt.concat(['cohort_stage_key', "'-'", "cast(cohort_month as " ~ dbt.type_string() ~ ")", "'-'", 'stage_key']) }} as funnel_cohort_id,
        cohort_stage_key,
        cohort_month,
        stage_key,

        -- dimensions
        stage_label,
        stage_order,
        step_window_days,
        window_days,
        is_incomplete,

        -- measures
        cohort_size,
        contacts_reached,
        contacts_reached_within_window,
        {{ safe_ratio('contacts_reached_within_window', 'cohort_size') }} as conversion_rate,
        previous_stage_reached_within_window,
        {{ safe_ratio('contacts_reached_within_window', 'previous_stage_reached_within_window') }}
            as step_conversion_rate,
        cast(median_days_to_reach as double precision) as median_days_to_reach,
        {{ definitions_version_column() }}
    from with_previous
)

select * from final
