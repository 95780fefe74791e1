{#- Sourced and influenced pipeline and revenue by month, attribution view (first touch = original source,
    last touch = latest source), team and channel. Pipeline by deal create month, revenue by close month.
    The numbers are credit_slices' '(all)' x '(all)' rows (every deal owner and pipeline): computed there,
    once. -#}

with unfiltered as (
    select * from {{ ref('credit_slices') }}
    where owner_id = '(all)'
      and pipeline_id = '(all)'
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(month_start as " ~ dbt.type_string() ~ ")", "'-'", 'attribution', "'-'", 'team', "'-'", 'channel']) }} as credit_id,
        month_start,
        attribution,
        team,
        channel,

        -- measures
        deals_created,
        sourced_pipeline,
        influenced_deals_created,
        influenced_pipeline,
        deals_won,
        sourced_revenue,
        influenced_revenue,
        {{ definitions_version_column() }}
    from unfiltered
)

select * from final
