"""Exactness under faults (429 / 5xx / resets), after `kill -9` mid-run, and the fail-fast wrong token —
with the token never appearing in any output or file."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from portal_helpers import (
    assert_landing_matches,
    cli_command,
    cli_env,
    extract,
    generate,
    serve,
    tree_snapshot,
)

TOKEN = "pat-na1-faults-SECRET-token-0042"
FAULTS = {"fault_429": 0.05, "fault_5xx": 0.02, "fault_reset": 0.01}
# A scaled-down demo: big enough for many pages, commit groups and associations, small enough for CI.
SCALED_DEMO = {"size": "demo", "contacts": 3000}


@pytest.mark.integration
@pytest.mark.slow
def test_faults_then_advance_then_incremental_stay_exact(tmp_path):
    from onefunnel.portal.advance import advance_portal

    # GIVEN a scaled-down demo portal answering ~5% 429, 2% 5xx, 1% connection resets
    portal = generate(tmp_path / "portal", **SCALED_DEMO)
    landing, state = tmp_path / "landing", tmp_path / "state"
    with serve(portal, TOKEN, fast=False, tier="unlimited", latency_ms=(0, 5), seed=3, **FAULTS) as server:
        # WHEN it is extracted (full)
        # (objects over 1,000 records also page the top of their id range through search: both chains)
        full = extract(server.url, TOKEN, landing, state, group_records=500, partition_min_records=1000)
        faults = server.stats().get("faults", {})
    # THEN faults did happen, were retried, and the ids equal the manifest exactly
    assert sum(faults.values()) > 0
    assert full.totals["retries"] > 0
    assert_landing_matches(portal, landing)
    # WHEN a day passes in the portal and an incremental run meets the same faults
    advance_portal(portal, 1)
    with serve(portal, TOKEN, fast=False, tier="unlimited", latency_ms=(0, 5), seed=4, **FAULTS) as server:
        extract(server.url, TOKEN, landing, state, group_records=500)
    # THEN exact again
    assert_landing_matches(portal, landing)


@pytest.mark.integration
@pytest.mark.slow
def test_kill_9_mid_run_then_rerun_is_exact_and_token_never_leaks(tmp_path):
    # GIVEN the CLI extracting a faulty portal in a subprocess
    portal = generate(tmp_path / "portal", **SCALED_DEMO)
    data = tmp_path / "data"
    with serve(portal, TOKEN, fast=False, tier="unlimited", latency_ms=(5, 20), seed=5, **FAULTS) as server:
        env = cli_env(TOKEN, server.url, data)
        args = cli_command("--partition-min-records", "1000", "--full", "--log-format", "json")
        first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # WHEN some parts are on disk, it is killed with SIGKILL
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list((data / "landing").glob("*/*/*.parquet"))) < 6:
            assert first.poll() is None, first.communicate()
            time.sleep(0.02)
        os.kill(first.pid, signal.SIGKILL)
        out1, err1 = first.communicate()
        assert first.returncode == -signal.SIGKILL
        # AND the CLI is run again to completion
        second = subprocess.run(
            [*args[:-3], "--log-format", "json"], env=env, capture_output=True, timeout=300
        )
    # THEN the rerun resumed and the landing zone equals the manifest exactly
    assert second.returncode == 0, second.stderr.decode()[-3000:]
    assert_landing_matches(portal, data / "landing")
    # AND the token appears in no output and no file
    outputs = out1 + err1 + second.stdout + second.stderr
    assert TOKEN.encode() not in outputs
    for path, content in tree_snapshot(data).items():
        assert TOKEN.encode() not in content, path


@pytest.mark.integration
def test_wrong_token_fails_fast_and_touches_nothing(tmp_path):
    # GIVEN a landing zone and state from an earlier good run
    portal = generate(tmp_path / "portal")
    data = tmp_path / "data"
    wrong = "pat-na1-WRONG-token-must-not-leak"
    with serve(portal, TOKEN, fast=False, tier="professional", fault_429=0.3, seed=9) as server:
        good = subprocess.run(
            cli_command("--objects", "owners,pipelines"),
            env=cli_env(TOKEN, server.url, data),
            capture_output=True,
            timeout=120,
        )
        assert good.returncode == 0, good.stderr.decode()[-2000:]
        before = tree_snapshot(data)
        # WHEN the CLI runs with a wrong token
        bad = subprocess.run(
            cli_command("--log-format", "json"),
            env=cli_env(wrong, server.url, data),
            capture_output=True,
            timeout=120,
        )
        unauthorized = server.stats().get("unauthorized", 0)
    # THEN it stops at the first 401 (no retries) with a message a data engineer can act on
    assert bad.returncode == 3
    message = bad.stderr.decode()
    assert "401" in message
    assert "HUBSPOT_ACCESS_TOKEN" in message
    assert unauthorized == 1
    # AND neither token appears anywhere, and landing zone and state are byte-for-byte as before
    for output in (good.stdout, good.stderr, bad.stdout, bad.stderr):
        assert TOKEN.encode() not in output
        assert wrong.encode() not in output
    assert tree_snapshot(data) == before
