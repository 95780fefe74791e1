-- Deals created per month in the marts equal a direct count of live deals in counted pipelines in staging.
{%- set defs = definitions() %}

with staged as (
    select
        {{ local_month('coalesce(hubspot_created_at, created_at)') }} as month_start,
        count(*) as deals_created
    from {{ ref('stg_hubspot__deals') }}
    where not is_archived
      {%- if defs['deal_pipelines'] != 'all' %}
      and pipeline_id in {{ sql_list(defs['deal_pipelines']) }}
      {%- endif %}
    group by 1
),

mart as (
    select month_start, deals_created from {{ ref('deals_monthly') }}
    where deals_created > 0
),

compared as (
    select
        coalesce(staged.month_start, mart.month_start) as month_start,
        coalesce(staged.deals_created, 0) as staged_count,
        coalesce(mart.deals_created, 0) as mart_count
    from staged
    full outer join mart
        on staged.month_start = mart.month_start
)

select * from compared where staged_count <> mart_count
