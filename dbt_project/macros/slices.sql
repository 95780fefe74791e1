{#- The slice dimensions of the *_slices marts (the dashboard's filters: team, owner, source, pipeline).
    Each slice mart groups by every combination of its dimensions (grouping sets): a row's member is the
    record's value, '(none)' when the record has none, or '(all)' when the row rolls that dimension up. So a
    filtered slice is one row per month (member = the filter's value, '(all)' for a filter left unset), and
    the medians / p75 in it are computed over exactly that slice's records. -#}

{#- A record's member of a slice dimension: its value, '(none)' when it has none. -#}
{% macro slice_value(column) -%}
    coalesce(cast({{ column }} as {{ dbt.type_string() }}), '(none)')
{%- endmacro %}

{#- A grouping-sets row's member of a slice dimension: '(all)' when the row rolls the dimension up. -#}
{% macro slice_member(column) -%}
    case when grouping({{ column }}) = 1 then '(all)' else {{ column }} end
{%- endmacro %}

{#- The slice id of a grouping-sets row: its members joined with '|', after the given key columns. -#}
{% macro slice_id(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '(null)')") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}


{#- The cohort view's grid, shared by funnel_cohort_slices (which counts into it) and funnel_cohort_monthly
    (its all-'(all)' rows on it): one row per cohort stage, cohort month and the cohort stage or a later
    stage - the step's own window, the summed window from the cohort stage, and whether the cohort is still
    incomplete for the stage (the month's last day plus the summed step windows up to it, the longest a
    contact may take and still count, is after the as-of date). A select, for a CTE. -#}
{% macro funnel_cohort_grid() %}
    with stages as (
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
    )

    select
        stage_pairs.cohort_stage_key,
        months.month_start as cohort_month,
        stage_pairs.stage_key,
        stage_pairs.stage_label,
        stage_pairs.stage_order,
        stage_pairs.step_window_days,
        stage_pairs.window_days,
        {{ dbt.dateadd('day', 'stage_pairs.window_days', dbt.last_day('months.month_start', 'month')) }}
            >= as_of.as_of_at as is_incomplete
    from months
    cross join stage_pairs
    cross join as_of
{% endmacro %}
