"""End to end on a portal with customised lifecycle stages (issue 14): the published funnel equals a direct
count from the portal's own stage dates.

GIVEN a tiny `custom-stages` portal (renamed stages, `opportunity` removed, custom stages 1034567 and 1034568
dated only by `hs_v2_date_entered_<value>`, ~3% of contacts dated only by their lifecyclestage history)
WHEN it is extracted, transformed with definitions.custom-stages.yml, checked and published
THEN marts.funnel_period_monthly and marts.funnel_cohort_monthly in the serving snapshot equal counts
computed here from the portal's SQLite store alone (never from the warehouse), following metrics.md:
reached S = a date for S or a later stage, stage date = the earliest of those, a disqualified contact stops
counting for stages dated after its disqualification, months in the definitions' time zone, cohort
conversions = every step on the way made within its own window, timed from the stage before.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import orjson
import pytest

from onefunnel.config import REPO_ROOT
from onefunnel.definitions import Definitions, load_definitions
from onefunnel.portal import store
from onefunnel.portal.gen_lifecycle import CUSTOM_STAGES, OPEN_DEAL, SALES_ACCEPTED_LEAD
from pipeline_data_dir import DataDir

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEFINITIONS_FILE = REPO_ROOT / "definitions.custom-stages.yml"
TOKEN = "custom-stages-test-token"
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)

BUILD_SCRIPT = """
import sys
from pathlib import Path
from onefunnel.warehouse import build_warehouse
build_warehouse(
    landing_dir=Path(sys.argv[1]),
    warehouse_path=Path(sys.argv[2]),
    definitions_path=Path(sys.argv[3]),
    freeze_due=False,
)
"""


# ---------------------------------------------------------------- the pipeline, step by step


def _generate(data: DataDir) -> None:
    from onefunnel.portal.generate import generate_portal

    # a clock a few days back, midnight UTC: every record is in the past when the quality gate looks
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    generate_portal(data.portal, size="tiny", as_of=today - timedelta(days=3), profile="custom-stages")


def _extract(data: DataDir) -> None:
    from onefunnel.hubspot.client import Credentials
    from onefunnel.hubspot.runner import ExtractOptions, run_extraction
    from onefunnel.portal.server import PortalServer, ServerOptions

    server = PortalServer(data.portal, ServerOptions.fast(TOKEN)).start()
    try:
        options = ExtractOptions(
            landing_dir=data.landing, state_dir=data.state, host=server.url, tier=None, concurrency=4
        )
        summary = run_extraction(options, credentials=Credentials(TOKEN, server.url, "test"))
    finally:
        server.stop()
    assert summary.ok


def _transform(data: DataDir) -> None:
    """dbt build in a child process, as an Airflow task runs it (the warehouse is closed afterwards)."""
    completed = subprocess.run(
        [sys.executable, "-c", BUILD_SCRIPT, str(data.landing), str(data.warehouse), str(DEFINITIONS_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"


def _check_and_publish(data: DataDir) -> None:
    from onefunnel.publish.snapshot import publish
    from onefunnel.quality.runner import CheckOptions, run_checks

    summary = run_checks(
        CheckOptions(
            landing_dir=data.landing,
            warehouse_path=data.warehouse,
            quality_dir=data.quality,
            definitions_path=DEFINITIONS_FILE,
            build_docs=False,
        )
    )
    assert summary.status.publishable, [c for c in summary.checks if c.status != "passed"]
    publish(warehouse_path=data.warehouse, target=data.serving, quality_dir=data.quality)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    data = DataDir(tmp_path_factory.mktemp("custom-stages"))
    _generate(data)
    _extract(data)
    _transform(data)
    _check_and_publish(data)
    return data


# ---------------------------------------------------------------- the direct count, from the portal alone


def _ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _portal_contacts(portal_dir: Path) -> list[tuple[int, dict, dict[str, list[dict]]]]:
    """Live contacts (not archived, not merged away): id, properties, property history by name."""
    conn = store.connect(portal_dir, read_only=True)
    try:
        contacts = conn.execute(
            "select id, properties from objects where type = 1 and archived = 0 and merged_into is null"
        ).fetchall()
        history: dict[int, dict[str, list[dict]]] = {}
        for oid, prop, blob in conn.execute(
            "select h.object_id, h.property, h.history from property_history h "
            "join objects o on o.id = h.object_id where o.type = 1"
        ):
            history.setdefault(oid, {})[prop] = orjson.loads(blob)
    finally:
        conn.close()
    return [(oid, orjson.loads(props), history.get(oid, {})) for oid, props in contacts]


def _value_dates(
    props: dict, history: dict[str, list[dict]], values: list[str]
) -> dict[str, tuple[datetime, str]]:
    """Each lifecycle value's date and its source: HubSpot's stage date, else date entered, else the first
    time the history set the value; a contact with none of them takes its create date for its current
    stage."""
    first_set: dict[str, datetime] = {}
    for entry in history.get("lifecyclestage", []):  # newest first: the last write is the earliest
        first_set[entry["value"]] = _ts(entry["timestamp"])  # type: ignore[assignment]
    dates = {}
    for value in values:
        for source, when in (
            ("stage_property", _ts(props.get(f"hs_lifecyclestage_{value}_date"))),
            ("date_entered_property", _ts(props.get(f"hs_v2_date_entered_{value}"))),
            ("history", first_set.get(value)),
        ):
            if when is not None:
                dates[value] = (when, source)
                break
    if not dates and props.get("lifecyclestage") in values:
        dates[props["lifecyclestage"]] = (_ts(props["createdate"]), "create_date")  # type: ignore[assignment]
    return dates


def _last_set(history: dict[str, list[dict]], prop: str, value: str) -> datetime | None:
    stamps = [_ts(e["timestamp"]) for e in history.get(prop, []) if e["value"] == value]
    return max(stamps) if stamps else None  # type: ignore[type-var]


def _disqualified_at(
    props: dict, history: dict[str, list[dict]], dates: dict[str, tuple[datetime, str]], defs: Definitions
) -> datetime | None:
    """When the contact's current disqualifying value was set (lifecycle stage date, else its history);
    the earlier of the two when both the lifecycle stage and the lead status disqualify."""
    stage, status = props.get("lifecyclestage"), props.get("hs_lead_status")
    moments = []
    if stage in defs.disqualification.lifecycle_stages:
        moments.append(dates[stage][0] if stage in dates else _last_set(history, "lifecyclestage", stage))
    if status in defs.disqualification.lead_statuses:
        moments.append(_last_set(history, "hs_lead_status", status))
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None


def direct_stage_dates_and_sources(portal_dir: Path, defs: Definitions) -> dict[int, dict[str, tuple]]:
    """contact id -> {funnel stage key: (stage date, its source)} for every stage the contact counts for."""
    values = [v for stage in defs.stages for v in stage.lifecycle_stages]
    values += [v for v in defs.disqualification.lifecycle_stages if v not in values]
    out = {}
    for oid, props, history in _portal_contacts(portal_dir):
        dates = _value_dates(props, history, values)
        own = [min((dates[v] for v in s.lifecycle_stages if v in dates), default=None) for s in defs.stages]
        cut = _disqualified_at(props, history, dates, defs) or FAR_FUTURE
        stage_dates = {}
        for position, stage in enumerate(defs.stages):
            later = [dated for dated in own[position:] if dated is not None]
            if later and min(later)[0] <= cut:
                stage_dates[stage.key] = min(later)
        if stage_dates:
            out[oid] = stage_dates
    return out


def direct_stage_dates(portal_dir: Path, defs: Definitions) -> dict[int, dict[str, datetime]]:
    """contact id -> {funnel stage key: stage date} for every stage the contact counts for."""
    return {
        oid: {key: dated[0] for key, dated in stages.items()}
        for oid, stages in direct_stage_dates_and_sources(portal_dir, defs).items()
    }


def _month(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-01")


def direct_period_funnel(stage_dates: dict[int, dict[str, datetime]], defs: Definitions) -> Counter:
    zone = ZoneInfo(defs.time_zone)
    return Counter((_month(when, zone), key) for dates in stage_dates.values() for key, when in dates.items())


def direct_cohort_funnel(stage_dates: dict[int, dict[str, datetime]], defs: Definitions) -> dict:
    """(cohort stage, cohort month, stage) -> [contacts reached, reached with each step in its window]."""
    zone = ZoneInfo(defs.time_zone)
    keys = [stage.key for stage in defs.stages]
    windows = defs.conversion_windows_days
    step_window = {second: windows[f"{first}_to_{second}"] for first, second in pairwise(keys)}
    out: dict[tuple[str, str, str], list[int]] = {}
    for dates in stage_dates.values():
        for c, cohort_key in enumerate(keys[:-1]):
            start = dates.get(cohort_key)
            if start is None:
                continue
            on_time = True
            for index in range(c, len(keys)):
                target_key = keys[index]
                reached = dates.get(target_key)
                if reached is None:
                    continue
                previous = dates.get(keys[index - 1]) if target_key != cohort_key else None
                if previous is not None:
                    # the step into this stage, timed from the stage before, against that step's own window
                    step_days = (reached - previous).total_seconds() / 86400
                    on_time = on_time and step_days <= step_window[target_key]
                cell = out.setdefault((cohort_key, _month(start, zone), target_key), [0, 0])
                cell[0] += 1
                cell[1] += int(on_time)
    return out


def _serving(data: DataDir, sql: str) -> list[tuple]:
    with duckdb.connect(str(data.serving), read_only=True) as connection:
        return connection.execute(sql).fetchall()


# ---------------------------------------------------------------- tests


def test_the_portal_has_what_the_proof_needs(published: DataDir) -> None:
    # GIVEN the custom-stages portal's direct count
    defs = load_definitions(DEFINITIONS_FILE)
    stage_dates = direct_stage_dates(published.portal, defs)
    # THEN both custom stages are mapped and reached, and some counted contacts are dated only by history
    assert {SALES_ACCEPTED_LEAD, OPEN_DEAL} <= {v for s in defs.stages for v in s.lifecycle_stages}
    assert sum("sal" in d for d in stage_dates.values()) > 10
    assert sum("opportunity" in d for d in stage_dates.values()) > 5
    history_only = [
        oid
        for oid, props, _history in _portal_contacts(published.portal)
        if oid in stage_dates and not any(k.startswith(("hs_v2_date_", "hs_lifecyclestage_")) for k in props)
    ]
    assert history_only
    assert all(CUSTOM_STAGES.is_history_only(oid) for oid in history_only)


def test_published_period_funnel_equals_the_direct_count(published: DataDir) -> None:
    # GIVEN the count straight from the portal's stage dates
    defs = load_definitions(DEFINITIONS_FILE)
    expected = direct_period_funnel(direct_stage_dates(published.portal, defs), defs)
    # WHEN the published period funnel is read
    rows = _serving(
        published,
        "select cast(month_start as varchar), stage_key, contacts_entered from marts.funnel_period_monthly "
        "where contacts_entered > 0",
    )
    # THEN every month and stage, the custom ones included, has exactly the portal's number
    assert {(month, key): n for month, key, n in rows} == dict(expected)
    assert {key for _month, key in expected} == {stage.key for stage in defs.stages}


def test_history_only_contacts_are_counted(published: DataDir) -> None:
    # GIVEN the direct count with and without the contacts dated only by their lifecyclestage history
    defs = load_definitions(DEFINITIONS_FILE)
    stage_dates = direct_stage_dates(published.portal, defs)
    without = {oid: d for oid, d in stage_dates.items() if not CUSTOM_STAGES.is_history_only(oid)}
    total_sql = "select sum(contacts_entered) from marts.funnel_period_monthly"
    published_total = _serving(published, total_sql)[0][0]
    # THEN the published funnel counts them: it matches the count with them, not without them
    assert published_total == sum(direct_period_funnel(stage_dates, defs).values())
    assert published_total > sum(direct_period_funnel(without, defs).values())


def test_published_cohort_funnel_equals_the_direct_count(published: DataDir) -> None:
    # GIVEN the cohort count straight from the portal's stage dates
    defs = load_definitions(DEFINITIONS_FILE)
    expected = direct_cohort_funnel(direct_stage_dates(published.portal, defs), defs)
    # WHEN the published cohort funnel is read
    rows = _serving(
        published,
        "select cohort_stage_key, cast(cohort_month as varchar), stage_key, contacts_reached, "
        "contacts_reached_within_window from marts.funnel_cohort_monthly where contacts_reached > 0",
    )
    # THEN each cohort's reach and in-window conversions, through every custom stage, are the portal's
    assert {(c, m, s): [n, w] for c, m, s, n, w in rows} == expected
    assert {"sal", "opportunity"} <= {stage for _c, _m, stage in expected}


def test_published_stage_date_sources_equal_the_portals(published: DataDir) -> None:
    # GIVEN where each counted stage date comes from in the portal (stage property, date entered, history)
    defs = load_definitions(DEFINITIONS_FILE)
    dated = direct_stage_dates_and_sources(published.portal, defs)
    expected = Counter((key, source) for stages in dated.values() for key, (_when, source) in stages.items())
    history_dated = sum(1 for stages in dated.values() if all(s == "history" for _w, s in stages.values()))
    # WHEN the published Data health mart is read
    rows = _serving(
        published,
        "select stage_key, date_source, contacts from marts.stage_date_sources where contacts > 0",
    )
    found = {(key, source): n for key, source, n in rows}
    # THEN per stage the dates rest on the same sources: custom stages on date-entered properties, the
    # history-only contacts on their lifecyclestage history, nothing on a create date
    assert {k: n for k, n in found.items() if k[0] != "any_stage"} == dict(expected)
    assert found.get(("sal", "date_entered_property"), 0) > 0
    assert found.get(("any_stage", "history")) == history_dated > 0
    assert not any(source == "create_date" for _key, source in found)
