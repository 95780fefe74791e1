{#- Restatements of frozen months explained by cause: metric_restatement_records (one row per record whose
    contribution changed since the freeze, with its cause) summed per month, metric and cause. -#}

with records as (
    select * from {{ ref('metric_restatement_records') }}
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(month_start as " ~ dbt.type_string() ~ ")", "'-'", 'metric_key', "'-'", 'cause']) }} as restatement_id,
        month_start,
        metric_key,
        cause,

        -- measures
        cast(sum(delta) as double precision) as restatement,
        count(case when delta > 0 then 1 end) as records_added_or_increased,
        count(case when delta < 0 then 1 end) as records_removed_or_decreased,
        {{ definitions_version_column() }}
    from records
    group by month_start, metric_key, cause
)

select * from final
