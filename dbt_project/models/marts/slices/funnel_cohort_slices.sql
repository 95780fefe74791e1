{#- Cohort view by slice: per cohort stage, cohort month and stage reached, the cohort size, contacts reaching
    the stage (ever and within the conversion windows: fct_cohort_conversions holds the rule), the converted
    count of the stage before (the step's denominator) and the median days to reach, for every combination of
    source team x owner x original source (macros/slices.sql). Only cells with a cohort; windows and the
    incomplete flag come from the grid (macro funnel_cohort_grid). Its all-'(all)' rows are
    funnel_cohort_monthly's numbers. -#}

with conversions as (
    select * from {{ ref('fct_cohort_conversions') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
),

cohort_cells as (
    {{ funnel_cohort_grid() }}
),

sliced as (
    select
        conversions.cohort_stage_key,
        conversions.cohort_month,
        conversions.stage_key,
        conversions.is_within_window,
        conversions.days_to_reach,
        {{ slice_value('leads.source_team') }} as source_team,
        {{ slice_value('coalesce(leads.sla_owner_id, leads.owner_id)') }} as owner_id,
        {{ slice_value('leads.original_source') }} as original_source
    from conversions
    left join leads
        on conversions.contact_id = leads.contact_id
),

aggregated as (
    select
        cohort_stage_key,
        cohort_month,
        stage_key,
        {{ slice_member('source_team') }} as source_team,
        {{ slice_member('owner_id') }} as owner_id,
        {{ slice_member('original_source') }} as original_source,
        count(*) as contacts_reached,
        count(case when is_within_window then 1 end) as contacts_reached_within_window,
        {{ percentile('case when is_within_window then days_to_reach end', 0.5) }} as median_days_to_reach
    from sliced
    group by cohort_stage_key, cohort_month, stage_key, cube (source_team, owner_id, original_source)
),

-- one row per cohort (stage, month) and slice: its size
cohorts as (
    select cohort_stage_key, cohort_month, source_team, owner_id, original_source, contacts_reached as cohort_size
    from aggregated
    where stage_key = cohort_stage_key
),

final as (
    select
        -- ids
        {{ slice_id(['cohorts.cohort_stage_key', 'cohorts.cohort_month', 'cells.stage_key', 'cohorts.source_team', 'cohorts.owner_id', 'cohorts.original_source']) }} as funnel_cohort_slice_id,
        cohorts.cohort_stage_key,
        cohorts.cohort_month,
        cells.stage_key,

        -- slice
        cohorts.source_team,
        cohorts.owner_id,
        cohorts.original_source,

        -- dimensions
        cells.stage_label,
        cells.stage_order,
        cells.step_window_days,
        cells.window_days,
        cells.is_incomplete,

        -- measures
        cohorts.cohort_size,
        coalesce(reached.contacts_reached, 0) as contacts_reached,
        coalesce(reached.contacts_reached_within_window, 0) as contacts_reached_within_window,
        {{ safe_ratio('coalesce(reached.contacts_reached_within_window, 0)', 'cohorts.cohort_size') }}
            as conversion_rate,
        case when cells.stage_key <> cells.cohort_stage_key
             then coalesce(previous_reached.contacts_reached_within_window, 0) end
            as previous_stage_reached_within_window,
        case when cells.stage_key <> cells.cohort_stage_key
             then {{ safe_ratio('coalesce(reached.contacts_reached_within_window, 0)',
                                'previous_reached.contacts_reached_within_window') }} end
            as step_conversion_rate,
        cast(reached.median_days_to_reach as double precision) as median_days_to_reach,
        {{ definitions_version_column() }}
    from cohorts
    inner join cohort_cells as cells
        on cohorts.cohort_stage_key = cells.cohort_stage_key
        and cohorts.cohort_month = cells.cohort_month
    left join aggregated as reached
        on cohorts.cohort_stage_key = reached.cohort_stage_key
        and cohorts.cohort_month = reached.cohort_month
        and cells.stage_key = reached.stage_key
        and cohorts.source_team = reached.source_team
        and cohorts.owner_id = reached.owner_id
        and cohorts.original_source = reached.original_source
    left join cohort_cells as previous_cell
        on cells.cohort_stage_key = previous_cell.cohort_stage_key
        and cells.cohort_month = previous_cell.cohort_month
        and previous_cell.stage_order = cells.stage_order - 1
    left join aggregated as previous_reached
        on cohorts.cohort_stage_key = previous_reached.cohort_stage_key
        and cohorts.cohort_month = previous_reached.cohort_month
        and previous_cell.stage_key = previous_reached.stage_key
        and cohorts.source_team = previous_reached.source_team
        and cohorts.owner_id = previous_reached.owner_id
        and cohorts.original_source = previous_reached.original_source
)

select * from final
