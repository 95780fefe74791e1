"""Token and host resolution, and redaction."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from onefunnel.hubspot.client import Credentials, redact, register_secret, resolve_credentials
from onefunnel.hubspot.errors import ConfigurationError

pytestmark = pytest.mark.unit


def test_env_token_and_host_override(monkeypatch, secret_token):
    # GIVEN the token and a local-portal host in the environment
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", secret_token)
    monkeypatch.setenv("HUBSPOT_HOST", "http://127.0.0.1:8765/")
    # WHEN resolving
    creds = resolve_credentials()
    # THEN both are used, and the repr never shows the token
    assert creds.token == secret_token
    assert creds.host == "http://127.0.0.1:8765"
    assert secret_token not in repr(creds)


def test_no_host_means_real_hubspot(monkeypatch, secret_token):
    # GIVEN only a token
    monkeypatch.delenv("HUBSPOT_HOST", raising=False)
    monkeypatch.delenv("ONEFUNNEL_HUBSPOT_HOST", raising=False)
    creds = resolve_credentials(token=secret_token)
    # THEN the SDK's default host is used
    assert creds.host is None
    assert creds.base_url == "https://api.hubapi.com"


def test_redaction_removes_registered_secrets(secret_token):
    # GIVEN a registered token
    register_secret(secret_token)
    # THEN any text carrying it is scrubbed
    assert secret_token not in redact(f"Authorization: Bearer {secret_token}")


def test_airflow_connection_from_env_var(tmp_path, secret_token):
    # GIVEN no HUBSPOT_ACCESS_TOKEN but AIRFLOW_CONN_HUBSPOT_DEFAULT in JSON form, host in the URI part
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSPOT_", "ONEFUNNEL_HUBSPOT_"))}
    env["AIRFLOW_HOME"] = str(tmp_path / "airflow")
    env["AIRFLOW_CONN_HUBSPOT_DEFAULT"] = json.dumps(
        {"conn_type": "http", "host": "127.0.0.1", "port": 8765, "schema": "http", "password": secret_token}
    )
    code = (
        "from onefunnel.hubspot.client import resolve_credentials; c = resolve_credentials(); "
        f"print(c.host, c.source, c.token == {secret_token!r})"
    )
    # WHEN resolving in a fresh process (Airflow is imported lazily there)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    # THEN the connection's password is the token and its host the override; the token is never printed
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["http://127.0.0.1:8765", "airflow", "hubspot_default", "True"]
    assert secret_token not in out.stdout + out.stderr


def test_missing_token_is_a_clear_configuration_error(monkeypatch, tmp_path):
    # GIVEN neither an env token nor an Airflow connection
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.delenv("AIRFLOW_CONN_HUBSPOT_DEFAULT", raising=False)
    # WHEN resolving
    # THEN the error names both ways to provide one
    with pytest.raises(ConfigurationError, match=r"HUBSPOT_ACCESS_TOKEN.*hubspot_default"):
        resolve_credentials()


def test_credentials_repr_is_safe(secret_token):
    assert secret_token not in repr(Credentials(secret_token, None, "env"))
