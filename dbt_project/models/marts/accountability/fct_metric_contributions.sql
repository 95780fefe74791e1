{#- The monthly accountability numbers, record by record: which contact or deal adds what to which metric
    in which month. Frozen at month close together with metrics_monthly, so a later restatement can be
    explained record by record (late data, deleted records, definition change). Incremental by changed
    contact (fct_leads' changes) and deal. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}delete from {{ this }}
              where (record_type = 'contact' and record_id in {{ changed_ids('lead') }})
                 or (record_type = 'deal' and record_id in {{ changed_ids('deal') }}){% endif %}",
) }}

with contact_stages as (
    select * from {{ ref('fct_contact_stages') }}
    where {{ where_changed('contact_id', 'lead') }}
),

deals as (
    select * from {{ ref('fct_deals') }}
    where {{ where_changed('deal_id', 'deal') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
    where mql_at is not null
      and {{ where_changed('contact_id', 'lead') }}
),

contributions as (
    select
        entered_month as month_start,
        {{ dbt.concat(["'stage_entered__'", 'stage_key']) }} as metric_key,
        'contact' as record_type,
        contact_id as record_id,
        1.0 as contribution
    from contact_stages
    union all
    select created_month, 'deals_created', 'deal', deal_id, 1.0 from deals
    union all
    select created_month, 'pipeline_created', 'deal', deal_id, amount from deals
    union all
    select created_month, {{ dbt.concat(["'sourced_pipeline__'", 'source_team']) }}, 'deal', deal_id, amount from deals
    union all
    select closed_month, 'deals_won', 'deal', deal_id, 1.0 from deals where is_won
    union all
    select closed_month, 'revenue_won', 'deal', deal_id, amount from deals where is_won
    union all
    select closed_month, 'deals_lost', 'deal', deal_id, 1.0 from deals where is_lost
    union all
    select mql_month, 'mqls_within_sla', 'contact', contact_id, 1.0 from leads where sla_status = 'within_sla'
    union all
    select mql_month, 'mqls_sla_due', 'contact', contact_id, 1.0 from leads
    where sla_status in ('within_sla', 'breached') or (sla_status = 'untouched' and not is_sla_pending)
),

final as (
    select
        {{ dbt.concat(["cast(month_start as " ~ dbt.type_string() ~ ")", "'-'", 'metric_key', "'-'", 'record_type', "'-'", 'record_id']) }} as contribution_id,
        month_start,
        metric_key,
        record_type,
        record_id,
        cast(contribution as double precision) as contribution,
        {{ definitions_version_column() }},
        {{ batch_loaded_at() }} as _loaded_at
    from contributions
    where month_start is not null
)

select * from final
