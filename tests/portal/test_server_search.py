"""CRM search: filters typed by property definition, sorting, paging by offset and HubSpot's limits."""

from __future__ import annotations

from datetime import datetime

import hubspot
import orjson
import pytest
from hubspot.crm.contacts import ApiException, PublicObjectSearchRequest
from portal_fixture import BASE_MS, DAY_MS, HOUR_MS, TOKEN, build_portal, bulk_contacts, raw_request

from onefunnel.portal import store
from onefunnel.portal.reader import DefinitionCache, PortalReader
from onefunnel.portal.responses import ApiError
from onefunnel.portal.search import SearchLimits, compile_search
from onefunnel.portal.server import PortalServer, ServerOptions


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    return build_portal(tmp_path_factory.mktemp("search"))


@pytest.fixture(scope="module")
def server(portal):
    with PortalServer(portal.path, ServerOptions.fast(TOKEN)) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    return hubspot.HubSpot(access_token=TOKEN, host=server.url)


@pytest.fixture(scope="module")
def contacts(portal):
    """Every active contact's stored properties and timestamps, straight from the database."""
    conn = store.connect(portal.path, read_only=True)
    rows = conn.execute(
        "select id, created_at, updated_at, properties from objects where type = 1 and archived = 0"
        " and merged_into is null order by id"
    ).fetchall()
    conn.close()
    return {row[0]: {"created": row[1], "updated": row[2], **orjson.loads(row[3])} for row in rows}


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def search(client, filters=None, groups=None, **kwargs):
    filter_groups = groups if groups is not None else ([{"filters": filters}] if filters else [])
    request = PublicObjectSearchRequest(filter_groups=filter_groups, limit=kwargs.pop("limit", 100), **kwargs)
    return client.crm.contacts.search_api.do_search(request)


def ids(result):
    return [int(record.id) for record in result.results]


@pytest.mark.integration
def test_eq_on_strings_is_case_insensitive(client, contacts):
    # GIVEN contacts whose lifecycle stage is "lead"
    expected = [i for i, c in contacts.items() if c["lifecyclestage"] == "lead"]
    # WHEN searched with EQ "LEAD"
    result = search(client, [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "LEAD"}])
    # THEN the same contacts come back, counted in total, by id ascending
    assert ids(result) == expected
    assert result.total == len(expected)


@pytest.mark.integration
def test_neq_and_not_in(client, contacts):
    # GIVEN the stored lifecycle stages
    not_lead = [i for i, c in contacts.items() if c["lifecyclestage"] != "lead"]
    outside = [i for i, c in contacts.items() if c["lifecyclestage"] not in ("lead", "customer")]
    # WHEN searched with NEQ and NOT_IN
    neq = search(client, [{"propertyName": "lifecyclestage", "operator": "NEQ", "value": "lead"}])
    not_in = search(
        client, [{"propertyName": "lifecyclestage", "operator": "NOT_IN", "values": ["LEAD", "customer"]}]
    )
    # THEN they are the complements
    assert ids(neq) == not_lead
    assert ids(not_in) == outside


@pytest.mark.integration
def test_numbers_compare_numerically(client, contacts):
    # GIVEN num_employees_band = 0, 10, 20, ... (as strings, as HubSpot stores them)
    expected = [i for i, c in contacts.items() if 20 <= int(c["num_employees_band"]) < 100]
    # WHEN searched with GTE 20 and LT 100 (a string comparison would put "100" before "20")
    result = search(
        client,
        [
            {"propertyName": "num_employees_band", "operator": "GTE", "value": "20"},
            {"propertyName": "num_employees_band", "operator": "LT", "value": "100"},
        ],
    )
    # THEN the numeric range is returned
    assert ids(result) == expected


@pytest.mark.integration
def test_modified_since_accepts_epoch_ms_and_iso(client, contacts):
    # GIVEN a watermark in the middle of the modification times
    watermark = BASE_MS + DAY_MS + 5 * HOUR_MS
    expected = sorted(i for i, c in contacts.items() if c["updated"] >= watermark)
    # WHEN the incremental search uses lastmodifieddate GTE as epoch ms, and as ISO
    by_ms = search(client, [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(watermark)}])
    by_iso = search(
        client, [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": store.iso_ms(watermark)}]
    )
    # THEN both give the same, correct records
    assert ids(by_ms) == ids(by_iso) == expected


@pytest.mark.integration
def test_between_on_a_datetime_custom_property(client, contacts, portal):
    # GIVEN a custom datetime property holding ISO strings
    name = next(n for n in portal.custom_properties if "_datetime_" in n)
    low, high = BASE_MS + 20 * DAY_MS, BASE_MS + 60 * DAY_MS
    expected = [
        i for i, c in contacts.items() if c.get(name) and low <= store.to_ms(parse_iso(c[name])) <= high
    ]
    # WHEN searched with BETWEEN epoch-ms bounds
    result = search(
        client, [{"propertyName": name, "operator": "BETWEEN", "value": str(low), "highValue": str(high)}]
    )
    # THEN values are compared as instants
    assert ids(result) == expected
    assert expected


@pytest.mark.integration
def test_has_and_not_has_property(client, contacts):
    # GIVEN jobtitle unset on every fifth contact
    unset = [i for i, c in contacts.items() if not c.get("jobtitle")]
    # WHEN searched with NOT_HAS_PROPERTY and HAS_PROPERTY
    missing = search(client, [{"propertyName": "jobtitle", "operator": "NOT_HAS_PROPERTY"}])
    present = search(client, [{"propertyName": "jobtitle", "operator": "HAS_PROPERTY"}])
    # THEN the two partition the contacts
    assert ids(missing) == unset
    assert sorted(ids(missing) + ids(present)) == sorted(contacts)


@pytest.mark.integration
def test_contains_token_with_wildcard_and_plain_token(client, contacts):
    # GIVEN emails like personN@companyK.example.com
    domain1 = [i for i, c in contacts.items() if c["email"].endswith("@company1.example.com")]
    # WHEN searched by a wildcard domain, by a single token, and negated
    wildcard = search(
        client, [{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@company1.example.com"}]
    )
    token = search(client, [{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "company1"}])
    negated = search(
        client, [{"propertyName": "email", "operator": "NOT_CONTAINS_TOKEN", "value": "company1"}]
    )
    # THEN each matches HubSpot's token semantics
    assert ids(wildcard) == ids(token) == domain1
    assert sorted(ids(negated) + domain1) == sorted(contacts)


@pytest.mark.integration
def test_filter_groups_are_ored(client, contacts):
    # GIVEN two groups: lead OR customer
    expected = [i for i, c in contacts.items() if c["lifecyclestage"] in ("lead", "customer")]
    groups = [
        {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": v}]}
        for v in ("lead", "customer")
    ]
    # WHEN searched
    result = search(client, groups=groups)
    # THEN either matches
    assert ids(result) == expected


@pytest.mark.integration
def test_sort_descending_by_a_number_and_by_object_form(client, contacts):
    # GIVEN numbers that sort differently as text
    expected = sorted(contacts, key=lambda i: (-int(contacts[i]["num_employees_band"]), i))
    # WHEN sorted DESCENDING in the object form, and by "-name" string form
    as_object = search(client, sorts=[{"propertyName": "num_employees_band", "direction": "DESCENDING"}])
    as_string = search(client, sorts=["-num_employees_band"])
    # THEN both are numeric descending
    assert ids(as_object) == ids(as_string) == expected


@pytest.mark.integration
def test_search_properties_and_defaults(client):
    # GIVEN a search with requested properties and one without
    chosen = search(client, limit=1, properties=["lifecyclestage", "no_such_property"])
    default = search(client, limit=1)
    # THEN the requested ones (and the always-present ones) come back, or the defaults
    assert set(chosen.results[0].properties) == {
        "createdate",
        "hs_object_id",
        "lastmodifieddate",
        "lifecyclestage",
    }
    assert set(default.results[0].properties) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }


@pytest.mark.integration
def test_paging_by_offset_to_the_end_never_returns_archived_or_merged(client, contacts):
    # GIVEN pages of 4 without filters
    seen, after = [], None
    # WHEN the client follows paging.next.after
    while True:
        result = search(client, limit=4, after=after)
        seen.extend(ids(result))
        if result.paging is None:
            break
        after = result.paging.next.after
        assert after == str(len(seen))
    # THEN every active contact is seen once; archived and merged records never
    assert seen == sorted(contacts)


@pytest.mark.integration
def test_search_on_other_object_types(client, portal):
    # GIVEN deals with amounts 1000..8000
    from hubspot.crm.deals import PublicObjectSearchRequest as DealSearch

    # WHEN deals with amount > 5000 are searched
    result = client.crm.deals.search_api.do_search(
        DealSearch(
            filter_groups=[{"filters": [{"propertyName": "amount", "operator": "GT", "value": "5000"}]}],
            properties=["amount"],
            limit=100,
        )
    )
    # THEN 6000, 7000, 8000 come back
    assert sorted(int(r.properties["amount"]) for r in result.results) == [6000, 7000, 8000]
    # AND engagements search through the generic objects API
    calls = client.crm.objects.search_api.do_search("calls", {"filterGroups": [], "limit": 100})
    assert [int(r.id) for r in calls.results] == portal.ids["calls"]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"limit": 201}, "limit"),
        (
            {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}] * 6},
            "filter groups",
        ),
        (
            {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}] * 7}]},
            "filters",
        ),
        ({"sorts": ["email", "firstname"]}, "one sort"),
        ({"after": "9950", "limit": 100}, "10,000"),
        (
            {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "LIKE", "value": "x"}]}]},
            "operator",
        ),
        (
            {
                "filterGroups": [
                    {"filters": [{"propertyName": "createdate", "operator": "GT", "value": "soon"}]}
                ]
            },
            "date",
        ),
        ({"after": "abc"}, "after"),
    ],
)
def test_search_limits_answer_400_validation_errors(server, body, fragment):
    # GIVEN a search request breaking one of HubSpot's limits
    # WHEN it is sent
    response = raw_request(server.url, "POST", "/crm/v3/objects/contacts/search", body)
    # THEN HubSpot's 400 VALIDATION_ERROR names the problem
    assert response.status == 400
    answer = response.json()
    assert answer["status"] == "error"
    assert answer["category"] == "VALIDATION_ERROR"
    assert fragment in answer["message"]
    assert answer["correlationId"]


@pytest.mark.integration
def test_search_past_the_result_cap_through_the_sdk_raises_400(client):
    # GIVEN an offset right at HubSpot's 10,000-result cap
    # WHEN the SDK asks for the page after it
    with pytest.raises(ApiException) as error:
        search(client, limit=100, after="10000")
    # THEN it is HubSpot's 400
    assert error.value.status == 400
    assert "10,000" in error.value.body


@pytest.mark.integration
def test_paging_a_big_result_set_hits_the_cap_like_hubspot(tmp_path):
    # GIVEN 30 contacts modified at the same instant (a bulk import) and a cap of 20 results per query
    portal = build_portal(
        tmp_path,
        contacts=0,
        companies=0,
        deals=0,
        engagements_per_type=0,
        custom_properties=0,
        archived_contacts=0,
        merged_contacts=0,
    )
    bulk_contacts(portal.path, 30, updated_at=BASE_MS)
    options = ServerOptions.fast(TOKEN)
    options.search_result_cap = 20
    with PortalServer(portal.path, options) as server:
        client = hubspot.HubSpot(access_token=TOKEN, host=server.url)
        query = [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(BASE_MS)}]
        # WHEN a client pages with limit 10 while HubSpot keeps offering a next page
        first = search(client, query, limit=10)
        second = search(client, query, limit=10, after=first.paging.next.after)
        with pytest.raises(ApiException) as third:
            search(client, query, limit=10, after=second.paging.next.after)
    # THEN the total says 30, two pages come back, and the third page is a 400 naming the cap
    assert first.total == 30
    assert len(first.results) == len(second.results) == 10
    assert third.value.status == 400
    assert "20" in third.value.body


@pytest.mark.unit
def test_modified_since_search_uses_the_updated_index(portal):
    # GIVEN the incremental search an extractor sends (lastmodifieddate >= watermark, sorted by it)
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(BASE_MS)}]}
        ],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "limit": 200,
    }
    compiled = compile_search(body, "contacts", {}, SearchLimits())
    reader = PortalReader(store.portal_file(portal.path), DefinitionCache())
    # WHEN SQLite plans the page query
    plan = reader.conn.execute(
        f"explain query plan select id from objects where type = ? and archived = 0 and merged_into is null"
        f" and {compiled.where} order by {compiled.order_by} limit 200",
        [1, *compiled.params, *compiled.order_params],
    ).fetchall()
    reader.close()
    # THEN it reads the (type, updated_at, id) index and needs no sort step, so it stays fast on big portals
    details = " ".join(row[-1] for row in plan)
    assert "objects_by_type_updated" in details
    assert "TEMP B-TREE" not in details


@pytest.mark.unit
def test_compile_search_rejects_bad_shapes():
    # GIVEN malformed search bodies
    bad = [
        [],
        {"filterGroups": {}},
        {"filterGroups": [{"filters": [{"operator": "EQ"}]}]},
        {"filterGroups": [{"filters": [{"propertyName": "a", "operator": "IN", "values": []}]}]},
        {"filterGroups": [{"filters": [{"propertyName": "a", "operator": "BETWEEN", "value": "1"}]}]},
        {"sorts": [{"propertyName": "a", "direction": "SIDEWAYS"}]},
        {"limit": "many"},
        {"limit": -1},
        {"properties": 5},
        {"query": 7},
    ]
    for body in bad:
        # WHEN each is compiled
        with pytest.raises(ApiError) as error:
            compile_search(body, "contacts", {"a": "number"}, SearchLimits())
        # THEN it is a 400, never an exception of another kind
        assert error.value.status == 400, body


@pytest.mark.integration
def test_free_text_query(client, contacts):
    # GIVEN a contact's last name
    # WHEN the search's `query` names it
    result = search(client, query="Last7")
    # THEN that contact is found by its default searchable properties
    assert len(ids(result)) >= 1
    assert all("last7" in contacts[i]["lastname"].lower() for i in ids(result))
