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
    Term(
        "deal_stage_reached",
        "Deals reaching a deal stage",
        "Deals that were in the stage at some time, or went past it: a deal that skips a stage still reached "
        "it (it is counted as skipped, not entered). A deal moved back to an earlier stage keeps what it "
        "reached.",
        lambda d: "from the dealstage history of every live deal in a counted pipeline",
        "marts.deal_stage_funnel",
        "Deal stages",
    ),
    Term(
        "deal_stage_conversion",
        "Stage-to-stage conversion",
        "Of the deals that reached a stage, the share that reached the next one (the won stage after the "
        "last open stage). Lost deals leave the funnel at the stage they were lost from.",
        lambda d: "deals reaching the next stage / deals reaching this stage, all time, per pipeline",
        "marts.deal_stage_funnel",
        "Deal stages",
    ),
    Term(
        "days_in_stage",
        "Days in stage",
        "How long deals stay in a stage before they move on, median and 75th percentile. A deal that comes "
        "back to a stage adds its stays up; deals still in the stage are not counted until they leave.",
        lambda d: "finished stays of each deal in the stage, added up per deal",
        "marts.deal_stage_funnel",
        "Deal stages",
    ),
    Term(
        "stalled_deals",
        "Stalled deals",
        "Open deals that have not changed stage for too long: they need a next step or an honest close.",
        lambda d: (
            f"open and in the same stage for at least {d.deal_stages.stalled_after_days} days"
            + (
                " ("
                + ", ".join(
                    f"pipeline {p}: {n} days" for p, n in d.deal_stages.stalled_after_days_by_pipeline.items()
                )
                + ")"
                if d.deal_stages.stalled_after_days_by_pipeline
                else ""
            )
        ),
        "marts.fct_deal_stage_spells",
        "Deal stages",
    ),
    Term(
        "attribution",
        "Multi-touch credit",
        "Each deal's amount shared out over the marketing touches of its contacts before the deal was "
        "created: their creation, form submissions and marketing email clicks. Pipeline counts in the deal's "
        "create month, revenue in its close month. Every model gives out exactly the deal's amount.",
        lambda d: (
            f"agreed model **{d.attribution.model.replace('_', '-')}**; touches up to "
            f"{d.attribution.lookback_days} days before the deal ("
            + ", ".join(d.attribution.touch_interactions)
            + ", contact creation)"
        ),
        "marts.attribution_monthly",
        "Attribution",
    ),
    Term(
        "w_shaped",
        "W-shaped credit",
        "Most of the credit goes to three moments: the first touch, the touch that created the lead and the "
        "last touch before the opportunity; the rest is spread over the touches in between. With fewer "
        "touches the shares of the moments that coincide add up, and the shares are scaled so the deal is "
        "given out whole.",
        lambda d: (
            f"first touch {d.attribution.w_shaped.first_touch:.0%}, lead creation "
            f"{d.attribution.w_shaped.lead_creation:.0%}, opportunity creation "
            f"{d.attribution.w_shaped.opportunity_creation:.0%}, the rest "
            f"{d.attribution.w_shaped.other_touches:.0%}"
        ),
        "marts.attribution_monthly",
        "Attribution",
    ),
    Term(
        "linear",
        "Linear credit",
        "Every touch before the deal gets the same share of it. First touch gives the whole deal to the "
        "earliest touch, last touch to the latest.",
        lambda d: "1 / number of touches each",
        "marts.attribution_monthly",
        "Attribution",
    ),
    Term(
        "account_stage",
        "Accounts in the funnel",
        "A company (account) reaches a funnel stage when its first contact does: an account with one MQL and "
        "one SQL contact is an SQL account, dated by the SQL contact.",
        lambda d: "earliest stage date among the account's contacts (HubSpot's associated company)",
        "marts.account_funnel_monthly, marts.fct_accounts",
        "Accounts",
    ),
    Term(
        "new_vs_expansion",
        "New business vs expansion",
        "Won revenue from an account's first win is new business; later wins on the same account are "
        "expansion. A deal's account is the company of its earliest-created contact.",
        lambda d: (
            "expansion = the account already had a deal won before this one closed"
            if d.accounts.expansion_rule == "prior_won_deal"
            else "expansion = HubSpot's deal type is existingbusiness"
        ),
        "marts.account_revenue_monthly, marts.fct_accounts",
        "Accounts",
    ),
    Term(
        "pipeline_coverage",
        "Pipeline coverage",
        "Open pipeline divided by the revenue still to win this month and this quarter (the target minus "
        "what is already won). Weighted coverage counts each open deal at its stage's probability.",
        lambda d: (
            f"the {d.pipeline_coverage.target_team} team's closed-won revenue target; open deals "
            + (
                "expected to close by the period's end (overdue ones included)"
                if d.pipeline_coverage.open_deals == "closing_in_period"
                else "whatever their close date"
            )
            + f"; healthy at {d.pipeline_coverage.healthy_coverage:g}x or more"
        ),
        "marts.pipeline_coverage",
        "Pipeline coverage",
    ),
)

BY_KEY = {term.key: term for term in TERMS}


def help_text(key: str, definitions: Any = None) -> str:
    return BY_KEY[key].help(definitions)
