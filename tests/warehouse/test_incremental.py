"""Incremental builds equal a full refresh of the same landing zone, table by table and row by row, and a
build falls back to a full refresh whenever the stored state could be stale (new model code, new
definitions, a failed build)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from landing_fixture import land_changes, random_landing

from onefunnel.warehouse import build as build_module
from onefunnel.warehouse import build_warehouse
from onefunnel.warehouse.build import LastBuild, full_refresh_reason, model_code_version

# Bookkeeping that legitimately differs: when a row was written, and the list of what one build recomputed.
NOT_COMPARED_COLUMNS = {"_loaded_at"}
NOT_COMPARED_TABLES = {"definitions.build_log", "intermediate.int_records_changed"}


def _copy_runs(complete: Path, partial: Path, runs: list[str]) -> None:
    """Land `runs` of the complete landing zone into `partial` (data first, run manifest last)."""
    for dataset in complete.iterdir():
        for run in runs:
            source = dataset / f"run_id={run}"
            if source.exists():
                shutil.copytree(source, partial / dataset.name / source.name)
    for run in runs:
        manifest = complete / "_runs" / f"{run}.json"
        if manifest.exists():
            (partial / "_runs").mkdir(parents=True, exist_ok=True)
            shutil.copy(manifest, partial / "_runs" / manifest.name)


def _differences(incremental: Path, full: Path) -> dict[str, int]:
    """Rows in one warehouse and not the other, per table and view (every schema dbt writes)."""
    differences = {}
    with duckdb.connect(str(incremental), read_only=True) as connection:
        connection.execute(f"attach '{full}' as full_refresh (read_only)")
        relations = connection.execute(
            """
            select table_schema, table_name from information_schema.tables
            where table_catalog = current_database()
              and table_schema in ('definitions', 'staging', 'intermediate', 'marts')
            order by 1, 2
            """
        ).fetchall()
        full_relations = connection.execute(
            """
            select table_schema, table_name from information_schema.tables
            where table_catalog = 'full_refresh'
              and table_schema in ('definitions', 'staging', 'intermediate', 'marts')
            order by 1, 2
            """
        ).fetchall()
        assert relations == full_relations
        for schema, table in relations:
            name = f"{schema}.{table}"
            if name in NOT_COMPARED_TABLES:
                continue
            columns = [
                row[0]
                for row in connection.execute(f"describe {name}").fetchall()
                if row[0] not in NOT_COMPARED_COLUMNS
            ]
            listed = ", ".join(f'"{column}"' for column in columns)
            differences[name] = connection.execute(f"""
                select count(*) from (
                    (select {listed} from {name} except all select {listed} from full_refresh.{name})
                    union all
                    (select {listed} from full_refresh.{name} except all select {listed} from {name})
                )
            """).fetchall()[0][0]
    return differences


@pytest.mark.integration
@pytest.mark.slow
def test_incremental_builds_after_more_runs_equal_a_full_refresh(tmp_path):
    # GIVEN a landing zone of four extraction runs: the first, then merges and deletions, then a day of
    # stage moves, owner changes, disqualifications, new contacts, moved and deleted touches, a new merge
    # and a merge chain, a deleted contact, deals moved out of won, deleted and moved, a company change; and
    # a day that also changes the reference snapshots (a rep leaves sales, a campaign is renamed)
    complete = tmp_path / "complete"
    portal = random_landing(complete, contacts=200, seed=11)
    land_changes(portal, day=1, seed=3)
    land_changes(portal, day=2, seed=5, reference_change=True)
    first, *record_changes, reference_changes = portal.runs
    partial = tmp_path / "partial"
    _copy_runs(complete, partial, [first])
    incremental = tmp_path / "incremental" / "warehouse.duckdb"
    built = build_warehouse(partial, incremental, freeze_due=False)
    assert built.full_refresh

    for runs, everything_changes in ((record_changes, False), ([reference_changes], True)):
        # WHEN the runs land and the warehouse is built incrementally, tests included
        _copy_runs(complete, partial, runs)
        built = build_warehouse(partial, incremental, freeze_due=False)
        # AND another warehouse is built from scratch from the same landing zone
        full = tmp_path / f"full-{runs[-1]}" / "warehouse.duckdb"
        build_warehouse(partial, full, freeze_due=False, run_tests=False, full_refresh=True)
        # THEN the build was incremental, its tests passed, and every table and view holds the same rows
        assert not built.full_refresh, built.full_refresh_reason
        assert {
            node: status
            for node, status in built.statuses.items()
            if status not in ("success", "pass", "no-op")
        } == {}
        assert {name: count for name, count in _differences(incremental, full).items() if count} == {}
        # and it recomputed a few contacts, or all of them when the reference snapshots changed
        with duckdb.connect(str(incremental), read_only=True) as connection:
            contacts, changed = connection.execute(
                """
                select
                    (select count(*) from marts.dim_contact_status),
                    (select count(distinct record_id) from intermediate.int_records_changed
                     where record_type = 'contact')
                """
            ).fetchall()[0]
        assert changed == contacts if everything_changes else 0 < changed < contacts / 4

    with duckdb.connect(str(incremental), read_only=True) as connection:
        statuses = dict(
            connection.execute("select contact_id, contact_status from marts.dim_contact_status").fetchall()
        )
    # and the merges and deletions of every run are there
    assert {statuses[str(i)] for i in portal.merged_away} == {"merged_away"}
    assert {statuses[str(i)] for i in portal.archived_contacts} == {"archived"}


@pytest.mark.integration
@pytest.mark.slow
def test_changed_model_code_means_a_full_refresh_and_then_incremental_again(tmp_path, monkeypatch):
    # GIVEN a warehouse built twice from the same landing zone (the second time incrementally)
    landing = tmp_path / "landing"
    random_landing(landing, contacts=40, seed=5)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    build_warehouse(landing, warehouse, freeze_due=False, run_tests=False)
    second = build_warehouse(landing, warehouse, freeze_due=False, run_tests=False)
    assert not second.full_refresh
    # WHEN the model code changes THEN the next build is a full refresh, saying why
    code = model_code_version()
    monkeypatch.setattr(build_module, "model_code_version", lambda: "0" * 12)
    third = build_warehouse(landing, warehouse, freeze_due=False, run_tests=False)
    assert third.full_refresh
    assert third.full_refresh_reason == f"model code changed ({code} -> {'0' * 12})"
    # and the build after it, on the same code, is incremental again
    assert not build_warehouse(landing, warehouse, freeze_due=False, run_tests=False).full_refresh


def test_the_model_code_version_follows_models_and_macros_but_not_build_output(tmp_path):
    # GIVEN a copy of the dbt project
    project = tmp_path / "dbt_project"
    shutil.copytree(
        build_module.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    version = model_code_version(project)
    # WHEN dbt writes its output, or a README changes THEN the version stays
    (project / "target").mkdir(exist_ok=True)
    (project / "target" / "manifest.json").write_text("{}")
    (project / "README.md").write_text("changed")
    assert model_code_version(project) == version
    # WHEN a model or a macro changes THEN it changes
    model = next((project / "models").rglob("*.sql"))
    model.write_text(model.read_text() + "\n-- changed\n")
    changed_model = model_code_version(project)
    assert changed_model != version
    macro = next((project / "macros").rglob("*.sql"))
    macro.write_text(macro.read_text() + "\n")
    assert model_code_version(project) not in (version, changed_model)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (None, "no recorded build of this warehouse"),
        (LastBuild("d2", "c1", True, True, True, True), "definitions changed (d2 -> d1)"),
        (LastBuild("d1", "c2", True, True, True, True), "model code changed (c2 -> c1)"),
        (
            LastBuild("d1", "c1", False, False, False, True),
            "the last build did not build every incremental model (failed or partial)",
        ),
        (
            LastBuild("d1", "c1", True, False, False, True),
            "a test failed in the last build (a full build tests every row again)",
        ),
        (
            LastBuild("d1", "c1", True, True, False, True),
            "the last build ran without data tests (a full build tests every row)",
        ),
        (LastBuild("d1", "c1", True, True, True, False), None),
    ],
)
def test_a_build_is_incremental_only_after_a_complete_successful_build_of_the_same_code(last, expected):
    assert full_refresh_reason(last, "d1", "c1") == expected


def test_a_build_without_tests_may_follow_one_without_tests():
    assert full_refresh_reason(LastBuild("d1", "c1", True, True, False, False), "d1", "c1", False) is None
