"""Attribution: pipeline and won revenue credited to channels, campaigns and touch types under the
attribution model both teams agreed (definitions.yml attribution.model), next to first touch, last touch and
linear, so the meeting sees how much the choice of model moves each channel."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from dashboards.lib import charts, layout, queries, sql
from dashboards.lib.filters import source_label
from dashboards.lib.glossary import help_text

from onefunnel import formatting

ctx = layout.context()
layout.header(
    "Attribution",
    "Which channels and campaigns the pipeline and revenue came through, every touch getting its share — "
    "under the model both teams agreed, next to the simpler ones.",
    ctx,
)
layout.require_snapshot(ctx)
if not queries.has_table(ctx.version, "marts", "attribution_monthly"):
    layout.empty("This snapshot was published before this page existed: the next pipeline run publishes it.")
    st.stop()
version, chosen = ctx.version, ctx.filters
rules = layout.definitions()
MODEL_NAMES = {
    "w_shaped": "W-shaped",
    "linear": "Linear",
    "first_touch": "First touch",
    "last_touch": "Last touch",
}
DIMENSIONS = {"channel": "Channel", "campaign": "Campaign", "touch_type": "Touch type"}
TOUCH_TYPES = {
    "contact_created": "Contact created",
    "form_submission": "Form submission",
    "marketing_email_click": "Marketing email click",
    "no_touch": "No touch",
}
range_name = f"{chosen.months} months to {formatting.short_month(chosen.month)}"

dimension = (
    st.segmented_control(
        "Credit by",
        list(DIMENSIONS),
        format_func=DIMENSIONS.get,
        default="channel",
        key="attribution_dimension",
        bind="query-params",
    )
    or "channel"
)
measure = (
    st.segmented_control(
        "Measure",
        ["pipeline", "revenue"],
        format_func=lambda key: {"pipeline": "Pipeline created", "revenue": "Revenue won"}[key],
        default="pipeline",
        key="attribution_measure",
        bind="query-params",
    )
    or "pipeline"
)
column = "pipeline_credit" if measure == "pipeline" else "revenue_credit"


def member_name(value: str) -> str:
    if dimension == "channel":
        return "(no touch)" if value == "(no touch)" else source_label(value)
    if dimension == "touch_type":
        return TOUCH_TYPES.get(value, value)
    return value


credit = queries.query(
    version, sql.ATTRIBUTION_RANGE, start=chosen.start, end=chosen.end, dimension=dimension
)
if credit.empty or credit[column].abs().sum() == 0:
    layout.empty(f"No deals were created or won in the {range_name}.")
    st.stop()
credit = credit.assign(name=credit["dimension_value"].map(member_name))
agreed = str(credit.loc[credit["is_agreed_model"], "attribution_model"].iloc[0])

st.subheader(f"{DIMENSIONS[dimension]} credit, {MODEL_NAMES[agreed]} (agreed) — {range_name}")
agreed_rows = credit[(credit["attribution_model"] == agreed) & (credit[column] != 0)]
left, right = st.columns([3, 2], gap="large")
with left:
    charts.show(
        charts.bars,
        agreed_rows.head(15),
        category="name",
        value=column,
        kind="money",
        currency=ctx.currency,
        title="Pipeline credit" if measure == "pipeline" else "Revenue credit",
    )
with right:
    layout.tile(
        "Pipeline created" if measure == "pipeline" else "Revenue won",
        ctx.money(agreed_rows[column].sum(), compact=True),
        help=help_text("attribution", rules),
        note=f"given out in full by every model, {range_name}",
    )
    layout.tile(
        f"Top {DIMENSIONS[dimension].lower()}",
        agreed_rows.iloc[0]["name"] if not agreed_rows.empty else formatting.DASH,
        help=help_text("w_shaped" if agreed == "w_shaped" else "linear", rules),
        note=None
        if agreed_rows.empty
        else f"{ctx.money(agreed_rows.iloc[0][column], compact=True)} "
        f"({agreed_rows.iloc[0][column] / agreed_rows[column].sum():.0%}) under {MODEL_NAMES[agreed]}",
    )

# ----------------------------------------------------------------------------- the models side by side
st.markdown(f"**The four models side by side** — {'pipeline' if measure == 'pipeline' else 'revenue'} credit")
wide = credit.pivot_table(
    index="name", columns="attribution_model", values=column, aggfunc="first", fill_value=0
)
ordered = [model for model in (agreed, *MODEL_NAMES) if model in wide.columns]
wide = wide[list(dict.fromkeys(ordered))].sort_values(agreed, ascending=False)
table = pd.DataFrame({DIMENSIONS[dimension]: wide.index})
for model in wide.columns:
    label = MODEL_NAMES[model] + (" (agreed)" if model == agreed else "")
    table[label] = wide[model].to_numpy()
money_format = "dollar" if ctx.currency == "USD" else "accounting"
st.dataframe(
    table,
    hide_index=True,
    placeholder="—",
    column_config={name: st.column_config.NumberColumn(format=money_format) for name in table.columns[1:]},
)
st.caption(
    "A deal's touches: its contacts' creation, form submissions and marketing email clicks before the deal "
    "was created. Pipeline counts in the deal's create month, revenue in its close month. "
    "The agreed model is set in definitions.yml (attribution.model)."
)

# ----------------------------------------------------------------------------- by month
months = queries.query(
    version, sql.ATTRIBUTION_MONTHS, start=chosen.start, end=chosen.end, dimension=dimension
)
months = months[months[column] != 0]
if not months.empty:
    st.markdown(f"**{MODEL_NAMES[agreed]} credit by month**")
    top = list(agreed_rows["dimension_value"].head(8))
    months = layout.month_frame(
        months.assign(
            series=lambda f: [member_name(v) if v in top else "Other" for v in f["dimension_value"]]
        )
    )
    order = tuple(dict.fromkeys([*(member_name(v) for v in top), "Other"]))
    months = months.assign(series_order=months["series"].map({name: i for i, name in enumerate(order)}))
    charts.show(
        charts.stacked_months,
        months,
        value=column,
        series="series",
        order=order,
        colors=(*(charts.SERIES * 2)[: len(order) - 1], charts.NEUTRAL),
        title="Pipeline credit" if measure == "pipeline" else "Revenue credit",
    )
