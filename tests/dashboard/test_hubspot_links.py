"""Record links point into the portal's own data centre: configuration wins, then the account details, then
the run metadata; a setting that is not a HubSpot UI host or portal id is refused, never linked to."""

from __future__ import annotations

import pytest
from dashboard_apptest import REPO_ROOT  # noqa: F401 - puts the repository on sys.path for dashboards.lib
from dashboards.lib import hubspot_links
from dashboards.lib.hubspot_links import InvalidHubSpotSetting, portal, record_url


@pytest.fixture(autouse=True)
def _no_configuration(monkeypatch):
    monkeypatch.delenv(hubspot_links.PORTAL_ID_ENV, raising=False)
    monkeypatch.delenv(hubspot_links.UI_DOMAIN_ENV, raising=False)


def test_an_eu_portal_links_to_app_eu1():
    # GIVEN account details as HubSpot's account-info API gives them for an EU portal
    where = portal({}, {"portal_id": 139_000_123, "ui_domain": "app-eu1.hubspot.com"})
    # THEN contact and deal records link to app-eu1 with the portal id and the object type
    assert record_url(where, "contact", 42) == "https://app-eu1.hubspot.com/contacts/139000123/record/0-1/42"
    assert record_url(where, "deal", "77") == "https://app-eu1.hubspot.com/contacts/139000123/record/0-3/77"
    assert where.source == "account details"


def test_configuration_wins_over_account_details_and_run_metadata(monkeypatch):
    monkeypatch.setenv(hubspot_links.PORTAL_ID_ENV, "555")
    monkeypatch.setenv(hubspot_links.UI_DOMAIN_ENV, "https://app-na2.hubspot.com/")
    where = portal({"portal_id": "1"}, {"portal_id": "2", "ui_domain": "app-eu1.hubspot.com"})
    assert (where.portal_id, where.ui_domain, where.source) == ("555", "app-na2.hubspot.com", "configuration")


def test_run_metadata_portal_with_the_default_domain_and_no_portal_no_links():
    assert (
        record_url(portal({"hub_id": 9}), "contact", 1) == "https://app.hubspot.com/contacts/9/record/0-1/1"
    )
    nowhere = portal({})
    assert not nowhere.links
    assert record_url(nowhere, "contact", 1) is None
    assert record_url(portal({"portal_id": "9"}), "contact", float("nan")) is None


@pytest.mark.parametrize("domain", ["evil.example.com", "app.hubspot.com.evil.io", "app-eu1.hubspot.co"])
def test_a_domain_that_is_not_hubspots_is_refused(monkeypatch, domain):
    monkeypatch.setenv(hubspot_links.PORTAL_ID_ENV, "1")
    monkeypatch.setenv(hubspot_links.UI_DOMAIN_ENV, domain)
    with pytest.raises(InvalidHubSpotSetting, match=hubspot_links.UI_DOMAIN_ENV):
        portal({})


def test_a_portal_id_that_is_not_digits_is_refused(monkeypatch):
    monkeypatch.setenv(hubspot_links.PORTAL_ID_ENV, "12/../x")
    with pytest.raises(InvalidHubSpotSetting, match="digits"):
        portal({})
