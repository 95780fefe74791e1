"""The same HubSpot scenarios against both path families: legacy (/crm/v3, /crm/v4, /marketing/v3) and
date-versioned (/crm/objects/2026-03/..., /crm/objects/2026-09/...). Whatever a client can observe —
results, paging, limits and their errors, budgets, the search cap, faults, auth — must not differ.

Tests named `test_defect_*` are the fidelity defects of issue 14 (found by a dlt pipeline, a Singer tap
and the SDK with full model deserialisation); each failed on the portal before the fix.
"""

from __future__ import annotations

import uuid

import orjson
import pytest
from portal_fixture import (
    BASE_MS,
    FAMILIES,
    INSERT_OBJECT,
    TOKEN,
    PathFamily,
    PortalWriter,
    build_portal,
    raw_request,
)

from onefunnel.portal import object_types, store
from onefunnel.portal.server import PortalServer, ServerOptions

pytestmark = pytest.mark.integration

NEVER_REFILLS_MS = 3_600_000
RATE_HEADERS = (
    "x-hubspot-ratelimit-daily",
    "x-hubspot-ratelimit-daily-remaining",
    "x-hubspot-ratelimit-interval-milliseconds",
    "x-hubspot-ratelimit-max",
    "x-hubspot-ratelimit-remaining",
)
# Standard types the fixture portal has no records of; "0-5" is tickets by objectTypeId.
EMPTY_STANDARD_TYPES = (
    "tickets",
    "products",
    "line_items",
    "quotes",
    "leads",
    "communications",
    "postal_mail",
    "0-5",
)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    return build_portal(tmp_path_factory.mktemp("fidelity"))


@pytest.fixture(scope="module")
def server(portal):
    with PortalServer(portal.path, ServerOptions.fast(TOKEN)) as running:
        yield running


@pytest.fixture(params=FAMILIES)
def family(request) -> PathFamily:
    return PathFamily(request.param)


def get(server, target: str, **kwargs):
    return raw_request(server.url, "GET", target, **kwargs)


def post(server, target: str, body, **kwargs):
    return raw_request(server.url, "POST", target, body, **kwargs)


def limited(portal, **changes) -> PortalServer:
    options = ServerOptions(token=TOKEN, rate_window_ms=NEVER_REFILLS_MS, search_window_ms=NEVER_REFILLS_MS)
    for name, value in changes.items():
        setattr(options, name, value)
    return PortalServer(portal.path, options)


def error_body(response, status: int, category: str) -> dict:
    assert response.status == status, response.body
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == category
    assert body["correlationId"] == response.headers["x-hubspot-correlation-id"]
    return body


# --- paging, archived ---


def test_paging_reads_every_record_once_and_the_link_stays_in_the_family(server, portal, family):
    # GIVEN pages of 7 contacts
    seen, after, links = [], None, []
    # WHEN a client follows paging.next.after to the end
    while True:
        target = family.objects("contacts", "?limit=7" + (f"&after={after}" if after else ""))
        body = get(server, target).json()
        seen.extend(int(record["id"]) for record in body["results"])
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
        links.append(body["paging"]["next"]["link"])
    # THEN each active contact came exactly once, and every next link points into the same family
    assert seen == portal.ids["contacts"]
    assert links
    assert all(family.objects("contacts") + "?" in link for link in links)


def test_archived_lists_only_archived_records(server, portal, family):
    # GIVEN three deleted contacts
    # WHEN the list is read with archived=true (and the SDK's capitalised False for the other)
    archived = get(server, family.objects("contacts", "?archived=true&limit=100")).json()["results"]
    active = get(server, family.objects("contacts", "?archived=False&limit=100")).json()["results"]
    # THEN each side holds exactly its own records
    assert [int(r["id"]) for r in archived] == portal.archived["contacts"]
    assert all(r["archived"] and r["archivedAt"] for r in archived)
    assert [int(r["id"]) for r in active] == portal.ids["contacts"]


def test_owners_and_campaigns_page_the_same(server, portal, family):
    # GIVEN 3 active owners and 5 campaigns
    owners = get(server, family.owners("?limit=2")).json()
    rest = get(server, family.owners(f"?limit=2&after={owners['paging']['next']['after']}")).json()
    campaigns = get(server, family.campaigns("?limit=100")).json()
    # THEN both resources answer the same records in either family
    assert [int(o["id"]) for o in owners["results"] + rest["results"]] == portal.owners
    assert [c["id"] for c in campaigns["results"]] == portal.campaigns
    assert get(server, family.campaigns(f"/{portal.campaigns[0]}")).json()["id"] == portal.campaigns[0]


# --- limits and their errors ---


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("list_limit", "limit must be between 1 and 100"),
        ("history_limit", "at most 50 when propertiesWithHistory"),
        ("batch_inputs", "limited to 100 inputs"),
        ("association_inputs", "limited to 1000 inputs"),
        ("search_limit", "200"),
    ],
)
def test_limits_answer_the_same_400(server, family, case, fragment):
    # GIVEN a request one past a HubSpot limit
    if case == "list_limit":
        response = get(server, family.objects("contacts", "?limit=101"))
    elif case == "history_limit":
        response = get(server, family.objects("contacts", "?limit=51&propertiesWithHistory=email"))
    elif case == "batch_inputs":
        response = post(server, family.objects("contacts", "/batch/read"), {"inputs": [{"id": "1"}] * 101})
    elif case == "association_inputs":
        body = {"inputs": [{"id": str(i)} for i in range(1001)]}
        response = post(server, family.associations_batch("contacts", "companies"), body)
    else:
        response = post(server, family.objects("contacts", "/search"), {"limit": 201})
    # THEN it is the same HubSpot 400 in every family
    body = error_body(response, 400, "VALIDATION_ERROR")
    assert fragment in body["message"]


def test_url_over_the_limit_is_414_json(server, family):
    # GIVEN a request line longer than 15,000 characters (hundreds of properties in the URL)
    target = family.objects("contacts", "?properties=" + ",".join(f"custom_{i:05d}" for i in range(1500)))
    # WHEN it is sent
    response = get(server, target)
    # THEN HubSpot's 414 answer comes back, JSON, with a correlation id
    assert response.status == 414
    assert response.json()["correlationId"] == response.headers["x-hubspot-correlation-id"]


def test_search_cap_paging_past_it_is_400(portal, family):
    # GIVEN a search result cap of 20 and 25 matching contacts
    with limited(portal, tier="unlimited", search_result_cap=20) as server:
        target = family.objects("contacts", "/search")
        first = post(server, target, {"limit": 10, "after": "10"})
        past = post(server, target, {"limit": 10, "after": "20"})
    # THEN the page below the cap answers, the one past it is HubSpot's 400
    assert first.status == 200
    assert first.json()["total"] == 25
    error_body(past, 400, "VALIDATION_ERROR")


# --- budgets, faults, auth ---


def test_rate_limit_headers_and_429_are_the_same(portal, family):
    # GIVEN a budget of 3 requests per window
    with limited(portal, rate_limit=3) as server:
        answers = [get(server, family.objects("contacts", "?limit=1")) for _ in range(4)]
    # THEN the first three carry the five rate headers, counting down, and the fourth is a 429
    assert [a.status for a in answers] == [200, 200, 200, 429]
    assert all(all(h in a.headers for h in RATE_HEADERS) for a in answers)
    assert [a.headers["x-hubspot-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
    body = answers[3].json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["errorType"] == "RATE_LIMIT"
    assert "retry-after" in answers[3].headers


def test_search_has_its_own_bucket_and_no_rate_headers(portal, family):
    # GIVEN a search budget of 2 per window
    with limited(portal, search_per_second=2) as server:
        answers = [post(server, family.objects("contacts", "/search"), {"limit": 1}) for _ in range(3)]
        page = get(server, family.objects("contacts", "?limit=1"))
    # THEN searches carry no rate headers, the third is a SECONDLY 429, and page reads still go through
    assert [a.status for a in answers] == [200, 200, 429]
    assert not any(h in answers[0].headers for h in RATE_HEADERS)
    assert answers[2].json()["policyName"] == "SECONDLY"
    assert page.status == 200


def test_daily_limit_is_shared_and_the_same(portal, family):
    # GIVEN a daily limit of 2
    with limited(portal, tier="unlimited", daily_limit=2) as server:
        answers = [get(server, family.objects("contacts", "?limit=1")) for _ in range(3)]
    # THEN the third request is the DAILY 429
    assert [a.status for a in answers] == [200, 200, 429]
    assert answers[2].json()["policyName"] == "DAILY"


def test_faults_and_auth_are_the_same(portal, family):
    # GIVEN every request drawn as a 5xx fault
    with limited(portal, tier="unlimited", fault_5xx=1.0) as server:
        faulted = get(server, family.objects("contacts"))
        unauthorised = get(server, family.objects("contacts"), token=None)
    # THEN both families get the JSON 5xx, and no token is a 401 before any fault
    assert faulted.status in (500, 502, 503, 504)
    assert faulted.json()["correlationId"] == faulted.headers["x-hubspot-correlation-id"]
    error_body(unauthorised, 401, "INVALID_AUTHENTICATION")


def test_unknown_date_version_answers_like_an_unknown_path(server):
    # GIVEN a version HubSpot does not serve here
    for target in ("/crm/objects/2025-01/contacts", "/crm/objects/v3/contacts", "/crm/v9/objects/contacts"):
        # THEN it is the 404 of an unknown path
        error_body(get(server, target), 404, "OBJECT_NOT_FOUND")


def test_unknown_object_type_is_400_unable_to_infer(server, family):
    body = error_body(get(server, family.objects("widgets")), 400, "VALIDATION_ERROR")
    assert body["message"] == "Unable to infer object type from: widgets"


# --- the defects of issue 14 ---


@pytest.mark.parametrize("object_type", EMPTY_STANDARD_TYPES)
def test_defect_standard_type_without_records_answers_200_not_unable_to_infer(server, family, object_type):
    # GIVEN a standard HubSpot object type the portal has no records of
    # WHEN a client lists, searches, batch-reads, describes and reads its pipelines
    listed = get(server, family.objects(object_type, "?limit=10&properties=hs_object_id"))
    searched = post(server, family.objects(object_type, "/search"), {"limit": 10})
    batch = post(server, family.objects(object_type, "/batch/read"), {"inputs": []})
    properties = get(server, family.properties(object_type))
    pipelines = get(server, family.pipelines(object_type))
    # THEN every answer is 200 and empty, never HubSpot's 400 for an unknown type
    assert (listed.status, listed.json()) == (200, {"results": []})
    assert (searched.status, searched.json()) == (200, {"total": 0, "results": []})
    assert batch.status == 200
    assert batch.json()["results"] == []
    # AND the properties API describes HubSpot's default properties of the type
    assert properties.status == 200
    names = {p["name"] for p in properties.json()["results"]}
    assert {"hs_object_id", "hs_createdate", "hs_lastmodifieddate"} <= names
    if object_type in ("tickets", "0-5", "products", "line_items"):
        assert "createdate" in names
    # AND pipelines answer 200: tickets have HubSpot's default support pipeline, the others none
    assert pipelines.status == 200
    results = pipelines.json()["results"]
    if object_type in ("tickets", "0-5"):
        assert [p["label"] for p in results] == ["Support Pipeline"]
        assert [s["metadata"]["isClosed"] for s in results[0]["stages"]] == [
            "false",
            "false",
            "false",
            "true",
        ]
    else:
        assert results == []


def test_defect_standard_type_get_of_a_missing_id_is_404_not_400(server, family):
    response = get(server, family.objects("tickets", "/123456"))
    error_body(response, 404, "OBJECT_NOT_FOUND")


@pytest.mark.parametrize(
    ("object_type", "names"),
    [
        ("contacts", ("email", "firstname", "createdate", "lifecyclestage")),
        ("companies", ("name", "domain", "createdate")),
        ("deals", ("dealname", "createdate", "amount")),
    ],
)
def test_defect_properties_with_history_return_the_current_value_first(
    server, portal, family, object_type, names
):
    # GIVEN records whose properties have values (history is stored only for a few of them)
    record_id = portal.history_contact if object_type == "contacts" else portal.ids[object_type][1]
    # WHEN they are read with propertiesWithHistory, one by id and in a page
    one = get(server, family.objects(object_type, f"/{record_id}?propertiesWithHistory={','.join(names)}"))
    page = get(server, family.objects(object_type, f"?limit=50&propertiesWithHistory={','.join(names)}"))
    full = get(server, family.objects(object_type, f"/{record_id}?properties={','.join(names)}")).json()
    # THEN every property with a value has a history whose first entry is the current value
    record = one.json()
    for name in names:
        history = record["propertiesWithHistory"][name]
        assert history, name
        assert history[0]["value"] == full["properties"][name], name
        assert history[0]["sourceType"], name
        assert history[0]["timestamp"], name
        assert all(h["timestamp"] >= history[-1]["timestamp"] for h in history), name
    assert all(r["propertiesWithHistory"][names[0]] for r in page.json()["results"])


def test_defect_stored_history_keeps_earlier_values_after_the_current(server, portal, family):
    # GIVEN a contact whose lifecycle stage changed from subscriber to lead
    record = get(
        server, family.objects("contacts", f"/{portal.history_contact}?propertiesWithHistory=lifecyclestage")
    )
    # THEN the current value comes first and the earlier one after it
    assert [h["value"] for h in record.json()["propertiesWithHistory"]["lifecyclestage"]] == [
        "lead",
        "subscriber",
    ]


def test_defect_property_groups_exist(server, family):
    # WHEN the property groups of contacts and of a type without records are read
    contacts = get(server, family.properties("contacts", "/groups"))
    tickets = get(server, family.properties("tickets", "/groups"))
    one = get(server, family.properties("contacts", "/groups/contactinformation"))
    missing = get(server, family.properties("contacts", "/groups/no_such_group"))
    # THEN they answer HubSpot's PropertyGroup shape, and every property's groupName is among them
    assert contacts.status == 200
    groups = contacts.json()["results"]
    assert all(set(g) == {"name", "label", "displayOrder", "archived"} for g in groups)
    properties = get(server, family.properties("contacts")).json()["results"]
    assert {p["groupName"] for p in properties} <= {g["name"] for g in groups}
    assert tickets.status == 200
    assert tickets.json()["results"]
    assert one.json()["name"] == "contactinformation"
    error_body(missing, 404, "OBJECT_NOT_FOUND")


def test_defect_properties_batch_read_exists(server, family):
    # WHEN two known properties and an unknown one are batch-read
    body = {"archived": False, "inputs": [{"name": "email"}, {"name": "lifecyclestage"}]}
    found = post(server, family.properties("contacts", "/batch/read"), body)
    partly = post(
        server, family.properties("contacts", "/batch/read"), {"inputs": [{"name": "no_such_prop"}]}
    )
    # THEN the known ones come back as full definitions; an unknown one is reported, not fatal
    assert found.status == 200
    assert [p["name"] for p in found.json()["results"]] == ["email", "lifecyclestage"]
    assert found.json()["status"] == "COMPLETE"
    assert partly.status == 207
    assert partly.json()["errors"][0]["context"] == {"name": ["no_such_prop"]}


def test_defect_record_associations_get_exists_and_pages(server, portal, family):
    # GIVEN a contact associated with two companies (the first primary)
    contact = next(c for c, companies in portal.contact_companies.items() if len(companies) == 2)
    target = family.record_associations("contacts", contact, "companies")
    # WHEN its associations are read one per page
    first = get(server, target + "?limit=1").json()
    second = get(server, target + f"?limit=1&after={first['paging']['next']['after']}").json()
    everything = get(server, target).json()
    # THEN the v4 shape comes back, paged, primary labelled
    assert [r["toObjectId"] for r in first["results"] + second["results"]] == portal.contact_companies[
        contact
    ]
    assert "paging" not in second
    assert [r["toObjectId"] for r in everything["results"]] == portal.contact_companies[contact]
    labels = [t["label"] for t in everything["results"][0]["associationTypes"]]
    assert labels == [None, "Primary"]
    # AND a type without records, or a record without associations, is an empty 200
    assert get(server, family.record_associations("contacts", contact, "tickets")).json() == {"results": []}


def test_defect_correlation_id_header_on_every_answer(server, family):
    # WHEN a success, a 404, a 400 and a 401 are answered
    answers = [
        get(server, family.objects("contacts", "?limit=1")),
        get(server, family.objects("contacts", "/999999999")),
        get(server, family.objects("contacts", "?limit=0")),
        get(server, family.objects("contacts"), token=None),
    ]
    # THEN each carries X-HubSpot-Correlation-Id, a UUID, different per request
    ids = [a.headers["x-hubspot-correlation-id"] for a in answers]
    assert all(str(uuid.UUID(value)) == value for value in ids)
    assert len(set(ids)) == len(ids)
    # AND an error body's correlationId is the header's
    assert all(a.json()["correlationId"] == a.headers["x-hubspot-correlation-id"] for a in answers[1:])


def test_account_details(server, family):
    body = get(server, family.account_details()).json()
    assert body["portalId"] == 4242
    assert {"timeZone", "companyCurrency", "utcOffsetMilliseconds", "accountType"} <= set(body)


def test_stats_count_served_requests_per_api_version(portal):
    # GIVEN one request per family and one unknown path
    with limited(portal, tier="unlimited") as server:
        for name in FAMILIES:
            get(server, PathFamily(name).objects("contacts", "?limit=1"))
        get(server, "/crm/objects/2025-01/contacts")
        stats = server.stats()
    # THEN the request log tells the families and versions apart (routes are counted by template)
    assert stats["by_api_version"] == {"2026-03": 1, "2026-09": 1, "legacy": 1}
    assert stats["by_endpoint"]["GET /crm/objects/{version}/{object_type}"] == 2


def test_generated_leads_are_served_from_the_store(tmp_path, family):
    # GIVEN a portal holding two leads under the generator's code, each with its primary contact
    portal = build_portal(
        tmp_path, contacts=3, companies=1, deals=0, engagements_per_type=0, custom_properties=0
    )
    contact = portal.ids["contacts"][0]
    leads_code = object_types.STORED_TYPE_CODES["leads"]
    with PortalWriter(tmp_path) as writer:
        leads = [writer.next_id, writer.next_id + 1]
        for lead in leads:
            props = {
                "hs_object_id": str(lead),
                "hs_lead_name": f"Lead {lead}",
                "hs_createdate": store.iso_ms(BASE_MS),
            }
            writer.conn.execute(
                INSERT_OBJECT, (lead, leads_code, BASE_MS, BASE_MS, 0, None, None, orjson.dumps(props))
            )
            for a, a_code, b, b_code, primary in (
                (lead, leads_code, contact, 1, 1),
                (contact, 1, lead, leads_code, 0),
            ):
                writer.conn.execute(
                    "insert into associations (from_type, to_type, from_id, to_id, is_primary)"
                    " values (?, ?, ?, ?, ?)",
                    (a_code, b_code, a, b, primary),
                )
    with PortalServer(tmp_path, ServerOptions.fast(TOKEN)) as server:
        # WHEN a client reads leads as HubSpot's 0-136 / leads object
        listed = get(server, family.objects("leads", "?properties=hs_lead_name")).json()
        one = get(server, family.objects("0-136", f"/{leads[0]}")).json()
        found = post(server, family.objects("leads", "/search"), {"limit": 10}).json()
        linked = post(
            server, family.associations_batch("leads", "contacts"), {"inputs": [{"id": str(leads[0])}]}
        )
        back = get(server, family.record_associations("contacts", contact, "leads")).json()
    # THEN the leads come back like any stored type, associated with their primary contact (578)
    assert [r["properties"]["hs_lead_name"] for r in listed["results"]] == [f"Lead {lead}" for lead in leads]
    assert one["id"] == str(leads[0])
    assert found["total"] == 2
    [entry] = linked.json()["results"]
    assert [t["typeId"] for t in entry["to"][0]["associationTypes"]] == [608, 578]
    assert [r["toObjectId"] for r in back["results"]] == leads
