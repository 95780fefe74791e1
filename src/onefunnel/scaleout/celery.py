"""Airflow with the CeleryExecutor: scheduler, API server, DAG processor and N Celery workers against a
Redis broker and a PostgreSQL metadata database (the deployment docker-compose.celery.yml describes, here
as processes on one machine: what `tests/scaleout/test_celery_airflow.py` starts).

The DuckDB single-writer rule across workers: every task that opens the warehouse or the serving snapshot
(dbt build, month freeze, quality gate, publish) runs in the Airflow pool `onefunnel_warehouse`, which has
one slot. Pools are enforced by the scheduler, before a task is sent to any worker, so at most one such
task runs at a time across all workers and DAGs, whichever worker picks it up. Extract tasks run in the
`hubspot_api` pool and spread over every worker. Workers must share the data folder (one machine, or a
network filesystem).

Each worker names itself in the task instances it runs (`hostname`), through Airflow's
`[core] hostname_callable` = `worker_hostname` below and the worker's ONEFUNNEL_WORKER_NAME, so task
instances tell which worker ran them even when all workers share one host.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from onefunnel.orchestration.bootstrap import LocalAirflow

WORKER_NAME_ENV = "ONEFUNNEL_WORKER_NAME"


def worker_hostname() -> str:
    """Airflow's hostname_callable: `<worker name>@<host>` on a named worker, else the host's FQDN."""
    name = os.environ.get(WORKER_NAME_ENV, "").strip()
    host = socket.getfqdn()
    return f"{name}@{host}" if name else host


@dataclass
class CeleryAirflow(LocalAirflow):
    """A LocalAirflow whose executor is Celery: metadata in PostgreSQL, tasks through a Redis broker."""

    metadata_url: str = ""  # postgresql+psycopg2://user:password@host:port/database
    broker_url: str = ""  # redis://host:port/0
    api_port: int = 8080
    jwt_secret: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        if not self.metadata_url.startswith("postgresql"):
            raise ValueError(f"CeleryAirflow needs a PostgreSQL metadata URL, not {self.metadata_url!r}")
        if not self.broker_url.startswith("redis://"):
            raise ValueError(f"CeleryAirflow needs a redis:// broker URL, not {self.broker_url!r}")
        if not self.jwt_secret:
            raise ValueError("CeleryAirflow needs a JWT secret shared by the API server and the workers")
        base = super().env()
        base.update(
            {
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.metadata_url,
                "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + self.metadata_url.replace("+psycopg2", ""),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.api_port),
                "AIRFLOW__API_AUTH__JWT_SECRET": self.jwt_secret,
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": f"{__name__}.worker_hostname",
                # A worker reserves only the tasks it can start (acks late, prefetch 1), so queued extract
                # tasks go to whichever worker has a free process.
                "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
                "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            }
        )
        return base

    def run(self, *args: str, check: bool = True, capture: bool = False, timeout: float | None = None):
        """One `airflow ...` command with this deployment's environment."""
        return subprocess.run(  # noqa: S603 - fixed argv: this interpreter's airflow
            [sys.executable, "-m", "airflow", *args],
            env=self.env(),
            check=check,
            capture_output=capture,
            text=True,
            timeout=timeout,
        )

    def exited(self) -> list[str]:
        """The components that have exited (a component should run until `stop`)."""
        return [" ".join(map(str, p.args[3:5])) for p in self.processes if p.poll() is not None]

    def start(self, *args: str, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
        """One long-running Airflow component (`scheduler`, `api-server`, ...) writing to `log`."""
        log.parent.mkdir(parents=True, exist_ok=True)
        handle = open(log, "ab")  # noqa: SIM115 - the child process owns it until it exits
        process = subprocess.Popen(  # noqa: S603 - fixed argv: this interpreter's airflow
            [sys.executable, "-m", "airflow", *args],
            env={**self.env(), **(env or {})},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        self.processes.append(process)
        return process

    def start_worker(self, name: str, *, concurrency: int, log_port: int, logs: Path) -> subprocess.Popen:
        """`airflow celery worker` named `name` (Celery hostname and task-instance hostname), its own pid
        file and log-server port so several run on one host."""
        return self.start(
            "celery",
            "worker",
            "--celery-hostname",
            f"{name}@%h",
            "--concurrency",
            str(concurrency),
            "--pid",
            str(self.home / f"worker-{name}.pid"),
            log=logs / f"worker-{name}.log",
            env={WORKER_NAME_ENV: name, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port)},
        )

    def stop(self, timeout: float = 30) -> None:
        """Stop every component this object started (their process groups), newest first."""
        import signal

        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in reversed(self.processes):
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=timeout)
        self.processes.clear()
