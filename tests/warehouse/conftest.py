"""Fixtures for the warehouse tests: a small landing zone written like the extractor writes it, and one
shared `dbt build` of it (building takes tens of seconds, so tests that only read the marts share it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from landing_fixture import RandomPortal, random_landing

from onefunnel.warehouse import BuildResult, build_warehouse


@dataclass
class BuiltWarehouse:
    portal: RandomPortal
    result: BuildResult
    path: Path

    def query(self, sql: str, parameters: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as connection:
            return connection.execute(sql, parameters or []).fetchall()


@pytest.fixture(scope="session")
def fixture_portal(tmp_path_factory) -> RandomPortal:
    portal = random_landing(tmp_path_factory.mktemp("landing") / "landing", contacts=300, seed=7)
    _land_association_parts_twice(portal.landing_dir)
    return portal


def _land_association_parts_twice(landing_dir: Path) -> None:
    """Landing is at-least-once: a run may land the same association page twice (overlapping read chains,
    a retried page) with a later extraction time. Every build in these tests must see that and stay exact."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    for part in sorted(landing_dir.glob("associations_*/*/part-*.parquet")):
        table = pq.read_table(part)
        later = pc.add(table["_extracted_at"], pa.scalar(1_000, pa.duration("ms")))
        index = table.schema.get_field_index("_extracted_at")
        duplicate = table.set_column(index, "_extracted_at", later.cast(table.schema.field(index).type))
        pq.write_table(duplicate, part.with_name(part.stem + "-again.parquet"))


@pytest.fixture(scope="session")
def built_warehouse(fixture_portal, tmp_path_factory) -> BuiltWarehouse:
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    result = build_warehouse(fixture_portal.landing_dir, path, freeze_due=False)
    return BuiltWarehouse(fixture_portal, result, path)
