"""The sidebar filters, kept in the URL (`bind="query-params"`) so a link reproduces the view.

month      the month the tiles and tables are for (default: the latest full month)
range      how many months the trends show, ending at `month`
team       who sourced the lead or deal (definitions.yml `source_team`): marketing or sales
owner      the lead's owner (its SLA owner once it is an MQL) or the deal's owner
source     the lead's or deal's original source (hs_analytics_source)
pipeline   the deal pipeline (deal numbers only)

Every filter is drawn on every page so the URL keeps it while you move between pages; a filter a page does
not use is greyed out there. A filter left at its default is not written into the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import streamlit as st
from dashboards.lib import queries
from dashboards.lib.queries import Slice
from dashboards.lib.snapshot import SnapshotVersion

from onefunnel import formatting

FILTER_KEYS = ("month", "range", "team", "owner", "source", "pipeline")
LATEST = "latest"
RANGE_OPTIONS = (6, 12, 24)
DEFAULT_RANGE = 12
TEAM_LABELS = {None: "Both teams", "marketing": "Marketing-sourced", "sales": "Sales-sourced"}
NOT_USED = "Not used on this page."


@dataclass(frozen=True)
class Filters:
    month: date
    months: int
    part: Slice
    is_partial_month: bool  # the month is still running (it holds the data's as-of date)
    available_months: tuple[date, ...]  # newest first

    @property
    def start(self) -> date:
        """First month of the trend range ending at `month`."""
        return add_months(self.month, -(self.months - 1))

    @property
    def end(self) -> date:
        return self.month

    @property
    def previous_month(self) -> date:
        return add_months(self.month, -1)

    def describe_slice(self, owner_names: dict[str, str] | None = None) -> str:
        """The slice in words, e.g. 'Marketing-sourced · Lucia Russell'; '' when not filtered."""
        part = self.part
        words = []
        if part.team:
            words.append(TEAM_LABELS.get(part.team, part.team))
        if part.owner:
            words.append((owner_names or {}).get(part.owner, f"owner {part.owner}"))
        if part.source:
            words.append(source_label(part.source))
        if part.pipeline:
            words.append(f"pipeline {part.pipeline}")
        return " · ".join(words)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def source_label(source: str | None) -> str:
    """ORGANIC_SEARCH -> 'Organic search'."""
    if not source:
        return "All sources"
    return source.replace("_", " ").capitalize()


def latest_full_month(months: list[date], as_of_local: date | None) -> tuple[date | None, bool]:
    """(the default month, whether the newest month is still running)."""
    if not months:
        return None, False
    newest = months[0]
    running = as_of_local is not None and (as_of_local.year, as_of_local.month) == (newest.year, newest.month)
    if running and len(months) > 1:
        return months[1], True
    return newest, running


def owner_labels(owners: Any) -> dict[str | None, str]:
    """owner id -> display name; duplicate names get their id, inactive owners say so."""
    labels: dict[str | None, str] = {None: "All owners"}
    if owners is None or len(owners) == 0:
        return labels
    counts = owners["owner_name"].value_counts()
    ordered = owners.sort_values(["is_archived", "owner_name"])
    for row in ordered.itertuples():
        name = row.owner_name or f"Owner {row.owner_id}"
        if counts.get(row.owner_name, 0) > 1:
            name = f"{name} ({row.owner_id})"
        if row.is_archived:
            name = f"{name} (inactive)"
        labels[row.owner_id] = name
    return labels


def reset() -> None:
    """Back to the defaults (the widgets are bound to the URL, so this also cleans the URL)."""
    for key in FILTER_KEYS:
        if key in st.session_state:
            del st.session_state[key]


def sidebar(
    version: SnapshotVersion, used: frozenset[str], as_of: datetime | None, time_zone: str
) -> Filters | None:
    """Draw the filters in the sidebar and return what they select; None when the snapshot has no months."""
    months = queries.months(version)
    as_of_local = None
    if as_of is not None:
        from zoneinfo import ZoneInfo

        as_of_local = as_of.astimezone(ZoneInfo(time_zone)).date() if as_of.tzinfo else as_of.date()
    default_month, newest_running = latest_full_month(months, as_of_local)
    if default_month is None:
        return None

    def month_label(option: Any) -> str:
        if option == LATEST:
            return f"Latest full month ({formatting.month_label(default_month)})"
        label = formatting.month_label(option)
        return f"{label} (to date)" if newest_running and option == months[0] else label

    st.sidebar.header("Filters")
    chosen = st.sidebar.selectbox(
        "Month",
        [LATEST, *months],
        format_func=month_label,
        key="month",
        bind="query-params",
        disabled="month" not in used,
        help="The month the tiles and tables show." if "month" in used else NOT_USED,
    )
    month = default_month if chosen == LATEST else chosen
    range_months = st.sidebar.selectbox(
        "Trend range",
        RANGE_OPTIONS,
        index=RANGE_OPTIONS.index(DEFAULT_RANGE),
        format_func=lambda count: f"{count} months",
        key="range",
        bind="query-params",
        disabled="range" not in used,
        help="How many months the trend charts show, ending at the month above."
        if "range" in used
        else NOT_USED,
    )
    team = st.sidebar.selectbox(
        "Team",
        list(TEAM_LABELS),
        format_func=TEAM_LABELS.get,
        key="team",
        bind="query-params",
        disabled="team" not in used,
        help="Who sourced the lead or deal (definitions: source team)." if "team" in used else NOT_USED,
    )
    labels = owner_labels(queries.owners(version))
    owner = st.sidebar.selectbox(
        "Owner",
        list(labels),
        format_func=labels.get,
        key="owner",
        bind="query-params",
        disabled="owner" not in used,
        help="The lead's owner (its SLA owner once it is an MQL) or the deal's owner."
        if "owner" in used
        else NOT_USED,
    )
    source = st.sidebar.selectbox(
        "Source / channel",
        [None, *queries.sources(version)],
        format_func=source_label,
        key="source",
        bind="query-params",
        disabled="source" not in used,
        help="Original source of the lead or deal (HubSpot hs_analytics_source)."
        if "source" in used
        else NOT_USED,
    )
    pipeline_frame = queries.pipelines(version)
    pipeline_names = {None: "All pipelines"} | dict(
        zip(
            pipeline_frame["pipeline_id"],
            pipeline_frame["pipeline_label"].fillna(pipeline_frame["pipeline_id"]),
            strict=True,
        )
    )
    pipeline = st.sidebar.selectbox(
        "Deal pipeline",
        list(pipeline_names),
        format_func=pipeline_names.get,
        key="pipeline",
        bind="query-params",
        disabled="pipeline" not in used,
        help="Deal numbers only (opportunities, won, revenue)." if "pipeline" in used else NOT_USED,
    )
    if any(
        key in st.session_state and st.session_state[key] not in (None, LATEST)
        for key in ("team", "owner", "source", "pipeline", "month")
    ):
        st.sidebar.button("Clear filters", on_click=reset, icon=":material/filter_alt_off:")
    return Filters(
        month=month,
        months=int(range_months),
        part=Slice(team=team, owner=owner, source=source, pipeline=pipeline),
        is_partial_month=newest_running and month == months[0],
        available_months=tuple(months),
    )
