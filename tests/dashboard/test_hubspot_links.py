"""Record links point into the portal's own data centre: configuration wins, then the snapshot's portal row
(account details); with neither no links and a note; a setting that is not a HubSpot UI host or portal id
is refused, never linked to."""

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


def test_configuration_wins_over_the_portal_row(monkeypatch):
    # GIVEN an EU portal row and configuration naming another portal on na2
    monkeypatch.setenv(hubspot_links.PORTAL_ID_ENV, "555")
    monkeypatch.setenv(hubspot_links.UI_DOMAIN_ENV, "https://app-na2.hubspot.com/")
    where = portal({}, {"portal_id": "2", "ui_domain": "app-eu1.hubspot.com"})
    # THEN configuration decides both
    assert (where.portal_id, where.ui_domain, where.source) == ("555", "app-na2.hubspot.com", "configuration")


def test_a_configured_portal_id_keeps_the_rows_domain_only_for_the_same_portal(monkeypatch):
    monkeypatch.setenv(hubspot_links.PORTAL_ID_ENV, "2")
    same = portal({}, {"portal_id": 2, "ui_domain": "app-eu1.hubspot.com"})
    assert (same.portal_id, same.ui_domain) == ("2", "app-eu1.hubspot.com")
    monkeypatch.setenv(hubspot_links.PORTAL_ID_ENV, "3")
    other = portal({}, {"portal_id": 2, "ui_domain": "app-eu1.hubspot.com"})
    assert (other.portal_id, other.ui_domain) == ("3", "app.hubspot.com")


def test_without_portal_row_or_configuration_no_links_and_a_note():
    # GIVEN run metadata carrying an id but no portal row and no configuration
    nowhere = portal({"hub_id": 9, "portal_id": "9"}, {})
    # THEN no links (the run metadata cannot say the data centre), and a note says what to set
    assert not nowhere.links
    assert record_url(nowhere, "contact", 1) is None
    assert hubspot_links.PORTAL_ID_ENV in hubspot_links.missing_note(nowhere)
    where = portal({}, {"portal_id": "9", "ui_domain": "app.hubspot.com"})
    assert hubspot_links.missing_note(where) == ""
    assert record_url(where, "contact", float("nan")) is None


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
