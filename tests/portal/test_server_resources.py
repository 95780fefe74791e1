"""Properties, owners, pipelines, v4 associations and marketing campaigns against the local portal."""

from __future__ import annotations

import hubspot
import pytest
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.owners import ApiException as OwnersApiException
from hubspot.crm.properties import ApiException as PropertiesApiException
from portal_fixture import TOKEN, PortalWriter, build_portal, raw_request

from onefunnel.portal import store
from onefunnel.portal.server import PortalServer, ServerOptions

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    return build_portal(tmp_path_factory.mktemp("resources"))


@pytest.fixture(scope="module")
def server(portal):
    with PortalServer(portal.path, ServerOptions.fast(TOKEN)) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    return hubspot.HubSpot(access_token=TOKEN, host=server.url)


# --- properties ---


def test_properties_get_all_returns_active_definitions(client, portal):
    # GIVEN contact definitions, one of them archived
    # WHEN the SDK reads all contact properties, then the archived ones
    active = client.crm.properties.core_api.get_all("contacts")
    archived = client.crm.properties.core_api.get_all("contacts", archived=True)
    # THEN the active list holds every active definition with its options, the archived list the retired one
    assert {p.name for p in active.results} == set(portal.contact_properties)
    stage = next(p for p in active.results if p.name == "lifecyclestage")
    assert [o.value for o in stage.options][:2] == ["subscriber", "lead"]
    assert [p.name for p in archived.results] == ["old_retired_field"]


def test_one_property_and_a_missing_one(client):
    # GIVEN a known and an unknown property name
    found = client.crm.properties.core_api.get_by_name("contacts", "email")
    with pytest.raises(PropertiesApiException) as missing:
        client.crm.properties.core_api.get_by_name("contacts", "nope")
    # THEN the first is its definition, the second HubSpot's 404
    assert found.name == "email"
    assert found.type == "string"
    assert missing.value.status == 404


def test_properties_accept_singular_and_object_type_ids(server):
    # GIVEN the other names HubSpot accepts for contacts
    for name in ("contact", "0-1", "CONTACTS"):
        # WHEN properties are read under that name
        response = raw_request(server.url, "GET", f"/crm/v3/properties/{name}")
        # THEN it is the contacts' list
        assert response.status == 200, name
        assert response.json()["results"], name


# --- owners ---


def test_owners_paging_to_the_end(client, portal):
    # GIVEN three active owners and one archived owner
    seen, after = [], None
    # WHEN owners are paged two at a time
    while True:
        page = client.crm.owners.owners_api.get_page(limit=2, after=after)
        seen.extend(int(owner.id) for owner in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after
    # THEN every active owner is read once; teams come along
    assert seen == portal.owners
    archived = client.crm.owners.owners_api.get_page(archived=True)
    assert [o.id for o in archived.results] == ["99"]
    with_team = client.crm.owners.owners_api.get_by_id(portal.owners[1])
    assert with_team.teams[0].name == "Sales EMEA"


def test_owner_email_filter_and_missing_owner(client):
    # GIVEN an owner's email
    page = client.crm.owners.owners_api.get_page(email="OWNER2@example.com")
    # WHEN looked up, and a missing owner read by id
    with pytest.raises(OwnersApiException) as missing:
        client.crm.owners.owners_api.get_by_id(12345)
    # THEN the filter finds that owner only and the missing one is 404
    assert [o.email for o in page.results] == ["owner2@example.com"]
    assert missing.value.status == 404


def test_owner_limit_above_500_is_400(server):
    # GIVEN owners' page limit of 500
    # WHEN 501 are asked for THEN it is a 400 VALIDATION_ERROR
    response = raw_request(server.url, "GET", "/crm/v3/owners/?limit=501")
    assert response.status == 400
    assert response.json()["category"] == "VALIDATION_ERROR"


# --- pipelines ---


def test_pipelines_and_stages(client):
    # GIVEN two deal pipelines
    # WHEN read through the SDK
    pipelines = client.crm.pipelines.pipelines_api.get_all("deals").results
    one = client.crm.pipelines.pipelines_api.get_by_id("deals", "default")
    stages = client.crm.pipelines.pipeline_stages_api.get_all("deals", "default").results
    stage = client.crm.pipelines.pipeline_stages_api.get_by_id("deals", "default", "closedwon")
    # THEN they come in display order with stage metadata (isClosed, probability) as strings
    assert [p.id for p in pipelines] == ["default", "renewals"]
    assert one.label == "Sales Pipeline"
    assert [s.id for s in stages] == ["appointmentscheduled", "qualifiedtobuy", "closedwon", "closedlost"]
    assert stage.metadata == {"isClosed": "true", "probability": "1.0"}


def test_unknown_pipeline_and_stage_are_404(server):
    # GIVEN ids that do not exist WHEN a pipeline and a stage are read by them THEN both are 404
    assert raw_request(server.url, "GET", "/crm/v3/pipelines/deals/nope").status == 404
    assert raw_request(server.url, "GET", "/crm/v3/pipelines/deals/default/stages/nope").status == 404


# --- associations v4 ---


def test_v4_batch_read_returns_type_ids_and_primary_label(client, portal):
    # GIVEN a contact with a primary company and a second company
    contact_id = next(c for c, companies in portal.contact_companies.items() if len(companies) == 2)
    primary, other = portal.contact_companies[contact_id]
    # WHEN the SDK reads its company associations
    answer = client.crm.associations.v4.batch_api.get_page(
        "contacts",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": str(contact_id)}]),
    )
    # THEN each company comes with HubSpot's type ids; the primary one also with label "Primary"
    (result,) = answer.results
    assert result._from.id == str(contact_id)
    by_company = {int(to.to_object_id): to.association_types for to in result.to}
    assert {(t.type_id, t.label) for t in by_company[primary]} == {(279, None), (1, "Primary")}
    assert {(t.type_id, t.label) for t in by_company[other]} == {(279, None)}
    assert all(t.category == "HUBSPOT_DEFINED" for types in by_company.values() for t in types)


def test_v4_batch_read_inputs_without_associations_are_errors(server, portal):
    # GIVEN one contact with companies and one id without any
    body = {"inputs": [{"id": str(portal.ids["contacts"][0])}, {"id": "777777"}]}
    # WHEN read with singular type names, as HubSpot also accepts
    response = raw_request(server.url, "POST", "/crm/v4/associations/contact/company/batch/read", body)
    # THEN the answer is multi-status: one result, one error naming the id
    assert response.status == 207
    answer = response.json()
    assert len(answer["results"]) == 1
    assert answer["numErrors"] == 1
    assert answer["errors"][0]["context"] == {"fromObjectId": ["777777"]}
    assert isinstance(answer["results"][0]["to"][0]["toObjectId"], int)


def test_v4_paging_per_input(portal, tmp_path):
    # GIVEN a company with five contacts and a server paging 2 associations per input
    local = build_portal(
        tmp_path,
        contacts=5,
        companies=1,
        deals=0,
        engagements_per_type=0,
        custom_properties=0,
        archived_contacts=0,
        merged_contacts=0,
    )
    company = local.ids["companies"][0]
    options = ServerOptions.fast(TOKEN)
    options.association_page_size = 2
    with PortalServer(local.path, options) as server:
        client = hubspot.HubSpot(access_token=TOKEN, host=server.url)
        seen, after = [], None
        # WHEN the client follows each input's paging.next.after
        while True:
            item = {"id": str(company)} if after is None else {"id": str(company), "after": after}
            answer = client.crm.associations.v4.batch_api.get_page(
                "companies", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[item])
            )
            (result,) = answer.results
            seen.extend(int(to.to_object_id) for to in result.to)
            if result.paging is None:
                break
            after = result.paging.next.after
    # THEN all five contacts are read, two at a time, companies -> contacts type id 280
    assert seen == local.ids["contacts"]


def test_v4_engagement_associations(client, portal):
    # GIVEN calls associated with contacts
    call = portal.ids["calls"][0]
    # WHEN a call's contacts are read through v4
    answer = client.crm.associations.v4.batch_api.get_page(
        "calls", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": str(call)}])
    )
    # THEN the call-to-contact type id comes back
    assert (
        answer.results[0].to[0].association_types[0].type_id
        == store.ASSOCIATION_TYPE_IDS[("calls", "contacts")][0]
    )


# --- marketing campaigns (no client in hubspot-api-client 12: plain HTTP) ---


def test_campaigns_paging_and_properties(server, portal):
    # GIVEN five campaigns
    seen, target = [], "/marketing/v3/campaigns?limit=2&properties=hs_name&properties=hs_budget_total"
    # WHEN they are paged two at a time asking for two properties
    while True:
        answer = raw_request(server.url, "GET", target).json()
        seen.extend(answer["results"])
        if "paging" not in answer:
            break
        target = answer["paging"]["next"]["link"][len(server.url) :]
    # THEN all five come back with a total and exactly the requested properties (null when unset)
    assert [c["id"] for c in seen] == portal.campaigns
    assert answer["total"] == 5
    assert seen[0]["properties"] == {"hs_name": "Campaign 0", "hs_budget_total": None}


def test_one_campaign_and_a_missing_one(server, portal):
    # GIVEN a campaign guid and an unknown one
    # WHEN each is read
    found = raw_request(server.url, "GET", f"/marketing/v3/campaigns/{portal.campaigns[2]}")
    missing = raw_request(server.url, "GET", "/marketing/v3/campaigns/00000000-0000-0000-0000-000000000000")
    # THEN the first comes back whole and the second is HubSpot's 404
    assert found.status == 200
    assert found.json()["properties"]["hs_name"] == "Campaign 2"
    assert missing.status == 404
    assert missing.json()["category"] == "OBJECT_NOT_FOUND"


def test_empty_portal_answers_empty_lists(tmp_path):
    # GIVEN a portal with tables but no rows
    PortalWriter(tmp_path).close()
    with PortalServer(tmp_path, ServerOptions.fast(TOKEN)) as server:
        # WHEN every list endpoint is read
        for target in (
            "/crm/v3/objects/contacts",
            "/crm/v3/owners",
            "/crm/v3/pipelines/deals",
            "/marketing/v3/campaigns",
        ):
            response = raw_request(server.url, "GET", target)
            # THEN each answers 200 with empty results and no paging
            assert response.status == 200, target
            assert response.json()["results"] == []
            assert "paging" not in response.json()
        # AND the properties API still describes HubSpot's built-in properties (every portal has them)
        response = raw_request(server.url, "GET", "/crm/v3/properties/deals")
        assert response.status == 200
        assert {"hs_object_id", "createdate", "hs_lastmodifieddate"} <= {
            p["name"] for p in response.json()["results"]
        }
