"""The landing-run rule (landing/runs.py) must not turn an extraction killed mid-run into a "foreign folder":
the run registers itself (`_runs/<run id>.started`) before its first part, so transform still accepts the
folder of a run that never wrote its manifest."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from portal_helpers import cli_command, cli_env, generate, serve

from onefunnel.landing.runs import check_landing_zone, foreign_folders, registered_run_ids

TOKEN = "pat-na1-killed-SECRET-token-0003"


@pytest.mark.integration
def test_the_folder_of_an_extraction_killed_before_its_manifest_is_a_landing_run(tmp_path):
    # GIVEN the CLI extracting a portal slowly enough to be caught mid-run
    portal = generate(tmp_path / "portal", size="demo", contacts=2000)
    data = tmp_path / "data"
    landing = data / "landing"
    with serve(portal, TOKEN, fast=False, tier="unlimited", latency_ms=(5, 20), seed=5) as server:
        running = subprocess.Popen(
            cli_command("--full", "--log-format", "json"),
            env=cli_env(TOKEN, server.url, data),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # WHEN it is killed with SIGKILL once parts are on disk
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(landing.glob("*/*/*.parquet"))) < 3:
            assert running.poll() is None, running.communicate()
            time.sleep(0.02)
        os.kill(running.pid, signal.SIGKILL)
        running.communicate()
    # THEN its run never wrote a manifest, but registered itself before its first part
    assert not list((landing / "_runs").glob("*.json"))
    (run_id,) = registered_run_ids(landing)
    assert (landing / "_runs" / f"{run_id}.started").exists()
    # AND its folders are landing runs: transform would accept them
    assert foreign_folders(landing) == []
    check_landing_zone(landing)
