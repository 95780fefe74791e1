"""Deal pipeline: the deal-stage funnel per pipeline (how many deals reach each stage, how many move on,
how long they stay), the deals that have stalled, and whether open pipeline covers the revenue still to win
this month and quarter."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from dashboards.lib import charts, layout, queries, sql
from dashboards.lib.glossary import help_text

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "Deal pipeline",
    "Where deals move on, where they stall and how long each stage takes — and whether today's open pipeline "
    "is enough to reach the revenue target.",
    ctx,
)
layout.require_snapshot(ctx)
if not queries.has_table(ctx.version, "marts", "deal_stage_funnel"):
    layout.empty("This snapshot was published before this page existed: the next pipeline run publishes it.")
    st.stop()
version = ctx.version
rules = layout.definitions()


def money(value) -> str:
    return ctx.money(value, compact=True)


def coverage_text(value) -> str:
    if formatting.is_missing(value):
        return formatting.DASH
    return f"{value:.2f}x" if value < 1 else f"{value:.1f}x"


# ----------------------------------------------------------------------------- coverage
coverage = queries.query(version, sql.PIPELINE_COVERAGE)
st.subheader("Pipeline coverage")
if coverage.empty:
    layout.empty("No coverage is computed for this snapshot.")
else:
    tiles = st.columns(4)
    for place, (_, row) in zip((tiles[0:2], tiles[2:4]), coverage.iterrows(), strict=False):
        period = (
            formatting.short_month(row["period_start"])
            if row["period_type"] == "month"
            else f"quarter {row['period_start']:%b}–{row['period_end_month']:%b}"
        )
        healthy = row["healthy_coverage"]
        layout.tile(
            f"Coverage, {period}",
            coverage_text(row["coverage"]),
            help=help_text("pipeline_coverage", rules),
            note=(
                f"{money(row['open_pipeline'])} open of {money(row['revenue_to_win'])} still to win "
                f"(target {money(row['revenue_target'])}, won {money(row['revenue_won'])}); "
                f"healthy from {healthy:g}x"
            )
            if row["revenue_to_win"]
            else f"Target {money(row['revenue_target'])} already won ({money(row['revenue_won'])})",
            container=place[0],
        )
        layout.tile(
            f"Weighted, {period}",
            coverage_text(row["weighted_coverage"]),
            help=help_text("pipeline_coverage", rules),
            note=(
                f"{money(row['weighted_open_pipeline'])} at stage probability, "
                f"{int(row['open_deals'])} open deals"
            ),
            container=place[1],
        )
    st.caption(
        "Coverage = open pipeline ÷ revenue still to win in the period (target minus won so far). Weighted "
        "counts each open deal at its deal stage's probability."
    )

# ----------------------------------------------------------------------------- the deal-stage funnel
st.divider()
pipelines = queries.query(version, sql.DEAL_STAGE_PIPELINES)
if pipelines.empty:
    layout.empty("No deal pipeline is in this snapshot.")
    st.stop()
chosen_pipeline = ctx.filters.part.pipeline if ctx.filters is not None else None
pipeline_ids = list(pipelines["pipeline_id"])
pipeline_id = chosen_pipeline if chosen_pipeline in pipeline_ids else pipeline_ids[0]
labels = dict(zip(pipelines["pipeline_id"], pipelines["pipeline_label"], strict=True))
if len(pipeline_ids) > 1 and chosen_pipeline is None:
    pipeline_id = (
        st.segmented_control(
            "Pipeline",
            pipeline_ids,
            format_func=lambda key: labels.get(key) or key,
            default=pipeline_id,
            key="stage_pipeline",
        )
        or pipeline_id
    )
stages = queries.query(version, sql.DEAL_STAGE_FUNNEL, pipeline=pipeline_id)
st.subheader(f"Deal stages — {labels.get(pipeline_id) or pipeline_id}")
if stages.empty or int(stages["deals_reached"].max()) == 0:
    layout.empty("No deal has entered this pipeline's stages yet.")
    st.stop()

funnel_rows = stages[stages["stage_outcome"].isin(["open", "won"])].assign(
    label=lambda f: [
        f"{int(reached):,} reached"
        + ("" if formatting.is_missing(conversion) else f" · {conversion:.0%} move on")
        for reached, conversion in zip(f["deals_reached"], f["conversion_to_next_stage"], strict=True)
    ]
)
left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown("**Deals reaching each stage** (all time; skipped stages count as reached)")
    charts.show(
        charts.bars,
        funnel_rows,
        category="deal_stage_label",
        value="deals_reached",
        title="Deals reaching the stage",
        sort=tuple(funnel_rows["deal_stage_label"]),
    )
with right:
    open_rows = stages[stages["stage_outcome"] == "open"]
    layout.tile(
        "Open deals now",
        formatting.count(int(open_rows["deals_open_now"].sum())),
        note=f"{money(open_rows['open_amount_now'].sum())} open",
    )
    layout.tile(
        "Stalled deals",
        formatting.count(int(open_rows["deals_stalled_now"].sum())),
        help=help_text("stalled_deals", rules),
        note=f"{money(open_rows['stalled_amount_now'].sum())} not moving",
    )

st.markdown("**Stage by stage**")
table = pd.DataFrame(
    {
        "Stage": stages["deal_stage_label"],
        "Reached": stages["deals_reached"],
        "Skipped": stages["deals_skipped"],
        "Moved on": stages["deals_advanced"],
        "Moved back": stages["deals_moved_back"],
        "Lost from it": stages["deals_lost"],
        "To next stage": stages["conversion_to_next_stage"] * 100,
        "Median days": stages["median_days_in_stage"],
        "P75 days": stages["p75_days_in_stage"],
        "Open now": stages["deals_open_now"],
    }
)
st.dataframe(
    table,
    hide_index=True,
    placeholder="—",
    column_config={
        "To next stage": st.column_config.ProgressColumn(
            "To next stage",
            format="%.0f%%",
            min_value=0,
            max_value=100,
            help=help_text("deal_stage_conversion", rules),
        ),
        "Median days": st.column_config.NumberColumn(format="%.0f", help=help_text("days_in_stage", rules)),
        "P75 days": st.column_config.NumberColumn(format="%.0f"),
        "Reached": st.column_config.NumberColumn(help=help_text("deal_stage_reached", rules)),
    },
)
st.caption(
    "Moved on = left the stage for a later stage or a win; moved back = returned to an earlier stage. "
    "Days in stage count finished stays only."
)

# ----------------------------------------------------------------------------- stalled deals
stalled = queries.query(version, sql.STALLED_DEALS, pipeline=pipeline_id)
threshold = int(stages["stalled_after_days"].iloc[0])
st.markdown(f"**Stalled deals** — open and unchanged for {threshold} days or more, longest first")
if stalled.empty:
    layout.empty("No open deal in this pipeline has stalled.")
else:
    st.dataframe(
        stalled[["deal_name", "deal_stage_label", "owner_name", "amount", "days_in_stage"]],
        hide_index=True,
        placeholder="—",
        column_config={
            "deal_name": st.column_config.TextColumn("Deal"),
            "deal_stage_label": st.column_config.TextColumn("Stage"),
            "owner_name": st.column_config.TextColumn("Owner"),
            "amount": st.column_config.NumberColumn(
                "Amount", format="dollar" if ctx.currency == "USD" else "accounting"
            ),
            "days_in_stage": st.column_config.NumberColumn("Days in stage", format="%.0f"),
        },
    )
