"""Definitions: the shared definitions in force (version, since when), and every metric in plain words next to
the rule that computes it and the dbt model it comes from."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st
from dashboards.lib import layout, queries, status
from dashboards.lib.glossary import CONVERSION_WINDOW_RULE, TERMS

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "Definitions",
    "What every number means. Sales and marketing own one definitions file together; every published number "
    "records the version that built it.",
    ctx,
)
rules = layout.definitions()
built_with = ctx.run.get("definitions_version")

# ----------------------------------------------------------------------------- version in force
left, right = st.columns(2, gap="large")
with left:
    st.subheader("Version in force")
    if built_with:
        st.markdown(f"The numbers on this dashboard were built with definitions **`{built_with}`**.")
    else:
        st.markdown("No snapshot is published yet, so no numbers have been built with any version.")
    if rules is None:
        st.warning(
            "The definitions file cannot be read here, so the rules below are not shown.",
            icon=":material/warning:",
        )
    elif built_with and rules.version != built_with:
        st.warning(
            f"`definitions.yml` has changed since (now **`{rules.version}`**). The next pipeline run "
            "rebuilds the "
            "numbers with it; months already frozen will show the difference as a definition-change "
            "restatement. "
            "The rules below are the file's current ones.",
            icon=":material/published_with_changes:",
        )
    else:
        st.caption(
            "`definitions.yml` in the repository is this same version: the rules below built these numbers."
        )
with right:
    st.subheader("When it changed")
    history = status.definitions_history()
    if history:
        frame = pd.DataFrame(history)
        for column in ("first_published_at", "last_published_at"):
            frame[column] = [
                formatting.timestamp(datetime.fromisoformat(value), tz_name=ctx.time_zone)
                if value
                else formatting.DASH
                for value in frame[column]
            ]
        current = history[-1]
        st.markdown(
            f"Version **`{current['definitions_version']}`** in force since its first publish, "
            f"**{frame.iloc[-1]['first_published_at']}**."
        )
        st.dataframe(
            frame.rename(
                columns={
                    "definitions_version": "Version",
                    "first_published_at": "First published",
                    "last_published_at": "Last published",
                    "runs": "Runs published",
                }
            ).iloc[::-1],
            hide_index=True,
            placeholder="—",
        )
    elif ctx.version is not None and not queries.definition_versions(ctx.version).empty:
        versions = queries.definition_versions(ctx.version)
        st.markdown("Versions the frozen months were reported with:")
        st.dataframe(versions, hide_index=True)
    else:
        layout.empty(
            "No publish history is available here, so when the definitions last changed is not known."
        )

# ----------------------------------------------------------------------------- the metrics
st.divider()
st.subheader("Every number, in plain words")
st.caption("Hover the ⓘ next to any tile on the other pages to see the same text.")
sections: dict[str, list] = {}
for term in TERMS:
    sections.setdefault(term.section, []).append(term)
for section, terms in sections.items():
    st.markdown(f"#### {section}")
    for term in terms:
        with st.container(border=True):
            meaning, rule = st.columns([3, 2], gap="medium")
            meaning.markdown(f"**{term.name}**  \n{term.plain}")
            rule_text = term.help(rules).split("**Rule:** ", 1)[1].split("\n\n", 1)[0]
            rule.markdown(f"**Rule:** {rule_text}  \n**Model:** `{term.model}`")

# ----------------------------------------------------------------------------- the rules themselves
if rules is not None:
    st.divider()
    st.subheader("The rules in definitions.yml")
    general, stages = st.columns(2, gap="large")
    with general:
        st.markdown("**Calendar, currency, SLA**")
        st.dataframe(
            pd.DataFrame(
                [
                    ("Time zone of months", rules.time_zone),
                    ("Fiscal year starts in month", str(rules.fiscal_year_start_month)),
                    ("Month frozen on day", str(rules.month_close_day)),
                    ("Home currency", rules.home_currency),
                    ("First sales touch within (hours)", f"{rules.sla.first_touch_hours:g}"),
                    ("MQL → SQL quality window (days)", str(rules.sla.mql_to_sql_window_days)),
                    ("MQL → SQL target rate", formatting.percent(rules.sla.mql_to_sql_target_rate)),
                    ("Untouched MQL is aging after (days)", str(rules.sla.untouched_aging_days)),
                    ("Sales touches", ", ".join(rules.sales_touch.engagement_types)),
                    ("Sales teams", ", ".join(rules.teams.sales)),
                    ("Marketing teams", ", ".join(rules.teams.marketing)),
                    ("Counted deal pipelines", str(rules.deal_pipelines)),
                ],
                columns=["Rule", "Value"],
            ),
            hide_index=True,
            placeholder="—",
        )
    with stages:
        st.markdown("**Funnel stages**")
        st.dataframe(
            pd.DataFrame(
                [
                    (
                        stage.label,
                        ", ".join(stage.lifecycle_stages),
                        rules.conversion_windows_days.get(f"{previous.key}_to_{stage.key}")
                        if previous
                        else None,
                    )
                    for previous, stage in zip([None, *rules.stages[:-1]], rules.stages, strict=True)
                ],
                columns=["Stage", "HubSpot lifecycle stages", "Window from the stage before (days)"],
            ),
            hide_index=True,
            placeholder="—",
        )
        st.caption(CONVERSION_WINDOW_RULE)
        st.markdown("**Source → team**")
        st.dataframe(
            pd.DataFrame(sorted(rules.source_team.items()), columns=["Original source", "Team"]),
            hide_index=True,
            placeholder="—",
        )
    st.markdown("**Deal stages, attribution, accounts, pipeline coverage**")
    weights = rules.attribution.w_shaped
    overrides = rules.deal_stages.stalled_after_days_by_pipeline
    st.dataframe(
        pd.DataFrame(
            [
                (
                    "Deal is stalled after (days without a stage change)",
                    str(rules.deal_stages.stalled_after_days),
                ),
                (
                    "Stalled threshold per pipeline",
                    ", ".join(f"{pipeline}: {days}" for pipeline, days in overrides.items()) or "none",
                ),
                ("Attribution model both teams read", rules.attribution.model.replace("_", "-")),
                ("Touches count up to (days before the deal)", str(rules.attribution.lookback_days)),
                (
                    "Touches besides contact creation",
                    ", ".join(rules.attribution.touch_interactions) or "none",
                ),
                (
                    "W-shaped shares (first touch / lead creation / opportunity / the rest)",
                    " / ".join(
                        formatting.percent(share)
                        for share in (
                            weights.first_touch,
                            weights.lead_creation,
                            weights.opportunity_creation,
                            weights.other_touches,
                        )
                    ),
                ),
                (
                    "A won deal is expansion when",
                    "its account had an earlier win"
                    if rules.accounts.expansion_rule == "prior_won_deal"
                    else "HubSpot's deal type is existingbusiness",
                ),
                ("Coverage is measured against", f"the {rules.pipeline_coverage.target_team} revenue target"),
                (
                    "Open deals counted for coverage",
                    "closing by the period's end"
                    if rules.pipeline_coverage.open_deals == "closing_in_period"
                    else "every open deal",
                ),
                ("Healthy coverage", f"{rules.pipeline_coverage.healthy_coverage:g}x"),
            ],
            columns=["Rule", "Value"],
        ),
        hide_index=True,
        placeholder="—",
    )
    with st.expander("The whole definitions file"):
        from onefunnel.definitions import definitions_path

        try:
            st.code(definitions_path().read_text(encoding="utf-8"), language="yaml")
        except OSError:
            layout.empty("The definitions file cannot be read here.")
