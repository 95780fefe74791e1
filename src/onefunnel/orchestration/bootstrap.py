"""A local Airflow for onefunnel: an AIRFLOW_HOME under the data folder with a SQLite metadata database,
the repo's dags/ folder, the two pools, and the `hubspot_default` connection pointing at a portal.

Used by `onefunnel demo`, `onefunnel airflow run|standalone|env` and the end-to-end tests. The connection
travels only as the AIRFLOW_CONN_HUBSPOT_DEFAULT environment variable of the Airflow child processes: it is
never written to a file, printed or logged (the printed environment masks it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from onefunnel import config
from onefunnel.orchestration import settings

DAGS_DIR = Path(os.environ.get("ONEFUNNEL_DAGS_DIR", config.REPO_ROOT / "dags"))
MAIN_DAG = "onefunnel_funnel"
CONN_ENV = "AIRFLOW_CONN_HUBSPOT_DEFAULT"
STAMP = ".onefunnel-bootstrap.json"
# Variables the Airflow children must not inherit: a stray token would win over the connection, a stray
# AIRFLOW__* setting from the shell would point them at another metadata database.
SCRUBBED_PREFIXES = ("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_")
SCRUBBED = ("HUBSPOT_ACCESS_TOKEN", "HUBSPOT_HOST", "ONEFUNNEL_HUBSPOT_HOST", "AIRFLOW_HOME")


def airflow_bin() -> str:
    """The `airflow` script of this interpreter's environment."""
    return str(Path(sys.executable).with_name("airflow"))


def default_home() -> Path:
    return Path(os.environ.get("ONEFUNNEL_AIRFLOW_HOME", config.data_dir() / "airflow"))


def hubspot_connection_uri(host: str, token: str) -> str:
    """AIRFLOW_CONN_HUBSPOT_DEFAULT value (JSON form): password = token, host = API host override."""
    return json.dumps({"conn_type": "http", "host": host, "password": token})


@dataclass
class LocalAirflow:
    home: Path
    data_dir: Path
    portal_url: str | None = None
    token: str | None = None
    tier: str = "unlimited"  # the local portal in fast mode has no rate limit
    extra_env: Mapping[str, str] | None = None

    def env(self) -> dict[str, str]:
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(SCRUBBED_PREFIXES) and key not in SCRUBBED
        }
        base.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.home / 'airflow.db'}",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
                "ONEFUNNEL_DATA_DIR": str(self.data_dir),
                "ONEFUNNEL_HUBSPOT_TIER": self.tier,
                "PYTHONUNBUFFERED": "1",
                # `airflow standalone` starts its components as `airflow …` from PATH: make it this venv's.
                "PATH": os.pathsep.join([str(Path(airflow_bin()).parent), os.environ.get("PATH", "")]),
            }
        )
        if self.portal_url and self.token:
            base[CONN_ENV] = hubspot_connection_uri(self.portal_url, self.token)
        base.update(self.extra_env or {})
        return base

    def printable_env(self) -> dict[str, str]:
        """The environment to show a person: the connection with its token masked."""
        shown = {key: value for key, value in self.env().items() if key.startswith(("AIRFLOW", "ONEFUNNEL_"))}
        if CONN_ENV in shown and self.portal_url:
            shown[CONN_ENV] = hubspot_connection_uri(self.portal_url, "***")
        return shown

    def run(self, *args: str, check: bool = True, capture: bool = False, timeout: float | None = None):
        return subprocess.run(  # noqa: S603 - fixed argv: this environment's airflow script
            [airflow_bin(), *args],
            env=self.env(),
            check=check,
            capture_output=capture,
            text=True,
            timeout=timeout,
        )

    def prepare(self, echo=print) -> bool:
        """`airflow db migrate` and the pools, once per Airflow version and pool sizes; True when it ran."""
        self.home.mkdir(parents=True, exist_ok=True)
        stamp_path = self.home / STAMP
        wanted = {"airflow": _airflow_version(), "pools": pool_definitions(self.tier)}
        if stamp_path.exists() and json.loads(stamp_path.read_text()) == wanted:
            return False
        echo(f"preparing the Airflow metadata database in {self.home} (once) …")
        self.run("db", "migrate", capture=True)
        pools_file = self.home / "pools.json"
        pools_file.write_text(json.dumps(wanted["pools"], indent=2))
        self.run("pools", "import", str(pools_file), capture=True)
        stamp_path.write_text(json.dumps(wanted))
        return True

    def dags_test(self, dag_id: str = MAIN_DAG, conf: dict | None = None, *, capture: bool = False):
        """One DAG run through Airflow (`airflow dags test`): the scheduler's dependency loop, one process."""
        args = ["dags", "test", dag_id]
        if conf:
            args += ["--conf", json.dumps(conf)]
        return self.run(*args, check=False, capture=capture)


def pool_definitions(tier: str) -> dict[str, dict]:
    """`airflow pools import` content: the HubSpot pool sized to the tier, the one-writer warehouse pool."""
    slots = int(os.environ.get(settings.HUBSPOT_POOL_SLOTS_ENV, settings.TIER_POOL_SLOTS[tier]))
    return {
        settings.HUBSPOT_POOL: {
            "slots": slots,
            "description": f"Concurrent HubSpot object extractions (tier {tier}).",
            "include_deferred": False,
        },
        settings.WAREHOUSE_POOL: {
            "slots": 1,
            "description": "One DuckDB writer at a time: dbt build, month freeze, quality gate, publish.",
            "include_deferred": False,
        },
    }


def _airflow_version() -> str:
    from importlib.metadata import version

    return version("apache-airflow")
