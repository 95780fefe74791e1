"""kill -9 of `onefunnel transform` at several points, then `publish`: the dashboard keeps the last good
snapshot, and a new one ships only after a complete transform and a new check. Plus the issue's reproduction
(a mart rewritten after the check, left in the write-ahead log) and the warehouse's file modes, on the real
pipeline (tiny portal -> extraction -> dbt -> gate -> publish).
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from quality_helpers import PublishedBase, file_digest
from quality_pipeline import DataDir, check, extract, publish

from onefunnel import config
from onefunnel.publish.serving import read_run_metadata
from onefunnel.publish.snapshot import PublishRefused, table_checksum
from onefunnel.publish.snapshot import publish as publish_snapshot
from onefunnel.quality.runner import BUILD_COMPLETED_CHECK
from onefunnel.quality.severity import CheckStatus, RunStatus, Severity
from onefunnel.warehouse.build import unfinished_transforms

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ONEFUNNEL = str(Path(sys.executable).with_name("onefunnel"))
# Points of a dbt build to kill it at, found in dbt's own log as the build writes it.
KILL_POINTS = {
    "early": r"\b1 of \d+ START ",  # the first model starts
    "mid": r"OK created sql \w+ model marts\.fct_leads\b",  # some marts rebuilt, most not yet
    "late": r"START hook: onefunnel\.on-run-end",  # every node done, the build not yet recorded
}
REPRODUCTION = (
    "import duckdb,os; c=duckdb.connect('warehouse/warehouse.duckdb'); c.execute('create or replace table "
    "marts.fct_leads as select * from marts.fct_leads limit 10'); os._exit(0)"
)


def _transform_command(data: DataDir) -> list[str]:
    return [ONEFUNNEL, "transform", "--landing-dir", str(data.landing), "--warehouse", str(data.warehouse)]


def _kill_transform_at(data: DataDir, pattern: str) -> str:
    """Start `onefunnel transform`, SIGKILL it (and its process group) when dbt logs `pattern`; returns the
    line it was killed at."""
    log = data.warehouse.parent / "dbt" / "logs" / "dbt.log"
    offset = log.stat().st_size if log.exists() else 0
    process = subprocess.Popen(
        [*_transform_command(data), "--no-freeze"],
        cwd=config.REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if log.exists():
                with open(log, "rb") as handle:
                    handle.seek(offset)
                    written = handle.read().decode("utf-8", "replace")
                found = re.search(f"^.*{pattern}.*$", written, re.MULTILINE)
                if found:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)
                    return found.group(0)
            if process.poll() is not None:
                raise AssertionError(f"transform ended (exit {process.returncode}) before {pattern!r}")
            time.sleep(0.01)
        raise AssertionError(f"dbt never logged {pattern!r}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _serving_leads(data: DataDir) -> tuple[int, str]:
    with duckdb.connect(str(data.serving), read_only=True) as con:
        return table_checksum(con, "marts.fct_leads")


def _warehouse_leads(data: DataDir) -> tuple[int, str]:
    with duckdb.connect(str(data.warehouse), read_only=True) as con:
        return table_checksum(con, "marts.fct_leads")


def _checked(summary, table: str) -> tuple[int, str]:
    recorded = summary.warehouse["tables"][table]
    return recorded["rows"], recorded["checksum"]


def test_killed_transforms_never_reach_the_dashboard_until_a_complete_transform_and_check(
    published_base: PublishedBase, base_copy: DataDir
):
    # GIVEN a published run (the last good snapshot) and a newer extraction that changes the marts
    from onefunnel.portal.advance import advance_portal

    data = base_copy
    good_digest, good_leads = published_base.serving_digest, _serving_leads(data)
    assert good_leads == _checked(published_base.summary, "marts.fct_leads")
    advance_portal(data.portal, 1)
    extract(data)

    for point, pattern in KILL_POINTS.items():
        # WHEN a transform is killed with SIGKILL at this point of its dbt build
        killed_at = _kill_transform_at(data, pattern)
        assert [transform.running for transform in unfinished_transforms(data.warehouse)] != [], killed_at
        # THEN publish refuses, saying the transform did not finish and what to rerun
        with pytest.raises(PublishRefused) as refused:
            publish(data)
        assert "did not finish (killed or crashed)" in str(refused.value), point
        assert "run `onefunnel transform` to completion" in str(refused.value), point
        # AND the dashboard's snapshot is the last good one, to the byte
        assert file_digest(data.serving) == good_digest, point
        assert _serving_leads(data) == good_leads, point
        assert read_run_metadata(data.serving)["run_id"] == published_base.run_id, point
        assert not list(data.serving.parent.glob(".*.tmp*")), point

    # AND the killed builds did leave new leads in the warehouse beside older marts: what must not ship
    assert _warehouse_leads(data) != good_leads
    # AND a check of that warehouse fails critically on the unfinished build, so publish refuses that too
    summary = check(data)
    assert summary.status is RunStatus.FAILED
    build_check = summary.check(BUILD_COMPLETED_CHECK)
    assert (build_check.status, build_check.severity) == (CheckStatus.FAILED, Severity.CRITICAL)
    assert "did not finish (killed or crashed)" in build_check.message
    with pytest.raises(PublishRefused):
        publish(data)
    assert file_digest(data.serving) == good_digest

    # WHEN a transform then runs to completion (a full refresh: killed builds broke the incremental premise)
    completed = subprocess.run(
        [*_transform_command(data), "--no-freeze"],
        cwd=config.REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "full refresh: the `onefunnel transform` started at" in completed.stdout
    assert unfinished_transforms(data.warehouse) == []
    # THEN publish still refuses until a new check has seen this build: the latest check failed, and the
    # last passed one checked another build
    with pytest.raises(PublishRefused, match=BUILD_COMPLETED_CHECK.replace(".", r"\.")):
        publish(data)
    with pytest.raises(PublishRefused) as refused:
        publish_snapshot(
            warehouse_path=data.warehouse,
            target=data.serving,
            quality_dir=data.quality,
            run_id=published_base.run_id,
        )
    assert "marts.fct_leads (checked" in str(refused.value)
    assert "the warehouse now holds build" in str(refused.value)
    assert "run `onefunnel check`, then `onefunnel publish`" in str(refused.value)
    assert file_digest(data.serving) == good_digest
    # AND after a new check passes, publish ships exactly the content the check saw
    summary = check(data)
    assert summary.status.publishable, [c.message for c in summary.blocking]
    assert summary.check(BUILD_COMPLETED_CHECK).status is CheckStatus.PASSED
    result = publish(data)
    assert result.run_id == summary.run_id != published_base.run_id
    assert read_run_metadata(data.serving)["run_id"] == summary.run_id
    assert _serving_leads(data) == _checked(summary, "marts.fct_leads") != good_leads


def test_publish_refuses_warehouse_changed_after_check_by_wal_replay(
    published_base: PublishedBase, base_copy: DataDir
):
    # GIVEN a checked and published data folder, then the reproduction: fct_leads cut to 10 rows by
    # a process that dies before checkpointing (the change is only in warehouse.duckdb.wal)
    data = base_copy
    good_leads = _serving_leads(data)
    subprocess.run([sys.executable, "-c", REPRODUCTION], cwd=data.root, check=True)
    assert Path(f"{data.warehouse}.wal").exists()
    # WHEN `onefunnel publish` runs
    published = subprocess.run(
        [
            ONEFUNNEL,
            "publish",
            "--warehouse",
            str(data.warehouse),
            "--target",
            str(data.serving),
            "--quality-dir",
            str(data.quality),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # THEN it refuses (exit 1), naming the table and what to rerun
    assert published.returncode == 1, published.stdout
    assert f"marts.fct_leads (checked {good_leads[0]} rows, found 10)" in published.stderr
    assert "run `onefunnel transform`, then `onefunnel check`, then `onefunnel publish`" in published.stderr
    # AND the dashboard still serves every lead of the last good snapshot
    assert file_digest(data.serving) == published_base.serving_digest
    assert _serving_leads(data) == good_leads


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_warehouse_and_serving_snapshot_are_private_after_transform_and_publish(
    published_base: PublishedBase,
):
    # GIVEN the pipeline ran transform and publish (under the test process's usual umask)
    data = published_base.data
    # THEN the files holding personal data are readable by their owner only, and so are their folders
    assert _mode(data.warehouse) == 0o600
    assert _mode(data.warehouse.parent) == 0o700
    assert _mode(data.serving) == 0o600
    assert _mode(data.serving.parent) == 0o700
    wal = Path(f"{data.warehouse}.wal")
    assert not wal.exists() or _mode(wal) == 0o600
