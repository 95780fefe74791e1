"""The deployment without a Docker engine: docker-compose.yml's services started as local processes by
onefunnel.deploy.compose (same commands, environment, depends_on conditions and healthchecks as the
compose file; container paths remapped to a temporary folder, free local ports), on a PostgreSQL from
Debian's packages as the metadata database, against a tiny local portal.

One test walks the whole story: airflow-init migrates and creates the pools, the api-server, scheduler,
dag-processor, triggerer and dashboard become healthy by their own compose healthchecks, a user signs in to
Airflow's REST API with the password the simple auth manager generated into its passwords file, triggers
onefunnel_funnel, the run succeeds, and the dashboard process serves the snapshot that run published. Every
process and the database are stopped at the end, also when a step fails. What only a Docker host can show
is listed in docs/airflow.md.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from onefunnel.deploy.compose import ComposeProcesses, PathMap, free_port, load_compose

pytestmark = [pytest.mark.scale, pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
TOKEN = "compose-portal-token-51d2"
DAG = "onefunnel_funnel"


def _api_server_port(_container: int, local: int, argv: list[str]):
    # `airflow api-server` binds [api] host/port; in the container 0.0.0.0:8080, here loopback and a free port
    return {"AIRFLOW__API__HOST": "127.0.0.1", "AIRFLOW__API__PORT": str(local)}, argv


def _dashboard_port(container: int, local: int, argv: list[str]):
    rewritten = [
        f"--server.port={local}"
        if part == f"--server.port={container}"
        else "--server.address=127.0.0.1"
        if part.startswith("--server.address=")
        else part
        for part in argv
    ]
    return {}, rewritten


def _request(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - a local URL
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {"detail": error.read().decode(errors="replace")}


def _wait(what: str, check, timeout: float, interval: float = 3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # readiness wait, not a timing assertion
        found = check()
        if found:
            return found
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout:.0f}s")


@pytest.fixture
def deployment(tmp_path):
    from oidc_provider import ALLOWED_USER, OidcProvider

    from onefunnel.deploy.postgres import LocalPostgres, PostgresUnavailable, postgres_bin_dir
    from onefunnel.portal.generate import generate_portal
    from onefunnel.portal.server import PortalServer, ServerOptions

    try:
        postgres_bin_dir()
    except PostgresUnavailable as missing:
        pytest.skip(str(missing))
    generate_portal(tmp_path / "portal", size="tiny", seed=11)
    dashboard_port = free_port()  # the sign-in's redirect URI names it before the dashboard starts
    with ExitStack() as stack:
        portal = PortalServer(
            tmp_path / "portal", ServerOptions.fast(TOKEN), host="127.0.0.1", port=0
        ).start()
        stack.callback(portal.stop)
        provider = stack.enter_context(OidcProvider([ALLOWED_USER]).running(tmp_path))
        # What .env holds on a Docker host (.env.example): secrets, the HubSpot connection, settings.
        variables = {
            "AIRFLOW_JWT_SECRET": "compose-test-jwt-secret-0123456789abcdef",
            "POSTGRES_PASSWORD": "compose-test-db-password",
            "AIRFLOW_USERS": "admin:admin,viewer:viewer",
            "AIRFLOW_CONN_HUBSPOT_DEFAULT": json.dumps(
                {"conn_type": "http", "host": portal.url, "password": TOKEN}
            ),
            "ONEFUNNEL_SCHEDULE": "none",
            "ONEFUNNEL_HUBSPOT_TIER": "unlimited",
            # Dashboard sign-in against the local OIDC provider; only example.com addresses get in
            **provider.dashboard_env(dashboard_port, allowed_domains="example.com"),
        }
        files = [REPO / "docker-compose.yml"]
        # The metadata database: the compose file's `postgres` service, with its user, password and database
        database = load_compose(files, variables)["services"]["postgres"]["environment"]
        postgres = LocalPostgres(
            database["POSTGRES_USER"], database["POSTGRES_PASSWORD"], database["POSTGRES_DB"]
        ).start()
        stack.callback(postgres.stop)
        root = tmp_path / "host"
        runner = ComposeProcesses(
            files=files,
            variables=variables,
            dockerfile=REPO / "Dockerfile",
            paths=PathMap(
                {
                    "/opt/onefunnel/.venv": Path(sys.prefix),
                    "/opt/onefunnel": REPO,
                    "/opt/airflow": root / "airflow",
                    "/data": root / "data",
                }
            ),
            logs=root / "logs",
            base_env={key: os.environ[key] for key in ("HOME", "LANG", "TZ") if key in os.environ},
            listen={"airflow-api-server": _api_server_port, "dashboard": _dashboard_port},
            hosts={"postgres:5432": f"127.0.0.1:{postgres.port}"},
            replaced={"postgres"},
            ports={"dashboard": {8501: dashboard_port}},
            extra_env={
                # One host instead of one container each: the log servers get free ports, and the api-server
                # one worker (a shared 2-core machine).
                "*": {
                    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
                    "AIRFLOW__API__WORKERS": "1",
                }
            },
        )
        for folder in ("airflow/logs", "airflow/auth", "data"):  # what the image creates (Dockerfile)
            (root / folder).mkdir(parents=True)
        stack.callback(runner.down)
        yield runner, root, provider
        # teardown below (ExitStack): processes, Postgres, portal — even when the test failed
    assert all(service.process.poll() is not None for service in runner.started), "a process survived"


def test_compose_services_run_a_dag_through_the_rest_api_and_the_dashboard_serves_its_snapshot(deployment):
    runner, root, provider = deployment
    # GIVEN docker-compose.yml's Airflow services and the dashboard started as processes, in dependency order
    # (airflow-init must complete first: migrate + pools)
    running = runner.up([*AIRFLOW, "dashboard"], timeout=600)
    assert next(iter(running)) == "airflow-init"
    # WHEN their own compose healthchecks run  THEN every service becomes healthy
    for name in (*AIRFLOW, "dashboard"):
        runner.wait_healthy(running[name], timeout=300)
    # AND the simple auth manager generated a password per AIRFLOW_USERS user into the passwords file
    passwords = json.loads((root / "airflow" / "auth" / "passwords.json").read_text())
    assert sorted(passwords) == ["admin", "viewer"]
    api = runner.url("airflow-api-server", 8080, "")
    status, _ = _request("POST", f"{api}/auth/token", {"username": "admin", "password": "wrong"})
    assert status == 401
    status, login = _request(
        "POST", f"{api}/auth/token", {"username": "admin", "password": passwords["admin"]}
    )
    assert status == 201, login
    token = login["access_token"]
    # AND the REST API refuses calls without the token
    assert _request("GET", f"{api}/api/v2/dags/{DAG}")[0] == 401

    # WHEN the dag-processor has parsed the DAG and the user unpauses and triggers it through the REST API
    _wait(
        "the DAG parsed by the dag-processor",
        lambda: _request("GET", f"{api}/api/v2/dags/{DAG}", token=token)[0] == 200,
        timeout=300,
    )
    status, dag = _request("PATCH", f"{api}/api/v2/dags/{DAG}", {"is_paused": False}, token)
    assert (status, dag.get("is_paused")) == (200, False), dag
    status, run = _request("POST", f"{api}/api/v2/dags/{DAG}/dagRuns", {"logical_date": None}, token)
    assert status == 200, run
    run_url = f"{api}/api/v2/dags/{DAG}/dagRuns/{run['dag_run_id']}"

    def finished():
        state = _request("GET", run_url, token=token)[1].get("state")
        return state if state in ("success", "failed") else None

    # THEN the scheduler runs it to success (tasks reach the Execution API at the compose URL)
    state = _wait("the DAG run to finish", finished, timeout=1500, interval=5)
    if state != "success":
        tasks = _request("GET", f"{run_url}/taskInstances", token=token)[1]
        failed = [t["task_id"] for t in tasks.get("task_instances", []) if t["state"] != "success"]
        scheduler = runner.tail(running["airflow-scheduler"])
        pytest.fail(f"run {state}; tasks not successful: {failed}; scheduler: {scheduler}")
    status, xcom = _request(
        "GET", f"{run_url}/taskInstances/publish/xcomEntries/return_value?deserialize=true", token=token
    )
    assert status == 200, xcom
    published = xcom["value"] if isinstance(xcom["value"], dict) else json.loads(xcom["value"])
    # AND the snapshot it published is in the shared data folder the dashboard reads
    serving = root / "data" / "serving" / "serving.duckdb"
    assert Path(published["serving_path"]) == serving
    from onefunnel.publish.serving import read_run_metadata

    meta = read_run_metadata(serving)
    assert meta["run_id"] == published["quality_run_id"]

    # WHEN a browser opens the dashboard process, before and after signing in
    before, after = _dashboard_text(runner.url("dashboard", 8501, "/").rstrip("/"), provider)
    # THEN nothing of the snapshot shows before sign-in; after it, that run's snapshot and its data as-of
    assert meta["run_id"] not in before
    assert "Data as of" not in before
    assert f"run {meta['run_id']}" in after
    assert "Data as of" in after


def _dashboard_text(url: str, provider) -> tuple[str, str]:
    from oidc_provider import ALLOWED_USER
    from playwright_browser import ARGS, chromium_binary, main_text, sign_in, wait_ready

    binary = chromium_binary()
    if binary is None:
        pytest.skip("Chromium not found: install Debian's chromium (make system-packages)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, args=ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
            page.goto(url, timeout=120_000)
            wait_ready(page)
            before = page.inner_text("body")
            sign_in(page, url, provider.url, ALLOWED_USER)
            page.get_by_text("Data as of").first.wait_for(timeout=120_000)
            return before, main_text(page)
        finally:
            browser.close()
