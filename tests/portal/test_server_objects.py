"""CRM object endpoints (list, get, batch read) through the official SDK against the local portal."""

from __future__ import annotations

import hubspot
import pytest
from hubspot.crm.contacts import ApiException, BatchReadInputSimplePublicObjectId
from portal_fixture import TOKEN, PortalWriter, build_portal, raw_request

from onefunnel.portal import store
from onefunnel.portal.server import PortalServer, ServerOptions

pytestmark = pytest.mark.integration

CONTACT_DEFAULTS = {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    return build_portal(tmp_path_factory.mktemp("objects"))


@pytest.fixture(scope="module")
def server(portal):
    with PortalServer(portal.path, ServerOptions.fast(TOKEN)) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    return hubspot.HubSpot(access_token=TOKEN, host=server.url)


def test_list_page_has_hubspot_shape_and_default_properties(client, portal):
    # GIVEN a portal with 25 active contacts
    # WHEN the SDK reads one page of up to 100 contacts, archived=False as the SDK sends it ("False")
    page = client.crm.contacts.basic_api.get_page(limit=100, archived=False)
    # THEN every active contact comes back, in id order, with HubSpot's default properties and no paging
    assert [int(record.id) for record in page.results] == portal.ids["contacts"]
    assert page.paging is None
    first = page.results[0]
    assert set(first.properties) == CONTACT_DEFAULTS
    assert first.properties["hs_object_id"] == first.id
    assert first.archived is False
    assert first.created_at is not None
    assert first.updated_at is not None


def test_paging_to_the_end_returns_every_id_once(client, portal):
    # GIVEN pages of 7 contacts
    seen, after, pages = [], None, 0
    # WHEN the client follows paging.next.after until no paging is returned
    while True:
        page = client.crm.contacts.basic_api.get_page(limit=7, after=after)
        seen.extend(int(record.id) for record in page.results)
        pages += 1
        if page.paging is None:
            break
        after = page.paging.next.after
    # THEN it has read each active contact exactly once, over ceil(25 / 7) pages
    assert seen == portal.ids["contacts"]
    assert pages == 4


def test_sdk_get_all_equals_fixture_ids_for_every_object_type(client, portal):
    # GIVEN every object type of the portal
    for object_type, expected in portal.ids.items():
        # WHEN the SDK's generic objects API reads all pages
        records = []
        after = None
        while True:
            page = client.crm.objects.basic_api.get_page(object_type, limit=3, after=after)
            records.extend(page.results)
            if page.paging is None:
                break
            after = page.paging.next.after
        # THEN it returns exactly the fixture's active ids
        assert [int(record.id) for record in records] == expected, object_type
    # AND the typed discovery clients agree (contacts, engagements)
    assert [int(r.id) for r in client.crm.contacts.get_all()] == portal.ids["contacts"]
    assert [int(r.id) for r in client.crm.objects.get_all("meetings")] == portal.ids["meetings"]
    calls = client.crm.objects.calls.basic_api.get_page(limit=100)
    assert [int(r.id) for r in calls.results] == portal.ids["calls"]


def test_paging_link_is_an_absolute_url_that_fetches_the_next_page(server, portal):
    # GIVEN a first page of 10 contacts with one requested property
    first = raw_request(server.url, "GET", "/crm/v3/objects/contacts?limit=10&properties=email").json()
    link = first["paging"]["next"]["link"]
    # WHEN the link is fetched as it is
    assert link.startswith(server.url + "/crm/v3/objects/contacts?")
    second = raw_request(server.url, "GET", link[len(server.url) :]).json()
    # THEN it is the next page, with the same parameters
    assert [int(r["id"]) for r in second["results"]] == portal.ids["contacts"][10:20]
    assert "email" in second["results"][0]["properties"]


def test_requested_properties_are_always_present_and_unknown_names_ignored(client, portal):
    # GIVEN contacts where jobtitle is unset on some records
    # WHEN the client asks for jobtitle, every custom property and a property that does not exist
    wanted = ["jobtitle", *portal.custom_properties, "no_such_property"]
    page = client.crm.contacts.basic_api.get_page(limit=100, properties=wanted)
    # THEN each record carries every known requested name (null when unset) plus the always-present ones
    for record in page.results:
        assert set(record.properties) == {"createdate", "hs_object_id", "lastmodifieddate", *wanted} - {
            "no_such_property"
        }
    unset = [r for r in page.results if r.properties["jobtitle"] is None]
    assert unset, "the fixture leaves jobtitle unset on every fifth contact"
    assert any(value is None for r in page.results for value in r.properties.values())


def test_properties_as_comma_separated_and_repeated_parameters(server):
    # GIVEN the two ways clients put property lists in a URL
    # WHEN they are combined in one request
    body = raw_request(
        server.url,
        "GET",
        "/crm/v3/objects/contacts?limit=1&properties=email,firstname&properties=lifecyclestage",
    ).json()
    # THEN all of the names are honoured
    assert {"email", "firstname", "lifecyclestage"} <= set(body["results"][0]["properties"])


@pytest.mark.parametrize("spelling", ["False", "false", "FALSE"])
def test_archived_false_is_accepted_in_any_case(server, portal, spelling):
    # GIVEN archived spelled as Python or JSON would
    response = raw_request(server.url, "GET", f"/crm/v3/objects/contacts?limit=100&archived={spelling}")
    # THEN it means the active records
    assert response.status == 200
    assert [int(r["id"]) for r in response.json()["results"]] == portal.ids["contacts"]


def test_archived_true_returns_only_archived_records_with_archived_at(client, portal):
    # GIVEN three archived (deleted) contacts
    # WHEN the client lists archived contacts
    page = client.crm.contacts.basic_api.get_page(limit=100, archived=True)
    # THEN exactly those come back, marked archived with an archivedAt
    assert [int(r.id) for r in page.results] == portal.archived["contacts"]
    assert all(r.archived and r.archived_at is not None for r in page.results)


def test_merged_away_contacts_are_not_listed(client, portal):
    # GIVEN contacts merged into survivors
    # WHEN all contacts and all archived contacts are listed
    active = {int(r.id) for r in client.crm.contacts.basic_api.get_page(limit=100).results}
    archived = {int(r.id) for r in client.crm.contacts.basic_api.get_page(limit=100, archived=True).results}
    # THEN the merged-away ids are in neither list
    assert not set(portal.merged) & (active | archived)


def test_list_with_associations_returns_v3_association_ids(client, portal):
    # GIVEN contacts associated with one or two companies
    # WHEN contacts are listed with associations=companies
    page = client.crm.contacts.basic_api.get_page(limit=100, associations=["companies"])
    # THEN each record lists its companies with the v3 type name
    for record in page.results:
        linked = record.associations["companies"].results
        assert sorted(int(a.id) for a in linked) == sorted(portal.contact_companies[int(record.id)])
        assert {a.type for a in linked} == {"contact_to_company"}


def test_properties_with_history_come_back_newest_first(client, portal):
    # GIVEN a contact whose lifecycle stage changed twice
    contact_id = portal.history_contact
    # WHEN it is read with propertiesWithHistory
    record = client.crm.contacts.basic_api.get_by_id(
        str(contact_id), properties_with_history=["lifecyclestage", "jobtitle"]
    )
    # THEN the history is there, newest first; a property with a value but no stored history carries
    # its current value as a one-entry history (as HubSpot's always does), dated at the record's creation
    history = record.properties_with_history["lifecyclestage"]
    assert [entry.value for entry in history] == ["lead", "subscriber"]
    assert history[0].timestamp > history[1].timestamp
    [only] = record.properties_with_history["jobtitle"]
    assert only.value == "Title 1"
    assert only.timestamp == record.created_at


def test_get_by_id_and_missing_id_answers_404_json(client, portal):
    # GIVEN an existing contact and an id that does not exist
    contact_id = portal.ids["contacts"][3]
    # WHEN both are read
    record = client.crm.contacts.basic_api.get_by_id(str(contact_id), properties=["email"])
    with pytest.raises(ApiException) as missing:
        client.crm.contacts.basic_api.get_by_id("999999")
    # THEN the first is returned and the second is HubSpot's 404 with a JSON body
    assert record.id == str(contact_id)
    assert record.properties["email"].startswith("person3@")
    assert missing.value.status == 404
    assert '"category":"OBJECT_NOT_FOUND"' in missing.value.body


def test_get_by_id_of_another_type_is_404(server, portal):
    # GIVEN a company id
    company_id = portal.ids["companies"][0]
    # WHEN it is requested as a contact
    response = raw_request(server.url, "GET", f"/crm/v3/objects/contacts/{company_id}")
    # THEN it is not found
    assert response.status == 404


def test_merged_contact_id_returns_the_survivor(client, portal):
    # GIVEN a contact id merged into another contact
    loser, survivor = next(iter(portal.merged.items()))
    # WHEN the merged-away id is read
    record = client.crm.contacts.basic_api.get_by_id(str(loser), properties=["hs_merged_object_ids"])
    # THEN HubSpot answers with the surviving record, which lists the merged id
    assert record.id == str(survivor)
    assert str(loser) in record.properties["hs_merged_object_ids"].split(";")


def test_archived_contact_needs_archived_true(client, portal):
    # GIVEN an archived contact
    archived_id = str(portal.archived["contacts"][0])
    # WHEN it is read without and with archived=true
    with pytest.raises(ApiException) as hidden:
        client.crm.contacts.basic_api.get_by_id(archived_id)
    record = client.crm.contacts.basic_api.get_by_id(archived_id, archived=True)
    # THEN only the archived read finds it
    assert hidden.value.status == 404
    assert record.archived is True


def test_get_by_id_with_id_property(server, portal):
    # GIVEN a contact's email
    # WHEN it is read by idProperty=email
    response = raw_request(
        server.url,
        "GET",
        "/crm/v3/objects/contacts/PERSON4@company4.example.com?idProperty=email&properties=email",
    )
    # THEN the contact is found (case-insensitively)
    assert response.status == 200
    assert response.json()["id"] == str(portal.ids["contacts"][4])


def test_batch_read_all_found_is_200_complete(client, portal):
    # GIVEN five existing contact ids
    ids = [str(i) for i in portal.ids["contacts"][:5]]
    # WHEN they are read in one batch with properties and history
    result = client.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": i} for i in ids], properties=["email"], properties_with_history=["lifecyclestage"]
        )
    )
    # THEN all come back, status COMPLETE, without errors
    assert result.status == "COMPLETE"
    assert sorted(r.id for r in result.results) == sorted(ids)
    assert all("email" in r.properties for r in result.results)
    assert getattr(result, "num_errors", None) in (None, 0)


def test_batch_read_with_missing_ids_is_207_with_errors(server, portal):
    # GIVEN two existing ids, one missing id and one merged-away id
    loser, survivor = next(iter(portal.merged.items()))
    ids = [portal.ids["contacts"][0], portal.ids["contacts"][1], 424242, loser]
    body = {"inputs": [{"id": str(i)} for i in ids], "properties": ["email"], "propertiesWithHistory": []}
    # WHEN the batch is read
    response = raw_request(server.url, "POST", "/crm/v3/objects/contacts/batch/read", body)
    # THEN HubSpot's multi-status names the missing id and returns the others (the merged id as survivor)
    assert response.status == 207
    answer = response.json()
    assert answer["status"] == "COMPLETE"
    assert answer["numErrors"] == 1
    assert answer["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert answer["errors"][0]["context"] == {"ids": ["424242"]}
    returned = {int(r["id"]) for r in answer["results"]}
    assert returned == {portal.ids["contacts"][0], portal.ids["contacts"][1], survivor}


def test_batch_read_through_the_sdk_with_a_missing_id(client, portal):
    # GIVEN a batch with one unknown id
    inputs = [{"id": str(portal.ids["deals"][0])}, {"id": "5"}]
    # WHEN the SDK's generic batch API reads it
    result = client.crm.objects.batch_api.read(
        "deals", {"inputs": inputs, "properties": ["dealname"], "propertiesWithHistory": []}
    )
    # THEN the SDK parses the 207 into results plus errors
    assert [r.id for r in result.results] == [str(portal.ids["deals"][0])]
    assert result.num_errors == 1


def test_company_and_deal_defaults(client, portal):
    # GIVEN companies and deals
    company = client.crm.companies.basic_api.get_page(limit=1).results[0]
    deal = client.crm.deals.basic_api.get_page(limit=1).results[0]
    # THEN their default properties are HubSpot's for those types
    assert set(company.properties) == {"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"}
    assert {"dealname", "amount", "dealstage", "pipeline", "hs_lastmodifieddate"} <= set(deal.properties)


def test_new_rows_written_while_serving_are_seen_at_once(tmp_path):
    # GIVEN a served portal
    portal = build_portal(
        tmp_path, contacts=3, companies=1, deals=0, engagements_per_type=0, custom_properties=2
    )
    with PortalServer(portal.path, ServerOptions.fast(TOKEN)) as server:
        client = hubspot.HubSpot(access_token=TOKEN, host=server.url)
        before = client.crm.contacts.basic_api.get_page(limit=100).results
        before_props = {p.name for p in client.crm.properties.core_api.get_all("contacts").results}
        # WHEN another process-like writer adds a contact and a property definition (as `advance` does)
        with PortalWriter(portal.path) as writer:
            new_id = writer.object("contacts", {"email": "late@example.com", "brand_new_prop": "x"})
            writer.definition("contacts", "brand_new_prop")
            store.set_meta(writer.conn, "clock", "later")
        after = client.crm.contacts.basic_api.get_page(limit=100, properties=["brand_new_prop"]).results
        after_props = {p.name for p in client.crm.properties.core_api.get_all("contacts").results}
    # THEN the next requests see the new record and the new property (nothing stale is cached)
    assert len(after) == len(before) + 1
    assert after[-1].id == str(new_id)
    assert after[-1].properties["brand_new_prop"] == "x"
    assert after_props - before_props == {"brand_new_prop"}
