"""DAG integrity: every file in dags/ loads in Airflow's DagBag without errors, quickly and without heavy
imports, and follows the team's DAG rules (dag_id = file name, tags, owner, retries with backoff, doc,
catchup off, one run at a time, no cycles). One test case per DAG file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAG_FILES = sorted((REPO / "dags").glob("*.py"))
FACTS_SCRIPT = Path(__file__).with_name("dag_facts.py")
# Generous: the DAG file's own work (Airflow itself is imported before the clock starts) on a loaded machine.
PARSE_BOUND_SECONDS = 5.0

pytestmark = pytest.mark.unit

_cache: dict[Path, dict] = {}


def dag_facts(path: Path, tmp_root: Path) -> dict:
    if path not in _cache:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AIRFLOW__", "AIRFLOW_CONN_")) and key != "HUBSPOT_ACCESS_TOKEN"
        }
        env.update(
            {
                "AIRFLOW_HOME": str(tmp_root / f"airflow-{path.stem}"),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_FOLDER": str(path.parent),
            }
        )
        completed = subprocess.run(
            [sys.executable, str(FACTS_SCRIPT), str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        lines = [line for line in completed.stdout.splitlines() if line.startswith("DAG-FACTS ")]
        assert lines, f"loading {path.name} crashed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        _cache[path] = json.loads(lines[-1].removeprefix("DAG-FACTS "))
    return _cache[path]


@pytest.fixture
def facts(request, tmp_path_factory):
    return dag_facts(request.param, tmp_path_factory.mktemp("dagbag"))


def _has_cycle(tasks: dict) -> bool:
    state: dict[str, int] = {}

    def visit(task_id: str) -> bool:
        if state.get(task_id) == 1:
            return True
        if state.get(task_id) == 2:
            return False
        state[task_id] = 1
        if any(visit(child) for child in tasks[task_id]["downstream"]):
            return True
        state[task_id] = 2
        return False

    return any(visit(task_id) for task_id in tasks)


def test_there_are_dag_files():
    # GIVEN the repo  WHEN listing dags/  THEN the main DAG and the month-close DAG are there
    assert {path.stem for path in DAG_FILES} >= {"onefunnel_funnel", "onefunnel_month_close"}


@pytest.mark.parametrize("facts", DAG_FILES, ids=[path.name for path in DAG_FILES], indirect=True)
def test_dag_file_loads_cleanly_and_follows_the_rules(facts):
    # GIVEN one DAG file  WHEN Airflow's DagBag loads it in a fresh interpreter
    # THEN no import error and exactly one DAG whose id is the file name
    assert facts["import_errors"] == {}
    assert len(facts["dags"]) == 1
    ((dag_id, dag),) = facts["dags"].items()
    assert Path(dag["fileloc"]).stem == dag_id
    # AND it carries tags, a doc, catchup off and one active run (one DuckDB writer)
    assert "onefunnel" in dag["tags"]
    assert dag["doc_md"].strip()
    assert dag["catchup"] is False
    assert dag["max_active_runs"] == 1
    # AND every task has an owner, at least 2 retries with exponential backoff and the failure callback
    assert dag["tasks"]
    for task_id, task in dag["tasks"].items():
        assert task["owner"], task_id
        assert task["owner"] != "airflow", task_id
        assert task["retries"] >= 2, task_id
        assert task["retry_exponential_backoff"] > 0, task_id
        assert task["has_failure_callback"], task_id
    # AND the task graph has no cycle
    assert not _has_cycle(dag["tasks"])


@pytest.mark.parametrize("facts", DAG_FILES, ids=[path.name for path in DAG_FILES], indirect=True)
def test_parsing_a_dag_file_imports_nothing_heavy(facts):
    # GIVEN one DAG file  WHEN it is parsed (Airflow already imported)
    # THEN none of the heavy modules the tasks use is imported, and parsing is quick
    assert facts["heavy_imported"] == []
    assert facts["parse_seconds"] < PARSE_BOUND_SECONDS


def test_main_dag_wires_the_pipeline(tmp_path):
    # GIVEN the main DAG  WHEN loaded
    dag = dag_facts(REPO / "dags" / "onefunnel_funnel.py", tmp_path)["dags"]["onefunnel_funnel"]
    tasks = dag["tasks"]
    extract = sorted(task_id for task_id in tasks if task_id.startswith("extract."))
    # THEN one extract task per CRM object plus the reference snapshots, all in the HubSpot pool
    assert extract == sorted(
        f"extract.{name}"
        for name in (
            "contacts",
            "companies",
            "deals",
            "calls",
            "emails",
            "meetings",
            "notes",
            "tasks",
            "leads",
            "reference",
        )
    )
    assert {tasks[task_id]["pool"] for task_id in extract} == {"hubspot_api"}
    # AND every extract feeds the dbt build, then gate -> publish -> exports and dbt docs
    assert all(tasks[task_id]["downstream"] == ["build_warehouse"] for task_id in extract)
    assert tasks["build_warehouse"]["downstream"] == ["quality_gate"]
    assert tasks["quality_gate"]["downstream"] == ["publish"]
    assert sorted(tasks["publish"]["downstream"]) == ["dbt_docs", "exports"]
    # AND every task touching DuckDB shares the one-slot warehouse pool; publish emits the snapshot Asset
    assert {tasks[name]["pool"] for name in ("build_warehouse", "quality_gate", "publish", "dbt_docs")} == {
        "onefunnel_warehouse"
    }
    assert tasks["publish"]["outlets"] == ["onefunnel_serving_snapshot"]
    # AND the full-refresh path is a run parameter
    assert dag["params"] == ["full_refresh"]


def test_month_close_dag_emails_the_pack_after_publish_even_when_nothing_was_due(tmp_path):
    # GIVEN the month-close DAG  WHEN loaded
    dag = dag_facts(REPO / "dags" / "onefunnel_month_close.py", tmp_path)["dags"]["onefunnel_month_close"]
    tasks = dag["tasks"]
    # THEN freeze -> rebuild -> gate -> publish -> email_pack
    assert tasks["freeze_due_months"]["downstream"] == ["rebuild_accountability"]
    assert tasks["rebuild_accountability"]["downstream"] == ["quality_gate"]
    assert tasks["quality_gate"]["downstream"] == ["publish"]
    assert tasks["publish"]["downstream"] == ["email_pack"]
    # AND the pack goes out when the rebuild path was skipped (nothing due: the main DAG froze the month),
    # never after a failure
    assert tasks["email_pack"]["trigger_rule"] == "none_failed"
    assert tasks["publish"]["trigger_rule"] == "all_success"
