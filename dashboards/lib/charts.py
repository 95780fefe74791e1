"""The dashboard's Altair charts, in one visual language: one colour per team and per series kind, the
same axis formats as the tiles, a tooltip on every mark, and targets drawn as dashed lines."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

# No Altair default theme: its fixed widths and heights fight Streamlit's layout (Streamlit's own theme styles
# the charts). Set once for this process, which serves only this dashboard.
alt.theme.enable("none")

MARKETING = "#2563eb"
SALES = "#ea580c"
NEUTRAL = "#64748b"
GOOD = "#16a34a"
BAD = "#dc2626"
WARN = "#f59e0b"
MUTED = "#cbd5e1"
SERIES = ["#2563eb", "#0d9488", "#7c3aed", "#ea580c", "#db2777", "#65a30d", "#0891b2", "#a16207"]
TEAM_COLORS = alt.Scale(domain=["marketing", "sales", "unattributed"], range=[MARKETING, SALES, NEUTRAL])
HEIGHT = 300
# Legends above the plot, wrapping instead of running off the edge of a half-width chart.
LEGEND = alt.Legend(orient="top", columns=3, labelLimit=220, symbolType="circle")


# Chart specs are cached by (chart, data, options): redrawing a page with the same data costs no Altair work.
# Keyed by content, so a new snapshot's data makes new specs; the TTL only frees memory of old ones.
SPEC_CACHE_TTL_S = 3600


@st.cache_data(ttl=SPEC_CACHE_TTL_S, max_entries=512, show_spinner=False)
def _spec(builder: str, frame: pd.DataFrame, options: tuple[tuple[str, object], ...]) -> dict:
    # Altair's JSON-schema validation is skipped (tens of ms per chart): the builders below are fixed code,
    # and the tests render every one of them.
    return BUILDERS[builder](frame, **dict(options)).to_dict(validate=False)


def show(builder, frame: pd.DataFrame, container=None, **options) -> None:
    """Draw chart `builder` (one of the functions below) of `frame`; options must be plain values."""
    spec = _spec(builder.__name__, frame, tuple(sorted(options.items())))
    (container or st).vega_lite_chart(spec, width="stretch")


def _scale(colors) -> alt.Scale | None:
    """('team' | (domain, range) | None) -> an Altair colour scale."""
    if colors == "team":
        return TEAM_COLORS
    if colors is None:
        return None
    domain, colour_range = colors
    return alt.Scale(domain=list(domain), range=list(colour_range))


def axis_format(kind: str, currency: str = "USD") -> str:
    """d3 format for an axis of counts, money or shares."""
    if kind == "money":
        return "$,.2~s" if currency == "USD" else ",.2~s"
    if kind == "share":
        return ".0%"
    if kind == "hours":
        return ",.0f"
    return ",.0f"


def tooltip_format(kind: str, currency: str = "USD") -> str:
    if kind == "money":
        return "$,.0f" if currency == "USD" else ",.0f"
    if kind == "share":
        return ".1%"
    if kind in ("hours", "days"):
        return ",.1f"
    return ",.0f"


def _month_axis() -> alt.X:
    return alt.X("month:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=0, tickCount="month"))


def trend(
    frame: pd.DataFrame,
    value: str,
    series: str | None = None,
    *,
    kind: str = "count",
    currency: str = "USD",
    title: str = "",
    target: str | None = None,
    colors=None,
    mark: str = "line",
) -> alt.Chart:
    """A monthly trend: `frame` has a `month` column (datetime) and `value` (and `series` to split by).

    `target` names a column drawn as a dashed line (a target that can change month by month).
    """
    y_title = title
    base = alt.Chart(frame)
    encode_color = (
        alt.Color(f"{series}:N", title=None, scale=_scale(colors) or alt.Scale(range=SERIES), legend=LEGEND)
        if series
        else alt.value(SERIES[0])
    )
    tooltip = [alt.Tooltip("month:T", title="Month", format="%B %Y")]
    if series:
        tooltip.append(alt.Tooltip(f"{series}:N", title="Series"))
    tooltip.append(alt.Tooltip(f"{value}:Q", title=title or value, format=tooltip_format(kind, currency)))
    y = alt.Y(f"{value}:Q", title=y_title, axis=alt.Axis(format=axis_format(kind, currency)))
    if mark == "bar":
        layer = base.mark_bar(cornerRadiusTopLeft=3, cornerRadiusTopRight=3).encode(
            x=alt.X("month:T", title=None, timeUnit="yearmonth", axis=alt.Axis(format="%b %y", labelAngle=0)),
            y=y,
            color=encode_color,
            tooltip=tooltip,
        )
    else:
        layer = base.mark_line(point=True, strokeWidth=2.5).encode(
            x=_month_axis(), y=y, color=encode_color, tooltip=tooltip
        )
    if target:
        target_tooltip = [
            alt.Tooltip("month:T", title="Month", format="%B %Y"),
            alt.Tooltip(f"{target}:Q", title="Target", format=tooltip_format(kind, currency)),
        ]
        x = (
            alt.X("month:T", timeUnit="yearmonth", title=None)
            if mark == "bar"
            else alt.X("month:T", title=None)
        )
        rule = base.mark_line(strokeDash=[6, 4], color=NEUTRAL, strokeWidth=2).encode(
            x=x, y=alt.Y(f"{target}:Q"), tooltip=target_tooltip
        )
        layer = layer + rule
    return layer.properties(height=HEIGHT)


def funnel(frame: pd.DataFrame) -> alt.Chart:
    """Cohort funnel: one horizontal bar per stage (`stage_label`, `stage_order`, `reached`), labelled with
    the count and the step conversion (`label`); `is_incomplete` stages are drawn lighter."""
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "stage_label:N",
            sort=list(frame.sort_values("stage_order")["stage_label"]),
            title=None,
            axis=alt.Axis(labelFontSize=13),
        ),
        x=alt.X("reached:Q", title="Contacts of the cohort", axis=alt.Axis(format=",.0f")),
        tooltip=[
            alt.Tooltip("stage_label:N", title="Stage"),
            alt.Tooltip("reached:Q", title="Reached within the window", format=",.0f"),
            alt.Tooltip("share_of_cohort:Q", title="Share of the cohort", format=".1%"),
            alt.Tooltip("step_conversion:Q", title="From the stage before", format=".1%"),
            alt.Tooltip("window_days:Q", title="Window (days)", format=",.0f"),
            alt.Tooltip("status:N", title="Cohort"),
        ],
    )
    bars = base.mark_bar(cornerRadiusTopRight=4, cornerRadiusBottomRight=4, height=34).encode(
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=["complete", "still maturing"], range=[MARKETING, "#93c5fd"]),
            legend=alt.Legend(orient="top", title=None),
        )
    )
    text = base.mark_text(align="left", dx=6, fontSize=13, color="#0f172a").encode(text="label:N")
    return (bars + text).properties(height=max(160, 56 * len(frame)))


def bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    *,
    kind: str = "count",
    currency: str = "USD",
    title: str = "",
    color: str | None = None,
    colors=None,
    horizontal: bool = True,
    sort: str | tuple[str, ...] | None = "-x",
    stack: bool = True,
    height: int | None = None,
) -> alt.Chart:
    """Bars per category (optionally split by `color`), with value tooltips."""
    value_axis = alt.Axis(format=axis_format(kind, currency))
    tooltip = [alt.Tooltip(f"{category}:N", title=category.replace("_", " ").capitalize())]
    if color:
        tooltip.append(alt.Tooltip(f"{color}:N", title=color.replace("_", " ").capitalize()))
    tooltip.append(alt.Tooltip(f"{value}:Q", title=title or value, format=tooltip_format(kind, currency)))
    color_encoding = (
        alt.Color(f"{color}:N", title=None, scale=_scale(colors) or alt.Scale(range=SERIES), legend=LEGEND)
        if color
        else alt.value(SERIES[0])
    )
    quantity = alt.X if horizontal else alt.Y
    categorical = alt.Y if horizontal else alt.X
    sort_spec = (
        list(sort) if isinstance(sort, tuple) else (sort if sort != "-x" else ("-x" if horizontal else "-y"))
    )
    encoding = {
        ("x" if horizontal else "y"): quantity(
            f"{value}:Q", title=title, axis=value_axis, stack=True if stack else None
        ),
        ("y" if horizontal else "x"): categorical(
            f"{category}:N",
            sort=sort_spec,
            title=None,
            axis=alt.Axis(labelLimit=260, labelAngle=0, labelOverlap=False),
        ),
        "color": color_encoding,
        "tooltip": tooltip,
    }
    if color and not stack and not horizontal:
        encoding["xOffset"] = alt.XOffset(f"{color}:N")
    if color and not stack and horizontal:
        encoding["yOffset"] = alt.YOffset(f"{color}:N")
    chart = alt.Chart(frame).mark_bar(cornerRadius=3).encode(**encoding)
    rows = frame[category].nunique() if len(frame) else 1
    return chart.properties(height=height or (max(160, 34 * rows) if horizontal else HEIGHT))


def stacked_months(
    frame: pd.DataFrame,
    value: str,
    series: str,
    *,
    order: tuple[str, ...],
    colors: tuple[str, ...],
    title: str = "",
) -> alt.Chart:
    """Monthly stacked bars of `series` parts in a fixed order (e.g. SLA buckets)."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("month:T", timeUnit="yearmonth", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)),
            y=alt.Y(f"{value}:Q", title=title, axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                f"{series}:N",
                scale=alt.Scale(domain=list(order), range=list(colors)),
                sort=list(order),
                legend=alt.Legend(orient="top", title=None),
            ),
            order=alt.Order("series_order:Q"),
            tooltip=[
                alt.Tooltip("month:T", title="Month", format="%B %Y"),
                alt.Tooltip(f"{series}:N", title="Bucket"),
                alt.Tooltip(f"{value}:Q", title=title or value, format=",.0f"),
            ],
        )
        .properties(height=HEIGHT)
    )


def heatmap(frame: pd.DataFrame, row: str, column: str, value: str, *, title: str = "") -> alt.Chart:
    """A count table as colour: rows x columns, darker = more, the number written in each cell."""
    rows = frame[row].nunique() if len(frame) else 1
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{row}:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        x=alt.X(
            f"{column}:N",
            title=None,
            axis=alt.Axis(labelAngle=-25, labelLimit=220, orient="top", labelOverlap=False),
        ),
        tooltip=[
            alt.Tooltip(f"{row}:N"),
            alt.Tooltip(f"{column}:N"),
            alt.Tooltip(f"{value}:Q", title=title or value, format=",.0f"),
        ],
    )
    cells = base.mark_rect(cornerRadius=2).encode(
        color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme="blues"), legend=None)
    )
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text(f"{value}:Q", format=",.0f"),
        color=alt.condition(f"datum.{value} > 0", alt.value("#0f172a"), alt.value("#94a3b8")),
    )
    return (cells + text).properties(height=max(140, 30 * rows))


def team_months(
    frame: pd.DataFrame, value: str, *, kind: str = "money", currency: str = "USD", title: str = ""
) -> alt.Chart:
    """Monthly bars of `value` stacked by team, in the team colours."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("month:T", timeUnit="yearmonth", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)),
            y=alt.Y(f"{value}:Q", title=title, axis=alt.Axis(format=axis_format(kind, currency))),
            color=alt.Color("team:N", title=None, scale=TEAM_COLORS, legend=LEGEND),
            tooltip=[
                alt.Tooltip("month:T", format="%B %Y", title="Month"),
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip(f"{value}:Q", format=tooltip_format(kind, currency), title=title or value),
            ],
        )
        .properties(height=HEIGHT)
    )


BUILDERS = {
    builder.__name__: builder for builder in (trend, funnel, bars, stacked_months, heatmap, team_months)
}
