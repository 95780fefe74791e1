"""Sources and credit: sourced and influenced pipeline and revenue by team and channel (first vs last touch),
lead quality by source, campaign and persona with the reasons leads fail, and conversion by lead grade."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from dashboards.lib import charts, drilldown, layout, queries
from dashboards.lib.filters import source_label
from dashboards.lib.glossary import help_text

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "Sources and credit",
    "Which team and channel bring the pipeline and revenue, and which leads actually work — sales' "
    "feedback to "
    "marketing, in numbers.",
    ctx,
)
layout.require_snapshot(ctx)
layout.slice_note(ctx)

version, chosen = ctx.version, ctx.filters
part = chosen.part
rules = layout.definitions()
month = chosen.month
range_name = f"{chosen.months} months to {formatting.short_month(month)}"
credit = queries.credit(version, chosen.start, chosen.end, part)


def credit_sum(
    frame: pd.DataFrame, column: str, attribution: str = "first_touch", team: str | None = None, when=None
) -> float:
    rows = frame[frame["attribution"] == attribution]
    if team:
        rows = rows[rows["team"] == team]
    if when is not None:
        rows = rows[rows["month_start"] == when]
    return float(rows[column].sum())


# ----------------------------------------------------------------------------- tiles (the month)
st.subheader(formatting.month_label(month) + (" (to date)" if chosen.is_partial_month else ""))
targets = queries.targets(version, month, month)
marketing_target = targets[(targets["team"] == "marketing") & (targets["metric"] == "sourced_pipeline")]
tiles = st.columns(5)
drills = {
    "Marketing pipeline": drilldown.deal(
        "Marketing pipeline",
        "sourced_pipeline__marketing",
        "was created in the month and its earliest-created contact came from a marketing source",
    ),
    "Sales pipeline": drilldown.deal(
        "Sales pipeline",
        "sourced_pipeline__sales",
        "was created in the month and its earliest-created contact came from a sales source",
    ),
}
marketing_pipeline = credit_sum(credit, "sourced_pipeline", team="marketing", when=month)
layout.tile(
    "Marketing pipeline",
    ctx.money(marketing_pipeline, compact=True),
    help=help_text("sourced", rules),
    note=None
    if part.deals or marketing_target.empty
    else layout.attainment_note(
        marketing_pipeline,
        float(marketing_target.iloc[0]["target_value"]),
        lambda v: ctx.money(v, compact=True),
    ),
    container=tiles[0],
)
drilldown.button(drills["Marketing pipeline"], tiles[0])
layout.tile(
    "Sales pipeline",
    ctx.money(credit_sum(credit, "sourced_pipeline", team="sales", when=month), compact=True),
    help=help_text("sourced", rules),
    container=tiles[1],
)
drilldown.button(drills["Sales pipeline"], tiles[1])
layout.tile(
    "Influenced pipeline",
    ctx.money(credit_sum(credit, "influenced_pipeline", when=month), compact=True),
    help=help_text("influenced", rules),
    note="any team's deals marketing touched",
    container=tiles[2],
)
layout.tile(
    "Marketing revenue",
    ctx.money(credit_sum(credit, "sourced_revenue", team="marketing", when=month), compact=True),
    help=help_text("sourced", rules),
    container=tiles[3],
)
layout.tile(
    "Sales revenue",
    ctx.money(credit_sum(credit, "sourced_revenue", team="sales", when=month), compact=True),
    help=help_text("sourced", rules),
    container=tiles[4],
)
drilldown.section(ctx, list(drills.values()), month, part)
st.caption(
    "Sourced by each team, first-touch credit (the original source); influenced = deals of either team that "
    "marketing touched before they were created. Pipeline counts by deal create month, revenue by close "
    "month."
)

# ----------------------------------------------------------------------------- credit by channel
st.divider()
st.subheader(f"Credit by team and channel — {range_name}")


# Page-level shaping is cached like the queries (same version + filters -> no pandas work on a warm rerun).
@queries.shaped
def credit_views(credit: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(by attribution, team and channel; first vs last touch per channel; first-touch pipeline by month)."""
    by_channel = (
        credit.groupby(["attribution", "team", "channel"], as_index=False, dropna=False)[
            [
                "deals_created",
                "sourced_pipeline",
                "influenced_pipeline",
                "deals_won",
                "sourced_revenue",
                "influenced_revenue",
            ]
        ]
        .sum()
        .assign(
            channel_name=lambda f: f["channel"].map(source_label),
            team=lambda f: f["team"].fillna("unattributed"),
        )
    )
    wide = by_channel.pivot_table(
        index="channel_name",
        columns="attribution",
        values=["sourced_pipeline", "sourced_revenue", "influenced_pipeline"],
        aggfunc="sum",
        fill_value=0,
    )
    wide.columns = [f"{value}__{attribution}" for value, attribution in wide.columns]
    table = pd.DataFrame(
        {
            "Channel": wide.index,
            "Pipeline (first touch)": wide.get("sourced_pipeline__first_touch", 0),
            "Pipeline (last touch)": wide.get("sourced_pipeline__last_touch", 0),
            "Revenue (first touch)": wide.get("sourced_revenue__first_touch", 0),
            "Revenue (last touch)": wide.get("sourced_revenue__last_touch", 0),
            "Marketing-influenced pipeline": wide.get("influenced_pipeline__first_touch", 0),
        }
    ).sort_values("Pipeline (first touch)", ascending=False)
    trend = (
        credit[credit["attribution"] == "first_touch"]
        .assign(team=lambda f: f["team"].fillna("unattributed"))
        .groupby(["month_start", "team"], as_index=False)["sourced_pipeline"]
        .sum()
    )
    return by_channel, table, layout.month_frame(trend)


if credit.empty:
    layout.empty("No deals were created or won in this range" + (" for this slice." if part.deals else "."))
else:
    by_channel, table, trend = credit_views(credit)
    measure = (
        st.segmented_control(
            "Measure",
            ["Pipeline", "Revenue"],
            default="Pipeline",
            key="credit_measure",
            bind="query-params",
            label_visibility="collapsed",
        )
        or "Pipeline"
    )
    column = "sourced_pipeline" if measure == "Pipeline" else "sourced_revenue"
    left, right = st.columns(2, gap="large")
    for place, attribution, title in (
        (left, "first_touch", "First touch (original source)"),
        (right, "last_touch", "Last touch (latest source)"),
    ):
        with place:
            st.markdown(f"**{title}** — sourced {measure.lower()}")
            rows = by_channel[(by_channel["attribution"] == attribution) & (by_channel[column] != 0)]
            if rows.empty:
                layout.empty(f"No {measure.lower()} in this range.")
            else:
                charts.show(
                    charts.bars,
                    rows,
                    category="channel_name",
                    value=column,
                    kind="money",
                    currency=ctx.currency,
                    title=f"Sourced {measure.lower()}",
                    color="team",
                    colors="team",
                )
    money_format = "dollar" if ctx.currency == "USD" else "accounting"
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        column_config={
            name: st.column_config.NumberColumn(format=money_format) for name in table.columns[1:]
        },
    )
    st.markdown("**Sourced pipeline by month and team** (first touch)")
    charts.show(
        charts.team_months,
        trend,
        value="sourced_pipeline",
        kind="money",
        currency=ctx.currency,
        title="Sourced pipeline",
    )

# ----------------------------------------------------------------------------- lead quality
st.divider()
st.subheader(f"Lead quality — leads of the {range_name}")
segment_names = {"source": "Source", "campaign": "Campaign", "persona": "Persona"}
segment = (
    st.segmented_control(
        "Segment",
        list(segment_names),
        format_func=segment_names.get,
        default="source",
        key="segment",
        bind="query-params",
    )
    or "source"
)


@queries.shaped
def quality_by_segment(quality: pd.DataFrame, segment: str) -> pd.DataFrame:
    """Leads, MQLs, SQLs, wins and disqualifications per segment value over the range, with their rates."""
    quality = quality[quality["segment_type"] == segment]
    grouped = (
        quality.assign(
            reaching_sql=quality["mql_to_sql_rate"].fillna(0) * quality["mqls"],
            sqls_won=quality["sql_to_won_rate"].fillna(0) * quality["sqls"],
        )
        .groupby("segment_value", as_index=False)[
            ["leads", "mqls", "sqls", "customers", "disqualified", "reaching_sql", "sqls_won"]
        ]
        .sum()
    )
    grouped = grouped.assign(
        mql_to_sql=(grouped["reaching_sql"] / grouped["mqls"].where(grouped["mqls"] > 0)) * 100,
        sql_to_won=(grouped["sqls_won"] / grouped["sqls"].where(grouped["sqls"] > 0)) * 100,
        disqualified_share=(grouped["disqualified"] / grouped["leads"].where(grouped["leads"] > 0)) * 100,
        name=grouped["segment_value"].map(source_label) if segment == "source" else grouped["segment_value"],
    )
    return grouped.sort_values("leads", ascending=False)


grouped = quality_by_segment(queries.lead_quality(version, chosen.start, chosen.end, part), segment)
if grouped.empty:
    layout.empty("No leads arrived in this range" + (" for this slice." if part.contacts else "."))
else:
    st.dataframe(
        grouped[
            ["name", "leads", "mqls", "mql_to_sql", "sqls", "sql_to_won", "customers", "disqualified_share"]
        ],
        hide_index=True,
        placeholder="—",
        column_config={
            "name": st.column_config.TextColumn(segment_names[segment]),
            "leads": st.column_config.NumberColumn("Leads", format="%d"),
            "mqls": st.column_config.NumberColumn("MQLs", format="%d"),
            "mql_to_sql": st.column_config.ProgressColumn(
                "MQL → SQL",
                format="%.0f%%",
                min_value=0,
                max_value=100,
                help=help_text("lead_quality", rules),
            ),
            "sqls": st.column_config.NumberColumn("SQLs", format="%d"),
            "sql_to_won": st.column_config.ProgressColumn(
                "SQL → won", format="%.0f%%", min_value=0, max_value=100
            ),
            "customers": st.column_config.NumberColumn("Won", format="%d"),
            "disqualified_share": st.column_config.NumberColumn("Disqualified", format="%.0f%%"),
        },
    )
    st.caption(
        "Rates are of the range's leads as of today (not windowed), so recent leads can still convert."
    )

    st.markdown(f"**Why leads did not work, by {segment_names[segment].lower()}**")
    reasons = queries.reasons(version, chosen.start, chosen.end, part)
    reasons = reasons[reasons["segment_type"] == segment]
    if reasons.empty:
        layout.empty("No lead of this range was disqualified and no deal it sourced was lost.")
    else:
        reason_names = {"disqualification": "Disqualified", "closed_lost_reason": "Deal lost"}
        shaped = (
            reasons.groupby(["segment_value", "reason_type", "reason"], as_index=False)["occurrences"]
            .sum()
            .assign(
                name=lambda f: (
                    f["segment_value"].map(source_label) if segment == "source" else f["segment_value"]
                ),
                why=lambda f: (
                    f["reason_type"].map(reason_names).fillna(f["reason_type"])
                    + ": "
                    + f["reason"].fillna("(none given)")
                ),
            )
        )
        top = shaped.groupby("name")["occurrences"].sum().nlargest(12).index
        top_reasons = shaped.groupby("why")["occurrences"].sum().nlargest(8).index
        cells = shaped[shaped["name"].isin(top) & shaped["why"].isin(top_reasons)]
        charts.show(
            charts.heatmap, cells, row="name", column="why", value="occurrences", title="Leads / deals"
        )
        st.caption(
            "Disqualified: the lead status or lifecycle stage sales set. Deal lost: the closed-lost "
            "reason of deals "
            "these leads sourced. The largest segments and reasons are shown."
        )

# ----------------------------------------------------------------------------- grade
st.divider()
st.subheader(f"Does the lead grade predict outcomes? — leads of the {range_name}")
grades = queries.grade_conversion(version, chosen.start, chosen.end, part)
if grades.empty:
    layout.empty("No leads arrived in this range" + (" for this slice." if part.contacts else "."))
else:
    leads_count = grades["leads"].where(grades["leads"] > 0)
    grades = grades.assign(
        lead_to_mql=grades["mqls"] / leads_count,
        mql_to_sql=grades["sqls"] / grades["mqls"].where(grades["mqls"] > 0),
        lead_to_won=grades["customers"] / leads_count,
    )
    long = grades.melt(
        id_vars=["lead_grade"],
        value_vars=["lead_to_mql", "mql_to_sql", "lead_to_won"],
        var_name="step",
        value_name="rate",
    ).assign(
        step=lambda f: f["step"].map(
            {"lead_to_mql": "Lead → MQL", "mql_to_sql": "MQL → SQL", "lead_to_won": "Lead → won"}
        )
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        charts.show(
            charts.bars,
            long,
            category="lead_grade",
            value="rate",
            kind="share",
            title="Conversion",
            color="step",
            horizontal=False,
            sort=tuple(sorted(grades["lead_grade"].dropna().unique())),
            stack=False,
        )
    with right:
        st.dataframe(
            grades[
                [
                    "lead_grade",
                    "leads",
                    "lead_to_mql",
                    "mql_to_sql",
                    "lead_to_won",
                    "avg_fit_score",
                    "avg_engagement_score",
                ]
            ].assign(
                lead_to_mql=lambda f: f["lead_to_mql"] * 100,
                mql_to_sql=lambda f: f["mql_to_sql"] * 100,
                lead_to_won=lambda f: f["lead_to_won"] * 100,
            ),
            hide_index=True,
            placeholder="—",
            column_config={
                "lead_grade": st.column_config.TextColumn("Grade", help=help_text("lead_grade", rules)),
                "leads": st.column_config.NumberColumn("Leads", format="%d"),
                "lead_to_mql": st.column_config.NumberColumn("Lead → MQL", format="%.0f%%"),
                "mql_to_sql": st.column_config.NumberColumn("MQL → SQL", format="%.0f%%"),
                "lead_to_won": st.column_config.NumberColumn("Lead → won", format="%.1f%%"),
                "avg_fit_score": st.column_config.NumberColumn("Avg fit", format="%.0f"),
                "avg_engagement_score": st.column_config.NumberColumn("Avg engagement", format="%.0f"),
            },
        )
        st.caption(
            "If the ranking works, A-leads convert best at every step. If not, both teams change the grade "
            "rules in definitions.yml together."
        )
