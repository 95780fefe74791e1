"""The scale-out tests' shared reference: one tiny portal, extracted into a local landing zone and built
into a DuckDB warehouse (models only; the local build's tests run elsewhere), once per session. The S3 and
Postgres set-ups extract the same portal and compare their funnel with this build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from scaleout_helpers import tiny_portal


@dataclass(frozen=True)
class Reference:
    root: Path  # holds portal/ (the generated portal) and local/{landing,state,warehouse.duckdb}

    @property
    def landing(self) -> Path:
        return self.root / "local" / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "local" / "warehouse.duckdb"


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> Reference:
    from onefunnel.hubspot.runner import ExtractOptions, run_extraction
    from onefunnel.warehouse import build_warehouse

    found = Reference(tmp_path_factory.mktemp("scaleout_reference"))
    with tiny_portal(found.root) as credentials:
        summary = run_extraction(
            ExtractOptions(landing_dir=found.landing, state_dir=found.root / "local" / "state", tier=None),
            credentials=credentials,
        )
    assert summary.ok
    build_warehouse(found.landing, found.warehouse, freeze_due=False, run_tests=False)
    return found
