"""docker-compose.yml, its Celery variant, the Dockerfile and .env.example: no Docker engine runs here, so
this checks what can be checked without one: both files pass the compose-spec JSON schema
(check-jsonschema's vendored copy), services and volumes are consistent, the executor defaults, the
Execution API is reached by service name, every long-running service has a healthcheck whose program is in
the image, the login's passwords file is on a volume, and the image installs the project with the locked
command. tests/deploy/test_compose_processes.py runs the services' commands as processes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
AIRFLOW_SERVICES = ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")

pytestmark = pytest.mark.unit


def _load(name: str) -> dict:
    return yaml.safe_load((REPO / name).read_text())


def _volume_names(service: dict) -> set[str]:
    names = set()
    for volume in service.get("volumes", []):
        source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source")
        if source and not source.startswith((".", "/")):
            names.add(source)
    return names


def test_compose_runs_airflow_3_on_postgres_with_the_local_executor():
    # GIVEN docker-compose.yml  WHEN parsed
    compose = _load("docker-compose.yml")
    services = compose["services"]
    # THEN the four Airflow 3 services, the init job, Postgres and the dashboard are there
    for name in (*AIRFLOW_SERVICES, "airflow-init", "postgres", "dashboard"):
        assert name in services, name
    commands = {name: services[name]["command"] for name in AIRFLOW_SERVICES}
    assert commands["airflow-api-server"][:2] == ["airflow", "api-server"]
    assert commands["airflow-dag-processor"][:2] == ["airflow", "dag-processor"]
    # AND every Airflow service uses Postgres and the LocalExecutor unless told otherwise
    for name in (*AIRFLOW_SERVICES, "airflow-init"):
        environment = services[name]["environment"]
        assert environment["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW_EXECUTOR:-LocalExecutor}"
        assert "@postgres:5432/" in environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in AIRFLOW_SERVICES:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_compose_volumes_are_declared_and_the_data_volume_is_shared():
    # GIVEN the compose file  THEN every named volume a service mounts is declared, and none is left unused
    compose = _load("docker-compose.yml")
    services = compose["services"]
    declared = set(compose["volumes"])
    used = set().union(*(_volume_names(service) for service in services.values()))
    assert used == declared
    # AND the pipeline, the dashboard (read-only) and the portal share one data volume at /data
    for name in (*AIRFLOW_SERVICES, "dashboard", "portal"):
        mounts = [v for v in services[name]["volumes"] if v.startswith("onefunnel-data:/data")]
        assert mounts, name
    assert "onefunnel-data:/data:ro" in services["dashboard"]["volumes"]


def test_the_local_portal_is_an_optional_profile_and_ports_bind_loopback():
    # GIVEN the compose file  THEN the portal only starts with --profile portal, the rest always
    services = _load("docker-compose.yml")["services"]
    assert services["portal"]["profiles"] == ["portal"]
    assert all("profiles" not in service for name, service in services.items() if name != "portal")
    # AND published ports are on the host's loopback only
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port


def test_the_celery_variant_overrides_the_executor_and_adds_a_broker_and_workers():
    # GIVEN docker-compose.celery.yml, the documented Celery variant
    celery = _load("docker-compose.celery.yml")
    base = _load("docker-compose.yml")["services"]
    services = celery["services"]
    # THEN it adds redis and workers and switches every Airflow service of the base file to Celery
    assert {"redis", "airflow-worker"} <= set(services)
    for name in AIRFLOW_SERVICES:
        assert name in base
        assert services[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert services["airflow-worker"]["command"] == ["airflow", "celery", "worker"]
    assert "onefunnel-data:/data" in services["airflow-worker"]["volumes"]


def _uv_sync_commands(text: str) -> list[str]:
    return [
        " ".join(match.split()) for match in re.findall(r"uv\)? (sync[^\n&]*)", text, flags=re.IGNORECASE)
    ]


def test_the_image_installs_the_project_with_the_same_locked_command_as_the_tests():
    # GIVEN the Makefile's install (what `make test` runs) and the Dockerfile
    makefile = (REPO / "Makefile").read_text()
    dockerfile = (REPO / "Dockerfile").read_text()
    make_sync = [line for line in _uv_sync_commands(makefile) if "--locked" in line]
    image_sync = _uv_sync_commands(dockerfile)
    # THEN both install with `uv sync --locked` (never re-resolving), the image's final sync being that one
    assert make_sync
    assert make_sync[0].startswith("sync --locked")
    assert image_sync
    assert all(command.startswith("sync --locked") for command in image_sync)
    assert image_sync[-1].split("--python")[0].strip() == "sync --locked"
    # AND the image pins the same uv version as the Makefile
    make_uv = re.search(r"UV_VERSION := (\S+)", makefile).group(1)
    assert f"ARG UV_VERSION={make_uv}" in dockerfile


def test_env_example_documents_every_variable_compose_requires():
    # GIVEN .env.example  THEN each ${VAR} the compose files read is documented there, with no real secret
    documented = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in (REPO / ".env.example").read_text().splitlines()
        if "=" in line
    }
    compose_text = (REPO / "docker-compose.yml").read_text() + (
        REPO / "docker-compose.celery.yml"
    ).read_text()
    required = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", compose_text))  # $${X}: the container's shell
    assert required - documented == set()
    assert "AIRFLOW_CONN_HUBSPOT_DEFAULT" in documented


def test_the_locked_environment_can_talk_to_postgres_and_celery():
    # GIVEN uv.lock  THEN it holds the Postgres driver Airflow's metadata DB needs in the compose deployment
    # and the Celery provider the documented Celery variant runs on
    lock = (REPO / "uv.lock").read_text()
    assert 'name = "psycopg2-binary"' in lock or 'name = "psycopg2"' in lock
    assert 'name = "apache-airflow-providers-celery"' in lock


def test_both_compose_files_pass_the_compose_spec_schema():
    # GIVEN check-jsonschema's vendored compose-spec schema (no network)
    checker = Path(sys.executable).with_name("check-jsonschema")
    # WHEN both compose files are validated against it
    completed = subprocess.run(
        [
            str(checker),
            "--builtin-schema",
            "vendor.compose-spec",
            "docker-compose.yml",
            "docker-compose.celery.yml",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # THEN both are valid
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_schema_check_fails_on_a_broken_compose_file(tmp_path):
    # GIVEN a compose file with a misspelt service key (the schema allows no unknown keys)
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  web:\n    image: x\n    comand: [run]\n")
    checker = Path(sys.executable).with_name("check-jsonschema")
    # WHEN validated  THEN the check fails and names the key
    completed = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode != 0
    assert "comand" in completed.stdout + completed.stderr


def test_tasks_reach_the_execution_api_by_the_api_servers_service_name():
    # GIVEN both compose files  THEN the Execution API URL's host is the api-server service's name (Docker's
    # DNS resolves service names for other containers; a `hostname:` is not resolvable by them)
    base = _load("docker-compose.yml")["services"]
    celery = _load("docker-compose.celery.yml")["services"]
    assert all("hostname" not in service for service in base.values())
    urls = [base[name]["environment"]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] for name in AIRFLOW_SERVICES]
    urls.append(celery["airflow-worker"]["environment"]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    for url in urls:
        host, port = re.match(r"http://([^:/]+):(\d+)/execution/$", url).groups()
        assert host == "airflow-api-server", url
        assert host in base
        assert any(mapping.endswith(f":{port}") for mapping in base[host]["ports"])


# Programs the image has: its Python, the venv's console scripts (airflow, celery, streamlit).
IMAGE_PROGRAMS = {"python", "airflow", "celery", "streamlit", "bash"}


def test_every_long_running_service_has_a_healthcheck_with_a_program_the_image_has():
    # GIVEN the services built from the project's image (python:3.11-slim has no curl or wget)
    base = _load("docker-compose.yml")["services"]
    celery = _load("docker-compose.celery.yml")["services"]
    services = {**{name: base[name] for name in (*AIRFLOW_SERVICES, "dashboard")}, **celery}
    for name, service in services.items():
        if name == "redis" or "healthcheck" not in base.get(name, service):
            assert name == "redis" or "healthcheck" in service, f"{name} has no healthcheck"
            continue
        test = base.get(name, service)["healthcheck"]["test"]
        # THEN its check runs a program of the image, never curl
        kind, command = test[0], test[1:]
        program = command[0].split()[0] if kind == "CMD-SHELL" else command[0]
        assert kind in ("CMD", "CMD-SHELL"), name
        assert program in IMAGE_PROGRAMS, f"{name}: {program}"
    # AND the Airflow jobs are checked by their heartbeat in the metadata DB
    for name, job in (
        ("airflow-scheduler", "SchedulerJob"),
        ("airflow-dag-processor", "DagProcessorJob"),
        ("airflow-triggerer", "TriggererJob"),
    ):
        assert base[name]["healthcheck"]["test"][1:6] == ["airflow", "jobs", "check", "--job-type", job]


def test_logs_and_login_live_on_volumes_the_airflow_user_owns():
    # GIVEN the Dockerfile and the compose file
    dockerfile = (REPO / "Dockerfile").read_text()
    services = _load("docker-compose.yml")["services"]
    user = re.search(r"^USER (\S+)", dockerfile, flags=re.MULTILINE).group(1)
    # THEN the folders the named volumes mount are created in the image and owned by the user that runs
    # the services (a new named volume copies the folder's owner)
    created = re.search(r"mkdir -p ([^&]+)&&", dockerfile).group(1).split()
    owned = re.search(rf"chown -R {user}:{user} ([^\n]+)", dockerfile).group(1).split()
    for folder in ("/opt/airflow/logs", "/opt/airflow/auth", "/data"):
        assert folder in created
        assert any(folder == root or folder.startswith(root + "/") for root in owned), folder
    # AND the simple auth manager's passwords file is on the airflow-auth volume of the api-server
    environment = services["airflow-api-server"]["environment"]
    passwords = environment["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
    assert passwords.startswith("/opt/airflow/auth/")
    assert "airflow-auth:/opt/airflow/auth" in services["airflow-api-server"]["volumes"]
    assert environment["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "${AIRFLOW_USERS:-admin:admin}"
    for name in AIRFLOW_SERVICES:
        assert "airflow-logs:/opt/airflow/logs" in services[name]["volumes"], name


def test_the_dashboard_runs_with_the_projects_streamlit_config():
    # GIVEN the compose file and the Dockerfile  THEN the dashboard starts in /opt/onefunnel, where the image
    # copies .streamlit/config.toml (Streamlit reads it from the working directory), and no secrets file
    dashboard = _load("docker-compose.yml")["services"]["dashboard"]
    dockerfile = (REPO / "Dockerfile").read_text()
    assert dashboard["working_dir"] == re.search(r"^WORKDIR (\S+)", dockerfile, flags=re.MULTILINE).group(1)
    assert "COPY .streamlit/config.toml ./.streamlit/config.toml" in dockerfile
    assert "secrets.toml" not in re.sub(r"#.*", "", dockerfile)
    assert dashboard["command"][:5] == ["python", "-m", "streamlit", "run", "dashboards/app.py"]


def test_the_connection_types_the_deployment_uses_are_registered_and_cosmos_is_gone():
    # GIVEN the locked environment the image installs  WHEN Airflow's providers manager lists hook types
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    hooks = ProvidersManagerTaskRuntime().hooks
    # THEN `http` (hubspot_default's conn_type) and `smtp` (smtp_default) are registered types
    assert hooks["http"].hook_class_name == "airflow.providers.http.hooks.http.HttpHook"
    assert hooks["smtp"].hook_class_name == "airflow.providers.smtp.hooks.smtp.SmtpHook"
    # AND the .env.example's HubSpot connection uses that type
    example = (REPO / ".env.example").read_text()
    assert 'AIRFLOW_CONN_HUBSPOT_DEFAULT={"conn_type":"http"' in example
    # AND no Cosmos plugin or listener is loaded in the Airflow processes (astronomer-cosmos was removed)
    from importlib.metadata import entry_points

    plugins = [entry.value for entry in entry_points(group="airflow.plugins")]
    assert not [value for value in plugins if "cosmos" in value]
    assert 'name = "astronomer-cosmos"' not in (REPO / "uv.lock").read_text()


def test_the_dashboard_gets_the_sign_in_settings_and_no_other_secret():
    # GIVEN the variables dashboards.lib.auth reads to turn sign-in on
    from dashboards.lib import auth

    wanted = {auth.ENV_PREFIX + key.upper() for key in auth.REQUIRED_KEYS} | {auth.DOMAINS_ENV}
    dashboard = _load("docker-compose.yml")["services"]["dashboard"]
    # THEN the compose dashboard passes each of them from .env, and no env_file (HubSpot, SMTP secrets)
    assert {name: dashboard["environment"][name] for name in wanted} == {
        name: f"${{{name}:-}}" for name in wanted
    }
    assert "env_file" not in dashboard
