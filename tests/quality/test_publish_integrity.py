"""Publish ships exactly the warehouse content the quality gate checked, on a stand-in warehouse: any write
after the check (a rebuild, a write-ahead log replayed on open, an unfinished transform) is refused with a
message naming what changed and what to rerun; killed publishes leave no copies behind; snapshots are private.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from quality_helpers import (
    Paths,
    file_digest,
    make_summary,
    make_warehouse,
    record_summary,
    write_manifest,
)

from onefunnel.publish.serving import read_run_metadata
from onefunnel.publish.snapshot import PUBLISH_LOG, PublishRefused, publish
from onefunnel.quality.runner import build_completed_check, warehouse_fingerprint
from onefunnel.quality.severity import CheckStatus, Severity

pytestmark = pytest.mark.unit

# What a killed process leaves: its committed change only in warehouse.duckdb.wal (the file itself untouched).
WRITE_AND_DIE = """
import duckdb, os, sys
con = duckdb.connect(sys.argv[1])
con.execute(
    "create or replace table marts.funnel_period_monthly as "
    "select * from marts.funnel_period_monthly limit 10"
)
os._exit(0)
"""


def _publish(paths: Paths, **kwargs):
    return publish(
        warehouse_path=paths.warehouse,
        target=paths.serving,
        quality_dir=paths.quality,
        required_checkpoints=["landing", "warehouse"],
        **kwargs,
    )


def _serving_state(paths: Paths) -> tuple[str, str]:
    return file_digest(paths.serving), read_run_metadata(paths.serving)["run_id"]


def _add_build(warehouse: Path, invocation_id: str, loaded_at: str, succeeded: bool = True) -> None:
    """A definitions.build_log row as dbt's on-run-end hook writes it (the columns publish reads)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists definitions")
        con.execute(
            "create table if not exists definitions.build_log (loaded_at timestamp, invocation_id varchar, "
            "succeeded boolean, is_complete boolean, is_full_refresh boolean)"
        )
        con.execute(
            "insert into definitions.build_log values (?, ?, ?, true, true)",
            [loaded_at, invocation_id, succeeded],
        )


def _temporaries(paths: Paths) -> list[str]:
    return sorted(path.name for path in paths.serving.parent.iterdir() if ".tmp" in path.name)


@pytest.fixture
def serving(paths: Paths) -> tuple[str, str]:
    """A warehouse built by dbt build `build-one`, checked and published."""
    make_warehouse(paths.warehouse)
    _add_build(paths.warehouse, "build-one", "2026-01-01 00:00:00")
    record_summary(paths.quality, make_summary(paths.warehouse, run_id="20260101T000000000Z-checked"))
    _publish(paths)
    return _serving_state(paths)


def test_publish_refuses_warehouse_changed_after_check_by_wal_replay(paths: Paths, serving):
    # GIVEN a checked and published warehouse, then a process that rewrote a mart and died before
    # checkpointing: its change lives only in warehouse.duckdb.wal, the file's size and mtime are unchanged
    before = paths.warehouse.stat()
    subprocess.run([sys.executable, "-c", WRITE_AND_DIE, str(paths.warehouse)], check=True)
    assert Path(f"{paths.warehouse}.wal").exists()
    assert (paths.warehouse.stat().st_size, paths.warehouse.stat().st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )
    # WHEN publish runs (opening the warehouse replays the log)
    with pytest.raises(PublishRefused) as refused:
        _publish(paths)
    # THEN it refuses, naming the table, the build and what to rerun
    message = str(refused.value)
    assert "marts.funnel_period_monthly (checked 50 rows, found 10)" in message
    assert "the same dbt build build-one is recorded" in message
    assert "run `onefunnel transform`, then `onefunnel check`, then `onefunnel publish`" in message
    # AND the last good snapshot keeps serving, no temporary is left, and the refusal is logged
    assert _serving_state(paths) == serving
    assert _temporaries(paths) == []
    events = [json.loads(line) for line in (paths.quality / PUBLISH_LOG).read_text().splitlines()]
    assert events[-1]["event"] == "refused"
    assert "marts.funnel_period_monthly" in events[-1]["reasons"][0]


def test_publish_refuses_a_new_build_the_check_did_not_see_even_with_equal_tables(paths: Paths, serving):
    # GIVEN a second dbt build after the check that happened to produce the same marts
    _add_build(paths.warehouse, "build-two", "2026-01-02 00:00:00")
    # WHEN publish runs / THEN it refuses: the verdict belongs to build-one, and only a check is needed
    with pytest.raises(PublishRefused) as refused:
        _publish(paths)
    message = str(refused.value)
    assert "the check saw dbt build build-one, the warehouse now holds build build-two" in message
    assert "no table content changed" in message
    assert "run `onefunnel check`, then `onefunnel publish`" in message
    assert _serving_state(paths) == serving


def test_publish_refuses_a_table_the_check_never_saw(paths: Paths, serving):
    # GIVEN a published mart added after the check (the checksums recorded by check do not cover it)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create table marts.sneaked_in as select 1 as id")
    write_manifest(
        paths.warehouse,
        [("marts", "funnel_period_monthly"), ("marts", "deals_monthly"), ("marts", "sneaked_in")],
    )
    # WHEN publish runs / THEN it refuses, naming the table
    with pytest.raises(PublishRefused, match=r"marts\.sneaked_in \(not checked: 1 rows\)"):
        _publish(paths)
    assert _serving_state(paths) == serving


def test_publish_refuses_while_a_killed_transform_left_its_marker(paths: Paths, serving):
    # GIVEN a transform that was killed (its marker names a process that no longer runs)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    marker = paths.warehouse.with_name(f"warehouse.duckdb.transform-{int(gone.stdout)}.unfinished")
    marker.write_text(json.dumps({"pid": int(gone.stdout), "started_at": "2026-01-02T00:00:00+00:00"}))
    # WHEN publish runs / THEN it refuses before copying anything, saying what to rerun
    with pytest.raises(PublishRefused) as refused:
        _publish(paths)
    message = str(refused.value)
    assert "started at 2026-01-02T00:00:00+00:00" in message
    assert "did not finish (killed or crashed)" in message
    assert (
        "run `onefunnel transform` to completion, then `onefunnel check`, then `onefunnel publish`" in message
    )
    assert _serving_state(paths) == serving


def test_publish_refuses_a_quality_run_recorded_without_content_checksums(paths: Paths, serving):
    # GIVEN a quality run recorded by the old check (file size and mtime only)
    summary = make_summary(paths.warehouse, run_id="20260102T000000000Z-oldstyle")
    summary.warehouse = {key: summary.warehouse[key] for key in ("path", "size", "mtime_ns")}
    record_summary(paths.quality, summary)
    # WHEN publish runs / THEN it refuses and asks for a new check
    with pytest.raises(PublishRefused, match="recorded no content checksums of the warehouse"):
        _publish(paths)
    assert _serving_state(paths) == serving


def test_the_check_records_the_build_and_what_publish_then_copies(paths: Paths):
    # GIVEN a built warehouse
    make_warehouse(paths.warehouse)
    _add_build(paths.warehouse, "build-one", "2026-01-01 00:00:00")
    # WHEN check fingerprints it, and the checked run is published
    fingerprint = warehouse_fingerprint(paths.warehouse)
    record_summary(paths.quality, make_summary(paths.warehouse))
    result = _publish(paths)
    # THEN the check saw the build and every serving table, with the checksums publish copied
    assert fingerprint["build"]["invocation_id"] == "build-one"
    assert fingerprint["build"]["succeeded"] is True
    assert {key: (value["rows"], value["checksum"]) for key, value in fingerprint["tables"].items()} == {
        key: (result.tables[key], result.checksums[key]) for key in result.tables
    }
    assert set(fingerprint["tables"]) == {"marts.deals_monthly", "marts.funnel_period_monthly"}


@pytest.mark.parametrize(
    ("fingerprint", "clue"),
    [
        (
            {
                "build": {"invocation_id": "b1", "succeeded": True},
                "unfinished_transforms": ["the x did not finish"],
            },
            "the x did not finish: the warehouse may mix tables of two builds; run `onefunnel transform`",
        ),
        ({"build": {"invocation_id": "b1", "succeeded": False}}, "the last dbt build (b1,"),
        ({"build": None}, "no record of a dbt build"),
    ],
    ids=["killed_transform", "failed_build", "no_build_log"],
)
def test_check_fails_critically_when_the_last_build_did_not_complete(fingerprint: dict, clue: str):
    # GIVEN what check saw of the warehouse / WHEN it judges the build
    result = build_completed_check(fingerprint)
    # THEN the warehouse checkpoint fails critically, saying why and what to rerun
    assert (result.status, result.severity) == (CheckStatus.FAILED, Severity.CRITICAL)
    assert clue in result.message


def test_check_passes_a_completed_build():
    result = build_completed_check({"build": {"invocation_id": "b1", "loaded_at": "t", "succeeded": True}})
    assert result.status is CheckStatus.PASSED
    assert "b1" in result.message


def test_publish_removes_snapshot_copies_a_killed_publish_left_behind(paths: Paths, serving):
    # GIVEN full snapshot copies (and a write-ahead log) that killed publishes left beside the snapshot,
    # and a temporary of another file in the same folder
    folder = paths.serving.parent
    left = [folder / ".serving.duckdb.4242.a1b2c3.tmp", folder / ".serving.duckdb.4243.d4e5f6.tmp"]
    for path in left:
        shutil.copy2(paths.serving, path)
    Path(f"{left[0]}.wal").write_bytes(b"\0" * 64)
    foreign = folder / ".other.duckdb.1.tmp"
    foreign.write_bytes(b"not ours")
    # WHEN the next publish runs
    record_summary(paths.quality, make_summary(paths.warehouse, run_id="20260102T000000000Z-next"))
    result = _publish(paths)
    # THEN this snapshot's leftovers are gone, the result and the log say so, the other file is kept
    assert _temporaries(paths) == [foreign.name]
    assert len(result.notes) == 3
    assert all("left by an interrupted publish" in note for note in result.notes)
    events = [json.loads(line) for line in (paths.quality / PUBLISH_LOG).read_text().splitlines()]
    assert events[-1]["event"] == "published"
    assert events[-1]["notes"] == result.notes
    # AND the new snapshot is whole
    assert read_run_metadata(paths.serving)["run_id"] == "20260102T000000000Z-next"


PUBLISH_IN_CHILD = """
import sys
from pathlib import Path
from onefunnel.publish.snapshot import publish
warehouse, serving, quality = map(Path, sys.argv[1:4])
publish(warehouse_path=warehouse, target=serving, quality_dir=quality, required_checkpoints=["warehouse"])
"""


def _copy_under_way(paths: Paths) -> bool:
    """Rows are being written: the temporary copy has a write-ahead log, or is past its empty header."""
    for path in paths.serving.parent.glob(".serving.duckdb.*.tmp*"):
        try:
            if path.name.endswith(".wal") or path.stat().st_size > 1_000_000:
                return True
        except FileNotFoundError:
            continue
    return False


def test_a_publish_killed_mid_copy_leaves_no_copy_after_the_next_publish(paths: Paths, serving):
    # GIVEN a checked warehouse with a published mart big enough that copying it takes a moment
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute(
            "create table marts.big as select range as id, md5(range::varchar) as h from range(3000000)"
        )
    write_manifest(
        paths.warehouse, [("marts", "funnel_period_monthly"), ("marts", "deals_monthly"), ("marts", "big")]
    )
    record_summary(paths.quality, make_summary(paths.warehouse, run_id="20260102T000000000Z-bigcheck"))
    # WHEN a publish is killed with SIGKILL while it writes its temporary copy
    child = subprocess.Popen(
        [sys.executable, "-c", PUBLISH_IN_CHILD, str(paths.warehouse), str(paths.serving), str(paths.quality)]
    )
    try:
        while not _copy_under_way(paths) and child.poll() is None:
            time.sleep(0.002)
        child.kill()
    finally:
        child.wait(timeout=60)
    assert child.returncode == -9, "the publish finished before it could be killed"
    left = _temporaries(paths)
    assert left, "the killed publish left no temporary (nothing to clean: the test proves nothing)"
    assert _serving_state(paths) == serving  # the killed publish never replaced the snapshot
    # AND the next publish runs
    result = _publish(paths)
    # THEN the copies the killed one left are gone, the result says so, and the new snapshot is whole
    assert _temporaries(paths) == []
    assert sorted(note.split()[1] for note in result.notes) == left
    assert read_run_metadata(paths.serving)["run_id"] == "20260102T000000000Z-bigcheck"
    assert result.tables["marts.big"] == 3000000


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_serving_snapshot_and_its_folder_are_private(paths: Paths):
    # GIVEN a permissive umask, a checked warehouse and an existing world-readable serving folder
    old_umask = os.umask(0o022)
    try:
        paths.serving.parent.mkdir(parents=True, mode=0o755)
        make_warehouse(paths.warehouse)
        record_summary(paths.quality, make_summary(paths.warehouse))
        # WHEN it is published
        _publish(paths)
    finally:
        os.umask(old_umask)
    # THEN the snapshot is readable by its owner only, and so is its folder
    assert _mode(paths.serving) == 0o600
    assert _mode(paths.serving.parent) == 0o700


def test_publish_command_prints_the_copies_it_removed(paths: Paths, serving):
    # GIVEN a full snapshot copy a killed publish left behind, and a new checked run
    from click.testing import CliRunner

    from onefunnel.quality.cli import publish as publish_command

    shutil.copy2(paths.serving, paths.serving.parent / ".serving.duckdb.4242.a1b2c3.tmp")
    record_summary(paths.quality, make_summary(paths.warehouse, run_id="20260102T000000000Z-next"))
    # WHEN the operator publishes from the shell
    outcome = CliRunner().invoke(
        publish_command,
        [
            "--warehouse",
            str(paths.warehouse),
            "--target",
            str(paths.serving),
            "--quality-dir",
            str(paths.quality),
        ],
    )
    # THEN the command says which copy it removed, not only the JSON log
    assert outcome.exit_code == 0, outcome.output
    assert "note:" in outcome.output
    assert ".serving.duckdb.4242.a1b2c3.tmp" in outcome.output
