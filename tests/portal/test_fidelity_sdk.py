"""The official SDK (`hubspot-api-client` 12) reads every portal endpoint with full model deserialisation.

Legacy paths go through the SDK's generated APIs (default `_preload_content=True`: every answer becomes
the SDK's model classes, whose client-side validation rejects a missing required field or a value out
of its enum). Date-versioned paths go through `client.api_request` — the SDK's only way to call them —
and the answer is parsed by the same generated `ApiClient.deserialize` into the same model classes, as
the shapes are the same (API_FIDELITY.md). Marketing campaigns have no generated API in SDK 12; they
are read through `api_request` in both families and checked as JSON.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import hubspot
import pytest
from hubspot.crm import associations, objects, owners, pipelines, properties
from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.objects import BatchReadInputSimplePublicObjectId, PublicObjectSearchRequest
from hubspot.crm.properties import BatchReadInputPropertyName, PropertyName
from portal_fixture import TOKEN, PathFamily, build_portal

from onefunnel.portal.server import PortalServer, ServerOptions

pytestmark = pytest.mark.integration

STANDARD_TYPES = (
    "contacts",
    "companies",
    "deals",
    "tickets",
    "products",
    "line_items",
    "quotes",
    "leads",
    "calls",
    "emails",
    "meetings",
    "notes",
    "tasks",
    "communications",
    "postal_mail",
)
DATE_FAMILIES = ("2026-03", "2026-09")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    return build_portal(tmp_path_factory.mktemp("sdk"))


@pytest.fixture(scope="module")
def server(portal):
    with PortalServer(portal.path, ServerOptions.fast(TOKEN)) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    # host= for the generated APIs, base_url= for api_request (the SDK reads them separately)
    return hubspot.HubSpot(access_token=TOKEN, host=server.url, base_url=server.url)


def deserialize(module, response, model: str):
    """Parse a raw answer with the SDK's own generated deserialiser for `module`."""
    assert response.status_code in (200, 207), response.text
    assert response.headers["X-HubSpot-Correlation-Id"]
    return module.ApiClient().deserialize(SimpleNamespace(data=response.text), model)


def call(client, method: str, path: str, body: dict | None = None):
    options: dict = {"method": method, "path": path}
    if body is not None:
        options["body"] = body
    return client.api_request(options)


# --- objects ---


def test_sdk_reads_every_standard_type_as_models(client, portal):
    # GIVEN every standard object type, generated or not
    for object_type in STANDARD_TYPES:
        # WHEN the SDK's generic objects API lists, searches and describes it
        page = client.crm.objects.basic_api.get_page(object_type, limit=5, archived=False)
        found = client.crm.objects.search_api.do_search(object_type, PublicObjectSearchRequest(limit=5))
        described = client.crm.properties.core_api.get_all(object_type)
        # THEN each answer deserialises into the SDK's models
        assert [int(r.id) for r in page.results] == portal.ids.get(object_type, [])[:5], object_type
        assert found.total == len(portal.ids.get(object_type, [])), object_type
        assert "hs_object_id" in {p.name for p in described.results}, object_type


def test_sdk_properties_with_history_deserialise_as_value_with_timestamp(client, portal):
    # WHEN contacts are read with the history of properties that have no stored history
    page = client.crm.contacts.basic_api.get_page(
        limit=10, properties=["email"], properties_with_history=["email", "firstname", "createdate"]
    )
    # THEN each comes back as ValueWithTimestamp, the current value first
    for record in page.results:
        for name in ("email", "createdate"):
            [entry] = record.properties_with_history[name]
            assert type(entry).__name__ == "ValueWithTimestamp"
            assert isinstance(entry.timestamp, datetime)
            assert entry.source_type
        assert record.properties_with_history["email"][0].value == record.properties["email"]
    # AND deals and companies get theirs through the typed clients too
    deal = client.crm.deals.basic_api.get_by_id(
        str(portal.ids["deals"][0]), properties_with_history=["dealname"]
    )
    assert deal.properties_with_history["dealname"][0].value == "Deal 0"
    company = client.crm.companies.basic_api.get_page(limit=1, properties_with_history=["name", "domain"])
    assert company.results[0].properties_with_history["domain"][0].value.endswith(".example.com")


def test_sdk_batch_read_on_a_type_without_records(client):
    # WHEN tickets that do not exist are batch-read
    answer = client.crm.objects.batch_api.read(
        "tickets", BatchReadInputSimplePublicObjectId(inputs=[{"id": "1"}], properties=["subject"])
    )
    # THEN the SDK gets HubSpot's 207 with the error, as models
    assert answer.results == []
    assert answer.errors[0].category == "OBJECT_NOT_FOUND"


# --- properties, groups, owners, pipelines, associations ---


def test_sdk_property_groups_and_batch_read(client):
    groups = client.crm.properties.groups_api.get_all("contacts")
    assert isinstance(groups.results[0], properties.PropertyGroup)
    assert client.crm.properties.groups_api.get_by_name("contacts", groups.results[0].name).label
    batch = client.crm.properties.batch_api.read(
        "contacts", BatchReadInputPropertyName(archived=False, inputs=[PropertyName(name="email")])
    )
    assert [p.name for p in batch.results] == ["email"]
    assert isinstance(batch.results[0], properties.ModelProperty)


def test_sdk_owners_and_pipelines(client, portal):
    page = client.crm.owners.owners_api.get_page(limit=100)
    assert [int(o.id) for o in page.results] == portal.owners
    assert isinstance(page.results[0], owners.PublicOwner)
    deals = client.crm.pipelines.pipelines_api.get_all("deals")
    assert [p.id for p in deals.results] == ["default", "renewals"]
    tickets = client.crm.pipelines.pipelines_api.get_all("tickets")
    assert isinstance(tickets.results[0], pipelines.Pipeline)
    assert [s.label for s in tickets.results[0].stages][-1] == "Closed"
    assert client.crm.pipelines.pipelines_api.get_all("products").results == []


def test_sdk_associations_v4_record_and_batch(client, portal):
    contact = next(c for c, companies in portal.contact_companies.items() if len(companies) == 2)
    page = client.crm.associations.v4.basic_api.get_page("contacts", contact, "companies", limit=1)
    rest = client.crm.associations.v4.basic_api.get_page(
        "contacts", contact, "companies", after=page.paging.next.after
    )
    assert [int(r.to_object_id) for r in page.results + rest.results] == portal.contact_companies[contact]
    batch = client.crm.associations.v4.batch_api.get_page(
        "contacts",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=str(contact))]
        ),
    )
    assert [int(t.to_object_id) for t in batch.results[0].to] == portal.contact_companies[contact]
    assert isinstance(batch.results[0], associations.v4.PublicAssociationMultiWithLabel)


# --- the same calls on date-versioned paths, parsed by the same generated models ---


@pytest.mark.parametrize("version", DATE_FAMILIES)
def test_sdk_models_parse_every_date_versioned_endpoint(client, portal, version):
    family = PathFamily(version)
    contact = next(c for c, companies in portal.contact_companies.items() if len(companies) == 2)
    legacy_page = client.crm.objects.basic_api.get_page(
        "contacts", limit=5, properties_with_history=["email"]
    )

    # objects: list, get, search, batch read, for a generated and a standard empty type
    page = deserialize(
        objects,
        call(client, "GET", family.objects("contacts", "?limit=5&propertiesWithHistory=email")),
        "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
    )
    assert page.to_dict()["results"] == legacy_page.to_dict()["results"]
    assert page.paging.next.after == legacy_page.paging.next.after
    one = deserialize(
        objects,
        call(client, "GET", family.objects("contacts", f"/{contact}")),
        "SimplePublicObjectWithAssociations",
    )
    assert int(one.id) == contact
    found = deserialize(
        objects,
        call(client, "POST", family.objects("contacts", "/search"), {"limit": 3}),
        "CollectionResponseWithTotalSimplePublicObjectForwardPaging",
    )
    assert found.total == len(portal.ids["contacts"])
    batch = deserialize(
        objects,
        call(client, "POST", family.objects("contacts", "/batch/read"), {"inputs": [{"id": str(contact)}]}),
        "BatchResponseSimplePublicObject",
    )
    assert [int(r.id) for r in batch.results] == [contact]
    tickets = deserialize(
        objects,
        call(client, "GET", family.objects("tickets")),
        "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
    )
    assert tickets.results == []

    # properties, groups, batch read of properties
    described = deserialize(
        properties, call(client, "GET", family.properties("tickets")), "CollectionResponsePropertyNoPaging"
    )
    assert "hs_object_id" in {p.name for p in described.results}
    groups = deserialize(
        properties,
        call(client, "GET", family.properties("contacts", "/groups")),
        "CollectionResponsePropertyGroupNoPaging",
    )
    assert groups.results
    read = deserialize(
        properties,
        call(client, "POST", family.properties("contacts", "/batch/read"), {"inputs": [{"name": "email"}]}),
        "BatchResponseProperty",
    )
    assert [p.name for p in read.results] == ["email"]

    # owners, pipelines
    owner_page = deserialize(
        owners, call(client, "GET", family.owners("?limit=100")), "CollectionResponsePublicOwnerForwardPaging"
    )
    assert [int(o.id) for o in owner_page.results] == portal.owners
    owner = deserialize(owners, call(client, "GET", family.owners(f"/{portal.owners[0]}")), "PublicOwner")
    assert int(owner.id) == portal.owners[0]
    ticket_pipelines = deserialize(
        pipelines, call(client, "GET", family.pipelines("tickets")), "CollectionResponsePipelineNoPaging"
    )
    assert ticket_pipelines.results[0].label == "Support Pipeline"
    stage = deserialize(
        pipelines,
        call(client, "GET", family.pipelines("deals", "/default/stages/closedwon")),
        "PipelineStage",
    )
    assert stage.metadata["isClosed"] == "true"

    # associations: one record's (v4 shape) and batch
    record_page = deserialize(
        associations.v4,
        call(client, "GET", family.record_associations("contacts", contact, "companies")),
        "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging",
    )
    assert [int(r.to_object_id) for r in record_page.results] == portal.contact_companies[contact]
    batch_assoc = deserialize(
        associations.v4,
        call(
            client,
            "POST",
            family.associations_batch("contacts", "companies"),
            {"inputs": [{"id": str(contact)}]},
        ),
        "BatchResponsePublicAssociationMultiWithLabel",
    )
    assert [int(t.to_object_id) for t in batch_assoc.results[0].to] == portal.contact_companies[contact]


@pytest.mark.parametrize(
    "family", [PathFamily("legacy"), *(PathFamily(v) for v in DATE_FAMILIES)], ids=lambda family: family.name
)
def test_campaigns_and_account_through_api_request(client, portal, family):
    # GIVEN SDK 12 has no generated campaigns API: api_request is how the SDK reads them in either family
    campaigns = call(client, "GET", family.campaigns("?limit=100"))
    account = call(client, "GET", family.account_details())
    assert [c["id"] for c in campaigns.json()["results"]] == portal.campaigns
    assert account.json()["portalId"] == 4242
