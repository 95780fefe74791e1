"""Moving the portal clock: the portal changes exactly as the AdvanceReport says, deterministically."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from onefunnel.portal import store
from onefunnel.portal.advance import AdvanceReport, advance_portal
from onefunnel.portal.gen_checks import check_portal
from onefunnel.portal.gen_time import DAY_MS
from onefunnel.portal.generate import generate_portal
from onefunnel.portal.manifest import build_manifest

AS_OF = datetime(2025, 11, 15, tzinfo=UTC)
DAYS = 45


@dataclass
class Advanced:
    portal_dir: Path
    before: dict
    after: dict
    report: AdvanceReport
    updated_before: dict[int, int]


def updated_at_by_id(portal_dir: Path) -> dict[int, int]:
    conn = store.connect(portal_dir, read_only=True)
    try:
        return dict(conn.execute("select id, updated_at from objects").fetchall())
    finally:
        conn.close()


def ids(manifest: dict, object_type: str, state: str) -> set[int]:
    return {int(i) for i in manifest["objects"][object_type][state]["ids"]}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 2,500 contacts: big enough that 45 days bring deletions and merges
    portal_dir = tmp_path_factory.mktemp("pristine")
    generate_portal(portal_dir, size="tiny", seed=11, as_of=AS_OF, contacts=2_500)
    return portal_dir


def copy_portal(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in (store.PORTAL_FILE_NAME, "manifest.json"):
        shutil.copy2(src / name, dst / name)
    return dst


@pytest.fixture(scope="module")
def advanced(pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> Advanced:
    portal_dir = copy_portal(pristine, tmp_path_factory.mktemp("advanced"))
    before = build_manifest(portal_dir)
    updated_before = updated_at_by_id(portal_dir)
    report = advance_portal(portal_dir, DAYS)
    return Advanced(portal_dir, before, build_manifest(portal_dir), report, updated_before)


@pytest.mark.integration
def test_clock_moves_forward(advanced: Advanced) -> None:
    # GIVEN a portal advanced by 45 days
    # THEN its clock (meta, manifest, report) moved by exactly that much
    assert advanced.report.new_clock_ms - advanced.report.old_clock_ms == DAYS * DAY_MS
    assert advanced.before["clock"] == "2025-11-15T00:00:00.000Z"
    assert advanced.after["clock"] == advanced.report.new_clock == "2025-12-30T00:00:00.000Z"


@pytest.mark.integration
def test_manifest_changes_exactly_as_reported(advanced: Advanced) -> None:
    # GIVEN manifests before and after the advance and its report
    rep = advanced.report
    for object_type in store.OBJECT_TYPE_CODES:
        created, archived = set(rep.created[object_type]), set(rep.archived[object_type])
        losers = {loser for loser, _ in rep.merged[object_type]}
        # THEN active = (old active + created) - archived - merged away
        expected_active = (ids(advanced.before, object_type, "active") | created) - archived - losers
        assert ids(advanced.after, object_type, "active") == expected_active, object_type
        # AND archived grows by exactly the reported deletions
        assert (
            ids(advanced.after, object_type, "archived")
            == ids(advanced.before, object_type, "archived") | archived
        )
        # AND merges are recorded as loser -> survivor pairs
        pairs_after = {tuple(map(int, p)) for p in advanced.after["objects"][object_type]["merged"]["pairs"]}
        pairs_before = {
            tuple(map(int, p)) for p in advanced.before["objects"][object_type]["merged"]["pairs"]
        }
        assert pairs_after == pairs_before | set(rep.merged[object_type])
        # AND nothing reported as updated is new or gone
        assert set(rep.updated[object_type]) <= ids(advanced.before, object_type, "active")


@pytest.mark.integration
def test_exactly_the_reported_records_changed(advanced: Advanced) -> None:
    # GIVEN updated_at of every record before and after
    rep = advanced.report
    after = updated_at_by_id(advanced.portal_dir)
    reported: set[int] = set()
    for object_type in store.OBJECT_TYPE_CODES:
        reported |= (
            set(rep.created[object_type]) | set(rep.updated[object_type]) | set(rep.archived[object_type])
        )
        reported |= {loser for loser, _ in rep.merged[object_type]}
    # THEN the records whose updated_at lies in (old clock, new clock] are exactly the reported ones
    changed = {oid for oid, ts in after.items() if ts > rep.old_clock_ms}
    assert changed == reported
    assert max(after.values()) <= rep.new_clock_ms
    # AND no record outside the report was rewritten
    assert all(after[oid] == ts for oid, ts in advanced.updated_before.items() if oid not in reported)


@pytest.mark.integration
def test_the_live_account_really_moved(advanced: Advanced) -> None:
    # GIVEN 45 days of a 2,500-contact account
    rep = advanced.report
    # THEN new contacts, companies, deals and activities appear, old records change,
    # and deletions and merges happen
    assert rep.new_persons > 50
    assert len(rep.created["contacts"]) >= rep.new_persons
    assert rep.created["deals"]
    assert rep.created["calls"]
    assert rep.created["emails"]
    assert len(rep.updated["contacts"]) > 50
    assert rep.updated["deals"]
    assert sum(len(v) for v in rep.archived.values()) > 0
    assert rep.merged["contacts"]


@pytest.mark.integration
def test_advanced_portal_keeps_the_invariants(advanced: Advanced) -> None:
    # GIVEN the advanced portal
    # THEN every generation invariant still holds
    assert check_portal(advanced.portal_dir) == []


@pytest.mark.integration
def test_advance_is_logged(advanced: Advanced) -> None:
    # GIVEN the advanced portal
    conn = store.connect(advanced.portal_dir, read_only=True)
    try:
        logged = conn.execute("select old_clock, new_clock, days, report from advance_log").fetchall()
    finally:
        conn.close()
    # THEN one log row holds the same report
    assert len(logged) == 1
    old, new, days, blob = logged[0]
    assert (old, new, days) == (advanced.report.old_clock_ms, advanced.report.new_clock_ms, DAYS)
    assert orjson.loads(blob)["created"]["contacts"] == advanced.report.created["contacts"]


@pytest.mark.integration
def test_advance_is_deterministic(pristine: Path, advanced: Advanced, tmp_path: Path) -> None:
    # GIVEN another copy of the same pristine portal
    other = copy_portal(pristine, tmp_path / "other")
    # WHEN it is advanced by the same number of days
    report = advance_portal(other, DAYS)
    # THEN the same records change and the same state results
    assert report.created == advanced.report.created
    assert report.updated == advanced.report.updated
    assert build_manifest(other) == advanced.after
    assert updated_at_by_id(other) == updated_at_by_id(advanced.portal_dir)


@pytest.mark.integration
def test_advancing_in_steps_moves_the_clock_each_time(pristine: Path, tmp_path: Path) -> None:
    # GIVEN a copy of the pristine portal
    portal_dir = copy_portal(pristine, tmp_path / "steps")
    # WHEN it is advanced by 0, then 3, then 4 days
    zero = advance_portal(portal_dir, 0)
    first = advance_portal(portal_dir, 3)
    second = advance_portal(portal_dir, 4)
    # THEN a zero-day advance changes nothing and each step starts where the last ended
    assert not any(zero.created.values())
    assert not any(zero.updated.values())
    assert first.old_clock_ms == zero.new_clock_ms
    assert second.old_clock_ms == first.new_clock_ms
    assert second.new_clock_ms - zero.old_clock_ms == 7 * DAY_MS
    # AND ids created in different steps never collide
    assert not set(first.created["contacts"]) & set(second.created["contacts"])
    assert check_portal(portal_dir) == []


@pytest.mark.unit
def test_negative_days_are_refused(tmp_path: Path) -> None:
    # GIVEN any portal directory
    # WHEN asked to move the clock backwards
    # THEN advance refuses before touching anything
    with pytest.raises(ValueError, match="forward"):
        advance_portal(tmp_path, -1)
