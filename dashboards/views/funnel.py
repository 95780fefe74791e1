"""Funnel: the month's leads, MQLs, SQLs, opportunities and closed-won deals against target, the cohort
funnel with stage-to-stage conversion, 12-24-month trends and the velocity between stages."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from dashboards.lib import charts, drilldown, layout, queries
from dashboards.lib.glossary import help_text

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "Funnel",
    "How many leads, MQLs, SQLs, opportunities and closed-won deals — against target, and how they convert.",
    ctx,
)
layout.require_snapshot(ctx)
layout.slice_note(ctx)

version, chosen = ctx.version, ctx.filters
part = chosen.part
rules = layout.definitions()
month, previous = chosen.month, chosen.previous_month
month_name = formatting.month_label(month) + (" (to date)" if chosen.is_partial_month else "")
previous_name = previous.strftime("%b")

stage_list = queries.stages(version)
if stage_list.empty:
    layout.empty("The snapshot has no funnel stages, so there is no funnel to show.")
    st.stop()
first_stage = stage_list.iloc[0]["stage_key"]
period = queries.period(version, chosen.start, chosen.end, part)
deals = queries.deals(version, chosen.start, chosen.end, part)
targets = queries.targets(version, chosen.start, chosen.end)


def entered(stage_key: str, when) -> float:
    rows = period[(period["stage_key"] == stage_key) & (period["month_start"] == when)]
    return float(rows["contacts_entered"].sum())


def deal_value(column: str, when) -> float | None:
    rows = deals[deals["month_start"] == when]
    if rows.empty:
        return 0.0
    value = rows.iloc[0][column]
    return None if pd.isna(value) else float(value)


def target_for(team: str, metric: str, when) -> float | None:
    if part.deals:  # targets are set for the whole funnel, not for a slice of it
        return None
    rows = targets[
        (targets["team"] == team) & (targets["metric"] == metric) & (targets["month_start"] == when)
    ]
    return None if rows.empty else float(rows.iloc[0]["target_value"])


def delta(current: float | None, before: float | None, fmt=formatting.signed_count) -> str | None:
    if current is None or before is None:
        return None
    return f"{fmt(current - before)} vs {previous_name}"


# ----------------------------------------------------------------------------- tiles
st.subheader(month_name)
if chosen.is_partial_month:
    st.caption(
        "This month is still running: its numbers are month to date, compared with the whole previous month."
    )
has_previous = previous in set(chosen.available_months)
columns = st.columns(6)
tiles = [
    ("Leads", first_stage, None, "leads"),
    ("MQLs", "mql", ("marketing", "mqls"), "mqls"),
    ("SQLs", "sql", ("sales", "sqls"), "sqls"),
]
stage_labels = dict(zip(stage_list["stage_key"], stage_list["stage_label"], strict=True))
drills = {
    label: drilldown.stage(label, stage_key, stage_labels.get(stage_key, label))
    for label, stage_key, *_ in tiles
}
drills |= {
    "Opportunities": drilldown.deal("Opportunities", "deals_created", "was created in the month"),
    "Won deals": drilldown.deal("Won deals", "deals_won", "closed won in the month (its close date)"),
    "Won revenue": drilldown.deal(
        "Won revenue", "revenue_won", "closed won in the month; its home-currency amount counts"
    ),
}
for column, (label, stage_key, target_key, term) in zip(columns[:3], tiles, strict=True):
    value = entered(stage_key, month)
    before = entered(stage_key, previous) if has_previous else None
    target = target_for(*target_key, month) if target_key else None
    layout.tile(
        label,
        formatting.count(value),
        delta=delta(value, before),
        help=help_text(term, rules),
        note=layout.attainment_note(value, target, formatting.count),
        container=column,
    )
    drilldown.button(drills[label], column)

created = deal_value("deals_created", month)
layout.tile(
    "Opportunities",
    formatting.count(created),
    delta=delta(created, deal_value("deals_created", previous) if has_previous else None),
    help=help_text("opportunities", rules),
    note=f"Pipeline created {ctx.money(deal_value('pipeline_created', month), compact=True)}",
    container=columns[3],
)
drilldown.button(drills["Opportunities"], columns[3])
won = deal_value("deals_won", month)
win_rate = deal_value("win_rate_by_count", month)
layout.tile(
    "Won deals",
    formatting.count(won),
    delta=delta(won, deal_value("deals_won", previous) if has_previous else None),
    help=help_text("closed_won", rules),
    note=f"Win rate {formatting.percent(win_rate)}" if win_rate is not None else "No deals closed",
    container=columns[4],
)
drilldown.button(drills["Won deals"], columns[4])
revenue = deal_value("revenue_won", month)
revenue_before = deal_value("revenue_won", previous) if has_previous else None
layout.tile(
    "Won revenue",
    ctx.money(revenue, compact=True),
    delta=delta(revenue, revenue_before, lambda v: formatting.signed_money(v, ctx.currency, compact=True)),
    help=help_text("revenue", rules),
    note=layout.attainment_note(
        revenue, target_for("sales", "closed_won_revenue", month), lambda v: ctx.money(v, compact=True)
    ),
    container=columns[5],
)
drilldown.button(drills["Won revenue"], columns[5])
if part.deals:
    st.caption("Targets are set for the whole funnel, so they are not shown for a filtered slice.")
drilldown.section(ctx, list(drills.values()), month, part)

# ----------------------------------------------------------------------------- cohort funnel
cohorts = queries.cohorts(version, chosen.start, chosen.end, part)
st.divider()
st.subheader(f"Cohort funnel: contacts who became leads in {formatting.month_label(month)}")
cohort = cohorts[
    (cohorts["cohort_month"] == month) & (cohorts["cohort_stage_key"] == first_stage)
].sort_values("stage_order")
if cohort.empty or int(cohort["cohort_size"].max() or 0) == 0:
    layout.empty(
        f"No contacts became leads in {formatting.month_label(month)}, so this month has no cohort funnel."
    )
else:
    size = int(cohort["cohort_size"].iloc[0])
    funnel_frame = (
        cohort.assign(  # rates as funnel_cohort_monthly computes them (conversion, step conversion)
            reached=cohort["contacts_reached_within_window"].astype(float),
            share_of_cohort=cohort["conversion_rate"].astype(float),
            step_conversion=cohort["step_conversion_rate"].astype(float),
            status=cohort["is_incomplete"].map({True: "still maturing", False: "complete"}),
        )
    )
    funnel_frame["label"] = [
        f"{formatting.count(row.reached)}  ·  {formatting.percent(row.share_of_cohort)} of cohort"
        + (
            ""
            if pd.isna(row.step_conversion)
            else f"  ·  {formatting.percent(row.step_conversion)} from previous"
        )
        for row in funnel_frame.itertuples()
    ]
    chart_column, text_column = st.columns([3, 2])
    with chart_column:
        charts.show(charts.funnel, funnel_frame)
    with text_column:
        st.markdown(f"**{formatting.count(size)} contacts** became leads in {formatting.month_label(month)}.")
        steps = funnel_frame.iloc[1:]
        for previous_row, row in zip(funnel_frame.itertuples(), steps.itertuples(), strict=False):
            st.markdown(
                f"- {previous_row.stage_label} → {row.stage_label}: "
                f"**{formatting.percent(row.step_conversion)}**"
                f" (within {int(row.window_days)} days of becoming a lead)"
                + (" — *still maturing*" if row.is_incomplete else "")
            )
        st.caption(
            "Cohort view: each share is of the same contacts, so rates never mix populations. A stage is "
            "still "
            "maturing while its window has not closed for the whole month; its number can still rise."
        )
        st.caption(help_text("cohort_conversion", rules).split("\n\n")[1])

# ----------------------------------------------------------------------------- trends
st.divider()
st.subheader(f"Trends — {chosen.months} months to {formatting.short_month(month)}")
trend_left, trend_right = st.columns(2)
with trend_left:
    st.markdown("**Contacts entering each stage** (period view)")
    frame = layout.month_frame(period).rename(
        columns={"contacts_entered": "contacts", "stage_label": "stage"}
    )
    if frame["contacts"].sum() == 0:
        layout.empty("No contacts entered any stage in this range.")
    else:
        charts.show(charts.trend, frame, value="contacts", series="stage", title="Contacts")
with trend_right:
    st.markdown("**Closed-won revenue** against the sales target (dashed)")
    revenue_frame = layout.month_frame(deals)[["month", "month_start", "revenue_won"]]
    if not part.deals:
        target_rows = targets[(targets["team"] == "sales") & (targets["metric"] == "closed_won_revenue")]
        revenue_frame = revenue_frame.merge(
            target_rows[["month_start", "target_value"]], on="month_start", how="left"
        )
    if revenue_frame["revenue_won"].sum() == 0:
        layout.empty("No deals were won in this range.")
    else:
        charts.show(
            charts.trend,
            revenue_frame,
            value="revenue_won",
            kind="money",
            currency=ctx.currency,
            title="Revenue",
            target=None if part.deals else "target_value",
            mark="bar",
        )

conversion_left, conversion_right = st.columns(2)
stage_rows = stage_list.sort_values("stage_order").reset_index(drop=True)
steps = list(zip(stage_rows["stage_key"], stage_rows["stage_key"][1:], strict=False))
labels = dict(zip(stage_rows["stage_key"], stage_rows["stage_label"], strict=True))
step_frame = queries.lead_cohort_steps(version, chosen.start, chosen.end, part)
with conversion_left:
    st.markdown("**Step conversion by lead cohort** (share of those who reached the stage before)")
    if step_frame.empty or step_frame["rate"].notna().sum() == 0:
        layout.empty("No lead cohorts in this range.")
    else:
        charts.show(
            charts.trend,
            step_frame[["month", "step", "rate"]],
            value="rate",
            series="step",
            kind="share",
            title="Conversion",
        )
        st.caption("Recent cohorts are still maturing: their later steps can still rise.")

# ----------------------------------------------------------------------------- velocity
with conversion_right:
    st.markdown("**Velocity by lead cohort** — median days from one stage to the next")
    if step_frame.empty or step_frame["median_days_to_reach"].notna().sum() == 0:
        layout.empty("No contact moved between stages within the windows in this range.")
    else:
        velocity_frame = step_frame[["month", "step", "median_days_to_reach"]].dropna(
            subset=["median_days_to_reach"]
        )
        charts.show(
            charts.trend,
            velocity_frame,
            value="median_days_to_reach",
            series="step",
            kind="days",
            title="Median days",
        )

st.markdown(f"**Velocity of the {formatting.month_label(month)} cohorts**")
velocity_rows = []
for before_key, after_key in steps:
    row = cohorts[
        (cohorts["cohort_month"] == month)
        & (cohorts["cohort_stage_key"] == before_key)
        & (cohorts["stage_key"] == after_key)
    ]
    velocity_rows.append(
        {
            "Step": f"{labels[before_key]} → {labels[after_key]}",
            "Median days": None if row.empty else row.iloc[0]["median_days_to_reach"],
            "Made the step": None if row.empty else row.iloc[0]["contacts_reached_within_window"],
            "Cohort": None if row.empty else row.iloc[0]["cohort_size"],
            "Window (days)": None if row.empty else row.iloc[0]["window_days"],
        }
    )
velocity_rows.append(
    {
        "Step": "Deal created → won (sales cycle)",
        "Median days": deal_value("median_sales_cycle_days", month),
        "Made the step": deal_value("deals_won", month),
        "Cohort": None,
        "Window (days)": None,
    }
)
velocity_table = pd.DataFrame(velocity_rows).astype(
    {"Median days": float, "Made the step": float, "Cohort": float, "Window (days)": float}
)
if velocity_table["Median days"].isna().all():
    layout.empty(
        f"No contact of the {formatting.month_label(month)} cohorts has made a step yet, and no deal was won."
    )
else:
    st.dataframe(
        velocity_table,
        hide_index=True,
        placeholder="—",
        column_config={
            "Median days": st.column_config.NumberColumn(format="%.1f d", help=help_text("velocity", rules)),
            "Made the step": st.column_config.NumberColumn(format="%.0f"),
            "Cohort": st.column_config.NumberColumn(
                format="%.0f", help="Contacts that entered the first stage of the step"
            ),
            "Window (days)": st.column_config.NumberColumn(format="%.0f"),
        },
    )
    st.caption(
        "Each step is measured on the contacts that entered its first stage in the month; the sales cycle is "
        "for the deals won in the month."
    )
