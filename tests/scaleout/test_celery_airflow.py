"""The funnel DAG on Airflow's CeleryExecutor (issue 18): scheduler, API server, DAG processor and two
Celery workers (distinct names) against a Redis broker and a PostgreSQL metadata database, all started here
on 127.0.0.1 and free ports, over a tiny local portal. The task instances, read from the metadata database,
show the extract tasks spread over both workers inside the HubSpot pool, and the warehouse tasks (dbt,
quality gate, publish) one at a time in the one-slot warehouse pool."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scaleout_helpers import PORTAL_TOKEN, free_port
from scaleout_servers import Postgres, postgres_server, redis_server

from onefunnel.orchestration import settings
from onefunnel.scaleout.celery import CeleryAirflow

pytestmark = [pytest.mark.scale, pytest.mark.e2e]

DAG_ID = "onefunnel_funnel"
WORKERS = ("worker-a", "worker-b")
WAREHOUSE_TASKS = ("build_warehouse", "quality_gate", "publish")
RUN_TIMEOUT_S = 420
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "scaleout" / "celery_task_instances.json"


@dataclass
class TaskInstance:
    task_id: str
    state: str
    hostname: str
    pool: str
    start: datetime
    end: datetime


@dataclass
class CeleryRun:
    state: str
    tasks: dict[str, TaskInstance]
    warehouse_pool_slots: int
    logs: Path
    serving: Path


def _query(pg: Postgres, sql: str, parameters: tuple = ()) -> list[tuple]:
    import psycopg2

    connection = psycopg2.connect(
        host=pg.host, port=pg.port, user=pg.user, password=pg.password, dbname="airflow"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchall()
    finally:
        connection.close()


def _wait(what: str, check, timeout: float, logs: Path, airflow: CeleryAirflow):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not airflow.exited():
        value = check()
        if value:
            return value
        time.sleep(2)
    tails = "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(logs.glob("*.log"))
    )
    raise AssertionError(f"waiting for {what}: gave up (exited: {airflow.exited()})\n{tails}")


@pytest.fixture(scope="module")
def celery_run(tmp_path_factory):
    from onefunnel.portal.generate import generate_portal
    from onefunnel.portal.server import PortalServer, ServerOptions

    root = tmp_path_factory.mktemp("celery")
    logs = root / "logs"
    # the portal's clock 3 days back: every record lies before the extraction (the quality gate checks it)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    generate_portal(root / "portal", size="tiny", seed=7, as_of=today - timedelta(days=3))
    portal = PortalServer(root / "portal", ServerOptions.fast(PORTAL_TOKEN), host="127.0.0.1", port=0).start()
    airflow = None
    try:
        with postgres_server() as pg, redis_server() as broker:
            pg.create_database("airflow")
            airflow = CeleryAirflow(
                home=root / "airflow",
                data_dir=root / "data",
                portal_url=portal.url,
                token=PORTAL_TOKEN,
                extra_env={"ONEFUNNEL_SCHEDULE": "none", "ONEFUNNEL_TASK_RETRIES": "0"},
                metadata_url=pg.url("airflow"),
                broker_url=broker,
                api_port=free_port(),
                jwt_secret=secrets.token_hex(16),
            )
            try:
                airflow.prepare(echo=lambda _message: None)
                airflow.start("api-server", log=logs / "api-server.log")
                airflow.start("scheduler", log=logs / "scheduler.log")
                airflow.start("dag-processor", log=logs / "dag-processor.log")
                for name in WORKERS:
                    airflow.start_worker(name, concurrency=2, log_port=free_port(), logs=logs)
                _wait(
                    "the DAG processor to store the funnel DAG",
                    lambda: _query(pg, "select 1 from dag where dag_id = %s", (DAG_ID,)),
                    180,
                    logs,
                    airflow,
                )
                airflow.run("dags", "unpause", DAG_ID, capture=True)
                airflow.run("dags", "trigger", DAG_ID, capture=True)
                state = _wait(
                    "the DAG run to finish",
                    lambda: next(
                        (
                            s
                            for (s,) in _query(pg, "select state from dag_run where dag_id = %s", (DAG_ID,))
                            if s in ("success", "failed")
                        ),
                        None,
                    ),
                    RUN_TIMEOUT_S,
                    logs,
                    airflow,
                )
                rows = _query(
                    pg,
                    "select task_id, state, hostname, pool, start_date, end_date from task_instance "
                    "where dag_id = %s",
                    (DAG_ID,),
                )
                slots = _query(pg, "select slots from slot_pool where pool = %s", (settings.WAREHOUSE_POOL,))
                _write_artifact(rows)
                yield CeleryRun(
                    state,
                    {row[0]: TaskInstance(*row) for row in rows},
                    slots[0][0],
                    logs,
                    root / "data" / "serving" / "serving.duckdb",
                )
            finally:
                airflow.stop()
    finally:
        portal.stop()


def _write_artifact(rows: list[tuple]) -> None:
    """The run's task instances (worker, pool, start, end) for CI's artifacts and the README's figures."""
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(
        json.dumps(
            [
                {
                    "task_id": r[0],
                    "state": r[1],
                    "hostname": r[2],
                    "pool": r[3],
                    "start": str(r[4]),
                    "end": str(r[5]),
                }
                for r in sorted(rows, key=lambda r: (r[4] is None, r[4]))
            ],
            indent=2,
        )
    )


def _failure_report(run: CeleryRun) -> str:
    states = {task.task_id: (task.state, task.hostname) for task in run.tasks.values()}
    worker_logs = "\n".join(
        p.read_text(errors="replace")[-2000:] for p in sorted(run.logs.glob("worker-*.log"))
    )
    return f"{states}\n{worker_logs}"


def test_the_funnel_dag_succeeds_on_two_celery_workers(celery_run):
    # GIVEN the funnel DAG triggered on a CeleryExecutor deployment with two workers
    # THEN the run succeeds, every task ran on one of the two named workers, and it published a snapshot
    assert celery_run.state == "success", _failure_report(celery_run)
    assert all(task.state in ("success", "skipped") for task in celery_run.tasks.values()), _failure_report(
        celery_run
    )
    assert {task.hostname.split("@")[0] for task in celery_run.tasks.values()} <= set(WORKERS)
    assert celery_run.serving.exists()


def test_extract_tasks_spread_over_both_workers_inside_the_hubspot_pool(celery_run):
    # GIVEN the run's extract task instances, as the metadata database recorded them
    extracts = [task for task in celery_run.tasks.values() if task.task_id.startswith("extract.")]
    assert len(extracts) == len(settings.EXTRACT_GROUPS)
    # THEN each ran in the HubSpot pool, and both workers ran some of them
    assert {task.pool for task in extracts} == {settings.HUBSPOT_POOL}
    per_worker = {
        name: sorted(t.task_id for t in extracts if t.hostname.startswith(f"{name}@")) for name in WORKERS
    }
    assert all(per_worker.values()), per_worker


def test_warehouse_tasks_never_overlap_whichever_worker_runs_them(celery_run):
    # GIVEN the tasks that open DuckDB files (dbt build, quality gate, publish)
    warehouse = sorted((celery_run.tasks[task_id] for task_id in WAREHOUSE_TASKS), key=lambda t: t.start)
    # THEN they ran in the warehouse pool, which has one slot, and no two of them ran at the same time
    assert celery_run.warehouse_pool_slots == 1
    assert {task.pool for task in warehouse} == {settings.WAREHOUSE_POOL}
    for earlier, later in itertools.pairwise(warehouse):
        assert earlier.end <= later.start, (earlier, later)
    # AND no extract task was still running when the build started (the landing zone was complete)
    build = celery_run.tasks["build_warehouse"]
    assert all(t.end <= build.start for t in celery_run.tasks.values() if t.task_id.startswith("extract."))
