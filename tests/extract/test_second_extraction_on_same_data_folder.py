"""A second extraction on a data folder that another extraction is using fails with the documented
configuration exit code (2) and one clear line - not a StateLockedError traceback with exit 1."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from portal_helpers import REPO, cli_command, cli_env, generate, serve

TOKEN = "pat-na1-locked-SECRET-token-0007"


@pytest.mark.integration
def test_second_extraction_while_another_holds_the_lock_exits_2_with_one_line(tmp_path):
    # GIVEN another process holding the state lock of the data folder (as a running extraction does)
    portal = generate(tmp_path / "portal")
    data = tmp_path / "data"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                sys.path.insert(0, {str(REPO / "src")!r})
                from onefunnel.landing.state import StateStore
                with StateStore(Path({str(data / "state")!r})).exclusive():
                    print("held", flush=True)
                    time.sleep(120)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = _tree(data / "landing")
        with serve(portal, TOKEN) as server:
            # WHEN a second extraction starts on the same data folder (JSON logs and a terminal-like run)
            second = subprocess.run(
                cli_command("--objects", "owners", "--log-format", "json"),
                env=cli_env(TOKEN, server.url, data),
                capture_output=True,
                text=True,
                timeout=120,
            )
            rich = subprocess.run(
                cli_command("--objects", "owners", "--log-format", "rich"),
                env=cli_env(TOKEN, server.url, data),
                capture_output=True,
                text=True,
                timeout=120,
            )
    finally:
        holder.kill()
        holder.wait()
    # THEN it exits with the documented configuration code and one line naming the cause, no traceback
    for result in (second, rich):
        assert result.returncode == 2, result.stderr[-2000:]
        assert "Traceback" not in result.stderr + result.stdout
        failures = [line for line in result.stderr.splitlines() if "fail" in line]
        assert len(failures) == 1, result.stderr
        assert "another extraction is running on this data folder" in failures[0]
        assert str(data / "state" / ".lock") in failures[0]
    json_failure = next(line for line in second.stderr.splitlines() if "fail" in line)
    assert json.loads(json_failure)["event"] == "extract.failed"
    assert [line for line in rich.stderr.splitlines() if line.strip()] == [
        line for line in rich.stderr.splitlines() if "fail" in line
    ]
    # AND it wrote nothing into the landing zone
    assert _tree(data / "landing") == before


def _tree(root) -> list[str]:
    return sorted(str(path) for path in root.rglob("*")) if root.exists() else []
