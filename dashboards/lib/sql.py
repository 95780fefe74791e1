"""Every SQL text the dashboard runs, by name. Values always go in as named parameters ($month, $team ...).

The texts are fixed: the only composition is of the constant fragments below, at import time, never of
anything a user typed. A slice filter that is not set is passed as NULL, so `$team is null or ...` keeps
the clause fixed whether or not the filter is on.

Two sources per metric family: the marts (the governed numbers, used when no team / owner / source /
pipeline filter is on) and the fact tables the marts are built from (used for a filtered slice). The
fact-table queries mirror the mart models they name; tests/dashboard prove both give the same numbers.
"""

from __future__ import annotations

from onefunnel.audiences import sql as audience_sql

# ----------------------------------------------------------------------------- slice fragments (constant)
# A lead's owner: the SLA owner for MQLs (who the SLA holds to account), else the current contact owner.
LEAD_SLICE = """
    ($team is null or l.source_team = $team)
    and ($owner is null or coalesce(l.sla_owner_id, l.owner_id) = $owner)
    and ($source is null or l.original_source = $source)
"""

DEAL_SLICE = """
    ($team is null or d.source_team = $team)
    and ($owner is null or d.owner_id = $owner)
    and ($source is null or d.original_source = $source)
    and ($pipeline is null or d.pipeline_id = $pipeline)
"""

# ----------------------------------------------------------------------------- filter options
MONTHS = "select distinct month_start from marts.funnel_period_monthly order by month_start desc"

OWNERS = """
select owner_id, owner_name, team_name, team_role, is_archived
from marts.dim_owners
order by owner_name, owner_id
"""

SOURCES = """
select distinct original_source from marts.fct_leads where original_source is not null order by 1
"""

PIPELINES = """
select pipeline_id, any_value(pipeline_label) as pipeline_label, count(*) as deals
from marts.fct_deals
group by pipeline_id
order by deals desc, pipeline_id
"""

STAGES = """
select distinct stage_key, stage_label, stage_order from marts.funnel_period_monthly order by stage_order
"""

TABLES = "select table_schema, table_name from information_schema.tables"

DEFINITIONS_CURRENT = "select * from definitions.definitions_current"

# ----------------------------------------------------------------------------- funnel: period view
PERIOD_MART = """
select month_start, stage_key, stage_label, stage_order, contacts_entered
from marts.funnel_period_monthly
where month_start between $start and $end
order by month_start, stage_order
"""

PERIOD_FACTS = f"""
select
    s.entered_month as month_start,
    s.stage_key,
    any_value(s.stage_label) as stage_label,
    any_value(s.stage_order) as stage_order,
    count(*) as contacts_entered
from marts.fct_contact_stages as s
inner join marts.fct_leads as l
    on s.contact_id = l.contact_id
where s.entered_month between $start and $end
  and {LEAD_SLICE}
group by s.entered_month, s.stage_key
order by month_start, stage_order
"""

# ----------------------------------------------------------------------------- deals
DEALS_MART = """
select
    month_start, deals_created, pipeline_created, deals_won, revenue_won, deals_lost, amount_lost,
    win_rate_by_count, win_rate_by_amount, median_sales_cycle_days, p75_sales_cycle_days
from marts.deals_monthly
where month_start between $start and $end
order by month_start
"""

# mirrors marts.deals_monthly
DEALS_FACTS = f"""
with deals as (
    select * from marts.fct_deals as d where {DEAL_SLICE}
),
created as (
    select created_month as month_start, count(*) as deals_created, sum(amount) as pipeline_created
    from deals
    group by created_month
),
closed as (
    select
        closed_month as month_start,
        count(case when is_won then 1 end) as deals_won,
        sum(case when is_won then amount else 0 end) as revenue_won,
        count(case when is_lost then 1 end) as deals_lost,
        sum(case when is_lost then amount else 0 end) as amount_lost,
        quantile_cont(sales_cycle_days, 0.5) as median_sales_cycle_days,
        quantile_cont(sales_cycle_days, 0.75) as p75_sales_cycle_days
    from deals
    where closed_month is not null
    group by closed_month
),
months as (
    select month_start from created union select month_start from closed
)
select
    months.month_start,
    coalesce(created.deals_created, 0) as deals_created,
    cast(coalesce(created.pipeline_created, 0) as double) as pipeline_created,
    coalesce(closed.deals_won, 0) as deals_won,
    cast(coalesce(closed.revenue_won, 0) as double) as revenue_won,
    coalesce(closed.deals_lost, 0) as deals_lost,
    cast(coalesce(closed.amount_lost, 0) as double) as amount_lost,
    case when coalesce(closed.deals_won, 0) + coalesce(closed.deals_lost, 0) = 0 then null
         else cast(closed.deals_won as double) / (closed.deals_won + closed.deals_lost)
    end as win_rate_by_count,
    case when coalesce(closed.revenue_won, 0) + coalesce(closed.amount_lost, 0) = 0 then null
         else closed.revenue_won / (closed.revenue_won + closed.amount_lost) end as win_rate_by_amount,
    cast(closed.median_sales_cycle_days as double) as median_sales_cycle_days,
    cast(closed.p75_sales_cycle_days as double) as p75_sales_cycle_days
from months
left join created on months.month_start = created.month_start
left join closed on months.month_start = closed.month_start
where months.month_start between $start and $end
order by months.month_start
"""

TARGETS = """
select month_start, team, metric, actual_value, target_value, attainment
from marts.target_attainment_monthly
where month_start between $start and $end
"""

# ----------------------------------------------------------------------------- funnel: cohort view
COHORT_MART = """
select
    cohort_month, cohort_stage_key, stage_key, stage_label, stage_order, window_days, is_incomplete,
    cohort_size, contacts_reached, contacts_reached_within_window, conversion_rate, median_days_to_reach
from marts.funnel_cohort_monthly
where cohort_month between $start and $end
order by cohort_month, cohort_stage_key, stage_order
"""

# mirrors marts.funnel_cohort_monthly for the contacts of a slice: windows and incompleteness from the mart
COHORT_FACTS = f"""
with contacts as (
    select l.contact_id from marts.fct_leads as l where {LEAD_SLICE}
),
stage_pairs as (
    select distinct cohort_stage_key, stage_key, stage_label, stage_order, window_days
    from marts.funnel_cohort_monthly
),
cohort_cells as (
    select distinct cohort_month, cohort_stage_key, stage_key, is_incomplete
    from marts.funnel_cohort_monthly
    where cohort_month between $start and $end
),
cohort_members as (
    select
        s.contact_id,
        s.stage_key as cohort_stage_key,
        s.entered_month as cohort_month,
        s.entered_at as cohort_entered_at
    from marts.fct_contact_stages as s
    inner join contacts on s.contact_id = contacts.contact_id
    where s.entered_month between $start and $end
),
reached as (
    select
        m.contact_id,
        m.cohort_stage_key,
        m.cohort_month,
        p.stage_key,
        p.stage_order,
        date_diff('millisecond', m.cohort_entered_at, s.entered_at) / 86400000.0 as days_to_reach,
        case when date_diff('millisecond', m.cohort_entered_at, s.entered_at) / 86400000.0 <= p.window_days
             then 1 else 0 end as is_within_step_window
    from cohort_members as m
    inner join stage_pairs as p on m.cohort_stage_key = p.cohort_stage_key
    inner join marts.fct_contact_stages as s on m.contact_id = s.contact_id and p.stage_key = s.stage_key
),
path_within_window as (
    select
        *,
        min(is_within_step_window) over (
            partition by contact_id, cohort_stage_key
            order by stage_order
            rows between unbounded preceding and current row
        ) as is_within_window
    from reached
),
aggregated as (
    select
        cohort_stage_key,
        cohort_month,
        stage_key,
        count(*) as contacts_reached,
        sum(is_within_window) as contacts_reached_within_window,
        quantile_cont(case when is_within_window = 1 then days_to_reach end, 0.5) as median_days_to_reach
    from path_within_window
    group by cohort_stage_key, cohort_month, stage_key
),
sizes as (
    select cohort_stage_key, cohort_month, count(*) as cohort_size
    from cohort_members
    group by cohort_stage_key, cohort_month
)
select
    cells.cohort_month,
    cells.cohort_stage_key,
    cells.stage_key,
    p.stage_label,
    p.stage_order,
    p.window_days,
    cells.is_incomplete,
    coalesce(sizes.cohort_size, 0) as cohort_size,
    coalesce(a.contacts_reached, 0) as contacts_reached,
    coalesce(a.contacts_reached_within_window, 0) as contacts_reached_within_window,
    case when coalesce(sizes.cohort_size, 0) = 0 then null
         else cast(coalesce(a.contacts_reached_within_window, 0) as double) / sizes.cohort_size
    end as conversion_rate,
    cast(a.median_days_to_reach as double) as median_days_to_reach
from cohort_cells as cells
inner join stage_pairs as p
    on cells.cohort_stage_key = p.cohort_stage_key and cells.stage_key = p.stage_key
left join sizes
    on cells.cohort_stage_key = sizes.cohort_stage_key and cells.cohort_month = sizes.cohort_month
left join aggregated as a
    on cells.cohort_stage_key = a.cohort_stage_key
    and cells.cohort_month = a.cohort_month
    and cells.stage_key = a.stage_key
order by cells.cohort_month, cells.cohort_stage_key, p.stage_order
"""

# ----------------------------------------------------------------------------- SLA
SLA_MARKETING = """
select
    month_start, is_quality_incomplete, mqls_delivered, mql_target, mql_target_attainment, mql_cohort_size,
    mqls_reaching_sql_within_window, mql_to_sql_rate, mql_to_sql_target_rate
from marts.sla_marketing_monthly
where month_start between $start and $end
order by month_start
"""

SLA_SALES_MART = """
select
    month_start, mqls, mqls_assigned, mqls_unassigned, mqls_within_sla, mqls_breached, mqls_untouched,
    mqls_pending, mqls_aging, mqls_sla_due, pct_within_sla, median_speed_to_lead_hours,
    p75_speed_to_lead_hours
from marts.sla_sales_monthly
where month_start between $start and $end
order by month_start
"""

# mirrors marts.sla_sales_monthly
SLA_SALES_FACTS = f"""
select
    l.mql_month as month_start,
    count(*) as mqls,
    sum(case when l.sla_status <> 'unassigned' then 1 else 0 end) as mqls_assigned,
    sum(case when l.sla_status = 'unassigned' then 1 else 0 end) as mqls_unassigned,
    sum(case when l.sla_status = 'within_sla' then 1 else 0 end) as mqls_within_sla,
    sum(case when l.sla_status = 'breached' then 1 else 0 end) as mqls_breached,
    sum(case when l.sla_status = 'untouched' then 1 else 0 end) as mqls_untouched,
    sum(case when l.is_sla_pending then 1 else 0 end) as mqls_pending,
    sum(case when l.is_aging then 1 else 0 end) as mqls_aging,
    sum(case when l.sla_status <> 'unassigned' then 1 else 0 end)
        - sum(case when l.is_sla_pending then 1 else 0 end) as mqls_sla_due,
    case when sum(case when l.sla_status <> 'unassigned' then 1 else 0 end)
              - sum(case when l.is_sla_pending then 1 else 0 end) = 0 then null
         else cast(sum(case when l.sla_status = 'within_sla' then 1 else 0 end) as double)
              / (sum(case when l.sla_status <> 'unassigned' then 1 else 0 end)
                 - sum(case when l.is_sla_pending then 1 else 0 end))
    end as pct_within_sla,
    cast(quantile_cont(l.speed_to_lead_hours, 0.5) as double) as median_speed_to_lead_hours,
    cast(quantile_cont(l.speed_to_lead_hours, 0.75) as double) as p75_speed_to_lead_hours
from marts.fct_leads as l
where l.mql_at is not null
  and l.mql_month between $start and $end
  and {LEAD_SLICE}
group by l.mql_month
order by month_start
"""

SPEED_DISTRIBUTION = f"""
select
    l.sla_status,
    l.is_sla_pending,
    case
        when l.sla_status = 'unassigned' then 'No owner'
        when l.first_touch_at is null and l.is_sla_pending then 'Not touched yet (clock running)'
        when l.first_touch_at is null then 'Not touched'
        when l.speed_to_lead_hours <= 1 then 'Up to 1 h'
        when l.speed_to_lead_hours <= 4 then '1–4 h'
        when l.speed_to_lead_hours <= 24 then '4–24 h'
        when l.speed_to_lead_hours <= 72 then '1–3 days'
        when l.speed_to_lead_hours <= 168 then '3–7 days'
        else 'Over 7 days'
    end as bucket,
    count(*) as mqls
from marts.fct_leads as l
where l.mql_at is not null
  and l.mql_month = $month
  and {LEAD_SLICE}
group by all
"""

# MQLs still waiting for a first sales touch (or for an owner), oldest first, whatever their MQL month.
AGING_LIST = f"""
select
    l.contact_id,
    case when l.sla_status = 'unassigned' then 'No owner'
         when l.is_sla_pending then 'Clock running'
         else 'Untouched' end as waiting_for,
    coalesce(l.sla_owner_id, l.owner_id) as owner_id,
    o.owner_name,
    o.team_name,
    l.mql_local_at,
    coalesce(
        l.untouched_age_days,
        date_diff('millisecond', coalesce(l.sla_started_at, l.mql_at), $as_of) / 86400000.0
    ) as days_waiting,
    l.is_aging,
    l.lead_grade,
    l.original_source,
    l.source_team,
    l.lifecycle_stage,
    l.lead_status
from marts.fct_leads as l
left join marts.dim_owners as o
    on coalesce(l.sla_owner_id, l.owner_id) = o.owner_id
where l.mql_at is not null
  and l.sla_status in ('untouched', 'unassigned')
  and {LEAD_SLICE}
order by days_waiting desc nulls last, l.contact_id
limit $limit
"""

AGING_COUNT = f"""
select count(*) as waiting
from marts.fct_leads as l
where l.mql_at is not null
  and l.sla_status in ('untouched', 'unassigned')
  and {LEAD_SLICE}
"""

# ----------------------------------------------------------------------------- reps
REPS_MART = """
select
    r.owner_id, r.month_start, r.owner_name, r.team_name, o.team_role, o.is_archived,
    r.mqls_assigned, r.mqls_within_sla, r.mqls_breached, r.mqls_untouched, r.mqls_pending, r.mqls_aging,
    r.oldest_untouched_age_days, r.pct_within_sla, r.median_speed_to_lead_hours,
    r.high_grade_mqls, r.high_grade_mqls_touched, r.low_grade_mqls, r.low_grade_mqls_touched,
    r.cherry_picking_index
from marts.rep_follow_up_monthly as r
left join marts.dim_owners as o
    on r.owner_id = o.owner_id
where r.month_start between $start and $end
  and ($owner is null or r.owner_id = $owner)
order by r.month_start, r.owner_name
"""

# mirrors marts.rep_follow_up_monthly for the MQLs of a slice (only reps with MQLs in the slice)
REPS_FACTS = f"""
with leads as (
    select * from marts.fct_leads as l
    where l.mql_at is not null
      and l.sla_owner_id is not null
      and l.mql_month between $start and $end
      and {LEAD_SLICE}
),
aggregated as (
    select
        sla_owner_id as owner_id,
        mql_month as month_start,
        count(*) as mqls_assigned,
        sum(case when sla_status = 'within_sla' then 1 else 0 end) as mqls_within_sla,
        sum(case when sla_status = 'breached' then 1 else 0 end) as mqls_breached,
        sum(case when sla_status = 'untouched' then 1 else 0 end) as mqls_untouched,
        sum(case when is_sla_pending then 1 else 0 end) as mqls_pending,
        sum(case when is_aging then 1 else 0 end) as mqls_aging,
        cast(max(untouched_age_days) as double) as oldest_untouched_age_days,
        cast(quantile_cont(speed_to_lead_hours, 0.5) as double) as median_speed_to_lead_hours,
        sum(case when grade_band = 'high' and not is_sla_pending then 1 else 0 end) as high_grade_mqls,
        sum(case when grade_band = 'high' and not is_sla_pending and first_touch_at is not null
                 then 1 else 0 end) as high_grade_mqls_touched,
        sum(case when grade_band = 'low' and not is_sla_pending then 1 else 0 end) as low_grade_mqls,
        sum(case when grade_band = 'low' and not is_sla_pending and first_touch_at is not null
                 then 1 else 0 end) as low_grade_mqls_touched
    from leads
    group by sla_owner_id, mql_month
)
select
    a.owner_id, a.month_start, o.owner_name, o.team_name, o.team_role, o.is_archived,
    a.mqls_assigned, a.mqls_within_sla, a.mqls_breached, a.mqls_untouched, a.mqls_pending, a.mqls_aging,
    a.oldest_untouched_age_days,
    case when a.mqls_assigned - a.mqls_pending = 0 then null
         else cast(a.mqls_within_sla as double) / (a.mqls_assigned - a.mqls_pending) end as pct_within_sla,
    a.median_speed_to_lead_hours,
    a.high_grade_mqls, a.high_grade_mqls_touched, a.low_grade_mqls, a.low_grade_mqls_touched,
    case when a.high_grade_mqls = 0 then null
         else cast(a.high_grade_mqls_touched as double) / a.high_grade_mqls end
    - case when a.low_grade_mqls = 0 then null
           else cast(a.low_grade_mqls_touched as double) / a.low_grade_mqls end
        as cherry_picking_index
from aggregated as a
left join marts.dim_owners as o
    on a.owner_id = o.owner_id
order by a.month_start, o.owner_name
"""

# ----------------------------------------------------------------------------- credit
CREDIT_MART = """
select
    month_start, attribution, team, channel, deals_created, sourced_pipeline, influenced_deals_created,
    influenced_pipeline, deals_won, sourced_revenue, influenced_revenue
from marts.credit_monthly
where month_start between $start and $end
"""

# mirrors marts.credit_monthly for the deals of an owner / pipeline slice
CREDIT_FACTS = """
with deals as (
    select * from marts.fct_deals as d
    where ($owner is null or d.owner_id = $owner)
      and ($pipeline is null or d.pipeline_id = $pipeline)
),
attributed as (
    select 'first_touch' as attribution, source_team as team, original_source as channel, deals.* from deals
    union all
    select 'last_touch', latest_source_team, latest_source, deals.* from deals
),
pipeline as (
    select
        created_month as month_start, attribution, team, channel,
        count(*) as deals_created,
        sum(amount) as sourced_pipeline,
        count(case when is_marketing_influenced then 1 end) as influenced_deals_created,
        sum(case when is_marketing_influenced then amount else 0 end) as influenced_pipeline
    from attributed
    group by all
),
revenue as (
    select
        closed_month as month_start, attribution, team, channel,
        count(*) as deals_won,
        sum(amount) as sourced_revenue,
        sum(case when is_marketing_influenced then amount else 0 end) as influenced_revenue
    from attributed
    where is_won
    group by all
),
keys as (
    select month_start, attribution, team, channel from pipeline
    union
    select month_start, attribution, team, channel from revenue
)
select
    keys.month_start, keys.attribution, keys.team, keys.channel,
    coalesce(pipeline.deals_created, 0) as deals_created,
    cast(coalesce(pipeline.sourced_pipeline, 0) as double) as sourced_pipeline,
    coalesce(pipeline.influenced_deals_created, 0) as influenced_deals_created,
    cast(coalesce(pipeline.influenced_pipeline, 0) as double) as influenced_pipeline,
    coalesce(revenue.deals_won, 0) as deals_won,
    cast(coalesce(revenue.sourced_revenue, 0) as double) as sourced_revenue,
    cast(coalesce(revenue.influenced_revenue, 0) as double) as influenced_revenue
from keys
left join pipeline using (month_start, attribution, team, channel)
left join revenue using (month_start, attribution, team, channel)
where keys.month_start between $start and $end
"""

# ----------------------------------------------------------------------------- lead quality
LEAD_QUALITY_MART = """
select
    month_start, segment_type, segment_value, leads, mqls, sqls, customers, disqualified,
    mql_to_sql_rate, sql_to_won_rate, disqualified_rate
from marts.lead_quality_monthly
where month_start between $start and $end
"""

# mirrors marts.lead_quality_monthly for the leads of a slice
LEAD_QUALITY_FACTS = f"""
with leads as (
    select * from marts.fct_leads as l where l.lead_month between $start and $end and {LEAD_SLICE}
),
segmented as (
    select 'source' as segment_type, original_source as segment_value, leads.* from leads
    union all
    select 'campaign', coalesce(first_touch_campaign, '(none)'), leads.* from leads
    union all
    select 'persona', coalesce(persona, '(none)'), leads.* from leads
),
aggregated as (
    select
        lead_month as month_start, segment_type, segment_value,
        count(*) as leads,
        sum(case when mql_at is not null then 1 else 0 end) as mqls,
        sum(case when sql_at is not null then 1 else 0 end) as sqls,
        sum(case when mql_at is not null and sql_at is not null then 1 else 0 end) as mqls_reaching_sql,
        sum(case when customer_at is not null then 1 else 0 end) as customers,
        sum(case when sql_at is not null and customer_at is not null then 1 else 0 end) as sqls_won,
        sum(case when is_disqualified then 1 else 0 end) as disqualified
    from segmented
    group by all
)
select
    month_start, segment_type, segment_value, leads, mqls, sqls, customers, disqualified,
    case when mqls = 0 then null else cast(mqls_reaching_sql as double) / mqls end as mql_to_sql_rate,
    case when sqls = 0 then null else cast(sqls_won as double) / sqls end as sql_to_won_rate,
    case when leads = 0 then null else cast(disqualified as double) / leads end as disqualified_rate
from aggregated
"""

REASONS_MART = """
select month_start, segment_type, segment_value, reason_type, reason, occurrences
from marts.lead_disqualification_reasons
where month_start between $start and $end
"""

# mirrors marts.lead_disqualification_reasons for the leads of a slice
REASONS_FACTS = f"""
with leads as (
    select * from marts.fct_leads as l where l.lead_month between $start and $end and {LEAD_SLICE}
),
reasons as (
    select contact_id, 'disqualification' as reason_type, disqualification_reason as reason
    from leads
    where is_disqualified
    union all
    select sourcing_contact_id, 'closed_lost_reason', coalesce(closed_lost_reason, '(none given)')
    from marts.fct_deals
    where is_lost and sourcing_contact_id is not null
),
segmented as (
    select leads.lead_month, 'source' as segment_type, leads.original_source as segment_value, reasons.*
    from reasons inner join leads on reasons.contact_id = leads.contact_id
    union all
    select leads.lead_month, 'campaign', coalesce(leads.first_touch_campaign, '(none)'), reasons.*
    from reasons inner join leads on reasons.contact_id = leads.contact_id
    union all
    select leads.lead_month, 'persona', coalesce(leads.persona, '(none)'), reasons.*
    from reasons inner join leads on reasons.contact_id = leads.contact_id
)
select lead_month as month_start, segment_type, segment_value, reason_type, reason, count(*) as occurrences
from segmented
group by all
"""

# No mart holds this: a plain count of the leads of the range by the grade the definitions gave them.
GRADE_CONVERSION = f"""
select
    l.lead_grade,
    count(*) as leads,
    sum(case when l.mql_at is not null then 1 else 0 end) as mqls,
    sum(case when l.sql_at is not null then 1 else 0 end) as sqls,
    sum(case when l.customer_at is not null then 1 else 0 end) as customers,
    sum(case when l.is_disqualified then 1 else 0 end) as disqualified,
    avg(l.fit_score) as avg_fit_score,
    avg(l.engagement_score) as avg_engagement_score
from marts.fct_leads as l
where l.lead_month between $start and $end
  and {LEAD_SLICE}
group by l.lead_grade
order by l.lead_grade
"""

# ----------------------------------------------------------------------------- monthly accountability
FROZEN_MONTHS = "select distinct month_start from marts.monthly_accountability order by month_start desc"

ACCOUNTABILITY = """
select
    month_start, metric_key, reported_definitions_version, definitions_version, is_definition_changed,
    restatement_causes, frozen_at, frozen_data_as_of, reported_value, current_value, restatement,
    reported_record_count, current_record_count
from marts.monthly_accountability
where month_start between $start and $end
order by month_start, metric_key
"""

RESTATEMENTS = """
select month_start, metric_key, cause, restatement, records_added_or_increased, records_removed_or_decreased
from marts.metric_restatements
where month_start = $month
order by metric_key, cause
"""

DEFINITION_VERSIONS = """
select
    reported_definitions_version as definitions_version,
    min(month_start) as first_month,
    max(month_start) as last_month,
    min(frozen_at) as first_frozen_at
from marts.monthly_accountability
group by reported_definitions_version
order by first_month
"""

# ----------------------------------------------------------------------------- data health
CHECKS = """
select name, checkpoint, suite, table_name, severity, status, waived, message
from serving_meta.checks
order by case status when 'failed' then 0 when 'error' then 1 else 2 end, severity, name
"""

TABLE_ROWS = """
select table_schema, table_name, row_count from serving_meta.tables order by table_schema, table_name
"""

# Where the stage dates come from (models/marts/quality/stage_date_sources.sql); stage `any_stage` = every
# lead once, by the weakest source of its dates. History and create date are the fallbacks of metrics.md.
STAGE_DATE_SOURCES = """
select stage_key, stage_label, stage_order, date_source, source_order, is_fallback, contacts, stage_contacts,
    contacts_share
from marts.stage_date_sources
order by stage_order, source_order
"""

# ----------------------------------------------------------------------------- prospect audiences
# The exporter's own SQL (onefunnel.audiences.sql): the downloads hold exactly the exported rows.
AUDIENCE_REPS = audience_sql.REPS
AUDIENCE_MEMBERS = audience_sql.MEMBERS
AUDIENCE_FORMATS = audience_sql.FORMAT_RULES
