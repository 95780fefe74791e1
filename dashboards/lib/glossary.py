"""What each number on the dashboard means, in plain words, next to the rule that computes it and the dbt
model it comes from. Tiles show it as their help text; the Definitions page lists all of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Term:
    key: str
    name: str
    plain: str
    rule: Callable[[Any], str]  # definitions -> the rule with today's values
    model: str
    section: str

    def help(self, definitions: Any = None) -> str:
        """Tile help text: meaning, rule and model in one place."""
        rule = _safe_rule(self, definitions)
        return f"{self.plain}\n\n**Rule:** {rule}\n\n**Model:** `{self.model}` · see the Definitions page."


def _safe_rule(term: Term, definitions: Any) -> str:
    if definitions is None:
        return "see definitions.yml"
    try:
        return term.rule(definitions)
    except (AttributeError, KeyError, IndexError, TypeError):
        return "see definitions.yml"


def _stage(definitions: Any, key: str) -> str:
    for stage in definitions.stages:
        if stage.key == key:
            return ", ".join(f"`{value}`" for value in stage.lifecycle_stages)
    return f"stage `{key}`"


def _target(definitions: Any, team: str, metric: str) -> str:
    target = definitions.targets.get(team, {}).get(metric)
    return f"{target.default:,.0f} a month by default" if target is not None else "no target set"


# The one conversion-window rule (definitions.yml `conversion_windows_days`, marts.fct_cohort_conversions),
# in the words both teams agreed; the Definitions page shows it under the stage table.
CONVERSION_WINDOW_RULE = (
    "A contact counts as converted to a stage when it made every step on the way within that step's own "
    "window, each step timed from the date it reached the stage before (not the sum of the windows from the "
    "cohort date). A cohort stays incomplete for a stage until the windows up to it have passed since the "
    "end of the cohort month."
)


def _windows(definitions: Any) -> str:
    return ", ".join(
        f"{pair.replace('_to_', '→')} {days} d" for pair, days in definitions.conversion_windows_days.items()
    )


TERMS: tuple[Term, ...] = (
    Term(
        "leads",
        "Leads",
        "Contacts that became a lead during the month (period view, by the stage date). A contact that "
        "skipped "
        "the lead stage still counts, dated by its earliest later stage.",
        lambda d: (
            f"lifecycle stage {_stage(d, d.stages[0].key)} or any later stage; `subscriber` is not a lead"
        ),
        "marts.funnel_period_monthly",
        "Funnel",
    ),
    Term(
        "mqls",
        "MQLs",
        "Contacts that became marketing-qualified during the month. Marketing's monthly target is set on "
        "this.",
        lambda d: f"lifecycle stage {_stage(d, 'mql')} or later; target {_target(d, 'marketing', 'mqls')}",
        "marts.funnel_period_monthly",
        "Funnel",
    ),
    Term(
        "sqls",
        "SQLs",
        "Contacts that sales accepted as qualified during the month. Sales' monthly target is set on this.",
        lambda d: f"lifecycle stage {_stage(d, 'sql')} or later; target {_target(d, 'sales', 'sqls')}",
        "marts.funnel_period_monthly",
        "Funnel",
    ),
    Term(
        "opportunities",
        "Opportunities",
        "Deals created during the month (the deal view of an opportunity), with the pipeline they opened.",
        lambda d: f"deal create date in the month; pipelines counted: {d.deal_pipelines}",
        "marts.deals_monthly",
        "Funnel",
    ),
    Term(
        "closed_won",
        "Closed-won deals",
        "Deals won during the month: their stage is closed with probability 1, counted by close date. A "
        "deal moved "
        "back out of closed-won stops counting.",
        lambda d: "pipeline stage metadata isClosed and probability = 1; counted in the month of closedate",
        "marts.deals_monthly",
        "Funnel",
    ),
    Term(
        "revenue",
        "Closed-won revenue",
        "The amount of the deals won during the month, in the portal's home currency.",
        lambda d: (
            f"sum of deal amount in {d.home_currency}; target {_target(d, 'sales', 'closed_won_revenue')}"
        ),
        "marts.deals_monthly",
        "Funnel",
    ),
    Term(
        "win_rate",
        "Win rate",
        "Of the deals closed during the month, the share won (by count; the amount view weighs by deal "
        "size).",
        lambda d: "won ÷ (won + lost) by close month",
        "marts.deals_monthly",
        "Funnel",
    ),
    Term(
        "cohort_conversion",
        "Cohort conversion",
        "Of the contacts that became leads in a month, the share that reached each later stage within the "
        "agreed windows. " + CONVERSION_WINDOW_RULE + " Their numbers can still rise until then.",
        lambda d: f"every step within its own window, timed from the stage before: {_windows(d)}",
        "marts.funnel_cohort_monthly",
        "Funnel",
    ),
    Term(
        "velocity",
        "Velocity",
        "How long contacts of a cohort took from one stage to the next (median days, counted only for those "
        "who made every step within its window).",
        lambda d: "median of (next stage date − stage date) within the windows",
        "marts.funnel_cohort_monthly",
        "Funnel",
    ),
    Term(
        "sales_cycle",
        "Sales cycle",
        "How long won deals took from creation to close (median days), by close month.",
        lambda d: "closedate − createdate of won deals; median and 75th percentile",
        "marts.deals_monthly",
        "Funnel",
    ),
    Term(
        "mql_target",
        "MQLs vs target (marketing's side)",
        "Marketing's side of the agreement: enough MQLs each month.",
        lambda d: f"MQLs delivered in the month ÷ {_target(d, 'marketing', 'mqls')}",
        "marts.sla_marketing_monthly",
        "SLA",
    ),
    Term(
        "mql_quality",
        "MQL quality (marketing's side)",
        "Marketing's side of the agreement: good MQLs. Of the month's MQLs, the share sales turned into SQLs "
        "within the window. Still-open windows are marked incomplete.",
        lambda d: (
            f"MQL→SQL within {d.sla.mql_to_sql_window_days} days; target rate "
            f"{d.sla.mql_to_sql_target_rate:.0%}"
        ),
        "marts.sla_marketing_monthly",
        "SLA",
    ),
    Term(
        "within_sla",
        "Within SLA (sales' side)",
        "Sales' side of the agreement: every owned MQL gets a first sales touch in time. Share of owned MQLs "
        "touched in time, out of those whose clock has run out (MQLs still inside the window are left out).",
        lambda d: (
            f"first sales touch ({', '.join(d.sales_touch.engagement_types)} by a sales-team user, at or "
            "after "
            f"the MQL date) within {d.sla.first_touch_hours:g} hours"
        ),
        "marts.sla_sales_monthly",
        "SLA",
    ),
    Term(
        "speed_to_lead",
        "Speed to lead",
        "Time from the MQL date (or the owner assignment, when the owner came later) to the first sales "
        "touch.",
        lambda d: f"first sales touch − SLA clock start; within SLA when ≤ {d.sla.first_touch_hours:g} h",
        "marts.fct_leads",
        "SLA",
    ),
    Term(
        "untouched",
        "Untouched and unassigned MQLs",
        "MQLs with an owner but no sales touch yet (aging once older than the agreed days), and MQLs "
        "nobody owns.",
        lambda d: f"aging after {d.sla.untouched_aging_days} days without a touch",
        "marts.sla_sales_monthly",
        "SLA",
    ),
    Term(
        "cherry_picking",
        "Cherry-picking index",
        "Whether a rep picks the easy leads: touch rate of high-grade MQLs minus touch rate of low-grade "
        "MQLs. "
        "Near zero is fair; a large positive number means low-grade leads are left alone.",
        lambda d: (
            f"high grades {d.lead_grade.cherry_picking.high_grades}, low grades "
            f"{d.lead_grade.cherry_picking.low_grades}; MQLs still inside the SLA window left out"
        ),
        "marts.rep_follow_up_monthly",
        "Reps",
    ),
    Term(
        "sourced",
        "Sourced pipeline and revenue",
        "Which team brought the deal in: the team of the deal's earliest-created contact, from its "
        "original source "
        "(first touch) or its latest source (last touch).",
        lambda d: (
            f"source → team map in definitions ({len(d.source_team)} sources); unknown sources → "
            f"{d.source_team_default}; {', '.join(d.source_team_from_creator) or 'no'} sources decided "
            "by the creator's team"
        ),
        "marts.credit_monthly",
        "Sources and credit",
    ),
    Term(
        "influenced",
        "Marketing-influenced",
        "A deal marketing touched: any of its contacts had a marketing interaction before the deal was "
        "created.",
        lambda d: (
            f"{', '.join(d.influence.interactions)} within {d.influence.lookback_days} days before the deal"
        ),
        "marts.credit_monthly",
        "Sources and credit",
    ),
    Term(
        "lead_quality",
        "Lead quality by source, campaign and persona",
        "Sales' feedback to marketing in numbers: of the leads a source brought, how many became MQLs "
        "and SQLs, "
        "how many were won, and how many were disqualified (and why).",
        lambda d: (
            f"disqualified = lead status {d.disqualification.lead_statuses} or lifecycle stage "
            f"{d.disqualification.lifecycle_stages}"
        ),
        "marts.lead_quality_monthly, marts.lead_disqualification_reasons",
        "Sources and credit",
    ),
    Term(
        "lead_grade",
        "Lead grade",
        "An A–D ranking from two agreed scores: fit (seniority, company size, industry) and engagement "
        "before the "
        "MQL date. If the grade predicts outcomes, A-leads convert best.",
        lambda d: "; ".join(
            f"{band.grade}: fit ≥ {band.min_fit:g} and engagement ≥ {band.min_engagement:g}"
            for band in d.lead_grade.grades
        ),
        "marts.fct_leads (lead_grade)",
        "Sources and credit",
    ),
    Term(
        "attainment",
        "Target attainment",
        "Actual ÷ target, per team and metric; both teams see the same table.",
        lambda d: "; ".join(
            f"{team} {metric.replace('_', ' ')}: {target.default:,.0f}"
            for team, metrics in d.targets.items()
            for metric, target in metrics.items()
        ),
        "marts.target_attainment_monthly",
        "Monthly accountability",
    ),
    Term(
        "restatement",
        "Reported vs restated",
        "At month close the month's numbers are frozen as reported. Later runs keep counting; the "
        "difference is a "
        "restatement, explained record by record (late data, deleted records, definition change).",
        lambda d: f"frozen on day {d.month_close_day} of the following month ({d.time_zone})",
        "marts.monthly_accountability, marts.metric_restatements",
        "Monthly accountability",
    ),
    Term(
        "audience_prospects",
        "Prospects in audiences",
        "A sales rep's working prospects that may be shown ads featuring the rep: contacts the rep owns in "
        "active prospecting, minus customers, contacts who opted out of email, contacts without a lawful "
        "basis for processing and contacts without an email. Contacts of other reps never count.",
        lambda d: (
            f"lead status {', '.join(d.audiences.prospecting_lead_statuses) or 'none'}"
            + (" or an open deal" if d.audiences.include_open_deal_contacts else "")
            + f"; not {', '.join(d.audiences.excluded_lifecycle_stages)}; opt-out "
            f"`{d.audiences.consent.email_opt_out_property}`, legal basis "
            f"`{d.audiences.consent.legal_basis_property}`"
        ),
        "marts.prospect_audiences",
        "Prospect audiences",
    ),
    Term(
        "audience_files",
        "Audience files",
        "One file per rep and format (LinkedIn, Meta, Google, internal CSV), normalised and hashed as each "
        "platform documents. A list smaller than its minimum is withheld, with the reason: platforms refuse "
        "tiny audiences, and a tiny audience singles people out.",
        lambda d: (
            "; ".join(
                f"{name} at least {rule.min_audience_size}" for name, rule in d.audiences.formats.items()
            )
            + f"; ad platforms never under the privacy floor of {d.audiences.privacy_floor}"
        ),
        "marts.prospect_audience_formats",
        "Prospect audiences",
    ),
)

BY_KEY = {term.key: term for term in TERMS}


def help_text(key: str, definitions: Any = None) -> str:
    return BY_KEY[key].help(definitions)
