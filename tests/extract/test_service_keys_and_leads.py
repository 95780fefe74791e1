"""Service Keys and scopes: a 403 names the endpoint and the scope HubSpot reported, a 401 speaks of Service
Keys; Leads are extracted (with their contact associations) when the portal has them and skipped with one
log line when it answers 403, 404 or 400 — against a stub HubSpot on 127.0.0.1 (the local portal has no
scopes to refuse)."""

from __future__ import annotations

import logging

import pytest
from stub_hubspot import StubHubSpot, missing_scopes

from onefunnel.hubspot import settings
from onefunnel.hubspot.client import Credentials
from onefunnel.hubspot.endpoints import HubSpotApi
from onefunnel.hubspot.errors import AuthError, scopes_from_error_body
from onefunnel.hubspot.ratebudget import RateBudget
from onefunnel.hubspot.retry import Retrier
from onefunnel.hubspot.runner import ExtractOptions, run_extraction
from onefunnel.landing.reader import count_rows, current_ids

TOKEN = "service-key-test-token"
V = r"(?P<v>\d{4}-\d{2})"

LEADS = [
    {
        "id": str(i),
        "properties": {
            "hs_object_id": str(i),
            "hs_lead_name": f"Lead {i}",
            "hs_lastmodifieddate": f"2026-11-0{i}T10:00:00Z",
            "hs_createdate": f"2026-10-0{i}T10:00:00Z",
        },
        "createdAt": f"2026-10-0{i}T10:00:00Z",
        "updatedAt": f"2026-11-0{i}T10:00:00Z",
        "archived": False,
    }
    for i in (1, 2, 3)
]
LEAD_CONTACT = {"1": "101", "2": "102", "3": "101"}


def _api(url: str) -> HubSpotApi:
    return HubSpotApi(
        Credentials(TOKEN, url, "test"),
        Retrier(RateBudget(requests_per_window=None, search_per_second=None), sleep=lambda _s: None),
        api_version="2026-09",
    )


def _portal_with_leads(leads_status: int | None) -> list:
    """Stub answers for a portal whose only extracted object is leads: `leads_status` None = it has them,
    else every leads request answers that status (403 with HubSpot's MISSING_SCOPES body)."""

    def refused(*_args):
        if leads_status == 403:
            return 403, missing_scopes("crm.objects.leads.read")
        if leads_status == 400:
            return 400, {"status": "error", "message": "Unable to infer object type from: leads"}
        return 404, {
            "status": "error",
            "message": "Object type leads not found",
            "category": "OBJECT_NOT_FOUND",
        }

    def properties(*_args):
        names = ("hs_object_id", "hs_lead_name", "hs_lastmodifieddate", "hs_createdate")
        return 200, {"results": [{"name": name, "type": "string"} for name in names]}

    def listing(_match, query, _body):
        archived = (query.get("archived") or ["false"])[0].lower() == "true"
        return 200, {"results": [] if archived else LEADS[: int(query.get("limit", ["100"])[0])]}

    def search(_match, _query, body):
        return 200, {"total": len(LEADS), "results": sorted(LEADS, key=lambda r: r["id"])[: body["limit"]]}

    def associations(_match, _query, body):
        results = [
            {
                "from": {"id": item["id"]},
                "to": [
                    {
                        "toObjectId": LEAD_CONTACT[item["id"]],
                        "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 578, "label": None}],
                    }
                ],
            }
            for item in body["inputs"]
        ]
        return 200, {"status": "COMPLETE", "results": results}

    if leads_status is not None:
        return [(verb, pattern, refused) for verb, pattern in (("GET", ".*"), ("POST", ".*"))]
    return [
        ("GET", f"/crm/properties/{V}/leads", properties),
        ("GET", f"/crm/objects/{V}/leads", listing),
        ("POST", f"/crm/objects/{V}/leads/search", search),
        ("POST", f"/crm/associations/{V}/leads/contacts/batch/read", associations),
    ]


# ---- 403 / 401 ----------------------------------------------------------------------------------------


def test_403_names_the_endpoint_and_the_scope_hubspot_reported():
    # GIVEN a HubSpot that answers the contacts list with a MISSING_SCOPES 403
    answers = [
        ("GET", f"/crm/objects/{V}/contacts", lambda *_: (403, missing_scopes("crm.objects.contacts.read")))
    ]
    # WHEN the extractor lists contacts
    with StubHubSpot(answers, TOKEN) as stub, pytest.raises(AuthError) as raised:
        _api(stub.url).list_page("contacts", after=None, properties=["email"])
    # THEN the error names the endpoint, the reported scope and where Service Keys are managed; no retry
    error = raised.value
    assert error.status == 403
    assert error.endpoint == "GET /crm/objects/2026-09/{objectType}"
    assert error.scopes == ("crm.objects.contacts.read",)
    message = str(error)
    assert "GET /crm/objects/2026-09/{objectType} (contacts: list page)" in message
    assert "crm.objects.contacts.read" in message
    assert "MISSING_SCOPES" in message
    assert "Settings > Integrations > Service Keys" in message
    assert len(stub.requests) == 1


def test_401_speaks_of_service_keys_first():
    # GIVEN a HubSpot that refuses the token
    # WHEN the extractor reads property definitions
    with StubHubSpot([], "another-token") as stub, pytest.raises(AuthError) as raised:
        _api(stub.url).properties("contacts")
    # THEN the message names the endpoint and the Service Key, private apps as legacy
    message = str(raised.value)
    assert raised.value.status == 401
    assert "GET /crm/properties/2026-09/{objectType}" in message
    assert message.index("Service Key") < message.index("private-app")
    assert "legacy" in message


@pytest.mark.parametrize(
    ("body", "scopes"),
    [
        (missing_scopes("crm.objects.leads.read"), ("crm.objects.leads.read",)),
        (
            {"category": "MISSING_SCOPES", "context": {"missingScopes": ["a.read", "b.read"]}},
            ("a.read", "b.read"),
        ),
        ({"errors": [{"context": "{missingScopes=[scope1, scope2]}"}]}, ("scope1", "scope2")),
        ({"status": "error", "message": "forbidden"}, ()),
    ],
)
def test_scopes_are_read_from_every_shape_hubspot_uses(body, scopes):
    assert scopes_from_error_body(body) == scopes


def test_required_scope_list_covers_every_dataset():
    # GIVEN the datasets onefunnel extracts  THEN each has its scopes listed, leads' only as optional
    assert set(settings.REQUIRED_SCOPES) == set(settings.ALL_OBJECTS)
    assert settings.required_scopes() == [
        "crm.objects.companies.read",
        "crm.objects.contacts.read",
        "crm.objects.deals.read",
        "crm.objects.owners.read",
        "marketing.campaigns.read",
    ]
    assert settings.required_scopes(settings.OPTIONAL_OBJECTS) == ["crm.objects.leads.read"]


# ---- Leads --------------------------------------------------------------------------------------------


def test_leads_land_with_their_contact_associations(tmp_path):
    # GIVEN a portal that has leads
    with StubHubSpot(_portal_with_leads(None), TOKEN) as stub:
        # WHEN only leads are extracted (full)
        summary = run_extraction(
            ExtractOptions(
                objects=("leads",), landing_dir=tmp_path / "l", state_dir=tmp_path / "s", tier=None
            ),
            credentials=Credentials(TOKEN, stub.url, "test"),
        )
    # THEN the leads landed like any CRM object, with their contact associations, through 2026-09 paths
    assert summary.ok
    assert summary.skipped == {}
    assert summary.api_version == "2026-09"
    assert current_ids(tmp_path / "l", "leads")[0] == {1, 2, 3}
    assert count_rows(tmp_path / "l", "associations_leads_contacts") == 3
    assert all("/2026-09/" in path for _method, path in stub.requests)


@pytest.mark.parametrize("status", [403, 404, 400])
def test_a_portal_without_leads_skips_them_with_one_log_line(tmp_path, caplog, capsys, status):
    # GIVEN a portal that answers every leads request with `status` (no scope / no such object)
    with StubHubSpot(_portal_with_leads(status), TOKEN) as stub, caplog.at_level(logging.WARNING):
        # WHEN leads are extracted
        summary = run_extraction(
            ExtractOptions(
                objects=("leads",), landing_dir=tmp_path / "l", state_dir=tmp_path / "s", tier=None
            ),
            credentials=Credentials(TOKEN, stub.url, "test"),
        )
    # THEN the run succeeds without them, says why in one log line (the scope for a 403), lands nothing
    assert summary.ok
    assert set(summary.skipped) == {"leads"}
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("leads skipped")]
    assert len(lines) == 1
    assert "crm.objects.leads.read" in lines[0]
    if status == 403:
        assert "GET /crm/properties/2026-09/{objectType}" in lines[0]
    assert current_ids(tmp_path / "l", "leads") == (set(), set())
    assert len(stub.requests) == 1  # the probe stopped at the first refusal
    # AND the CLI's summary shows the object as skipped, with the reason
    from onefunnel.hubspot.progress import Reporter

    capsys.readouterr()
    Reporter(interactive=True).summary(summary)
    shown = capsys.readouterr().out
    assert "skipped" in shown
    assert "leads not extracted:" in shown


@pytest.mark.integration
def test_portal_with_leads_lands_them_exactly_with_their_contacts(tmp_path):
    # GIVEN a tiny portal of the custom-stages profile, which generates HubSpot Leads
    from portal_helpers import assert_landing_matches, generate, manifest_ids, serve

    portal = generate(tmp_path / "portal", profile="custom-stages")
    assert manifest_ids(portal)["leads"]["active"]["count"] > 0
    landing = tmp_path / "landing"
    with serve(portal, TOKEN) as server:
        # WHEN everything is extracted (default API version)
        summary = run_extraction(
            ExtractOptions(landing_dir=landing, state_dir=tmp_path / "state", tier=None),
            credentials=Credentials(TOKEN, server.url, "test"),
        )
    # THEN leads land exactly the manifest's ids, like every other object, each with its contact
    assert summary.ok
    assert summary.skipped == {}
    counts = assert_landing_matches(portal, landing)
    assert counts["leads"] == manifest_ids(portal)["leads"]["active"]["count"]
    assert count_rows(landing, "associations_leads_contacts") >= counts["leads"]
