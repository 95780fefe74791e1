{#- Cohort view: of the contacts that entered a cohort stage in a month, how many reached each later stage
    (ever, and within the conversion windows), and how fast. The window rule lives in fct_cohort_conversions:
    converted to S = every step from the cohort stage up to S made within that step's own window
    (definitions.yml `conversion_windows_days`), so the cohort funnel can never grow from one stage to the
    next. The step conversion rate = converted to S / converted to the stage before S, same cohort. A cohort
    is incomplete for S while the month's last day plus the summed step windows up to S (the longest a
    contact may take and still count) is after the as-of date. The grid (every month x cohort stage x stage,
    windows, incomplete flag) is the macro funnel_cohort_grid; the counts, rates and medians are
    funnel_cohort_slices' all-'(all)' rows (every contact, no filter): computed there, once. A cohort with
    no contact has zeros. -#}

with grid as (
    {{ funnel_cohort_grid() }}
),

unfiltered as (
    select * from {{ ref('funnel_cohort_slices') }}
    where source_team = '(all)'
      and owner_id = '(all)'
      and original_source = '(all)'
),

final as (
    select
        -- ids
        {{ dbt.concat(['grid.cohort_stage_key', "'-'", "cast(grid.cohort_month as " ~ dbt.type_string() ~ ")", "'-'", 'grid.stage_key']) }} as funnel_cohort_id,
        grid.cohort_stage_key,
        grid.cohort_month,
        grid.stage_key,

        -- dimensions
        grid.stage_label,
        grid.stage_order,
        grid.step_window_days,
        grid.window_days,
        grid.is_incomplete,

        -- measures
        coalesce(unfiltered.cohort_size, 0) as cohort_size,
        coalesce(unfiltered.contacts_reached, 0) as contacts_reached,
        coalesce(unfiltered.contacts_reached_within_window, 0) as contacts_reached_within_window,
        unfiltered.conversion_rate,
        case when grid.stage_key <> grid.cohort_stage_key
             then coalesce(unfiltered.previous_stage_reached_within_window, 0) end
            as previous_stage_reached_within_window,
        unfiltered.step_conversion_rate,
        unfiltered.median_days_to_reach,
        {{ definitions_version_column() }}
    from grid
    left join unfiltered
        on grid.cohort_stage_key = unfiltered.cohort_stage_key
        and grid.cohort_month = unfiltered.cohort_month
        and grid.stage_key = unfiltered.stage_key
)

select * from final
