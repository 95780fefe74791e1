"""Read the serving snapshot: named, parameterised queries, cached per snapshot version.

Every query result is cached by (snapshot version, query name, parameters). The version changes with every
publish, so a new snapshot misses the cache at once; see `CACHE_TTL_S` for why entries still expire.
A slice (team / owner / source / pipeline) switches a metric family from its mart to the mart's slice model
(models/marts/slices), which holds the filtered numbers ready: the dashboard selects, never recounts.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import streamlit as st
from dashboards.lib import snapshot, sql
from dashboards.lib.snapshot import SnapshotVersion

# Results are keyed by snapshot version, so staleness is never the TTL's job: a new publish is a new key.
# The TTL only lets entries of superseded snapshots leave memory within the hour instead of lingering.
CACHE_TTL_S = 3600
CACHE_MAX_ENTRIES = 1024


class Slice(NamedTuple):
    """The dimension filters; None = not filtered. Hashable, so it can be part of a cache key."""

    team: str | None = None
    owner: str | None = None
    source: str | None = None
    pipeline: str | None = None

    @property
    def contacts(self) -> bool:
        """True when contacts (leads, MQLs, ...) are filtered: team, owner or source."""
        return any((self.team, self.owner, self.source))

    @property
    def deals(self) -> bool:
        return self.contacts or self.pipeline is not None


ALL = Slice()


def _parameters(spec: sql.Query, values: dict[str, Any]) -> dict[str, Any]:
    """The named parameters `spec` uses, taken from `values` (a missing one is an error)."""
    missing = [key for key in spec.parameters if key not in values]
    if missing:
        raise KeyError(f"query {spec.name} ({spec.model}) needs parameter(s) {missing}")
    return {key: values[key] for key in spec.parameters}


def run_query(version: SnapshotVersion, spec: sql.Query, **values: Any) -> pd.DataFrame:
    """Run `spec` with named parameters (uncached), on a read-only connection closed right after."""
    parameters = _parameters(spec, values)
    with snapshot.connect(version) as con:
        return con.execute(spec.text, parameters).df()


@st.cache_data(ttl=CACHE_TTL_S, max_entries=CACHE_MAX_ENTRIES, show_spinner=False)
def cached_query(
    version: SnapshotVersion, name: str, text: str, parameters: tuple[tuple[str, Any], ...]
) -> pd.DataFrame:
    # name and text are the cache key (the text too: two specs never share a name, but a test may build one)
    return run_query(version, sql.Query(name, "", text), **dict(parameters))


def query(version: SnapshotVersion, spec: sql.Query, **values: Any) -> pd.DataFrame:
    """`spec` through the cache; pass only plain values (dates, strings, numbers, None)."""
    return cached_query(version, spec.name, spec.text, tuple(sorted(_parameters(spec, values).items())))


@st.cache_data(ttl=CACHE_TTL_S, max_entries=64, show_spinner=False)
def _cached_preview_query(
    path: str, signature: tuple[int, int], name: str, text: str, parameters: tuple[tuple[str, Any], ...]
) -> pd.DataFrame:
    del signature, name  # cache key only: a new preview file misses the cache
    import duckdb

    with duckdb.connect(path, read_only=True) as con:
        return con.execute(text, dict(parameters)).df()


def preview_query(spec: sql.Query, **values: Any) -> pd.DataFrame | None:
    """`spec` (dashboards.lib.preview) on the definitions preview's own file, read-only; None without one.
    A preview is never part of the published snapshot."""
    from dashboards.lib import preview

    path = preview.preview_file()
    found = preview.signature(path)
    if found is None:
        return None
    parameters = tuple(sorted(_parameters(spec, values).items()))
    return _cached_preview_query(str(path), found, spec.name, spec.text, parameters)


# The shaped results (zero-filled months, merged frames) are cached too, so a warm rerun does no pandas work.
shaped = st.cache_data(ttl=CACHE_TTL_S, max_entries=CACHE_MAX_ENTRIES, show_spinner=False)


def _slice_values(part: Slice) -> dict[str, Any]:
    return part._asdict()


# ----------------------------------------------------------------------------- run metadata
@st.cache_data(ttl=CACHE_TTL_S, max_entries=64, show_spinner=False)
def _run_for_file(path: str, signature: tuple[int, int, int]) -> tuple[str, str, dict[str, Any]]:
    del signature  # part of the cache key only: a replaced file has a new inode / mtime / size
    return snapshot.read_run(Path(path))


def current_version(path: Path | None = None) -> tuple[SnapshotVersion | None, dict[str, Any]]:
    """(version, run metadata) of the snapshot now at `path`; (None, {}) when nothing is published.

    Raises SnapshotChanged when the file keeps being replaced while it is read (the app then retries).
    """
    path = Path(path) if path is not None else snapshot.snapshot_path()
    for _attempt in range(10):
        signature = snapshot.file_signature(path)
        if signature is None:
            return None, {}
        try:
            run_id, published_at, run = _run_for_file(str(path), signature)
        except snapshot.ServingSnapshotMissing:
            continue  # replaced between stat and open: look again
        if snapshot.file_signature(path) == signature:
            return SnapshotVersion(str(path), *signature, run_id, published_at), run
    raise snapshot.SnapshotChanged(f"the snapshot at {path} kept changing while it was read")


# ----------------------------------------------------------------------------- options and settings
def has_table(version: SnapshotVersion, schema: str, table: str) -> bool:
    tables = query(version, sql.TABLES)
    return bool(((tables["table_schema"] == schema) & (tables["table_name"] == table)).any())


@shaped
def months(version: SnapshotVersion) -> list[date]:
    frame = query(version, sql.MONTHS)
    return [pd.Timestamp(value).date() for value in frame["month_start"]]


def owners(version: SnapshotVersion) -> pd.DataFrame:
    return query(version, sql.OWNERS)


def sources(version: SnapshotVersion) -> list[str]:
    return list(query(version, sql.SOURCES)["original_source"])


def pipelines(version: SnapshotVersion) -> pd.DataFrame:
    return query(version, sql.PIPELINES)


def stages(version: SnapshotVersion) -> pd.DataFrame:
    return query(version, sql.STAGES)


def settings(version: SnapshotVersion | None) -> dict[str, Any]:
    """Home currency and time zone: from the snapshot's definitions tables when published, else the file."""
    if version is not None and has_table(version, "definitions", "definitions_current"):
        frame = query(version, sql.DEFINITIONS_CURRENT)
        if not frame.empty:
            row = frame.iloc[0]
            return {"currency": row["home_currency"], "time_zone": row["time_zone"], "source": "snapshot"}
    from dashboards.lib.layout import definitions as load_definitions

    definitions = load_definitions()
    if definitions is None:  # an unreadable file must not take the dashboard down; numbers still show
        return {"currency": "USD", "time_zone": "UTC", "source": "default"}
    return {"currency": definitions.home_currency, "time_zone": definitions.time_zone, "source": "file"}


# ----------------------------------------------------------------------------- metric families
@shaped
def period(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    """Contacts entering each stage per month (period view); zero-filled months and stages."""
    if part.contacts:
        frame = query(version, sql.PERIOD_SLICES, start=start, end=end, **_slice_values(part))
    else:
        frame = query(version, sql.PERIOD_MART, start=start, end=end)
    stage_list = stages(version)
    month_list = [month for month in months(version) if start <= month <= end]
    grid = pd.MultiIndex.from_product(
        [month_list, list(stage_list["stage_key"])], names=["month_start", "stage_key"]
    )
    counts = (
        frame.assign(month_start=pd.to_datetime(frame["month_start"]).dt.date)
        .set_index(["month_start", "stage_key"])["contacts_entered"]
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    return counts.merge(stage_list, on="stage_key").sort_values(["month_start", "stage_order"])


@shaped
def deals(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    if part.deals:
        frame = query(version, sql.DEALS_SLICES, start=start, end=end, **_slice_values(part))
    else:
        frame = query(version, sql.DEALS_MART, start=start, end=end)
    frame = frame.assign(month_start=pd.to_datetime(frame["month_start"]).dt.date)
    month_list = [month for month in months(version) if start <= month <= end]
    filled = frame.set_index("month_start").reindex(month_list)
    for column in (
        "deals_created",
        "pipeline_created",
        "deals_won",
        "revenue_won",
        "deals_lost",
        "amount_lost",
    ):
        filled[column] = filled[column].fillna(0)
    return filled.rename_axis("month_start").reset_index()


@shaped
def targets(version: SnapshotVersion, start: date, end: date) -> pd.DataFrame:
    frame = query(version, sql.TARGETS, start=start, end=end)
    return frame.assign(month_start=pd.to_datetime(frame["month_start"]).dt.date)


@shaped
def cohorts(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    if part.contacts:
        frame = query(version, sql.COHORT_SLICES, start=start, end=end, **_slice_values(part))
    else:
        frame = query(version, sql.COHORT_MART, start=start, end=end)
    return frame.assign(cohort_month=pd.to_datetime(frame["cohort_month"]).dt.date)


@shaped
def sla_marketing(version: SnapshotVersion, start: date, end: date) -> pd.DataFrame:
    frame = query(version, sql.SLA_MARKETING, start=start, end=end)
    return frame.assign(month_start=pd.to_datetime(frame["month_start"]).dt.date)


@shaped
def sla_sales(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    if part.contacts:
        frame = query(version, sql.SLA_SALES_SLICES, start=start, end=end, **_slice_values(part))
    else:
        frame = query(version, sql.SLA_SALES_MART, start=start, end=end)
    frame = frame.assign(month_start=pd.to_datetime(frame["month_start"]).dt.date)
    month_list = [month for month in months(version) if start <= month <= end]
    filled = frame.set_index("month_start").reindex(month_list)
    counts = [column for column in filled.columns if column.startswith("mqls")]
    filled[counts] = filled[counts].fillna(0)
    return filled.rename_axis("month_start").reset_index()


def speed_distribution(version: SnapshotVersion, month: date, part: Slice = ALL) -> pd.DataFrame:
    """MQLs of `month` by speed-to-lead bucket (empty for a snapshot published before the mart existed)."""
    if not has_table(version, "marts", "speed_to_lead_slices"):
        return pd.DataFrame()
    return query(version, sql.SPEED_DISTRIBUTION, month=month, **_slice_values(part))


def aging(version: SnapshotVersion, as_of: datetime, part: Slice = ALL, limit: int = 200) -> pd.DataFrame:
    """MQLs still waiting for a first sales touch or an owner, oldest first."""
    naive_utc = as_of.astimezone(UTC).replace(tzinfo=None) if as_of.tzinfo else as_of
    return query(version, sql.AGING_LIST, as_of=naive_utc, limit=limit, **_slice_values(part))


def aging_count(version: SnapshotVersion, part: Slice = ALL) -> int:
    return int(query(version, sql.AGING_COUNT, **_slice_values(part))["waiting"].iloc[0])


@shaped
def reps(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    if part.team or part.source:
        frame = query(version, sql.REPS_SLICES, start=start, end=end, **_slice_values(part))
    else:
        frame = query(version, sql.REPS_MART, start=start, end=end, owner=part.owner)
    return frame.assign(month_start=pd.to_datetime(frame["month_start"]).dt.date)


@shaped
def credit(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    """Sourced and influenced pipeline / revenue by month, attribution, team and channel.

    Team and source filter the attribution's own team and channel (first touch: original source; last
    touch: latest source); owner and pipeline filter the deals.
    """
    if part.owner or part.pipeline:
        frame = query(
            version, sql.CREDIT_SLICES, start=start, end=end, owner=part.owner, pipeline=part.pipeline
        )
    else:
        frame = query(version, sql.CREDIT_MART, start=start, end=end)
    if part.team:
        frame = frame[frame["team"] == part.team]
    if part.source:
        frame = frame[frame["channel"] == part.source]
    return frame.assign(month_start=pd.to_datetime(frame["month_start"]).dt.date)


@shaped
def lead_quality(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    if part.contacts:
        frame = query(version, sql.LEAD_QUALITY_SLICES, start=start, end=end, **_slice_values(part))
    else:
        frame = query(version, sql.LEAD_QUALITY_MART, start=start, end=end)
    return frame


def reasons(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    if part.contacts:
        return query(version, sql.REASONS_SLICES, start=start, end=end, **_slice_values(part))
    return query(version, sql.REASONS_MART, start=start, end=end)


def grade_conversion(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    """Leads of the range by grade (empty for a snapshot published before the mart existed)."""
    if not has_table(version, "marts", "lead_grade_slices"):
        return pd.DataFrame()
    return query(version, sql.GRADE_CONVERSION, start=start, end=end, **_slice_values(part))


def frozen_months(version: SnapshotVersion) -> list[date]:
    if not has_table(version, "marts", "monthly_accountability"):
        return []
    frame = query(version, sql.FROZEN_MONTHS)
    return [pd.Timestamp(value).date() for value in frame["month_start"]]


def accountability(version: SnapshotVersion, start: date, end: date) -> pd.DataFrame:
    frame = query(version, sql.ACCOUNTABILITY, start=start, end=end)
    return frame.assign(month_start=pd.to_datetime(frame["month_start"]).dt.date)


def restatements(version: SnapshotVersion, month: date) -> pd.DataFrame:
    if not has_table(version, "marts", "metric_restatements"):
        return pd.DataFrame()
    return query(version, sql.RESTATEMENTS, month=month)


def definition_versions(version: SnapshotVersion) -> pd.DataFrame:
    if not has_table(version, "marts", "monthly_accountability"):
        return pd.DataFrame()
    return query(version, sql.DEFINITION_VERSIONS)


def checks(version: SnapshotVersion) -> pd.DataFrame:
    if not has_table(version, "serving_meta", "checks"):
        return pd.DataFrame()
    return query(version, sql.CHECKS)


def table_rows(version: SnapshotVersion) -> pd.DataFrame:
    return query(version, sql.TABLE_ROWS)


def stage_date_sources(version: SnapshotVersion) -> pd.DataFrame:
    """Per funnel stage (and `any_stage`) and date source: contacts whose stage date came from it (empty for
    a snapshot published before the mart existed)."""
    if not has_table(version, "marts", "stage_date_sources"):
        return pd.DataFrame()
    return query(version, sql.STAGE_DATE_SOURCES)


@shaped
def lead_cohort_steps(version: SnapshotVersion, start: date, end: date, part: Slice = ALL) -> pd.DataFrame:
    """Per lead cohort month and consecutive stage pair: the step conversion (of those who reached the stage
    before, within the windows) and the step's median days (from the cohort of the stage before)."""
    frame = cohorts(version, start, end, part)
    stage_rows = stages(version).sort_values("stage_order").reset_index(drop=True)
    if stage_rows.empty or frame.empty:
        return pd.DataFrame(columns=["cohort_month", "step", "rate", "median_days_to_reach", "is_incomplete"])
    first = stage_rows.iloc[0]["stage_key"]
    labels = dict(zip(stage_rows["stage_key"], stage_rows["stage_label"], strict=True))
    keys = list(stage_rows["stage_key"])
    parts = []
    for before, after in itertools.pairwise(keys):
        lead_rows = frame[frame["cohort_stage_key"] == first]
        size_rows = lead_rows[lead_rows["stage_key"] == before]
        next_rows = lead_rows[lead_rows["stage_key"] == after]
        speed_rows = frame[(frame["cohort_stage_key"] == before) & (frame["stage_key"] == after)]
        merged = (
            size_rows[["cohort_month", "contacts_reached_within_window"]]
            .merge(
                next_rows[["cohort_month", "contacts_reached_within_window", "is_incomplete"]],
                on="cohort_month",
                suffixes=("_before", "_after"),
            )
            .merge(speed_rows[["cohort_month", "median_days_to_reach"]], on="cohort_month", how="left")
        )
        before_count = merged["contacts_reached_within_window_before"].astype(float)
        merged["rate"] = (merged["contacts_reached_within_window_after"] / before_count).where(
            before_count > 0
        )
        merged["step"] = f"{labels[before]} → {labels[after]}"
        parts.append(merged)
    steps = pd.concat(parts, ignore_index=True)
    return steps.assign(month=pd.to_datetime(steps["cohort_month"]))


# ----------------------------------------------------------------------------- prospect audiences
def has_audiences(version: SnapshotVersion) -> bool:
    """False for a snapshot published before the audience marts existed."""
    from onefunnel.audiences.sql import AUDIENCE_TABLES

    return all(has_table(version, "marts", table) for table in AUDIENCE_TABLES)


def audience_reps(version: SnapshotVersion) -> pd.DataFrame:
    """One row per rep with working prospects: candidates, in the audience, exclusions by reason."""
    return query(version, sql.AUDIENCE_REPS)


def audience_formats(version: SnapshotVersion) -> pd.DataFrame:
    return query(version, sql.AUDIENCE_FORMATS)


def audience_members(version: SnapshotVersion, owner: str) -> pd.DataFrame:
    """The prospects in one rep's audience, in the exported files' order."""
    return query(version, sql.AUDIENCE_MEMBERS, owner=owner)
