"""How onefunnel.deploy.compose reads a compose file (fast, no process started): interpolation as docker
compose does it, override files merged, container paths and service addresses rewritten for this host, and
clear errors for what cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest

from onefunnel.deploy.compose import ComposeError, ComposeProcesses, PathMap, interpolate, load_compose

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${A}", "a"),
        ("${MISSING}", ""),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${MISSING-x${A}}", "xa"),
        ("$$HOSTNAME and $${HOSTNAME}", "$HOSTNAME and ${HOSTNAME}"),
        ("http://$A:8080", "http://a:8080"),
    ],
)
def test_interpolation_follows_compose(text, expected):
    # GIVEN variables A=a and EMPTY=""  WHEN a string is interpolated  THEN as docker compose would
    assert interpolate(text, {"A": "a", "EMPTY": ""}) == expected


def test_a_malformed_substitution_is_named():
    # GIVEN an unclosed or invalid ${…}  WHEN interpolated  THEN the error quotes it
    with pytest.raises(ComposeError, match=r"unclosed"):
        interpolate("${A:-x", {})
    with pytest.raises(ComposeError, match=r"invalid substitution '\$\{1A\}'"):
        interpolate("${1A}", {})


def test_a_required_variable_that_is_missing_is_named():
    # GIVEN ${X:?message} and no X  WHEN interpolated  THEN the error names X and carries the message
    with pytest.raises(ComposeError, match=r"variable AIRFLOW_JWT_SECRET is required: set it in \.env"):
        interpolate("${AIRFLOW_JWT_SECRET:?set it in .env}", {}, "services.x")


def test_the_project_compose_files_merge_like_docker_compose():
    # GIVEN the base file and the Celery override with the variables .env would hold
    variables = {"AIRFLOW_JWT_SECRET": "s"}
    model = load_compose([REPO / "docker-compose.yml", REPO / "docker-compose.celery.yml"], variables)
    scheduler = model["services"]["airflow-scheduler"]
    # THEN the override's environment is merged into the base's (executor replaced, the rest kept)
    assert scheduler["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert scheduler["environment"]["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/onefunnel/dags"
    assert scheduler["command"] == ["airflow", "scheduler"]
    # AND defaults were applied, anchors resolved
    assert scheduler["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@postgres:5432/airflow")


def test_paths_and_service_addresses_are_rewritten_for_this_host(tmp_path):
    # GIVEN the project's compose file run here with /data and /opt/airflow remapped, Postgres on a local port
    runner = ComposeProcesses(
        files=[REPO / "docker-compose.yml"],
        variables={"AIRFLOW_JWT_SECRET": "s"},
        dockerfile=REPO / "Dockerfile",
        paths=PathMap({"/opt/onefunnel": REPO, "/opt/airflow": tmp_path / "af", "/data": tmp_path / "d"}),
        logs=tmp_path / "logs",
        base_env={},
        hosts={"postgres:5432": "127.0.0.1:55432"},
        replaced={"postgres"},
    )
    scheduler = runner.local("airflow-scheduler")
    api_port = runner.ports["airflow-api-server"][8080]
    # THEN the environment points at local paths and addresses, the image's ENV included
    assert scheduler.env["ONEFUNNEL_DATA_DIR"] == str(tmp_path / "d")
    assert scheduler.env["AIRFLOW_HOME"] == str(tmp_path / "af")
    assert scheduler.env["AIRFLOW__CORE__DAGS_FOLDER"] == str(REPO / "dags")
    assert (
        scheduler.env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == f"http://127.0.0.1:{api_port}/execution/"
    )
    assert "@127.0.0.1:55432/airflow" in scheduler.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    # AND the api-server's healthcheck asks its local port; airflow-init waits for nothing replaced here
    api = runner.local("airflow-api-server")
    assert f"http://127.0.0.1:{api_port}/api/v2/version" in api.healthcheck[-1]
    assert runner.order(["airflow-scheduler"]) == ["airflow-init", "airflow-scheduler"]
    # AND a path-like string that merely contains a prefix is left alone
    assert (
        PathMap({"/data": tmp_path}).apply("/opt/onefunnel/data /data/x")
        == f"/opt/onefunnel/data {tmp_path}/x"
    )


def test_what_cannot_run_is_named(tmp_path):
    # GIVEN compose files with a service without a command, a missing env_file and a bad healthcheck
    compose = tmp_path / "compose.yml"
    compose.write_text(
        "services:\n"
        "  nocommand:\n    image: x\n"
        "  envfile:\n    image: x\n    command: [run]\n    env_file: [missing.env]\n"
        "  badcheck:\n    image: x\n    command: [run]\n    healthcheck: {test: [RUN, x]}\n"
    )
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM scratch\n")
    runner = ComposeProcesses([compose], {}, dockerfile, PathMap({}), tmp_path / "logs", {})
    # WHEN each is prepared  THEN the error names the service and the problem
    with pytest.raises(ComposeError, match="service nocommand: no command"):
        runner.local("nocommand")
    with pytest.raises(ComposeError, match=r"service envfile: env_file missing\.env does not exist"):
        runner.local("envfile")
    with pytest.raises(ComposeError, match="service badcheck: healthcheck test must start with CMD"):
        runner.local("badcheck")
    with pytest.raises(ComposeError, match="no service 'web'"):
        runner.local("web")
