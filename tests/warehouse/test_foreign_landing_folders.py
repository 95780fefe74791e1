"""A stray or foreign folder in the landing zone, or an unreadable part, stops `transform` before dbt starts,
naming each - instead of silently freezing incremental staging (which reads only run ids after the newest
one processed, so `contacts/run_id=zzzz-stray/` hid every later extraction) or crashing inside DuckDB.

The rule (src/onefunnel/landing/runs.py): a landing run is a folder `run_id=<run id>` whose run an
extraction registered in `_runs/` (its manifest, or the start marker written before its first part)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from landing_fixture import land_changes, random_landing

from onefunnel.landing.runs import LandingZoneError, check_landing_zone
from onefunnel.warehouse import build_warehouse
from onefunnel.warehouse.build import WarehouseBuildError
from onefunnel.warehouse.cli import transform


def _copy_a_part(landing: Path, dataset: str, folder_name: str) -> Path:
    source = sorted((landing / dataset).glob("run_id=*/*.parquet"))[0]
    target = landing / dataset / folder_name / "part-00000.parquet"
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    return target.parent


@pytest.mark.unit
def test_a_stray_run_folder_stops_transform_naming_it_and_builds_nothing(tmp_path):
    # GIVEN a landing zone with a stray folder whose name sorts after every real run id
    portal = random_landing(tmp_path / "landing", contacts=20)
    _copy_a_part(portal.landing_dir, "contacts", "run_id=zzzz-stray")
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    # WHEN the warehouse is built THEN it refuses, naming the folder and what to do
    with pytest.raises(WarehouseBuildError) as refused:
        build_warehouse(portal.landing_dir, warehouse, freeze_due=False)
    message = str(refused.value)
    assert "foreign folder contacts/run_id=zzzz-stray" in message
    assert "'zzzz-stray' is not a run id" in message
    assert "Move each foreign folder out of the landing zone" in message
    # AND dbt never started: no warehouse, not even its folder
    assert not warehouse.parent.exists()


@pytest.mark.unit
def test_malformed_unnamed_and_unregistered_folders_are_each_named(tmp_path):
    # GIVEN a malformed run id, a folder not named run_id=..., and a well-formed but unregistered run id
    portal = random_landing(tmp_path / "landing", contacts=20)
    landing = portal.landing_dir
    _copy_a_part(landing, "contacts", "run_id=2026-12-01")
    _copy_a_part(landing, "deals", "backup")
    _copy_a_part(landing, "contacts", "run_id=20991231T000000000Z-abc123")
    # WHEN the landing zone is checked THEN every one of them is named with its reason
    with pytest.raises(LandingZoneError) as refused:
        check_landing_zone(landing)
    message = str(refused.value)
    assert "contacts/run_id=2026-12-01: '2026-12-01' is not a run id" in message
    assert "deals/backup: not named run_id=<run id>" in message
    assert "contacts/run_id=20991231T000000000Z-abc123: no extraction registered run" in message
    assert sum(line.startswith("  foreign folder ") for line in message.splitlines()) == 3


@pytest.mark.unit
def test_a_running_or_killed_extractions_folder_is_a_landing_run(tmp_path):
    # GIVEN a run folder without a manifest yet, registered by its start marker (running, or killed mid-run)
    portal = random_landing(tmp_path / "landing", contacts=20)
    landing = portal.landing_dir
    run_id = "20261208T011008020Z-463139"
    _copy_a_part(landing, "contacts", f"run_id={run_id}")
    (landing / "_runs" / f"{run_id}.started").write_text("{}")
    # WHEN the landing zone is checked THEN it passes
    check_landing_zone(landing)


@pytest.mark.unit
def test_transform_command_names_the_foreign_folder_in_one_message(tmp_path):
    # GIVEN a stray folder WHEN `onefunnel transform` runs THEN it exits 1 with the message, no traceback
    portal = random_landing(tmp_path / "landing", contacts=20)
    _copy_a_part(portal.landing_dir, "contacts", "run_id=zzzz-stray")
    result = CliRunner().invoke(
        transform,
        ["--landing-dir", str(portal.landing_dir), "--warehouse", str(tmp_path / "w" / "w.duckdb")],
    )
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "contacts/run_id=zzzz-stray" in result.output
    assert not (tmp_path / "w").exists()


@pytest.mark.unit
def test_a_truncated_landing_part_stops_transform_naming_the_file(tmp_path):
    # GIVEN a truncated Parquet part in a landing run
    portal = random_landing(tmp_path / "landing", contacts=20)
    part = sorted((portal.landing_dir / "contacts").glob("run_id=*/*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    # WHEN the warehouse is built THEN it refuses, naming the file and what to do, before dbt starts
    with pytest.raises(WarehouseBuildError) as refused:
        build_warehouse(portal.landing_dir, warehouse, freeze_due=False)
    message = str(refused.value)
    assert f"{part.relative_to(portal.landing_dir).as_posix()}: unreadable Parquet" in message
    assert "onefunnel extract" in message
    assert not warehouse.parent.exists()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.integration
@pytest.mark.slow
def test_a_stray_folder_no_longer_freezes_incremental_staging(tmp_path):
    # GIVEN a built warehouse, then a stray folder sorting after every run id and a new extraction run
    portal = random_landing(tmp_path / "landing", contacts=40, seed=3)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    build_warehouse(portal.landing_dir, warehouse, freeze_due=False, run_tests=False)
    stray = _copy_a_part(portal.landing_dir, "contacts", "run_id=zzzz-stray")
    newest = land_changes(portal, day=1, seed=2)
    before = _digest(warehouse)
    # WHEN transform runs THEN it refuses naming the stray, and the warehouse is untouched
    with pytest.raises(WarehouseBuildError, match="contacts/run_id=zzzz-stray"):
        build_warehouse(portal.landing_dir, warehouse, freeze_due=False, run_tests=False)
    assert _digest(warehouse) == before
    # WHEN the stray is moved out as the message says THEN the next (incremental) build reads the new run
    shutil.move(stray, tmp_path / "zzzz-stray")
    # (incremental unless the dbt project's files changed between the two builds)
    build_warehouse(portal.landing_dir, warehouse, freeze_due=False, run_tests=False)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        last = connection.execute("select max(last_run_id) from staging.stg_hubspot__contacts").fetchone()[0]
    assert last == newest
