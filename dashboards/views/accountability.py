"""Monthly accountability: pick a frozen month — the numbers reported at month close against targets,
what they are today (restatements and their causes), month over month; download as CSV or as a printable
page."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from dashboards.lib import accountability, drilldown, layout, queries
from dashboards.lib.glossary import help_text

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "Monthly accountability",
    "What the monthly meeting saw: each month's numbers frozen at month close, against target — and what "
    "changed since, with the reason.",
    ctx,
)
layout.require_snapshot(ctx)
version = ctx.version
rules = layout.definitions()
frozen = queries.frozen_months(version)
if not frozen:
    close_day = rules.month_close_day if rules is not None else 5
    layout.empty(
        "No month has been frozen yet. A month is frozen as reported on day "
        f"{close_day} of the following month (definitions: month_close_day), by the first pipeline run after "
        "that day."
    )
    st.stop()

LATEST = "latest"
chosen = st.selectbox(
    "Frozen month",
    [LATEST, *frozen],
    format_func=lambda option: (
        f"Latest frozen month ({formatting.month_label(frozen[0])})"
        if option == LATEST
        else formatting.month_label(option)
    ),
    key="frozen",
    bind="query-params",
    help="Months are frozen at month close; pick one to see exactly what was reported.",
)
month = frozen[0] if chosen == LATEST else chosen
earlier = [candidate for candidate in frozen if candidate < month]
previous = earlier[0] if earlier else None
rows = queries.accountability(version, previous or month, month)
month_rows = rows[rows["month_start"] == month]
previous_rows = rows[rows["month_start"] == previous] if previous else rows.iloc[0:0]
targets = queries.targets(version, month, month)
table = accountability.pack(month_rows, previous_rows, targets)
restated = queries.restatements(version, month)
first = month_rows.iloc[0]
frozen_at, frozen_as_of = first["frozen_at"], first["frozen_data_as_of"]
reported_version, current_version = first["reported_definitions_version"], first["definitions_version"]

st.markdown(
    f"**{formatting.month_label(month)}** was frozen on "
    f"{formatting.timestamp(pd.Timestamp(frozen_at).to_pydatetime())} "
    f"(UTC) with data as of {formatting.timestamp(pd.Timestamp(frozen_as_of).to_pydatetime())} (UTC), under "
    f"definitions **{reported_version}**."
    + (
        f" The definitions have changed since (now **{current_version}**): part of any restatement may come "
        "from that."
        if bool(first["is_definition_changed"])
        else ""
    )
)
st.caption(
    "The frozen figures are the whole funnel as reported; the sidebar's team, owner and source filters "
    "do not "
    "apply to this page."
)


SHORT_LABELS = {"sourced_pipeline__marketing": "Marketing pipeline", "share_within_sla": "Within SLA"}


# The records behind each tile as counted today (for a restated month they differ from the reported value by
# the restatement): the rows of fct_metric_contributions; within SLA lists the MQLs inside the SLA.
DRILLS = {
    "stage_entered__mql": ("stage_entered__mql", "reached MQL in the month"),
    "stage_entered__sql": ("stage_entered__sql", "reached SQL in the month"),
    "sourced_pipeline__marketing": (
        "sourced_pipeline__marketing",
        "was created in the month, sourced by marketing; its amount counts",
    ),
    "revenue_won": ("revenue_won", "closed won in the month; its home-currency amount counts"),
    "share_within_sla": ("mqls_within_sla", "got a first sales touch within the SLA hours of its MQL date"),
}
drills: dict[str, drilldown.Drill] = {}


def tile_for(key: str, container) -> None:
    found = table[table["metric_key"] == key]
    if found.empty:
        container.empty()
        return
    row = found.iloc[0]
    label = SHORT_LABELS.get(key, row["metric"])
    if key in DRILLS:
        drills[label] = drilldown.contribution(label, *DRILLS[key])
    restatement = row["restatement"]
    layout.tile(
        SHORT_LABELS.get(key, row["metric"]),
        accountability.show(row["reported"], row["kind"], ctx.currency),
        delta=None
        if restatement is None or pd.isna(restatement) or restatement == 0
        else f"{accountability.show(restatement, row['kind'], ctx.currency, signed=True)} since",
        delta_color="off",
        help=help_text("restatement", rules),
        note=(
            f"Target {accountability.show(row['target'], row['kind'], ctx.currency)} · "
            f"{formatting.percent(row['attainment'])} attained"
            if row["target"] is not None and not pd.isna(row["target"])
            else "reported at month close"
        ),
        container=container,
    )
    if label in drills:
        drilldown.button(drills[label], container)


tiles = st.columns(5)
for key, column in zip(
    [
        "stage_entered__mql",
        "stage_entered__sql",
        "sourced_pipeline__marketing",
        "revenue_won",
        "share_within_sla",
    ],
    tiles,
    strict=True,
):
    tile_for(key, column)
if drills:
    drilldown.section(ctx, list(drills.values()), month, queries.ALL)
    if st.session_state.get(drilldown.CHOSEN_KEY) in drills:
        st.caption("The records counted today; a restated month's reported value differs by its restatement.")

st.subheader("Reported vs target, today and last month")
shown = accountability.display_table(table, ctx.currency)
st.caption("Tiles: the reported value; the grey figure below it is what has been restated since the freeze.")
st.dataframe(
    shown,
    hide_index=True,
    placeholder="—",
    height=35 * (len(shown) + 1) + 3,  # every metric visible without scrolling
    # the Causes column only when something was restated
    column_order=[
        name for name in shown.columns if name != "Causes" or shown["Causes"].str.len().gt(0).any()
    ],
    column_config={
        "Metric": st.column_config.TextColumn(width="medium"),
        "Causes": st.column_config.TextColumn(width="large"),
        **{
            name: st.column_config.TextColumn(width="small")
            for name in ("Target", "Attainment", "Today", "Restatement")
        },
    },
)
download_left, download_right, _ = st.columns([1, 1, 3])
month_text = month.strftime("%Y-%m")
download_left.download_button(
    "Download CSV",
    data=accountability.csv_bytes(table, month),
    file_name=f"onefunnel-accountability-{month_text}.csv",
    mime="text/csv",
    icon=":material/download:",
)
download_right.download_button(
    "Printable page",
    data=accountability.printable_html(
        month,
        table,
        restated,
        currency=ctx.currency,
        frozen_at=pd.Timestamp(frozen_at).to_pydatetime(),
        frozen_data_as_of=pd.Timestamp(frozen_as_of).to_pydatetime(),
        reported_version=reported_version,
        current_version=current_version,
        data_as_of=formatting.timestamp(ctx.data_as_of, tz_name=ctx.time_zone),
    ),
    file_name=f"onefunnel-accountability-{month_text}.html",
    mime="text/html",
    icon=":material/print:",
    help="A self-contained page to open in a browser and print (or save as PDF).",
)

st.divider()
st.subheader("Restatements since the freeze")
if restated.empty:
    st.success(
        f"Nothing was restated: every number of {formatting.month_label(month)} is today what was reported.",
        icon=":material/check_circle:",
    )
else:
    explained = pd.DataFrame(
        {
            "Metric": [accountability.metric_for(key).label for key in restated["metric_key"]],
            "Cause": restated["cause"].map(lambda cause: accountability.CAUSES.get(cause, cause)),
            "Restatement": [
                accountability.show(value, accountability.metric_for(key).kind, ctx.currency, signed=True)
                for key, value in zip(restated["metric_key"], restated["restatement"], strict=True)
            ],
            "Records added or increased": restated["records_added_or_increased"].astype(int),
            "Records removed or decreased": restated["records_removed_or_decreased"].astype(int),
        }
    )
    st.dataframe(explained, hide_index=True)
    st.caption(
        "Each restatement is explained record by record: a record that arrived or changed after the "
        "freeze is late "
        "data; a record deleted or merged away is a deleted record; an unchanged record counted "
        "differently is a "
        "definition change. Pick a metric below to see its records: added minus removed is the restatement "
        "of a count."
    )
    # The records behind each restatement (frozen record by record at month close), with links and a CSV.
    drilldown.restatement_section(ctx, month, restated, {metric: rule for metric, rule in DRILLS.values()})

st.divider()
st.subheader("Reported, month by month")
history = queries.accountability(version, frozen[-1], frozen[0])
if history.empty:
    layout.empty("No frozen months to compare.")
else:
    wide = history.pivot_table(
        index="metric_key", columns="month_start", values="reported_value", aggfunc="first"
    )
    recent = sorted(wide.columns)[-6:]
    order = [metric.key for metric in accountability.METRICS if metric.key in wide.index]
    compare = pd.DataFrame({"Metric": [accountability.metric_for(key).label for key in order]})
    for column in recent:
        compare[formatting.short_month(column)] = [
            accountability.show(wide.loc[key, column], accountability.metric_for(key).kind, ctx.currency)
            for key in order
        ]
    st.dataframe(compare, hide_index=True, height=35 * (len(compare) + 1) + 3)
    st.caption("The last six frozen months, as reported at each month's close.")
