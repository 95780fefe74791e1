"""Reps: follow-up by owner for the month's MQLs — assigned, within SLA, median speed to lead, untouched and
aging, and the cherry-picking index; a sortable table and the trend of each rep's share within SLA."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from dashboards.lib import charts, layout, queries
from dashboards.lib.glossary import help_text

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "Reps",
    "Is every rep following up the MQLs they own, in time, and without picking only the easy ones?",
    ctx,
)
layout.require_snapshot(ctx)
layout.slice_note(ctx)

version, chosen = ctx.version, ctx.filters
part = chosen.part
rules = layout.definitions()
month = chosen.month
frame = queries.reps(version, chosen.start, chosen.end, part)
this_month = frame[frame["month_start"] == month]
active = this_month[this_month["mqls_assigned"] > 0]

st.subheader(f"MQLs of {formatting.month_label(month)}" + (" (to date)" if chosen.is_partial_month else ""))
if active.empty:
    layout.empty(
        f"No rep was assigned an MQL in {formatting.month_label(month)}"
        + (" in this filtered slice." if part.contacts else ".")
    )
    st.stop()

assigned = float(active["mqls_assigned"].sum())
pending = float(active["mqls_pending"].sum())
within = float(active["mqls_within_sla"].sum())
tiles = st.columns(4)
layout.tile(
    "Reps with MQLs",
    formatting.count(len(active)),
    container=tiles[0],
    note=f"{formatting.count(assigned)} MQLs assigned",
)
layout.tile(
    "Within SLA (all reps)",
    formatting.percent(within / (assigned - pending) if assigned - pending > 0 else None),
    help=help_text("within_sla", rules),
    container=tiles[1],
)
layout.tile(
    "Untouched",
    formatting.count(active["mqls_untouched"].sum()),
    help=help_text("untouched", rules),
    note=f"{formatting.count(active['mqls_aging'].sum())} aging",
    container=tiles[2],
)
spread = active["cherry_picking_index"].dropna()
layout.tile(
    "Largest cherry-picking index",
    formatting.points(spread.max()) if len(spread) else formatting.DASH,
    help=help_text("cherry_picking", rules),
    note=(active.loc[spread.idxmax(), "owner_name"] if len(spread) else "no rep with both grades"),
    container=tiles[3],
)

table = pd.DataFrame(
    {
        "Rep": active["owner_name"].fillna("Owner " + active["owner_id"].astype(str)),
        "Team": active["team_name"].fillna("—"),
        "MQLs assigned": active["mqls_assigned"].astype(int),
        "Within SLA": active["pct_within_sla"] * 100,
        "Median speed to lead (h)": active["median_speed_to_lead_hours"],
        "Touched late": active["mqls_breached"].astype(int),
        "Untouched": active["mqls_untouched"].astype(int),
        "Aging": active["mqls_aging"].astype(int),
        "Oldest untouched (days)": active["oldest_untouched_age_days"],
        "Cherry-picking index": active["cherry_picking_index"] * 100,
        "High-grade touch rate": (
            active["high_grade_mqls_touched"] / active["high_grade_mqls"].where(active["high_grade_mqls"] > 0)
        )
        * 100,
        "Low-grade touch rate": (
            active["low_grade_mqls_touched"] / active["low_grade_mqls"].where(active["low_grade_mqls"] > 0)
        )
        * 100,
    }
).sort_values(["Within SLA", "MQLs assigned"], ascending=[True, False], na_position="last")
st.dataframe(
    table,
    hide_index=True,
    placeholder="—",
    column_config={
        "Within SLA": st.column_config.ProgressColumn(
            format="%.0f%%", min_value=0, max_value=100, help=help_text("within_sla", rules)
        ),
        "Median speed to lead (h)": st.column_config.NumberColumn(
            format="%.1f", help=help_text("speed_to_lead", rules)
        ),
        "Oldest untouched (days)": st.column_config.NumberColumn(format="%.1f"),
        "Cherry-picking index": st.column_config.NumberColumn(
            format="%+.0f pts", help=help_text("cherry_picking", rules)
        ),
        "High-grade touch rate": st.column_config.NumberColumn(format="%.0f%%"),
        "Low-grade touch rate": st.column_config.NumberColumn(format="%.0f%%"),
    },
)
st.caption(
    "Click a column header to sort. Reps are the SLA owners of the month's MQLs; MQLs still inside their SLA "
    "window are left out of the shares. Touch rates count MQLs touched at all, in time or late."
)

st.divider()
left, right = st.columns(2, gap="large")
with left:
    st.markdown(f"**Share within SLA by rep** — {formatting.month_label(month)}")
    bars = active.dropna(subset=["pct_within_sla"]).assign(
        rep=lambda f: f["owner_name"].fillna(f["owner_id"])
    )
    if bars.empty:
        layout.empty("No rep has MQLs past their SLA window yet this month.")
    else:
        charts.show(
            charts.bars, bars, category="rep", value="pct_within_sla", kind="share", title="Within SLA"
        )
with right:
    st.markdown("**Cherry-picking index by rep** (near 0 is fair)")
    picks = active.dropna(subset=["cherry_picking_index"]).assign(
        rep=lambda f: f["owner_name"].fillna(f["owner_id"])
    )
    if picks.empty:
        layout.empty("No rep had both high- and low-grade MQLs past their SLA window this month.")
    else:
        charts.show(
            charts.bars,
            picks,
            category="rep",
            value="cherry_picking_index",
            kind="share",
            title="High − low touch rate",
        )

st.markdown(f"**Share within SLA by rep — {chosen.months} months to {formatting.short_month(month)}**")
trend = frame.dropna(subset=["pct_within_sla"])
trend = trend[trend["owner_id"].isin(active["owner_id"])]
if trend.empty:
    layout.empty("No rep of this month has a share within SLA in the range yet.")
else:
    trend = layout.month_frame(trend).assign(rep=lambda f: f["owner_name"].fillna(f["owner_id"]))
    charts.show(charts.trend, trend, value="pct_within_sla", series="rep", kind="share", title="Within SLA")
