"""Run the real dashboard server (`onefunnel dashboard`'s command line) on 127.0.0.1 for a test.

The server runs under a small supervisor that stops it when the test process goes away, so a crashed or killed
test run never leaves a server behind; `stop()` ends it at once.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# Runs `argv` and ends it when the parent (the test process) is gone or stdin closes.
SUPERVISOR = r"""
import os, subprocess, sys, threading
parent = os.getppid()
child = subprocess.Popen(sys.argv[1:])
def watch():
    sys.stdin.read()  # returns when the test process closes our stdin or dies
    child.terminate()
threading.Thread(target=watch, daemon=True).start()
try:
    child.wait()
finally:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DashboardServer:
    def __init__(
        self, serving: Path, quality: Path, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.extra_env = env or {}  # e.g. the HubSpot portal id and UI domain of record links
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.serving, self.quality = serving, quality
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None

    def start(self, log_path: Path, timeout: float = 120.0) -> DashboardServer:
        from onefunnel.dashboard_cli import streamlit_command

        env = dict(
            os.environ, ONEFUNNEL_SERVING_PATH=str(self.serving), ONEFUNNEL_QUALITY_DIR=str(self.quality)
        )
        env.pop("ONEFUNNEL_HUBSPOT_PORTAL_ID", None)
        env.pop("ONEFUNNEL_HUBSPOT_UI_DOMAIN", None)
        env.update(self.extra_env)
        self.log_path = log_path
        log = open(log_path, "wb")  # noqa: SIM115 - handed to the child, closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            [sys.executable, "-c", SUPERVISOR, *streamlit_command(self.port)],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # readiness wait, not a timing assertion
            if self.process.poll() is not None:
                raise RuntimeError(f"the dashboard exited early; log: {log_path.read_text()[-2000:]}")
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(f"{self.url}_stcore/health", timeout=2) as response,  # noqa: S310
            ):
                if response.status == 200:
                    return self
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(
            f"the dashboard did not answer within {timeout:.0f}s; log: {log_path.read_text()[-2000:]}"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        end_supervised(self.process)
        self._log.close()
        self.process = None


def end_supervised(process: subprocess.Popen) -> None:
    """End a server started under a supervisor that stops it when its stdin closes; kill it if it lingers."""
    with contextlib.suppress(OSError):
        process.stdin.close()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
