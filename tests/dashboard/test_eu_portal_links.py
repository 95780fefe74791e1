"""A portal hosted in HubSpot's EU data centre, end to end: the local portal reports it in its account details
(GET /account-info/2026-09/details: uiDomain app-eu1.hubspot.com), extraction lands them, dbt makes the
one-row marts.dim_portal, publish copies it, and the dashboard's record links open app-eu1 - with no link
configuration at all. A whole extra pipeline run, so the test carries the scale marker."""

from __future__ import annotations

import dashboard_pipeline as pipeline
import dashboard_truth as truth
import pytest
from dashboard_apptest import open_page, point_at
from dashboard_pipeline import DataDir

from onefunnel.portal.generate import generate_portal
from onefunnel.portal.manifest import build_manifest

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.scale]


def test_an_eu_portal_links_to_app_eu1_from_extraction_to_the_dashboard(tmp_path, monkeypatch):
    # GIVEN a tiny portal hosted in eu1
    data = DataDir(tmp_path / "data")
    generate_portal(data.portal, size="tiny", seed=42, data_hosting_location="eu1")
    portal_id = build_manifest(data.portal)["portal_id"]
    # WHEN it goes through the pipeline: extract -> dbt build -> checks -> publish
    pipeline.run_once(data, mode="full", build_docs=False)
    # THEN the snapshot's portal row is the EU portal's
    assert truth.rows(
        data.serving, "select portal_id, ui_domain, data_hosting_location from marts.dim_portal"
    ) == [(portal_id, "app-eu1.hubspot.com", "eu1")]
    # AND the dashboard, with no link configuration, links every record behind a tile to app-eu1
    point_at(monkeypatch, data.serving, data.quality)
    app = open_page("funnel")
    app.button(key="drill-Leads").click().run()
    assert not app.exception, [exception.value for exception in app.exception]
    (table,) = [frame.value for frame in app.dataframe if "Counted because" in frame.value.columns]
    assert len(table) > 0
    assert list(table["HubSpot link"]) == [
        f"https://app-eu1.hubspot.com/contacts/{portal_id}/record/0-1/{record}"
        for record in table["HubSpot id"]
    ]
    # AND configuration still overrides the portal row
    monkeypatch.setenv("ONEFUNNEL_HUBSPOT_UI_DOMAIN", "app-na2.hubspot.com")
    app = open_page("funnel")
    app.button(key="drill-Leads").click().run()
    (table,) = [frame.value for frame in app.dataframe if "Counted because" in frame.value.columns]
    assert table["HubSpot link"].str.startswith(f"https://app-na2.hubspot.com/contacts/{portal_id}/").all()
