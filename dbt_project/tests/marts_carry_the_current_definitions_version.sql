-- Every row of every mart records the definitions version that built it, and it is the current one
-- (definitions_current): one query over all marts instead of a not_null test per mart.
{%- set marts = [
    'dim_owners', 'dim_contact_status', 'fct_contact_stages', 'fct_leads', 'fct_deals',
    'funnel_period_monthly', 'funnel_cohort_monthly', 'deals_monthly', 'sla_sales_monthly', 'sla_marketing_monthly',
    'rep_follow_up_monthly', 'lead_quality_monthly', 'lead_disqualification_reasons', 'credit_monthly',
    'target_attainment_monthly', 'target_attainment_quarterly', 'fct_metric_contributions', 'metrics_monthly',
    'monthly_accountability', 'metric_restatements', 'stage_date_sources'] %}

with current_version as (
    select definitions_version from {{ ref('definitions_current') }}
),

stamped as (
    {%- for mart in marts %}
    select
        {{ dbt.string_literal(mart) }} as mart,
        definitions_version,
        count(*) as mart_rows
    from {{ ref(mart) }}
    group by definitions_version
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select stamped.*
from stamped
where stamped.definitions_version is null
   or stamped.definitions_version <> (select definitions_version from current_version)
