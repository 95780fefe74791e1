{#- The scalar rules of definitions.yml and the version (content hash) every mart row carries. -#}
{%- set defs = definitions() %}

with final as (
    select
        {{ definitions_version() }} as definitions_version,
        {{ dbt.string_literal(defs['time_zone']) }} as time_zone,
        {{ defs['fiscal_year_start_month'] }} as fiscal_year_start_month,
        {{ defs['month_close_day'] }} as month_close_day,
        {{ dbt.string_literal(defs['home_currency']) }} as home_currency,
        cast({{ defs['sla']['first_touch_hours'] }} as double precision) as sla_first_touch_hours,
        {{ defs['sla']['mql_to_sql_window_days'] }} as sla_mql_to_sql_window_days,
        cast({{ defs['sla']['mql_to_sql_target_rate'] }} as double precision) as sla_mql_to_sql_target_rate,
        {{ defs['sla']['untouched_aging_days'] }} as sla_untouched_aging_days,
        {{ defs['influence']['lookback_days'] }} as influence_lookback_days,
        {{ dbt.string_literal(defs['deal_pipelines'] if defs['deal_pipelines'] is string else defs['deal_pipelines'] | join(',')) }} as counted_deal_pipelines
)

select * from final
