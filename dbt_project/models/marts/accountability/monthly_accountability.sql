{#- What the monthly meeting saw (frozen at month close, definitions.yml `month_close_day`) next to today's
    value of the same number: restatement = current - reported, with the causes that explain it
    (details per cause in metric_restatements). -#}

with reported as (
    select * from {{ ref('stg_accountability__reported_metrics') }}
),

current_metrics as (
    select * from {{ ref('metrics_monthly') }}
),

restatements as (
    select * from {{ ref('metric_restatements') }}
),

causes as (
    select
        month_start,
        metric_key,
        {{ dbt.listagg('distinct cause', "', '", "order by cause") }} as restatement_causes
    from restatements
    group by month_start, metric_key
),

final as (
    select
        -- ids
        {{ dbt.concat(["cast(reported.month_start as " ~ dbt.type_string() ~ ")", "'-'", 'reported.metric_key']) }} as accountability_id,
        reported.month_start,
        reported.metric_key,

        -- dimensions
        reported.reported_definitions_version,
        {{ definitions_version() }} as definitions_version,
        reported.reported_definitions_version <> {{ definitions_version() }} as is_definition_changed,
        causes.restatement_causes,

        -- timestamps
        reported.frozen_at,
        reported.frozen_data_as_of,

        -- measures
        reported.reported_value,
        coalesce(current_metrics.metric_value, 0) as current_value,
        coalesce(current_metrics.metric_value, 0) - reported.reported_value as restatement,
        reported.reported_record_count,
        coalesce(current_metrics.record_count, 0) as current_record_count
    from reported
    left join current_metrics
        on reported.month_start = current_metrics.month_start
        and reported.metric_key = current_metrics.metric_key
    left join causes
        on reported.month_start = causes.month_start
        and reported.metric_key = causes.metric_key
)

select * from final
