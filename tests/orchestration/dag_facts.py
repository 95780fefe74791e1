"""Run as a script in a fresh interpreter: load one DAG file with Airflow's DagBag and print what the
integrity tests check, as JSON (import errors, DAG attributes, tasks, edges, heavy modules imported).

A fresh process per file is the only honest way to see which modules parsing that file imports.
"""

from __future__ import annotations

import json
import sys
import time

HEAVY_MODULES = ("pyarrow", "duckdb", "hubspot", "dbt", "great_expectations", "streamlit", "pandas")


def _facts(path: str) -> dict:
    import airflow.sdk  # noqa: F401 - loaded before the clock starts: we measure the DAG file, not Airflow

    before = set(sys.modules)
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=path)
    seconds = time.perf_counter() - started
    imported = set(sys.modules) - before
    dags = {}
    for dag_id, dag in bag.dags.items():
        tasks = {}
        for task in dag.tasks:
            tasks[task.task_id] = {
                "retries": task.retries,
                "retry_exponential_backoff": float(task.retry_exponential_backoff or 0),
                "owner": task.owner,
                "pool": task.pool,
                "downstream": sorted(task.downstream_task_ids),
                "outlets": [getattr(outlet, "name", str(outlet)) for outlet in task.outlets],
                "has_failure_callback": bool(task.on_failure_callback),
                "trigger_rule": str(getattr(task.trigger_rule, "value", task.trigger_rule)),
            }
        dags[dag_id] = {
            "fileloc": dag.fileloc,
            "tags": sorted(dag.tags),
            "catchup": dag.catchup,
            "max_active_runs": dag.max_active_runs,
            "doc_md": dag.doc_md or "",
            "params": sorted(dag.params.keys()),
            "schedule": str(getattr(dag, "schedule", None)),
            "tasks": tasks,
        }
    return {
        "import_errors": {str(key): str(value) for key, value in bag.import_errors.items()},
        "dags": dags,
        "heavy_imported": sorted(
            {name.split(".")[0] for name in imported if name.split(".")[0] in HEAVY_MODULES}
        ),
        "parse_seconds": seconds,
    }


if __name__ == "__main__":
    print("DAG-FACTS " + json.dumps(_facts(sys.argv[1])))
