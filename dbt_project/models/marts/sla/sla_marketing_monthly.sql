{#- Marketing's side of the SLA by month: MQLs delivered (period view) against the monthly MQL target, and
    MQL quality = share of the month's MQL cohort reaching SQL within definitions.yml
    `sla.mql_to_sql_window_days`, against the target rate (incomplete while the window is still open). -#}
{%- set sla = definitions()['sla'] %}

with months as (
    select * from {{ ref('int_months') }}
),

period as (
    select * from {{ ref('funnel_period_monthly') }}
    where stage_key = 'mql'
),

leads as (
    select * from {{ ref('fct_leads') }}
    where mql_at is not null
),

targets as (
    select * from {{ ref('int_targets_monthly') }}
    where team = 'marketing' and metric = 'mqls'
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

cohorts as (
    select
        mql_month as month_start,
        count(*) as mql_cohort_size,
        count(
            case
                when sql_at is not null
                    and {{ days_between('mql_at', 'sql_at') }} <= {{ sla['mql_to_sql_window_days'] }}
                    then 1
                end
        ) as mqls_reaching_sql_within_window
    from leads
    group by mql_month
),

final as (
    select
        -- ids
        months.month_start,

        -- dimensions
        {{ dbt.dateadd('day', sla['mql_to_sql_window_days'], dbt.last_day('months.month_start', 'month')) }}
            >= as_of.as_of_at as is_quality_incomplete,

        -- measures
        period.contacts_entered as mqls_delivered,
        targets.target_value as mql_target,
        {{ safe_ratio('period.contacts_entered', 'targets.target_value') }} as mql_target_attainment,
        coalesce(cohorts.mql_cohort_size, 0) as mql_cohort_size,
        coalesce(cohorts.mqls_reaching_sql_within_window, 0) as mqls_reaching_sql_within_window,
        {{ safe_ratio('coalesce(cohorts.mqls_reaching_sql_within_window, 0)', 'cohorts.mql_cohort_size') }}
            as mql_to_sql_rate,
        cast({{ sla['mql_to_sql_target_rate'] }} as double precision) as mql_to_sql_target_rate,
        {{ definitions_version_column() }}
    from months
    cross join as_of
    inner join period
        on months.month_start = period.month_start
    left join targets
        on months.month_start = targets.month_start
    left join cohorts
        on months.month_start = cohorts.month_start
)

select * from final
