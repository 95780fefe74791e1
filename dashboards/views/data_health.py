"""Data health: how fresh the numbers are, how the last run went, every quality check with its result and
links to the Data Docs and dbt docs — so nobody has to ask whether today's numbers can be trusted."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st
from dashboards.lib import layout, queries, status

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "Data health",
    "How fresh the numbers are, whether the last run passed its quality checks, and where to look when not.",
    ctx,
)
layout.require_snapshot(ctx)
run, version = ctx.run, ctx.version

# ----------------------------------------------------------------------------- tiles
labels = {"passed": "Passed", "warning": "Passed with warnings", "failed": "Failed"}
tiles = st.columns(4)
as_of = ctx.data_as_of
age_hours = None
if as_of is not None:
    age_hours = (datetime.now(as_of.tzinfo) - as_of).total_seconds() / 3600
layout.tile(
    "Data as of",
    formatting.timestamp(as_of, tz_name=ctx.time_zone).rsplit(",", 1)[-1].strip()
    if as_of
    else formatting.DASH,
    note=f"{formatting.timestamp(as_of, tz_name=ctx.time_zone).split(',')[0]} · "
    f"{formatting.hours(age_hours)} ago"
    if as_of is not None and age_hours is not None
    else None,
    container=tiles[0],
)
layout.tile(
    "Quality of the published run",
    labels.get(str(run.get("quality_status")), str(run.get("quality_status"))),
    note=f"run {run.get('run_id')}",
    container=tiles[1],
)
total, failed = int(run.get("checks_total") or 0), int(run.get("checks_failed") or 0)
layout.tile("Checks passed", f"{total - failed} of {total}", note=f"{failed} not passed", container=tiles[2])
layout.tile(
    "Warnings",
    formatting.count(len(run.get("warnings") or [])),
    note="published with notices" if run.get("warnings") else "none",
    container=tiles[3],
)

# ----------------------------------------------------------------------------- the latest run
st.subheader("The latest pipeline run")
latest = status.latest_quality_run()
if ctx.failure:
    st.error(
        f"Run **{ctx.failure.get('run_id')}** was stopped by the quality gate and not published; the "
        "dashboard keeps "
        "serving the last good snapshot.",
        icon=":material/error:",
    )
    for reason in ctx.failure.get("reasons") or []:
        st.markdown(f"- {reason}")
elif latest and latest.get("run_id") not in (None, run.get("run_id")):
    st.info(
        f"A newer quality run ({latest['run_id']}, "
        f"{labels.get(latest.get('status'), latest.get('status'))}) has not "
        "been published yet.",
        icon=":material/schedule:",
    )
else:
    st.success("The latest run is the one being shown.", icon=":material/check_circle:")
published = run.get("published_at")
facts = pd.DataFrame(
    [
        (
            "Published",
            formatting.timestamp(published, tz_name=ctx.time_zone)
            if isinstance(published, datetime)
            else "—",
        ),
        (
            "Warehouse built",
            formatting.timestamp(run.get("warehouse_built_at"), tz_name=ctx.time_zone)
            if isinstance(run.get("warehouse_built_at"), datetime)
            else "—",
        ),
        ("Quality run", str(run.get("run_id"))),
        ("Extraction run", str(run.get("landing_run_id") or "—")),
        ("Definitions version", str(run.get("definitions_version") or "—")),
        ("Snapshot file", version.path),
        ("Snapshot size", f"{version.size / 2**20:,.1f} MB"),
    ],
    columns=["", "Value"],
)
st.dataframe(facts, hide_index=True)

# ----------------------------------------------------------------------------- checks
st.subheader("Quality checks of the published run")
checks = queries.checks(version)
if checks.empty:
    layout.empty("The snapshot carries no check results.")
else:
    show_all = st.toggle("Show passed checks too", value=False, key="all_checks")
    shown = checks if show_all else checks[checks["status"] != "passed"]
    if shown.empty:
        st.success(f"All {len(checks)} checks passed.", icon=":material/check_circle:")
    else:
        st.dataframe(
            shown.rename(
                columns={
                    "name": "Check",
                    "checkpoint": "Checkpoint",
                    "table_name": "Table",
                    "severity": "Severity",
                    "status": "Status",
                    "waived": "Waived",
                    "message": "Result",
                }
            )[["Status", "Severity", "Check", "Table", "Result", "Checkpoint", "Waived"]],
            hide_index=True,
            placeholder="—",
            column_config={"Result": st.column_config.TextColumn(width="large")},
        )
    st.caption("Critical checks block publishing; warning checks publish with a notice on every page.")

# ----------------------------------------------------------------------------- stage dates
st.subheader("Where the stage dates come from")
SOURCE_LABELS = {
    "stage_property": "Stage date property",
    "date_entered_property": "Date-entered property",
    "history": "Lifecycle history (fallback)",
    "create_date": "Create date (fallback)",
}
sources = queries.stage_date_sources(version)
if sources.empty:
    layout.empty(
        "This snapshot does not say where its stage dates come from (published before it was counted)."
    )
else:
    leads = sources[sources["stage_key"] == "any_stage"]
    on_fallback = int(leads.loc[leads["is_fallback"], "contacts"].sum())
    total_leads = int(leads["contacts"].sum())
    by_source = dict(zip(leads["date_source"], leads["contacts"].astype(int), strict=True))
    stage_rows = sources[sources["stage_key"] != "any_stage"]
    fallback_entries = (
        stage_rows[stage_rows["is_fallback"]].groupby("stage_label", sort=False)["contacts"].sum()
    )
    date_tiles = st.columns(2)
    layout.tile(
        "Leads on a fallback date",
        formatting.count(on_fallback),
        note=f"of {formatting.count(total_leads)} leads · {formatting.count(by_source.get('history', 0))} by "
        f"lifecycle history, {formatting.count(by_source.get('create_date', 0))} by create date",
        container=date_tiles[0],
    )
    if len(fallback_entries) > 1:
        second = fallback_entries.index[1]
        layout.tile(
            f"{second}s on a fallback date",
            formatting.count(int(fallback_entries.iloc[1])),
            note="stage entries counted in the funnel",
            container=date_tiles[1],
        )
    table = stage_rows.pivot_table(
        index=["stage_order", "stage_label"], columns="date_source", values="contacts", aggfunc="sum"
    ).reindex(columns=list(SOURCE_LABELS), fill_value=0)
    table = table.fillna(0).astype(int).rename(columns=SOURCE_LABELS).reset_index(level=0, drop=True)
    st.dataframe(
        table.reset_index().rename(columns={"stage_label": "Stage"}),
        hide_index=True,
        column_config={
            label: st.column_config.NumberColumn(format="localized") for label in SOURCE_LABELS.values()
        },
    )
    st.caption(
        "Contacts that reached each stage, by where their stage date came from: HubSpot's stage date "
        "property, its date-entered property (custom lifecycle stages), else the first time the lifecycle "
        "history shows the stage, else - for a contact with no stage date at all, when the definitions allow "
        "it - its create date. The last two are fallbacks (typically imported contacts)."
    )

# ----------------------------------------------------------------------------- docs
st.subheader("Data Docs and dbt docs")
docs = run.get("data_docs") or (latest or {}).get("data_docs")
st.markdown(
    "Served here, behind the same sign-in: Great Expectations' Data Docs for this run (every expectation, "
    "with examples of failing rows), the run's quality report on one page, and dbt's documentation of every "
    "model."
    if docs
    else "This run built no Data Docs (`onefunnel check` builds them unless --no-docs); dbt's documentation "
    "of every model may still be there."
)
DOCS_PAGE = "views/docs.py"
links = st.columns(4)
for column, (params, label, icon) in zip(
    links,
    [
        ({"doc": "data-docs", "page": "latest.html"}, "Quality report", ":material/fact_check:"),
        ({"doc": "data-docs", "page": "index.html"}, "Data Docs", ":material/rule:"),
        ({"doc": "dbt"}, "dbt docs", ":material/account_tree:"),
        ({"doc": "pack"}, "Monthly pack", ":material/print:"),
    ],
    strict=True,
):
    column.page_link(DOCS_PAGE, label=label, icon=icon, query_params=params)

# ----------------------------------------------------------------------------- contents
with st.expander("What the snapshot holds"):
    rows = queries.table_rows(version)
    st.dataframe(
        rows.rename(columns={"table_schema": "Schema", "table_name": "Table", "row_count": "Rows"}),
        hide_index=True,
        placeholder="—",
        column_config={"Rows": st.column_config.NumberColumn(format="localized")},
    )
