"""The pipeline steps the quality tests drive, each on explicit paths under one data folder:

    portal/  landing/  state/  warehouse/warehouse.duckdb  quality/  serving/serving.duckdb

dbt runs in a child process, as an Airflow task would: the warehouse file is then closed before the gate
opens it read-only.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from onefunnel.quality.runner import CheckOptions, run_checks
from onefunnel.quality.summary import Summary
from pipeline_data_dir import DataDir

TOKEN = "quality-test-token"


def generate(data: DataDir, seed: int = 42, days_behind: int = 3) -> None:
    """A tiny portal whose clock is `days_behind` days ago (midnight UTC), so that advancing it a day or two
    keeps every record in the past: the gate rejects timestamps after the extraction as future dates."""
    from onefunnel.portal.generate import generate_portal

    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    generate_portal(data.portal, size="tiny", seed=seed, as_of=today - timedelta(days=days_behind))


def extract(data: DataDir, mode: str = "incremental", objects: tuple[str, ...] | None = None):
    from onefunnel.hubspot.client import Credentials
    from onefunnel.hubspot.runner import ExtractOptions, run_extraction
    from onefunnel.portal.server import PortalServer, ServerOptions

    server = PortalServer(data.portal, ServerOptions.fast(TOKEN)).start()
    try:
        options = ExtractOptions(
            landing_dir=data.landing,
            state_dir=data.state,
            host=server.url,
            tier=None,
            mode=mode,
            concurrency=4,
        )
        if objects:
            options.objects = objects
        return run_extraction(options, credentials=Credentials(TOKEN, server.url, "test"))
    finally:
        server.stop()


BUILD_SCRIPT = """
import sys
from pathlib import Path
from onefunnel.warehouse import build_warehouse
build_warehouse(landing_dir=Path(sys.argv[1]), warehouse_path=Path(sys.argv[2]), freeze_due=False)
"""


def build(data: DataDir) -> None:
    """dbt build in a child process (the warehouse's only writer); raises with dbt's output on failure."""
    completed = subprocess.run(
        [sys.executable, "-c", BUILD_SCRIPT, str(data.landing), str(data.warehouse)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"warehouse build failed:\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}")


def check(
    data: DataDir, checkpoints: list[str] | None = None, build_docs: bool = False, **options
) -> Summary:
    return run_checks(
        CheckOptions(
            checkpoints=checkpoints,
            landing_dir=data.landing,
            warehouse_path=data.warehouse,
            quality_dir=data.quality,
            build_docs=build_docs,
            **options,
        )
    )


def publish(data: DataDir):
    from onefunnel.publish.snapshot import publish as publish_snapshot

    return publish_snapshot(warehouse_path=data.warehouse, target=data.serving, quality_dir=data.quality)
