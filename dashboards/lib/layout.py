"""What every page shares: the page context (snapshot, run, filters), the header with "data as of" and the
run banners, KPI tiles, empty states in words, and links to HubSpot records."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from dashboards.lib import hubspot_links
from dashboards.lib.filters import Filters
from dashboards.lib.snapshot import SnapshotVersion

from onefunnel import formatting

CONTEXT_KEY = "_onefunnel_context"
# A delta that says "no change" ("+0 vs Sep", "+$0 vs Sep", "+0 pts"): shown grey, without an arrow.
NO_CHANGE = re.compile(r"^[+-]?\$?0(\.0+)?( |$)")


@dataclass
class PageContext:
    """Everything a page needs, prepared once per rerun by the entry point."""

    version: SnapshotVersion | None
    run: dict[str, Any]
    settings: dict[str, Any]
    filters: Filters | None
    failure: dict[str, Any] | None = None
    owner_names: dict[str, str] = field(default_factory=dict)
    account: dict[str, Any] = field(default_factory=dict)  # HubSpot account details, if the snapshot has them

    @property
    def currency(self) -> str:
        return str(self.settings.get("currency") or "USD")

    @property
    def time_zone(self) -> str:
        return str(self.settings.get("time_zone") or "UTC")

    @property
    def data_as_of(self) -> datetime | None:
        value = self.run.get("data_as_of")
        return value if isinstance(value, datetime) else None

    @property
    def portal_id(self) -> str | None:
        """HubSpot portal (hub) id for record links (None: no links, ids only)."""
        return self.portal.portal_id

    @functools.cached_property
    def portal(self) -> hubspot_links.Portal:
        """The portal and UI domain record links point into (dashboards.lib.hubspot_links decides): the
        snapshot's portal row (marts.dim_portal) unless configuration overrides it. Decided once per page
        context (one rerun): a page links hundreds of records, and each lookup would unpickle cached rows."""
        if self.account:
            return hubspot_links.portal(self.run, self.account)
        return hubspot_links.snapshot_portal(self.version, self.run)

    def money(self, value: Any, *, compact: bool = False) -> str:
        return formatting.money(value, self.currency, compact=compact)


def set_context(context: PageContext) -> None:
    st.session_state[CONTEXT_KEY] = context


def context() -> PageContext:
    found = st.session_state.get(CONTEXT_KEY)
    if found is None:
        st.error("Open the dashboard through its entry point: `onefunnel dashboard` (dashboards/app.py).")
        st.stop()
    return found


# ----------------------------------------------------------------------------- header and banners
def as_of_line(ctx: PageContext) -> str:
    if ctx.version is None:
        return "No snapshot has been published yet."
    parts = [f"**Data as of {formatting.timestamp(ctx.data_as_of, tz_name=ctx.time_zone)}**"]
    published = ctx.run.get("published_at")
    if isinstance(published, datetime):
        parts.append(f"published {formatting.timestamp(published, tz_name=ctx.time_zone)}")
    if ctx.run.get("definitions_version"):
        parts.append(f"definitions {ctx.run['definitions_version']}")
    parts.append(f"run {ctx.run.get('run_id', '?')}")
    return " · ".join(parts)


def header(title: str, intro: str, ctx: PageContext) -> None:
    """Page title, one line saying what the page answers, the data as-of line and the run banners."""
    st.title(title)
    st.caption(intro)
    st.markdown(as_of_line(ctx))
    banners(ctx)


def banners(ctx: PageContext) -> None:
    if ctx.version is None:
        return
    if ctx.failure:
        when = ctx.failure.get("at")
        when_text = (
            formatting.timestamp(when, tz_name=ctx.time_zone) if isinstance(when, datetime) else "recently"
        )
        reasons = ctx.failure.get("reasons") or []
        st.error(
            f"**The latest pipeline run failed its checks ({when_text}) and was not published.** You are "
            "looking "
            "at the last good snapshot, with data as of "
            f"{formatting.timestamp(ctx.data_as_of, tz_name=ctx.time_zone)}."
            + (f" First reason: {reasons[0]}" if reasons else ""),
            icon=":material/error:",
        )
    warnings = list(ctx.run.get("warnings") or [])
    if warnings or ctx.run.get("quality_status") == "warning":
        count = len(warnings)
        with st.container():
            st.warning(
                f"**Published with {count} quality warning{'s' if count != 1 else ''}.** The numbers "
                "passed every "
                "critical check; the warnings below say where to be careful. Details on the Data health "
                "page.",
                icon=":material/warning:",
            )
            if warnings:
                with st.expander("Warnings of this run"):
                    for warning in warnings:
                        st.markdown(f"- {warning}")


def require_snapshot(ctx: PageContext) -> None:
    """Stop the page with a sentence when nothing is published or the snapshot holds no months."""
    if ctx.version is None:
        st.info(
            "No numbers have been published yet. The dashboard shows the serving snapshot that the pipeline "
            "publishes after the quality checks pass (`onefunnel publish`). Once the first run is through, "
            "reload this page.",
            icon=":material/hourglass_empty:",
        )
        st.stop()
    if ctx.filters is None:
        st.info("The published snapshot holds no months of data yet, so there is nothing to show.")
        st.stop()


def empty(message: str) -> None:
    st.info(message, icon=":material/info:")


def slice_note(ctx: PageContext) -> None:
    """Say when the numbers are a filtered slice, so nobody mistakes them for the whole funnel."""
    if ctx.filters is None:
        return
    words = ctx.filters.describe_slice(ctx.owner_names)
    if words:
        st.caption(
            f":material/filter_alt: Filtered to **{words}**. Filtered numbers are counted from the lead and "
            "deal records of the snapshot with the same rules as the published tables."
        )


# ----------------------------------------------------------------------------- tiles
def tile(
    label: str,
    value: str,
    *,
    delta: str | None = None,
    delta_color: str = "normal",
    help: str | None = None,
    note: str | None = None,
    container: Any = None,
) -> None:
    """One KPI tile: big number, month-over-month delta, and a short note (e.g. the target)."""
    place = container or st
    unchanged = delta is not None and NO_CHANGE.match(delta) is not None
    with place.container(border=True):
        st.metric(
            label,
            value,
            delta=delta,
            delta_color="off" if unchanged else delta_color,
            delta_arrow="off" if unchanged else "auto",
            help=help,
        )
        if note:
            st.caption(note)


def attainment_note(actual: float | None, target: float | None, fmt: Any) -> str | None:
    if target is None or pd.isna(target) or target == 0:
        return None
    share = formatting.percent((actual or 0) / target)
    return f"Target {fmt(target)} · {share} attained"


# ----------------------------------------------------------------------------- HubSpot links
def record_link(ctx: PageContext, contact_id: Any) -> str | None:
    return hubspot_links.record_url(ctx.portal, "contact", contact_id)


def month_frame(frame: pd.DataFrame, column: str = "month_start") -> pd.DataFrame:
    """Add a datetime `month` column for charts."""
    return frame.assign(month=pd.to_datetime(frame[column]))


# ----------------------------------------------------------------------------- the definitions file
@st.cache_data(ttl=3600, max_entries=4, show_spinner=False)
def _definitions_for(path: str, mtime_ns: int) -> Any:
    del mtime_ns  # cache key only: an edited file is read again
    from onefunnel.definitions import load_definitions

    return load_definitions(Path(path))


def definitions() -> Any:
    """The definitions file as validated by onefunnel (None when it cannot be read)."""
    from onefunnel.definitions import DefinitionsError, definitions_path

    path = definitions_path()
    try:
        return _definitions_for(str(path), os.stat(path).st_mtime_ns)
    except (FileNotFoundError, DefinitionsError):
        return None
