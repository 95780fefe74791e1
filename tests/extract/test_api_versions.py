"""The HubSpot API version is configuration: the tiny portal lands exactly its manifest through 2026-09 (the
default), 2026-03 and legacy paths, and both request logs — the portal's per-endpoint count and the
extractor's timeline of paths — show which path family was called: by default no /v3/ and no /v4/ path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import orjson
import pytest
from click.testing import CliRunner
from portal_helpers import assert_landing_matches, extract, generate, serve

from onefunnel.hubspot import paths
from onefunnel.hubspot.errors import ConfigurationError
from onefunnel.hubspot.runner import ExtractOptions

TOKEN = "pat-na1-api-version-token"


# ---- configuration ------------------------------------------------------------------------------------


def test_default_is_the_current_date_version(monkeypatch):
    monkeypatch.delenv(paths.API_VERSION_ENV, raising=False)
    assert paths.resolve_api_version() == "2026-09"
    assert paths.DEFAULT_API_VERSION == "2026-09"


def test_option_beats_env_beats_connection_extra(monkeypatch):
    # GIVEN a version in each place
    monkeypatch.setenv(paths.API_VERSION_ENV, "2026-03")
    # THEN the explicit option wins, then the environment, then the Airflow connection's extra
    assert paths.resolve_api_version("legacy", connection="2026-09") == "legacy"
    assert paths.resolve_api_version(None, connection="legacy") == "2026-03"
    monkeypatch.delenv(paths.API_VERSION_ENV)
    assert paths.resolve_api_version(None, connection="legacy") == "legacy"
    assert paths.resolve_api_version(None, connection="v4") == "legacy"  # v3 / v4 spell the legacy family


@pytest.mark.parametrize("value", ["2025-09", "v5", "latest", ""])
def test_unknown_versions_are_rejected_with_the_choices(value):
    with pytest.raises(ConfigurationError, match=r"choose from 2026-09, 2026-03, legacy"):
        ExtractOptions(api_version=value).validate()


def test_unknown_version_in_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv(paths.API_VERSION_ENV, "2024-01")
    with pytest.raises(ConfigurationError, match=paths.API_VERSION_ENV):
        paths.resolve_api_version()


def test_cli_rejects_an_unknown_version_listing_the_choices():
    from onefunnel.extract_cli import extract as extract_command

    result = CliRunner().invoke(extract_command, ["--api-version", "2025-03"])
    assert result.exit_code == 2
    assert "2026-09" in result.output
    assert "legacy" in result.output


def test_path_table_date_versions_never_name_v3_or_v4():
    for version in ("2026-09", "2026-03"):
        table = paths.API_PATHS[version].all()
        assert all(f"/{version}" in path for path in table.values()), table
        assert not any("/v3/" in path or "/v4/" in path for path in table.values())
    legacy = paths.API_PATHS["legacy"]
    assert legacy.associations_batch_read.startswith("/crm/v4/associations/")
    assert legacy.objects_list == "/crm/v3/objects/{objectType}"


def test_airflow_connection_extra_sets_the_api_version(tmp_path, secret_token):
    # GIVEN only the Airflow connection, whose extra carries api_version
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSPOT_", "ONEFUNNEL_HUBSPOT_"))}
    env["AIRFLOW_HOME"] = str(tmp_path / "airflow")
    env["AIRFLOW_CONN_HUBSPOT_DEFAULT"] = json.dumps(
        {
            "conn_type": "http",
            "host": "http://127.0.0.1:8765",
            "password": secret_token,
            "extra": {"api_version": "legacy"},
        }
    )
    code = (
        "from onefunnel.hubspot.client import resolve_credentials; "
        "from onefunnel.hubspot.paths import resolve_api_version; c = resolve_credentials(); "
        "print(c.api_version, resolve_api_version(None, c.api_version))"
    )
    # WHEN credentials and the version are resolved in a fresh process
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    # THEN the connection's extra is the version; the token is never printed
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["legacy", "legacy"]
    assert secret_token not in out.stdout + out.stderr


# ---- the tiny portal through each path family -----------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("api_version", [None, "2026-03", "legacy"])
def test_tiny_portal_lands_its_manifest_through_each_api_version(tmp_path, monkeypatch, api_version):
    monkeypatch.delenv(paths.API_VERSION_ENV, raising=False)
    expected = api_version or "2026-09"
    # GIVEN the tiny portal, served without limits
    portal = generate(tmp_path / "portal")
    landing, state, timeline = tmp_path / "landing", tmp_path / "state", tmp_path / "timeline.json"
    with serve(portal, TOKEN) as server:
        # WHEN a full run extracts every object through that version (None = the default)
        summary = extract(server.url, TOKEN, landing, state, api_version=api_version, timeline_path=timeline)
        stats = server.stats()
        portal_log, portal_versions = stats["by_endpoint"], stats["by_api_version"]
    # THEN the landing zone equals the manifest exactly, and the run manifest records the version
    assert summary.ok
    assert summary.api_version == expected
    assert_landing_matches(portal, landing)
    run = orjson.loads((landing / "_runs" / f"{summary.run_id}.json").read_bytes())
    assert run["api_version"] == expected
    # AND the portal served every request under that version only
    assert portal_versions == {expected: summary.totals["requests"]}
    # AND both request logs show only that version's paths
    called = orjson.loads(timeline.read_bytes())["paths"]
    assert sum(called.values()) == summary.totals["requests"]
    assert sum(portal_log.values()) == summary.totals["requests"]
    table = set(paths.API_PATHS[expected].all().values())
    assert {endpoint.split(" ", 1)[1] for endpoint in called} <= table
    if expected == "legacy":
        assert all("/v3/" in e or "/v4/" in e for e in list(called) + list(portal_log)), (called, portal_log)
        assert f"POST {paths.API_PATHS['legacy'].associations_batch_read}" in called
    else:
        assert all(f"/{expected}" in endpoint for endpoint in called), called
        for log in (called, portal_log):
            assert not [e for e in log if "/v3/" in e or "/v4/" in e], log
        # the portal answered date routes only (its log names the route template, `{version}` included)
        assert all("{version}" in endpoint for endpoint in portal_log), portal_log
    # AND leads (no records on this portal) were asked for and landed nothing, without failing the run
    assert summary.skipped == {} or set(summary.skipped) == {"leads"}


@pytest.mark.integration
def test_cli_api_version_option_reaches_the_run(tmp_path, monkeypatch):
    # GIVEN the tiny portal and `onefunnel extract --api-version legacy`
    from onefunnel.extract_cli import extract as extract_command

    monkeypatch.delenv(paths.API_VERSION_ENV, raising=False)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
    portal = generate(tmp_path / "portal")
    landing = tmp_path / "landing"
    with serve(portal, TOKEN) as server:
        args = [
            "--api-version",
            "legacy",
            "--host",
            server.url,
            "--tier",
            "unlimited",
            "--log-format",
            "json",
        ]
        args += ["--landing-dir", str(landing), "--state-dir", str(tmp_path / "state"), "--objects", "owners"]
        # WHEN it runs
        result = CliRunner().invoke(extract_command, args)
        versions = server.stats()["by_api_version"]
    # THEN the run used the legacy paths and says so in its manifest
    assert result.exit_code == 0, result.output
    (manifest,) = (landing / "_runs").glob("*.json")
    assert orjson.loads(manifest.read_bytes())["api_version"] == "legacy"
    assert set(versions) == {"legacy"}
