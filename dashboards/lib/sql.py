"""Every SQL text the dashboard runs, each a `Query` naming the governed model it reads. The functions of
dashboards.lib.queries hold these objects, so go-to-definition leads from a tile to its SQL and model.

Values always go in as named parameters ($month, $team ...). The texts are fixed: the only composition is of
the constant fragments below, at import time, never of anything a user typed. A slice filter that is not set
is passed as NULL, so `$team is null or ...` keeps the clause fixed whether or not the filter is on.

Every number comes from a governed model: with no team / owner / source / pipeline filter from its mart
(`*_MART`), with one from the mart's slice model (`*_SLICES`, models/marts/slices: one row per month and
slice, so a filtered view selects a row and never sums or takes a median here). Rates are the models' own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onefunnel.audiences import sql as audience_sql

_PARAMETER = re.compile(r"\$([a-z_]+)")


@dataclass(frozen=True)
class Query:
    """One SQL text and the model it reads (`schema.table` of the serving snapshot)."""

    name: str
    model: str
    text: str

    @property
    def parameters(self) -> tuple[str, ...]:
        """The $parameters the text uses, in order of first use."""
        return tuple(dict.fromkeys(_PARAMETER.findall(self.text)))


# ----------------------------------------------------------------------------- slice fragments (constant)
# A lead's owner: the SLA owner for MQLs (who the SLA holds to account), else the current contact owner.
LEAD_SLICE = """
    ($team is null or l.source_team = $team)
    and ($owner is null or coalesce(l.sla_owner_id, l.owner_id) = $owner)
    and ($source is null or l.original_source = $source)
"""

# A filtered view of a slice mart (models/marts/slices): the row whose members are the filter values, '(all)'
# for a filter left unset. One row per key: nothing is summed here.
CONTACT_MEMBERS = """
    source_team = coalesce($team, '(all)')
    and owner_id = coalesce($owner, '(all)')
    and original_source = coalesce($source, '(all)')
"""

DEAL_MEMBERS = """
    source_team = coalesce($team, '(all)')
    and owner_id = coalesce($owner, '(all)')
    and original_source = coalesce($source, '(all)')
    and pipeline_id = coalesce($pipeline, '(all)')
"""

DEAL_SLICE = """
    ($team is null or d.source_team = $team)
    and ($owner is null or d.owner_id = $owner)
    and ($source is null or d.original_source = $source)
    and ($pipeline is null or d.pipeline_id = $pipeline)
"""

# ----------------------------------------------------------------------------- filter options
MONTHS = Query(
    "MONTHS",
    "marts.funnel_period_monthly",
    "select distinct month_start from marts.funnel_period_monthly order by month_start desc",
)

OWNERS = Query(
    "OWNERS",
    "marts.dim_owners",
    """
select owner_id, owner_name, team_name, team_role, is_archived
from marts.dim_owners
order by owner_name, owner_id
""",
)

SOURCES = Query(
    "SOURCES",
    "marts.fct_leads",
    """
select distinct original_source from marts.fct_leads where original_source is not null order by 1
""",
)

PIPELINES = Query(
    "PIPELINES",
    "marts.fct_deals",
    """
select pipeline_id, any_value(pipeline_label) as pipeline_label, count(*) as deals
from marts.fct_deals
group by pipeline_id
order by deals desc, pipeline_id
""",
)

STAGES = Query(
    "STAGES",
    "marts.funnel_period_monthly",
    """
select distinct stage_key, stage_label, stage_order from marts.funnel_period_monthly order by stage_order
""",
)

TABLES = Query(
    "TABLES",
    "information_schema.tables",
    "select table_schema, table_name from information_schema.tables",
)

DEFINITIONS_CURRENT = Query(
    "DEFINITIONS_CURRENT",
    "definitions.definitions_current",
    "select * from definitions.definitions_current",
)

# ----------------------------------------------------------------------------- funnel: period view
PERIOD_MART = Query(
    "PERIOD_MART",
    "marts.funnel_period_monthly",
    """
select month_start, stage_key, stage_label, stage_order, contacts_entered
from marts.funnel_period_monthly
where month_start between $start and $end
order by month_start, stage_order
""",
)

PERIOD_SLICES = Query(
    "PERIOD_SLICES",
    "marts.funnel_period_slices",
    f"""
select month_start, stage_key, stage_label, stage_order, contacts_entered
from marts.funnel_period_slices
where month_start between $start and $end
  and {CONTACT_MEMBERS}
order by month_start, stage_order
""",
)

# ----------------------------------------------------------------------------- deals
DEALS_MART = Query(
    "DEALS_MART",
    "marts.deals_monthly",
    """
select
    month_start, deals_created, pipeline_created, deals_won, revenue_won, deals_lost, amount_lost,
    win_rate_by_count, win_rate_by_amount, median_sales_cycle_days, p75_sales_cycle_days
from marts.deals_monthly
where month_start between $start and $end
order by month_start
""",
)

DEALS_SLICES = Query(
    "DEALS_SLICES",
    "marts.deals_slices",
    f"""
select
    month_start, deals_created, pipeline_created, deals_won, revenue_won, deals_lost, amount_lost,
    win_rate_by_count, win_rate_by_amount, median_sales_cycle_days, p75_sales_cycle_days
from marts.deals_slices
where month_start between $start and $end
  and {DEAL_MEMBERS}
order by month_start
""",
)

TARGETS = Query(
    "TARGETS",
    "marts.target_attainment_monthly",
    """
select month_start, team, metric, actual_value, target_value, attainment
from marts.target_attainment_monthly
where month_start between $start and $end
""",
)

# ----------------------------------------------------------------------------- funnel: cohort view
COHORT_MART = Query(
    "COHORT_MART",
    "marts.funnel_cohort_monthly",
    """
select
    cohort_month, cohort_stage_key, stage_key, stage_label, stage_order, window_days, step_window_days,
    is_incomplete, cohort_size, contacts_reached, contacts_reached_within_window,
    previous_stage_reached_within_window, conversion_rate, step_conversion_rate, median_days_to_reach
from marts.funnel_cohort_monthly
where cohort_month between $start and $end
order by cohort_month, cohort_stage_key, stage_order
""",
)

COHORT_SLICES = Query(
    "COHORT_SLICES",
    "marts.funnel_cohort_slices",
    f"""
select
    cohort_month, cohort_stage_key, stage_key, stage_label, stage_order, window_days, step_window_days,
    is_incomplete, cohort_size, contacts_reached, contacts_reached_within_window,
    previous_stage_reached_within_window, conversion_rate, step_conversion_rate, median_days_to_reach
from marts.funnel_cohort_slices
where cohort_month between $start and $end
  and {CONTACT_MEMBERS}
order by cohort_month, cohort_stage_key, stage_order
""",
)

# ----------------------------------------------------------------------------- SLA
SLA_MARKETING = Query(
    "SLA_MARKETING",
    "marts.sla_marketing_monthly",
    """
select
    month_start, is_quality_incomplete, mqls_delivered, mql_target, mql_target_attainment, mql_cohort_size,
    mqls_reaching_sql_within_window, mql_to_sql_rate, mql_to_sql_target_rate
from marts.sla_marketing_monthly
where month_start between $start and $end
order by month_start
""",
)

SLA_SALES_MART = Query(
    "SLA_SALES_MART",
    "marts.sla_sales_monthly",
    """
select
    month_start, mqls, mqls_assigned, mqls_unassigned, mqls_within_sla, mqls_breached, mqls_untouched,
    mqls_pending, mqls_aging, mqls_sla_due, pct_within_sla, median_speed_to_lead_hours,
    p75_speed_to_lead_hours
from marts.sla_sales_monthly
where month_start between $start and $end
order by month_start
""",
)

SLA_SALES_SLICES = Query(
    "SLA_SALES_SLICES",
    "marts.sla_sales_slices",
    f"""
select
    month_start, mqls, mqls_assigned, mqls_unassigned, mqls_within_sla, mqls_breached, mqls_untouched,
    mqls_pending, mqls_aging, mqls_sla_due, pct_within_sla, median_speed_to_lead_hours,
    p75_speed_to_lead_hours
from marts.sla_sales_slices
where month_start between $start and $end
  and {CONTACT_MEMBERS}
order by month_start
""",
)

# The speed-to-lead buckets of a month's MQLs (models/marts/slices/speed_to_lead_slices.sql).
SPEED_DISTRIBUTION = Query(
    "SPEED_DISTRIBUTION",
    "marts.speed_to_lead_slices",
    f"""
select sla_status, is_sla_pending, bucket, mqls
from marts.speed_to_lead_slices
where month_start = $month
  and {CONTACT_MEMBERS}
order by bucket_order, sla_status
""",
)

# MQLs still waiting for a first sales touch (or for an owner), oldest first, whatever their MQL month.
AGING_LIST = Query(
    "AGING_LIST",
    "marts.fct_leads",
    f"""
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
""",
)

AGING_COUNT = Query(
    "AGING_COUNT",
    "marts.fct_leads",
    f"""
select count(*) as waiting
from marts.fct_leads as l
where l.mql_at is not null
  and l.sla_status in ('untouched', 'unassigned')
  and {LEAD_SLICE}
""",
)

# ----------------------------------------------------------------------------- reps
REPS_MART = Query(
    "REPS_MART",
    "marts.rep_follow_up_monthly",
    """
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
""",
)

REPS_SLICES = Query(
    "REPS_SLICES",
    "marts.rep_follow_up_slices",
    """
select
    r.owner_id, r.month_start, r.owner_name, r.team_name, o.team_role, o.is_archived,
    r.mqls_assigned, r.mqls_within_sla, r.mqls_breached, r.mqls_untouched, r.mqls_pending, r.mqls_aging,
    r.oldest_untouched_age_days, r.pct_within_sla, r.median_speed_to_lead_hours,
    r.high_grade_mqls, r.high_grade_mqls_touched, r.low_grade_mqls, r.low_grade_mqls_touched,
    r.cherry_picking_index
from marts.rep_follow_up_slices as r
left join marts.dim_owners as o
    on r.owner_id = o.owner_id
where r.month_start between $start and $end
  and ($owner is null or r.owner_id = $owner)
  and r.source_team = coalesce($team, '(all)')
  and r.original_source = coalesce($source, '(all)')
order by r.month_start, r.owner_name
""",
)

# ----------------------------------------------------------------------------- credit
CREDIT_MART = Query(
    "CREDIT_MART",
    "marts.credit_monthly",
    """
select
    month_start, attribution, team, channel, deals_created, sourced_pipeline, influenced_deals_created,
    influenced_pipeline, deals_won, sourced_revenue, influenced_revenue
from marts.credit_monthly
where month_start between $start and $end
""",
)

CREDIT_SLICES = Query(
    "CREDIT_SLICES",
    "marts.credit_slices",
    """
select
    month_start, attribution, team, channel, deals_created, sourced_pipeline, influenced_deals_created,
    influenced_pipeline, deals_won, sourced_revenue, influenced_revenue
from marts.credit_slices
where month_start between $start and $end
  and owner_id = coalesce($owner, '(all)')
  and pipeline_id = coalesce($pipeline, '(all)')
""",
)

# ----------------------------------------------------------------------------- lead quality
LEAD_QUALITY_MART = Query(
    "LEAD_QUALITY_MART",
    "marts.lead_quality_monthly",
    """
select
    month_start, segment_type, segment_value, leads, mqls, sqls, customers, disqualified,
    mql_to_sql_rate, sql_to_won_rate, disqualified_rate
from marts.lead_quality_monthly
where month_start between $start and $end
""",
)

LEAD_QUALITY_SLICES = Query(
    "LEAD_QUALITY_SLICES",
    "marts.lead_quality_slices",
    f"""
select
    month_start, segment_type, segment_value, leads, mqls, sqls, customers, disqualified,
    mql_to_sql_rate, sql_to_won_rate, disqualified_rate
from marts.lead_quality_slices
where month_start between $start and $end
  and {CONTACT_MEMBERS}
""",
)

REASONS_MART = Query(
    "REASONS_MART",
    "marts.lead_disqualification_reasons",
    """
select month_start, segment_type, segment_value, reason_type, reason, occurrences
from marts.lead_disqualification_reasons
where month_start between $start and $end
""",
)

REASONS_SLICES = Query(
    "REASONS_SLICES",
    "marts.disqualification_reason_slices",
    f"""
select month_start, segment_type, segment_value, reason_type, reason, occurrences
from marts.disqualification_reason_slices
where month_start between $start and $end
  and {CONTACT_MEMBERS}
""",
)

# Conversion by lead grade over the range (models/marts/slices/lead_grade_slices.sql): the monthly counts and
# score sums of the slice added up over the range's months, the averages divided from those sums.
GRADE_CONVERSION = Query(
    "GRADE_CONVERSION",
    "marts.lead_grade_slices",
    f"""
select
    lead_grade,
    sum(leads) as leads,
    sum(mqls) as mqls,
    sum(sqls) as sqls,
    sum(customers) as customers,
    sum(disqualified) as disqualified,
    sum(fit_score_sum) / nullif(sum(fit_scored_leads), 0) as avg_fit_score,
    sum(engagement_score_sum) / nullif(sum(engagement_scored_leads), 0) as avg_engagement_score
from marts.lead_grade_slices
where month_start between $start and $end
  and {CONTACT_MEMBERS}
group by lead_grade
order by lead_grade
""",
)

# ----------------------------------------------------------------------------- monthly accountability
FROZEN_MONTHS = Query(
    "FROZEN_MONTHS",
    "marts.monthly_accountability",
    "select distinct month_start from marts.monthly_accountability order by month_start desc",
)

ACCOUNTABILITY = Query(
    "ACCOUNTABILITY",
    "marts.monthly_accountability",
    """
select
    month_start, metric_key, reported_definitions_version, definitions_version, is_definition_changed,
    restatement_causes, frozen_at, frozen_data_as_of, reported_value, current_value, restatement,
    reported_record_count, current_record_count
from marts.monthly_accountability
where month_start between $start and $end
order by month_start, metric_key
""",
)

RESTATEMENTS = Query(
    "RESTATEMENTS",
    "marts.metric_restatements",
    """
select month_start, metric_key, cause, restatement, records_added_or_increased, records_removed_or_decreased
from marts.metric_restatements
where month_start = $month
order by metric_key, cause
""",
)

DEFINITION_VERSIONS = Query(
    "DEFINITION_VERSIONS",
    "marts.monthly_accountability",
    """
select
    reported_definitions_version as definitions_version,
    min(month_start) as first_month,
    max(month_start) as last_month,
    min(frozen_at) as first_frozen_at
from marts.monthly_accountability
group by reported_definitions_version
order by first_month
""",
)

# ----------------------------------------------------------------------------- data health
CHECKS = Query(
    "CHECKS",
    "serving_meta.checks",
    """
select name, checkpoint, suite, table_name, severity, status, waived, message
from serving_meta.checks
order by case status when 'failed' then 0 when 'error' then 1 else 2 end, severity, name
""",
)

TABLE_ROWS = Query(
    "TABLE_ROWS",
    "serving_meta.tables",
    """
select table_schema, table_name, row_count from serving_meta.tables order by table_schema, table_name
""",
)

# Where the stage dates come from (models/marts/quality/stage_date_sources.sql); stage `any_stage` = every
# lead once, by the weakest source of its dates. History and create date are the fallbacks of metrics.md.
STAGE_DATE_SOURCES = Query(
    "STAGE_DATE_SOURCES",
    "marts.stage_date_sources",
    """
select stage_key, stage_label, stage_order, date_source, source_order, is_fallback, contacts, stage_contacts,
    contacts_share
from marts.stage_date_sources
order by stage_order, source_order
""",
)

# ----------------------------------------------------------------------------- prospect audiences
# The exporter's own SQL (onefunnel.audiences.sql): the downloads hold exactly the exported rows.
AUDIENCE_REPS = Query(
    "AUDIENCE_REPS",
    "marts.prospect_audiences",
    audience_sql.REPS,
)
AUDIENCE_MEMBERS = Query(
    "AUDIENCE_MEMBERS",
    "marts.prospect_audiences",
    audience_sql.MEMBERS,
)
AUDIENCE_FORMATS = Query(
    "AUDIENCE_FORMATS",
    "marts.prospect_audience_formats",
    audience_sql.FORMAT_RULES,
)

# ----------------------------------------------------------------------------- drill-down
# marts.fct_metric_contributions says which record counts for which metric in which month (the accountability
# pack's own record list); these select its rows with the record's details. A slice filters the records with
# the same clause as the number it drills into, so the row count is the tile's number.
CONTACT_CONTRIBUTIONS = Query(
    "CONTACT_CONTRIBUTIONS",
    "marts.fct_metric_contributions",
    f"""
select
    c.record_id as hubspot_id,
    c.record_type,
    l.lifecycle_stage,
    o.owner_name,
    coalesce(l.sla_owner_id, l.owner_id) as owner_id,
    s.entered_at as counted_at,
    l.created_at,
    l.original_source,
    l.source_team,
    c.metric_key,
    s.is_skipped as is_stage_skipped,
    s.is_date_from_create_date,
    l.sla_status
from marts.fct_metric_contributions as c
inner join marts.fct_leads as l
    on c.record_id = l.contact_id
left join marts.fct_contact_stages as s
    on c.record_id = s.contact_id
    and c.metric_key = 'stage_entered__' || s.stage_key
left join marts.dim_owners as o
    on coalesce(l.sla_owner_id, l.owner_id) = o.owner_id
where c.record_type = 'contact'
  and c.month_start = $month
  and c.metric_key = $metric
  and {LEAD_SLICE}
order by counted_at nulls last, hubspot_id
""",
)

DEAL_CONTRIBUTIONS = Query(
    "DEAL_CONTRIBUTIONS",
    "marts.fct_metric_contributions",
    f"""
select
    c.record_id as hubspot_id,
    c.record_type,
    d.deal_name,
    o.owner_name,
    d.owner_id,
    d.created_at,
    d.closed_at,
    d.pipeline_label,
    d.deal_stage_label,
    d.amount,
    d.source_team,
    c.metric_key,
    c.contribution
from marts.fct_metric_contributions as c
inner join marts.fct_deals as d
    on c.record_id = d.deal_id
left join marts.dim_owners as o
    on d.owner_id = o.owner_id
where c.record_type = 'deal'
  and c.month_start = $month
  and c.metric_key = $metric
  and {DEAL_SLICE}
order by d.created_at, hubspot_id
""",
)

# The SLA buckets are one column of the lead fact (sla_status), counted by sla_sales_monthly per MQL month.
SLA_BUCKET_LEADS = Query(
    "SLA_BUCKET_LEADS",
    "marts.fct_leads",
    f"""
select
    l.contact_id as hubspot_id,
    'contact' as record_type,
    l.lifecycle_stage,
    o.owner_name,
    coalesce(l.sla_owner_id, l.owner_id) as owner_id,
    l.mql_at as counted_at,
    l.created_at,
    l.first_touch_at,
    l.speed_to_lead_hours,
    l.original_source,
    l.source_team,
    l.sla_status
from marts.fct_leads as l
left join marts.dim_owners as o
    on coalesce(l.sla_owner_id, l.owner_id) = o.owner_id
where l.mql_month = $month
  and l.sla_status = $bucket
  and {LEAD_SLICE}
order by l.mql_at, hubspot_id
""",
)

# ----------------------------------------------------------------------------- deal stages (issue 19)
# The pipelines with a deal-stage funnel, the one with the most deals first (the page's default).
DEAL_STAGE_PIPELINES = Query(
    "DEAL_STAGE_PIPELINES",
    "marts.deal_stage_funnel",
    """
select pipeline_id, pipeline_label, max(deals_reached) as deals_reached
from marts.deal_stage_funnel
group by pipeline_id, pipeline_label
order by deals_reached desc, pipeline_label, pipeline_id
""",
)

DEAL_STAGE_FUNNEL = Query(
    "DEAL_STAGE_FUNNEL",
    "marts.deal_stage_funnel",
    """
select
    pipeline_id, pipeline_label, deal_stage_id, deal_stage_label, display_order, stage_outcome,
    next_stage_label, probability, deals_reached, deals_entered, deals_skipped, deals_advanced,
    deals_moved_back, deals_won, deals_lost, deals_open_now, deals_stalled_now, open_amount_now,
    stalled_amount_now, median_days_in_stage, p75_days_in_stage, conversion_to_next_stage, stalled_after_days
from marts.deal_stage_funnel
where pipeline_id = $pipeline
order by display_order, deal_stage_id
""",
)

STALLED_DEALS = Query(
    "STALLED_DEALS",
    "marts.fct_deal_stage_spells",
    """
select
    s.deal_id, s.deal_name, s.deal_stage_label, o.owner_name, s.amount, s.days_in_stage, s.entered_at,
    s.stalled_after_days
from marts.fct_deal_stage_spells as s
left join marts.dim_owners as o
    on s.owner_id = o.owner_id
where s.is_stalled
  and s.pipeline_id = $pipeline
order by s.days_in_stage desc, s.deal_id
limit 50
""",
)

PIPELINE_COVERAGE = Query(
    "PIPELINE_COVERAGE",
    "marts.pipeline_coverage",
    """
select
    period_type, period_start, period_end_month, target_team, open_deals_rule, revenue_target, revenue_won,
    revenue_to_win, open_deals, open_pipeline, weighted_open_pipeline, coverage, weighted_coverage,
    healthy_coverage
from marts.pipeline_coverage
order by case period_type when 'month' then 1 else 2 end
""",
)

# ----------------------------------------------------------------------------- attribution (issue 19)
# Credits are additive (each model gives out every deal exactly once), so a range is the sum of its months.
ATTRIBUTION_RANGE = Query(
    "ATTRIBUTION_RANGE",
    "marts.attribution_monthly",
    """
select
    attribution_model, dimension_value, bool_or(is_agreed_model) as is_agreed_model,
    sum(deals_created) as deals_created, sum(pipeline_credit) as pipeline_credit,
    sum(deals_won) as deals_won, sum(revenue_credit) as revenue_credit
from marts.attribution_monthly
where month_start between $start and $end
  and dimension = $dimension
group by attribution_model, dimension_value
order by attribution_model, pipeline_credit desc, dimension_value
""",
)

ATTRIBUTION_MONTHS = Query(
    "ATTRIBUTION_MONTHS",
    "marts.attribution_monthly",
    """
select month_start, dimension_value, pipeline_credit, revenue_credit
from marts.attribution_monthly
where month_start between $start and $end
  and dimension = $dimension
  and is_agreed_model
order by month_start, dimension_value
""",
)

# ----------------------------------------------------------------------------- accounts (issue 19)
ACCOUNT_FUNNEL = Query(
    "ACCOUNT_FUNNEL",
    "marts.account_funnel_monthly",
    """
select month_start, stage_key, stage_label, stage_order, accounts_entered
from marts.account_funnel_monthly
where month_start between $start and $end
order by month_start, stage_order
""",
)

ACCOUNT_FUNNEL_MONTH = Query(
    "ACCOUNT_FUNNEL_MONTH",
    "marts.account_funnel_monthly",
    """
select stage_key, stage_label, stage_order, accounts_entered
from marts.account_funnel_monthly
where month_start = $month
order by stage_order
""",
)

ACCOUNT_REVENUE_MONTH = Query(
    "ACCOUNT_REVENUE_MONTH",
    "marts.account_revenue_monthly",
    """
select revenue_type, deals_won, revenue_won, accounts_won
from marts.account_revenue_monthly
where month_start = $month
order by revenue_type desc
""",
)

ACCOUNT_REVENUE = Query(
    "ACCOUNT_REVENUE",
    "marts.account_revenue_monthly",
    """
select month_start, revenue_type, deals_won, revenue_won, accounts_won
from marts.account_revenue_monthly
where month_start between $start and $end
order by month_start, revenue_type
""",
)

TOP_ACCOUNTS = Query(
    "TOP_ACCOUNTS",
    "marts.fct_accounts",
    """
select
    account_id, account_name, industry, employees, furthest_stage_label, source_team, original_source,
    contacts, deals_created, pipeline_created, deals_won, revenue_won, new_business_revenue, expansion_revenue
from marts.fct_accounts
order by revenue_won desc, pipeline_created desc, account_id
limit 25
""",
)
