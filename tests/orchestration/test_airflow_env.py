"""`onefunnel airflow env` never prints a secret (issue 13, item 8): tokens, keys and passwords appear only as
references to the shell variables that hold them, and the output still evals to the environment `run` uses."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from onefunnel import config
from onefunnel.cli import main
from onefunnel.orchestration.bootstrap import hubspot_connection_uri
from onefunnel.orchestration.cli import shell_exports

pytestmark = pytest.mark.unit

PORTAL_TOKEN = "tok-portal-5f1c9e77d2"
# Secrets an operator's shell plausibly holds while running the command (e.g. after `set -a; . ./.env`).
SHELL_SECRETS = {
    "ONEFUNNEL_PORTAL_TOKEN": PORTAL_TOKEN,
    "HUBSPOT_ACCESS_TOKEN": "pat-na1-0a1b2c3d-hubspot",
    "AIRFLOW_FERNET_KEY": "fernet-key-3c4d5e6f7a8b",
    "AIRFLOW_JWT_SECRET": "jwt-secret-9a8b7c6d5e",
    "ONEFUNNEL_HUBSPOT_TOKEN": "pat-na1-onefunnel-prefixed",
    "ONEFUNNEL_METADATA_DB": "postgresql://airflow:db-password-77@db:5432/airflow",
}
REAL_CONNECTION = json.dumps({"conn_type": "http", "password": "pat-na1-real-connection-token"})

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash to eval the output")


@pytest.fixture
def shell(monkeypatch, tmp_path):
    monkeypatch.setenv("ONEFUNNEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ONEFUNNEL_AIRFLOW_HOME", raising=False)
    for name, value in SHELL_SECRETS.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def _airflow_env(*args: str):
    result = CliRunner().invoke(main, ["airflow", "env", *args])
    assert result.exit_code == 0, result.output
    return result


def _eval(exports: str, environment: dict[str, str], *names: str) -> subprocess.CompletedProcess:
    """Run `eval "$(onefunnel airflow env)"` in bash with `environment`, then print the named variables."""
    script = 'eval "$EXPORTS" || exit 3\n' + "".join(f'printf "%s\\n" "${name}"\n' for name in names)
    return subprocess.run(
        [shutil.which("bash"), "-c", script],
        env={"PATH": "/usr/bin:/bin", **environment, "EXPORTS": exports},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_airflow_env_never_prints_a_token_or_key_set_in_the_shell(shell):
    # GIVEN a shell holding the portal token, a HubSpot token, Airflow's keys and a database password
    # WHEN `onefunnel airflow env` prints the environment (stdout and stderr)
    output = _airflow_env().output
    # THEN none of those values appears, not even the portal token inside the connection JSON
    for name, secret in SHELL_SECRETS.items():
        assert secret not in output, name
    assert "db-password-77" not in output
    # AND each is named as a reference the shell fills in
    assert 'export ONEFUNNEL_PORTAL_TOKEN="${ONEFUNNEL_PORTAL_TOKEN:?set ONEFUNNEL_PORTAL_TOKEN' in output
    assert 'export AIRFLOW_FERNET_KEY="${AIRFLOW_FERNET_KEY:?' in output
    assert 'export ONEFUNNEL_METADATA_DB="${ONEFUNNEL_METADATA_DB:?' in output
    assert '\\"password\\": \\"${ONEFUNNEL_PORTAL_TOKEN}\\"' in output


def test_airflow_env_does_not_print_the_builtin_portal_token_either(shell):
    # GIVEN a shell without ONEFUNNEL_PORTAL_TOKEN (the local portal then uses its synthetic default)
    shell.delenv("ONEFUNNEL_PORTAL_TOKEN")
    # WHEN the environment is printed
    result = _airflow_env()
    # THEN the default token is referenced, not printed, and stderr says what to export before eval
    assert config.DEFAULT_PORTAL_TOKEN not in result.output
    assert "not set in this shell: ONEFUNNEL_PORTAL_TOKEN" in result.stderr
    assert "ONEFUNNEL_PORTAL_TOKEN" not in result.stdout.split("\n")[-1]


@needs_bash
def test_airflow_env_output_evals_to_the_connection_run_uses(shell, tmp_path):
    # GIVEN the printed exports
    exports = _airflow_env("--port", "8799").stdout
    # WHEN eval'd in the same shell (it holds the portal token and the other secrets)
    done = _eval(exports, SHELL_SECRETS, "AIRFLOW_CONN_HUBSPOT_DEFAULT", "AIRFLOW_HOME")
    # THEN the connection is exactly the one `airflow run` passes to Airflow, and the rest is in place
    assert done.returncode == 0, done.stderr
    connection, home = done.stdout.splitlines()
    assert json.loads(connection) == json.loads(hubspot_connection_uri("http://127.0.0.1:8799", PORTAL_TOKEN))
    assert home == str(tmp_path / "data" / "airflow")


@needs_bash
def test_airflow_env_eval_stops_naming_the_variable_when_the_token_is_not_set(shell):
    # GIVEN the printed exports
    exports = _airflow_env().stdout
    # WHEN eval'd in a shell that has every other variable but not the token
    without_token = {name: value for name, value in SHELL_SECRETS.items() if name != "ONEFUNNEL_PORTAL_TOKEN"}
    done = _eval(exports, without_token, "AIRFLOW_CONN_HUBSPOT_DEFAULT")
    # THEN eval stops with a message naming the variable, instead of a connection with an empty password
    assert done.returncode != 0
    assert "ONEFUNNEL_PORTAL_TOKEN" in done.stderr
    assert "password" not in done.stdout


@needs_bash
def test_airflow_env_with_real_hubspot_references_the_connection_without_printing_it(shell):
    # GIVEN real HubSpot: the connection (with its private-app token) comes from the shell
    shell.setenv("AIRFLOW_CONN_HUBSPOT_DEFAULT", REAL_CONNECTION)
    shell.setenv("ONEFUNNEL_HUBSPOT_TIER", "enterprise")
    # WHEN the environment is printed
    result = _airflow_env("--real-hubspot")
    # THEN the token is not in it, the connection is a reference, and eval keeps the shell's connection
    assert "pat-na1-real-connection-token" not in result.output
    assert 'export AIRFLOW_CONN_HUBSPOT_DEFAULT="${AIRFLOW_CONN_HUBSPOT_DEFAULT:?' in result.stdout
    assert "export ONEFUNNEL_HUBSPOT_TIER=enterprise" in result.stdout
    shell_environment = {**SHELL_SECRETS, "AIRFLOW_CONN_HUBSPOT_DEFAULT": REAL_CONNECTION}
    done = _eval(result.stdout, shell_environment, "AIRFLOW_CONN_HUBSPOT_DEFAULT")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == REAL_CONNECTION


def test_shell_exports_reference_secrets_by_name_by_uri_password_and_inside_values():
    # GIVEN an environment with a token variable, a URI with a password, a value holding a known secret
    environment = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow:hunter2@db/airflow",
        "SOME_API_KEY": "k-123456",
        "AIRFLOW_HOME": "/srv/airflow home",
        "ONEFUNNEL_CALLBACK_URL": 'https://hooks.example/abc?sig=s3cr3t-sig&x="1"',
    }
    # WHEN written as exports
    lines = "\n".join(shell_exports(environment, {"HOOK_SIG": "s3cr3t-sig"}))
    # THEN no secret is in clear; plain values are shell-quoted
    for secret in ("hunter2", "k-123456", "s3cr3t-sig"):
        assert secret not in lines
    assert 'export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:?' in lines
    assert "export AIRFLOW_HOME='/srv/airflow home'" in lines
    assert 'export ONEFUNNEL_CALLBACK_URL="https://hooks.example/abc?sig=${HOOK_SIG}&x=\\"1\\""' in lines


def test_print_vars_never_prints_a_token_set_in_the_shell(shell):
    # GIVEN the same shell WHEN the dbt vars are printed (the other command that prints configuration)
    result = CliRunner().invoke(main, ["transform", "--print-vars"])
    # THEN none of the secrets is in them
    assert result.exit_code == 0, result.output
    for name, secret in SHELL_SECRETS.items():
        assert secret not in result.output, name
