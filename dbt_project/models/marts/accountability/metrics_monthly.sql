{#- The accountability metrics per month (current values): additive counts and amounts, so a month can be
    frozen and compared exactly. Rates are derived from them (e.g. SLA % = mqls_within_sla / mqls_sla_due). -#}

with contributions as (
    select * from {{ ref('fct_metric_contributions') }}
),

months as (
    select * from {{ ref('int_months') }}
),

stages as (
    select * from {{ ref('definitions_funnel_stages') }}
),

metric_keys as (
    select {{ dbt.concat(["'stage_entered__'", 'stage_key']) }} as metric_key from stages
    {%- for key in ['deals_created', 'pipeline_created', 'sourced_pipeline__marketing', 'sourced_pipeline__sales',
                    'deals_won', 'revenue_won', 'deals_lost', 'mqls_within_sla', 'mqls_sla_due'] %}
    union all
    select '{{ key }}'
    {%- endfor %}
    union
    select distinct metric_key from contributions
),

aggregated as (
    select
        month_start,
        metric_key,
        sum(contribution) as metric_value,
        count(*) as record_count
    from contributions
    group by month_start, metric_key
),

final as (
    select
        {{ dbt.concat(["cast(months.month_start as " ~ dbt.type_string() ~ ")", "'-'", 'metric_keys.metric_key']) }} as metric_month_id,
        months.month_start,
        metric_keys.metric_key,
        cast(coalesce(aggregated.metric_value, 0) as double precision) as metric_value,
        coalesce(aggregated.record_count, 0) as record_count,
        {{ definitions_version_column() }}
    from months
    cross join metric_keys
    left join aggregated
        on months.month_start = aggregated.month_start
        and metric_keys.metric_key = aggregated.metric_key
)

select * from final
