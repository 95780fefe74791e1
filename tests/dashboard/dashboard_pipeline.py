"""The real pipeline the dashboard tests read, on explicit paths under one folder:

    portal/  landing/  state/  warehouse/warehouse.duckdb (+ accountability/)  quality/
    serving/serving.duckdb

generate a tiny portal -> serve it on 127.0.0.1 -> extract -> dbt build (freezing the months whose close day
has passed) -> quality checks -> publish. `advance()` moves the portal's clock so a second run restates
frozen months. dbt runs in a child process, as an Airflow task would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipeline_data_dir import DataDir

TOKEN = "dashboard-test-token"


def generate(data: DataDir, seed: int = 42, size: str = "tiny") -> None:
    from onefunnel.portal.generate import generate_portal

    generate_portal(data.portal, size=size, seed=seed)


def advance(data: DataDir, days: int) -> None:
    from onefunnel.portal.advance import advance_portal

    advance_portal(data.portal, days)


def extract(data: DataDir, mode: str = "incremental", portal: Path | None = None):
    from onefunnel.hubspot.client import Credentials
    from onefunnel.hubspot.runner import ExtractOptions, run_extraction
    from onefunnel.portal.server import PortalServer, ServerOptions

    server = PortalServer(portal or data.portal, ServerOptions.fast(TOKEN)).start()
    try:
        options = ExtractOptions(
            landing_dir=data.landing,
            state_dir=data.state,
            host=server.url,
            tier=None,
            mode=mode,
            concurrency=4,
        )
        return run_extraction(options, credentials=Credentials(TOKEN, server.url, "test"))
    finally:
        server.stop()


BUILD_SCRIPT = """
import sys
from pathlib import Path
from onefunnel.warehouse import build_warehouse
build_warehouse(
    landing_dir=Path(sys.argv[1]),
    warehouse_path=Path(sys.argv[2]),
    freeze_due=sys.argv[3] == "1",
    run_tests=sys.argv[4] == "1",
)
"""


def build(data: DataDir, freeze: bool = True, run_tests: bool = True) -> None:
    """dbt build in a child process (the warehouse's only writer); raises with dbt's output on failure."""
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            BUILD_SCRIPT,
            str(data.landing),
            str(data.warehouse),
            "1" if freeze else "0",
            "1" if run_tests else "0",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"warehouse build failed:\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}")


def check(data: DataDir, build_docs: bool = True):
    from onefunnel.quality.runner import CheckOptions, run_checks

    return run_checks(
        CheckOptions(
            landing_dir=data.landing,
            warehouse_path=data.warehouse,
            quality_dir=data.quality,
            build_docs=build_docs,
        )
    )


def publish(data: DataDir):
    from onefunnel.publish.snapshot import publish as publish_snapshot

    return publish_snapshot(warehouse_path=data.warehouse, target=data.serving, quality_dir=data.quality)


def run_once(
    data: DataDir,
    mode: str = "incremental",
    build_docs: bool = True,
    portal: Path | None = None,
    freeze: bool = True,
):
    """extract -> build (freezing due months) -> check -> publish; returns the publish result."""
    extract(data, mode=mode, portal=portal)
    build(data, freeze=freeze)
    summary = check(data, build_docs=build_docs)
    if not summary.status.publishable:
        raise RuntimeError(f"quality gate failed: {[check.message for check in summary.blocking][:5]}")
    return publish(data)
