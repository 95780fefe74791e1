"""The account details (HubSpot's account-info API) land once per run as the `account_details` reference
dataset: portal id, UI domain of the portal's data centre, data hosting location, time zone, currency. A
token HubSpot refuses them to (403) loses only that dataset: the run succeeds and says why (record links
then come from configuration)."""

from __future__ import annotations

import duckdb
import orjson
import pytest
from portal_helpers import extract, generate, serve
from stub_hubspot import StubHubSpot, missing_scopes

from onefunnel.hubspot import paths
from onefunnel.hubspot.errors import ExtractError
from onefunnel.portal.manifest import build_manifest

TOKEN = "account-details-test-token"
V = r"(?P<v>\d{4}-\d{2})"


def landed_account(landing) -> list[dict]:
    parts = sorted(landing.glob("account_details/*/*.parquet"))
    if not parts:
        return []
    with duckdb.connect() as con:
        rows = con.sql(f"select _raw from read_parquet({[str(p) for p in parts]})").fetchall()
    return [orjson.loads(row[0]) for row in rows]


@pytest.fixture(scope="module")
def eu_portal(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("eu") / "portal", data_hosting_location="eu1")


@pytest.mark.parametrize("api_version", [None, "legacy"])
def test_an_eu_portal_lands_its_account_details_through_each_path_family(
    eu_portal, tmp_path, monkeypatch, api_version
):
    monkeypatch.delenv(paths.API_VERSION_ENV, raising=False)
    # GIVEN a portal hosted in HubSpot's EU data centre, served on 127.0.0.1
    with serve(eu_portal, TOKEN) as server:
        # WHEN a run extracts the account details (date-versioned path by default, v3 when legacy)
        summary = extract(
            server.url,
            TOKEN,
            tmp_path / "landing",
            tmp_path / "state",
            objects=("account",),
            api_version=api_version,
        )
        called = server.stats()["by_endpoint"]
    # THEN one row landed with the portal's id, the EU UI domain and its settings
    assert summary.ok
    assert summary.skipped == {}
    (details,) = landed_account(tmp_path / "landing")
    assert str(details["portalId"]) == build_manifest(eu_portal)["portal_id"]
    assert details["uiDomain"] == "app-eu1.hubspot.com"
    assert details["dataHostingLocation"] == "eu1"
    assert details["timeZone"]
    assert details["companyCurrency"] == "USD"
    # AND the path asked was the version's own
    expected = paths.paths_for(api_version or paths.DEFAULT_API_VERSION).account_details
    assert any(endpoint.startswith("GET /account-info/") for endpoint in called), called
    if api_version == "legacy":
        assert expected == "/account-info/v3/details"
    else:
        assert expected == f"/account-info/{paths.DEFAULT_API_VERSION}/details"
    # AND the run manifest lists the dataset under the `account` object
    run = orjson.loads((tmp_path / "landing" / "_runs" / f"{summary.run_id}.json").read_bytes())
    assert run["objects"]["account"]["records"] == 1


def _stub(account_answer):
    owners = {"results": [{"id": "1", "email": "a@example.com", "teams": []}]}
    return [
        ("GET", f"/crm/owners/{V}", lambda *_: (200, owners)),
        ("GET", f"/account-info/{V}/details", account_answer),
    ]


def test_a_403_on_the_account_details_skips_them_and_the_run_succeeds(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.API_VERSION_ENV, raising=False)
    # GIVEN a HubSpot that refuses the account details to this token (MISSING_SCOPES 403)
    answers = _stub(lambda *_: (403, missing_scopes("account-info.details.read")))
    with StubHubSpot(answers, TOKEN) as hubspot:
        # WHEN a run extracts owners and the account details
        summary = extract(
            hubspot.url, TOKEN, tmp_path / "landing", tmp_path / "state", objects=("owners", "account")
        )
    # THEN the run succeeded, the owners landed, the account details did not
    assert summary.ok
    assert list((tmp_path / "landing").glob("owners/*/*.parquet"))
    assert landed_account(tmp_path / "landing") == []
    # AND the summary says why, naming the configuration that gives record links instead
    reason = summary.skipped["account"]
    assert "403" in reason
    assert "/account-info/" in reason
    assert "ONEFUNNEL_HUBSPOT_PORTAL_ID" in reason
    assert "ONEFUNNEL_HUBSPOT_UI_DOMAIN" in reason


def test_account_details_without_a_portal_id_fail_the_run_with_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.API_VERSION_ENV, raising=False)
    # GIVEN a HubSpot whose account details carry no portalId
    answers = _stub(lambda *_: (200, {"uiDomain": "app.hubspot.com", "timeZone": "UTC"}))
    # WHEN a run extracts them
    with StubHubSpot(answers, TOKEN) as hubspot, pytest.raises(ExtractError) as caught:
        extract(hubspot.url, TOKEN, tmp_path / "landing", tmp_path / "state", objects=("owners", "account"))
    # THEN the error names the problem
    assert "account details without a portalId" in str(caught.value)


def test_the_generator_refuses_an_unknown_data_hosting_location(tmp_path):
    from onefunnel.portal.generate import generate_portal

    # WHEN a portal is asked for a data centre HubSpot does not have
    with pytest.raises(ValueError, match=r"unknown data hosting location 'mars'.*eu1"):
        generate_portal(tmp_path / "portal", data_hosting_location="mars")
    # THEN nothing was written
    assert not (tmp_path / "portal" / "portal.sqlite").exists()
