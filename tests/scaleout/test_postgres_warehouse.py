"""The dbt project on PostgreSQL (issue 18): the reference tiny portal's landing zone (extracted once per
session, conftest.py) loaded into a real PostgreSQL server started here (127.0.0.1, free port, temporary
data folder), `dbt build --target postgres` with every data and unit test, and the same numbers as the
DuckDB build of the same landing zone, table by table."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from scaleout_helpers import table_differences
from scaleout_servers import Postgres, postgres_server

from onefunnel.landing.runs import LandingZoneError
from onefunnel.scaleout.postgres import (
    LoadReport,
    PostgresLoadError,
    build_on_postgres,
    connect,
    load_landing,
)

pytestmark = [pytest.mark.scale, pytest.mark.integration]

DATABASE = "onefunnel"
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "scaleout" / "postgres_warehouse.json"
FIGURES: dict[str, object] = {}
FUNNEL_TABLES = [
    "funnel_period_monthly",
    "funnel_period_slices",
    "funnel_cohort_monthly",
    "fct_contact_stages",
]


@dataclass
class PostgresBuild:
    server: Postgres
    report: LoadReport
    statuses: dict[str, str]


@pytest.fixture(scope="module")
def postgres_build(reference, tmp_path_factory):
    work = tmp_path_factory.mktemp("postgres_dbt")
    with postgres_server() as server, pytest.MonkeyPatch.context() as env:
        server.create_database(DATABASE)
        for name, value in (
            ("PGHOST", server.host),
            ("PGPORT", str(server.port)),
            ("PGUSER", server.user),
            ("PGPASSWORD", server.password),
            ("PGDATABASE", DATABASE),
        ):
            env.setenv(name, value)
        started = time.perf_counter()
        report, statuses = build_on_postgres(reference.landing, work)
        FIGURES["load_and_build_s"] = round(time.perf_counter() - started, 2)
        FIGURES["nodes"] = {
            kind: sum(n.startswith(kind + ".") for n in statuses) for kind in ("model", "test", "unit_test")
        }
        yield PostgresBuild(server, report, statuses)


def test_dbt_builds_and_tests_the_project_on_postgres(postgres_build):
    # GIVEN the tiny portal's landing zone loaded into PostgreSQL WHEN dbt builds the postgres target
    statuses = postgres_build.statuses
    # THEN every model, data test (reconciliations included) and unit test passed
    failed = {node: status for node, status in statuses.items() if status not in ("success", "pass", "no-op")}
    assert not failed
    assert sum(node.startswith("model.") for node in statuses) >= 60
    assert sum(node.startswith("test.") and "reconcile" in node for node in statuses) >= 3
    assert sum(node.startswith("unit_test.") for node in statuses) >= 20


def test_the_load_step_copied_every_finished_run(postgres_build, reference):
    # GIVEN the landing zone's run manifests (rows per dataset)
    import orjson

    manifests = [orjson.loads(path.read_bytes()) for path in (reference.landing / "_runs").glob("*.json")]
    expected = {}
    for manifest in manifests:
        for dataset, rows in manifest["rows"].items():
            expected[dataset] = expected.get(dataset, 0) + rows
    # THEN the load copied exactly those rows, one run per dataset
    assert postgres_build.report.rows_loaded == expected
    assert all(len(runs) == len(manifests) for runs in postgres_build.report.runs_loaded.values())


def test_postgres_gives_the_duckdb_builds_numbers_table_by_table(postgres_build, reference):
    # GIVEN the DuckDB build of the same landing zone WHEN every mart and staging table is compared
    connection = connect()
    try:
        marts = table_differences(reference.warehouse, connection, "marts")
        staging = table_differences(reference.warehouse, connection, "staging")
        intermediate = table_differences(reference.warehouse, connection, "intermediate")
        funnel = table_differences(reference.warehouse, connection, "marts", FUNNEL_TABLES)
    finally:
        connection.close()
    with duckdb.connect(str(reference.warehouse), read_only=True) as duck:
        FIGURES["tables_compared"] = duck.execute(
            "select count(*) from information_schema.tables where table_schema in "
            "('marts', 'staging', 'intermediate')"
        ).fetchone()[0]
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(FIGURES, indent=2))
    # THEN the period funnel (and every other table) holds the same rows on both engines
    assert funnel == {}
    assert marts == {}
    assert staging == {}
    assert intermediate == {}


def test_loading_again_loads_nothing(postgres_build, reference):
    # GIVEN a landing zone already loaded WHEN the load step runs again THEN no run is copied twice
    connection = connect()
    try:
        again = load_landing(reference.landing, connection)
    finally:
        connection.close()
    assert again.rows_loaded == {}


def test_a_foreign_folder_in_the_landing_zone_stops_the_load(postgres_build, reference, tmp_path):
    # GIVEN a copy of the landing zone with a folder no extraction registered
    landing = tmp_path / "landing"
    shutil.copytree(reference.landing, landing)
    stray = landing / "contacts" / "run_id=zzzz-stray"
    shutil.copytree(next((landing / "contacts").glob("run_id=*")), stray)
    # WHEN it is loaded THEN the load refuses, naming the folder, and copies nothing
    connection = connect()
    try:
        with pytest.raises(LandingZoneError, match="run_id=zzzz-stray"):
            load_landing(landing, connection)
    finally:
        connection.close()


def test_a_wrong_password_is_a_clear_error(postgres_build, monkeypatch):
    # GIVEN PGPASSWORD wrong WHEN the load step connects THEN the error names the libpq variables
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    with pytest.raises(PostgresLoadError, match="PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE"):
        connect()
