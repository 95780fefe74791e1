"""Accounts: the funnel at company grain (an account reaches a stage when its first contact does), won
revenue split into new business and expansion, and the accounts that brought the most revenue."""

from __future__ import annotations

import streamlit as st
from dashboards.lib import charts, layout, queries, sql
from dashboards.lib.filters import source_label
from dashboards.lib.glossary import help_text

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "Accounts",
    "The funnel counted in companies instead of people, and how much revenue is new business and how much "
    "grows existing accounts.",
    ctx,
)
layout.require_snapshot(ctx)
if not queries.has_table(ctx.version, "marts", "fct_accounts"):
    layout.empty("This snapshot was published before this page existed: the next pipeline run publishes it.")
    st.stop()
version, chosen = ctx.version, ctx.filters
rules = layout.definitions()
month = chosen.month
range_name = f"{chosen.months} months to {formatting.short_month(month)}"
REVENUE_TYPES = {"new_business": "New business", "expansion": "Expansion"}

funnel = queries.query(version, sql.ACCOUNT_FUNNEL, start=chosen.start, end=chosen.end)
revenue = queries.query(version, sql.ACCOUNT_REVENUE, start=chosen.start, end=chosen.end)
if funnel.empty:
    layout.empty(f"No account activity in the {range_name}.")
    st.stop()

# ----------------------------------------------------------------------------- tiles (the month)
st.subheader(formatting.month_label(month) + (" (to date)" if chosen.is_partial_month else ""))
this_month = queries.query(version, sql.ACCOUNT_FUNNEL_MONTH, month=month)
tiles = st.columns(max(len(this_month), 1))
for place, (_, row) in zip(tiles, this_month.iterrows(), strict=False):
    layout.tile(
        f"{row['stage_label']} accounts",
        formatting.count(row["accounts_entered"]),
        help=help_text("account_stage", rules),
        note="reached the stage this month",
        container=place,
    )
month_revenue = queries.query(version, sql.ACCOUNT_REVENUE_MONTH, month=month).set_index("revenue_type")
tiles = st.columns(len(REVENUE_TYPES))
for place, revenue_type in zip(tiles, REVENUE_TYPES, strict=True):
    row = month_revenue.loc[revenue_type] if revenue_type in month_revenue.index else None
    layout.tile(
        f"{REVENUE_TYPES[revenue_type]} revenue",
        ctx.money(0 if row is None else row["revenue_won"], compact=True),
        help=help_text("new_vs_expansion", rules),
        note=None
        if row is None
        else f"{formatting.count(row['deals_won'])} won "
        f"{'deal' if row['deals_won'] == 1 else 'deals'} on {formatting.count(row['accounts_won'])} "
        f"{'account' if row['accounts_won'] == 1 else 'accounts'}",
        container=place,
    )

# ----------------------------------------------------------------------------- trends
st.divider()
left, right = st.columns(2, gap="large")
with left:
    st.markdown(f"**Accounts entering each stage** — {range_name}")
    stages = funnel.sort_values("stage_order")
    order = tuple(dict.fromkeys(stages["stage_label"]))
    shaped = layout.month_frame(stages.rename(columns={"stage_label": "stage"}))
    charts.show(
        charts.trend,
        shaped,
        value="accounts_entered",
        series="stage",
        title="Accounts",
        colors=(order, tuple(charts.SERIES[: len(order)])),
    )
with right:
    st.markdown(f"**Won revenue: new business and expansion** — {range_name}")
    money_rows = layout.month_frame(
        revenue.assign(
            revenue_name=revenue["revenue_type"].map(REVENUE_TYPES),
            series_order=revenue["revenue_type"].map({"new_business": 0, "expansion": 1}),
        )
    )
    charts.show(
        charts.stacked_months,
        money_rows,
        value="revenue_won",
        series="revenue_name",
        order=tuple(REVENUE_TYPES.values()),
        colors=(charts.MARKETING, charts.SALES),
        title="Revenue won",
    )
    st.caption(
        "Expansion = "
        + (
            "a won deal on an account that had won a deal before"
            if rules is None or rules.accounts.expansion_rule == "prior_won_deal"
            else "HubSpot's deal type existingbusiness"
        )
        + " (definitions.yml accounts.expansion_rule)."
    )

# ----------------------------------------------------------------------------- top accounts
st.divider()
st.subheader("Accounts by revenue won (all time)")
top = queries.query(version, sql.TOP_ACCOUNTS)
if top.empty:
    layout.empty("No account has a deal yet.")
else:
    money_format = "dollar" if ctx.currency == "USD" else "accounting"
    st.dataframe(
        top.assign(
            original_source=top["original_source"].map(source_label),
        )[
            [
                "account_name",
                "furthest_stage_label",
                "original_source",
                "pipeline_created",
                "revenue_won",
                "new_business_revenue",
                "expansion_revenue",
            ]
        ],
        hide_index=True,
        placeholder="—",
        column_config={
            "account_name": st.column_config.TextColumn("Account"),
            "furthest_stage_label": st.column_config.TextColumn("Furthest stage"),
            "original_source": st.column_config.TextColumn("Channel"),
            "pipeline_created": st.column_config.NumberColumn("Pipeline", format=money_format),
            "revenue_won": st.column_config.NumberColumn("Revenue won", format=money_format),
            "new_business_revenue": st.column_config.NumberColumn("New business", format=money_format),
            "expansion_revenue": st.column_config.NumberColumn("Expansion", format=money_format),
        },
    )
