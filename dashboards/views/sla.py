"""SLA: both sides of the agreement — marketing delivers enough good MQLs (vs target), sales follows every
owned MQL up in time (speed to lead, share within SLA, untouched and unassigned MQLs, the aging list)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from dashboards.lib import charts, drilldown, layout, queries
from dashboards.lib.glossary import help_text

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "SLA",
    "The two-way agreement: marketing delivers enough good MQLs; sales follows every owned MQL up in time.",
    ctx,
)
layout.require_snapshot(ctx)
layout.slice_note(ctx)

version, chosen = ctx.version, ctx.filters
part = chosen.part
rules = layout.definitions()
month, previous = chosen.month, chosen.previous_month
previous_name = previous.strftime("%b")
sla_hours = rules.sla.first_touch_hours if rules is not None else 24
marketing = queries.sla_marketing(version, chosen.start, chosen.end)
sales = queries.sla_sales(version, chosen.start, chosen.end, part)


def row_for(frame: pd.DataFrame, when) -> pd.Series | None:
    rows = frame[frame["month_start"] == when]
    return None if rows.empty else rows.iloc[0]


def number(row: pd.Series | None, column: str) -> float | None:
    if row is None or pd.isna(row[column]):
        return None
    return float(row[column])


month_name = formatting.month_label(month) + (" (to date)" if chosen.is_partial_month else "")
drills = {
    "MQLs": drilldown.stage("MQLs", "mql", "MQL", whole_funnel=True),
    "Within SLA": drilldown.sla_bucket(
        "Within SLA", "within_sla", "got a first sales touch within the SLA hours of its MQL date"
    ),
    "Breached": drilldown.sla_bucket("Breached", "breached", "got its first sales touch after the SLA hours"),
    "Untouched": drilldown.sla_bucket("Untouched", "untouched", "has an owner and no sales touch yet"),
    "No owner": drilldown.sla_bucket("No owner", "unassigned", "has no owner"),
}
st.subheader(month_name)
left, right = st.columns([1, 2], gap="large")

# ----------------------------------------------------------------------------- marketing's side
with left:
    st.markdown("#### Marketing's side")
    now, before = row_for(marketing, month), row_for(marketing, previous)
    tiles = st.columns(2)
    delivered = number(now, "mqls_delivered")
    before_delivered = number(before, "mqls_delivered")
    layout.tile(
        "MQLs",
        formatting.count(delivered),
        delta=None
        if before_delivered is None or delivered is None
        else f"{formatting.signed_count(delivered - before_delivered)} vs {previous_name}",
        help=help_text("mql_target", rules),
        note=layout.attainment_note(delivered, number(now, "mql_target"), formatting.count),
        container=tiles[0],
    )
    drilldown.button(drills["MQLs"], tiles[0])
    quality = number(now, "mql_to_sql_rate")
    target_rate = number(now, "mql_to_sql_target_rate")
    gap = None if quality is None or target_rate is None else quality - target_rate
    incomplete = bool(now["is_quality_incomplete"]) if now is not None else False
    layout.tile(
        "MQL → SQL",
        formatting.percent(quality),
        delta=None if gap is None else formatting.points(gap),
        delta_color="normal",
        help=help_text("mql_quality", rules),
        note=(f"Target {formatting.percent(target_rate)}" if target_rate is not None else "No target rate")
        + (" · window still open" if incomplete else ""),
        container=tiles[1],
    )
    if part.contacts:
        st.caption(
            "Marketing's side is measured on the whole funnel (its targets are), so the filters do not apply."
        )

# ----------------------------------------------------------------------------- sales' side
with right:
    st.markdown("#### Sales' side")
    now, before = row_for(sales, month), row_for(sales, previous)
    tiles = st.columns(4)
    within = number(now, "pct_within_sla")
    within_before = number(before, "pct_within_sla")
    layout.tile(
        "Within SLA",
        formatting.percent(within),
        delta=None
        if within is None or within_before is None
        else f"{formatting.points(within - within_before)} vs {previous_name}",
        help=help_text("within_sla", rules),
        note=f"{formatting.count(number(now, 'mqls_within_sla'))} of "
        f"{formatting.count(number(now, 'mqls_sla_due'))} due",
        container=tiles[0],
    )
    drilldown.button(drills["Within SLA"], tiles[0])
    speed = number(now, "median_speed_to_lead_hours")
    speed_before = number(before, "median_speed_to_lead_hours")
    layout.tile(
        "Median speed",
        formatting.hours(speed),
        delta=None
        if speed is None or speed_before is None
        else f"{speed - speed_before:+.1f} h vs {previous_name}",
        delta_color="inverse",
        help=help_text("speed_to_lead", rules),
        note=f"p75 {formatting.hours(number(now, 'p75_speed_to_lead_hours'))} · SLA {sla_hours:g} h",
        container=tiles[1],
    )
    layout.tile(
        "Untouched",
        formatting.count(number(now, "mqls_untouched")),
        help=help_text("untouched", rules),
        note=f"{formatting.count(number(now, 'mqls_aging'))} aging · "
        f"{formatting.count(number(now, 'mqls_pending'))} "
        "clock running",
        container=tiles[2],
    )
    drilldown.button(drills["Untouched"], tiles[2])
    layout.tile(
        "No owner",
        formatting.count(number(now, "mqls_unassigned")),
        help=help_text("untouched", rules),
        note=f"of {formatting.count(number(now, 'mqls'))} MQLs",
        container=tiles[3],
    )
    drilldown.button(drills["No owner"], tiles[3])

drilldown.section(ctx, list(drills.values()), month, part)

# ----------------------------------------------------------------------------- trends
st.divider()
st.subheader(f"Trends — {chosen.months} months to {formatting.short_month(month)}")
left, right = st.columns(2, gap="large")
with left:
    st.markdown("**MQLs delivered** against marketing's target (dashed)")
    frame = layout.month_frame(marketing)
    if frame.empty or frame["mqls_delivered"].fillna(0).sum() == 0:
        layout.empty("No MQLs were delivered in this range.")
    else:
        charts.show(
            charts.trend, frame, value="mqls_delivered", title="MQLs", target="mql_target", mark="bar"
        )
    st.markdown("**MQL → SQL quality** against the target rate (dashed)")
    quality_frame = frame.dropna(subset=["mql_to_sql_rate"])
    if quality_frame.empty:
        layout.empty("No MQL cohort in this range has a quality rate yet.")
    else:
        charts.show(
            charts.trend,
            quality_frame,
            value="mql_to_sql_rate",
            kind="share",
            title="MQL → SQL",
            target="mql_to_sql_target_rate",
        )
        open_months = quality_frame[quality_frame["is_quality_incomplete"]]["month_start"]
        if len(open_months):
            st.caption(
                f"From {formatting.short_month(open_months.min())} on, the MQL → SQL window is still "
                "open: those rates "
                "can still rise."
            )
with right:
    st.markdown("**What happened to each month's MQLs** (sales' side)")
    buckets = [
        ("mqls_within_sla", "Within SLA", charts.GOOD),
        ("mqls_breached", "Touched late", charts.WARN),
        ("mqls_untouched", "Untouched", charts.BAD),
        ("mqls_unassigned", "No owner", charts.NEUTRAL),
    ]
    long = []
    for order, (column, label, _) in enumerate(buckets):
        long.append(
            sales[["month_start", column]]
            .rename(columns={column: "mqls"})
            .assign(bucket=label, series_order=order)
        )
    stacked = layout.month_frame(pd.concat(long, ignore_index=True))
    if stacked["mqls"].fillna(0).sum() == 0:
        layout.empty("No MQLs in this range.")
    else:
        charts.show(
            charts.stacked_months,
            stacked,
            value="mqls",
            series="bucket",
            order=tuple(label for _, label, _ in buckets),
            colors=tuple(color for _, _, color in buckets),
            title="MQLs",
        )
    st.markdown("**Share within SLA**")
    share = layout.month_frame(sales).dropna(subset=["pct_within_sla"])
    if share.empty:
        layout.empty("No MQL in this range has reached the end of its SLA window yet.")
    else:
        charts.show(charts.trend, share, value="pct_within_sla", kind="share", title="Within SLA")

# ----------------------------------------------------------------------------- speed-to-lead distribution
st.divider()
st.subheader(f"Speed to lead — MQLs of {formatting.month_label(month)}")
distribution = queries.speed_distribution(version, month, part)
if distribution.empty:
    layout.empty(f"There were no MQLs in {formatting.month_label(month)}.")
else:
    order = [
        "Up to 1 h",
        "1–4 h",
        "4–24 h",
        "1–3 days",
        "3–7 days",
        "Over 7 days",
        "Not touched",
        "Not touched yet (clock running)",
        "No owner",
    ]
    status_names = {
        "within_sla": "Within SLA",
        "breached": "Touched late",
        "untouched": "Untouched",
        "unassigned": "No owner",
    }
    shaped = distribution.assign(
        outcome=distribution.apply(
            lambda row: (
                "Clock running"
                if row["is_sla_pending"]
                else status_names.get(row["sla_status"], row["sla_status"])
            ),
            axis=1,
        )
    )
    shaped = shaped.groupby(["bucket", "outcome"], as_index=False)["mqls"].sum()
    charts.show(
        charts.bars,
        shaped,
        category="bucket",
        value="mqls",
        title="MQLs",
        color="outcome",
        horizontal=False,
        sort=tuple(bucket for bucket in order if bucket in set(shaped["bucket"])),
        colors=(
            ("Within SLA", "Touched late", "Untouched", "Clock running", "No owner"),
            (charts.GOOD, charts.WARN, charts.BAD, charts.MUTED, charts.NEUTRAL),
        ),
    )
    st.caption(
        f"Time from the SLA clock start to the first sales touch. Within SLA means {sla_hours:g} hours "
        "or less "
        "(definitions: sla.first_touch_hours)."
    )

# ----------------------------------------------------------------------------- aging list
st.divider()
st.subheader("MQLs still waiting")
waiting = queries.aging_count(version, part)
if waiting == 0:
    layout.empty("No MQL is waiting: every MQL has an owner and has been touched by sales.")
else:
    aging = queries.aging(version, ctx.data_as_of or pd.Timestamp.now(tz="UTC").to_pydatetime(), part)
    shown = len(aging)
    st.caption(
        f"{formatting.count(waiting)} MQL{'s' if waiting != 1 else ''} still wait for a first sales "
        "touch or an "
        "owner, whatever month they became "
        f"MQLs{'' if shown == waiting else f'; the {shown} oldest are listed'}. "
        "Days waiting are counted to the data's as-of time."
    )
    table = pd.DataFrame(
        {
            "Contact": [layout.record_link(ctx, value) or str(value) for value in aging["contact_id"]],
            "Waiting for": aging["waiting_for"].map(
                {
                    "No owner": "an owner",
                    "Untouched": "a first touch",
                    "Clock running": "a first touch (in SLA)",
                }
            ),
            "Owner": aging["owner_name"].fillna("—"),
            "Team": aging["team_name"].fillna("—"),
            "MQL since": pd.to_datetime(aging["mql_local_at"]),
            "Days waiting": aging["days_waiting"].astype(float),
            "Aging": aging["is_aging"].fillna(False).astype(bool),
            "Grade": aging["lead_grade"],
            "Source": aging["original_source"].map(
                lambda value: value.replace("_", " ").capitalize() if value else "—"
            ),
        }
    )
    contact_column = (
        st.column_config.LinkColumn(
            "Contact", display_text=r"record/0-1/(\d+)", help="Opens the record in HubSpot"
        )
        if ctx.portal_id
        else st.column_config.TextColumn(
            "Contact", help="HubSpot contact id (set ONEFUNNEL_HUBSPOT_PORTAL_ID for links)"
        )
    )
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        column_config={
            "Contact": contact_column,
            "MQL since": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
            "Days waiting": st.column_config.NumberColumn(format="%.1f"),
            "Aging": st.column_config.CheckboxColumn(help=help_text("untouched", rules)),
        },
    )
