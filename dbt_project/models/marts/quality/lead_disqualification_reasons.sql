{#- Why leads did not work, by lead month and segment: disqualification reasons (the disqualifying lead
    status or lifecycle stage) and closed-lost reasons of deals the leads sourced. The counts are
    disqualification_reason_slices' all-'(all)' rows (every lead, no filter): computed there, once. -#}

with unfiltered as (
    select * from {{ ref('disqualification_reason_slices') }}
    where source_team = '(all)'
      and owner_id = '(all)'
      and original_source = '(all)'
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(month_start as " ~ dbt.type_string() ~ ")", "'-'", 'segment_type', "'-'", 'segment_value', "'-'", 'reason_type', "'-'", 'reason']) }} as reason_row_id,
        month_start,
        segment_type,
        segment_value,
        reason_type,
        reason,

        -- measures
        occurrences,
        {{ definitions_version_column() }}
    from unfiltered
)

select * from final
