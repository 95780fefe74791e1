"""Definitions preview: what a proposed definitions file would do to the numbers, before both teams adopt it.

Reads the preview that `onefunnel definitions preview PROPOSED.yml` wrote (its own file, never the published
snapshot), metric by metric and month by month, and the records that would move."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from dashboards.lib import hubspot_links, layout, preview, queries

ctx = layout.context()
layout.header(
    "Definitions preview",
    "What a proposed change to the shared definitions would do to past months' numbers, before anyone "
    "adopts it. Nothing here is published: the numbers everyone is paid on stay until the file changes.",
    ctx,
)

meta = queries.preview_query(preview.META)
if meta is None or meta.empty:
    layout.empty(
        "No preview exists. Run `onefunnel definitions preview PROPOSED.yml` to build the numbers under a "
        "proposed definitions file side by side with the ones in use; its report appears here."
    )
    st.stop()

about = meta.iloc[0]
st.markdown(
    f"**Current** `{about['current_version']}` ({about['current_definitions']}) vs **proposed** "
    f"`{about['proposed_version']}` ({about['proposed_definitions']}), both built from the same landing zone "
    f"as of {about['as_of']}."
)
st.caption(f"Preview made {about['created_at']}; {about['metric_months_compared']} metric-months compared.")

changes = queries.preview_query(preview.METRIC_CHANGES)
if changes is None or changes.empty:
    st.success("No differences: every metric, month and counted record is the same under both files.")
    st.stop()

totals = changes.groupby("metric_key", as_index=False)[["change", "records_added", "records_removed"]].sum()
columns = st.columns(min(4, len(totals)))
for index, row in enumerate(totals.itertuples()):
    with columns[index % len(columns)]:
        st.metric(
            row.metric_key,
            f"{row.change:+,.0f}" if float(row.change).is_integer() else f"{row.change:+,.2f}",
            f"+{row.records_added} / −{row.records_removed} records",
            delta_color="off",
        )

st.subheader("Metric by metric, month by month")
shown = changes.assign(month=pd.to_datetime(changes["month_start"]).dt.strftime("%Y-%m"))
st.dataframe(
    shown[
        [
            "metric_key",
            "month",
            "current_value",
            "proposed_value",
            "change",
            "records_added",
            "records_removed",
            "records_changed",
        ]
    ],
    hide_index=True,
    use_container_width=True,
)

st.subheader("The records that move")
options = [(row.metric_key, row.month_start) for row in changes.itertuples()]
chosen = st.selectbox(
    "Metric and month",
    options,
    format_func=lambda option: f"{option[0]} · {pd.Timestamp(option[1]):%Y-%m}",
)
moves = queries.preview_query(preview.MOVES, metric=chosen[0], month=chosen[1])
where = ctx.portal
moves = moves.assign(
    hubspot=[
        hubspot_links.record_url(where, kind, record)
        for kind, record in zip(moves["record_type"], moves["record_id"], strict=True)
    ]
)
st.dataframe(
    moves,
    hide_index=True,
    use_container_width=True,
    column_config={"hubspot": st.column_config.LinkColumn("HubSpot", display_text="open")},
)
if note := hubspot_links.missing_note(where):
    st.caption(note)
st.download_button(
    "Download these records (CSV)",
    data=moves.to_csv(index=False).encode("utf-8"),
    file_name=f"definitions-preview-{chosen[0]}-{pd.Timestamp(chosen[1]):%Y-%m}.csv",
    mime="text/csv",
)
with st.expander("The report as Markdown, for the pull request that proposes the change"):
    st.code(about["report_markdown"], language="markdown")
