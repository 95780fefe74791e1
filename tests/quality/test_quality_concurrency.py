"""While a whole pipeline run (portal moves a day, incremental extraction, dbt, gate, publish) replaces the
serving snapshot, a dashboard-like reader in another process reads it in a loop: no read fails, and every
read sees one complete snapshot, the old one or the new one, never a mix."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from quality_helpers import PublishedBase
from quality_pipeline import DataDir, build, check, extract, publish
from serving_reader import read_once

pytestmark = [pytest.mark.integration, pytest.mark.slow]

READER = Path(__file__).with_name("serving_reader.py")


def _reads(out: Path) -> list[dict]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_readers_see_the_old_or_the_new_snapshot_never_an_error_or_a_mix(
    published_base: PublishedBase, base_copy: DataDir, tmp_path: Path
):
    from onefunnel.portal.advance import advance_portal

    # GIVEN a serving snapshot and a reader process querying it in a loop
    data = base_copy
    old = read_once(data.serving)
    stop, out = tmp_path / "stop", tmp_path / "reads.jsonl"
    reader = subprocess.Popen(
        [sys.executable, str(READER), str(data.serving), str(stop), str(out), "200", "600"],
        cwd=READER.parent,
    )
    try:
        _wait_for(lambda: len(_reads(out)) >= 5, 60, "the reader to start reading")
        # WHEN a full pipeline run rebuilds and publishes a new snapshot
        advance_portal(data.portal, 1)
        extract(data)
        build(data)
        summary = check(data)
        assert summary.status.publishable, [c.message for c in summary.blocking]
        published = publish(data)
        new = read_once(data.serving)
        # AND the reader goes on reading the new snapshot for a while
        _wait_for(
            lambda: sum(r.get("run_id") == published.run_id for r in _reads(out)) >= 20,
            120,
            "reads of the new run",
        )
        stop.touch()
        reader.wait(timeout=120)
    finally:
        if reader.poll() is None:
            reader.kill()
    reads = _reads(out)

    # THEN there were enough reads, none failed, and each saw one whole snapshot
    assert reader.returncode == 0
    assert len(reads) >= 200
    assert [r for r in reads if "error" in r] == []
    assert all(r["consistent"] for r in reads)
    snapshots = {old["run_id"]: old["fingerprint"], new["run_id"]: new["fingerprint"]}
    assert new["run_id"] == published.run_id != published_base.run_id
    assert old["fingerprint"] != new["fingerprint"]
    for r in reads:
        assert snapshots[r["run_id"]] == r["fingerprint"]
    # AND the switch happened once: old before, new after, never back
    order = [r["run_id"] for r in reads]
    first_new = order.index(published.run_id)
    assert set(order[:first_new]) == {old["run_id"]}
    assert set(order[first_new:]) == {published.run_id}
