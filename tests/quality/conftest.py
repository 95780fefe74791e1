"""Fixtures of the quality-gate tests: data folders under tmp_path, a fixture landing zone, and the real
pipeline (tiny portal -> extraction -> dbt -> gate -> publish) built once per session and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import quality_pipeline as pipeline
from quality_helpers import Paths, PublishedBase, file_digest
from quality_landing import FixtureRun, write_landing
from quality_pipeline import DataDir


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(
        root=tmp_path,
        landing=tmp_path / "landing",
        warehouse=tmp_path / "warehouse" / "warehouse.duckdb",
        quality=tmp_path / "quality",
        serving=tmp_path / "serving" / "serving.duckdb",
    )


@pytest.fixture
def fixture_landing(paths: Paths) -> FixtureRun:
    return write_landing(paths.landing)


@pytest.fixture(scope="session")
def published_base(tmp_path_factory: pytest.TempPathFactory) -> PublishedBase:
    data = DataDir(tmp_path_factory.mktemp("quality-base") / "data")
    pipeline.generate(data)
    pipeline.extract(data, mode="full")
    pipeline.build(data)
    summary = pipeline.check(data, build_docs=True)
    assert summary.status.publishable, [check.message for check in summary.blocking]
    result = pipeline.publish(data)
    return PublishedBase(data, summary, result.run_id, file_digest(data.serving))


@pytest.fixture
def base_copy(published_base: PublishedBase, tmp_path: Path) -> DataDir:
    """A private copy of the published base's whole data folder (portal, landing, state, warehouse, ...)."""
    target = tmp_path / "data"
    shutil.copytree(published_base.data.root, target)
    return DataDir(target)
