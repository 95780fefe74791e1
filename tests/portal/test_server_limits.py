"""Authentication, HubSpot's request limits and their errors, and the rate-limit budgets."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import hubspot
import orjson
import pytest
from hubspot.crm.contacts import ApiException, PublicObjectSearchRequest
from portal_fixture import TOKEN, build_portal, raw_request
from urllib3.util.retry import Retry

from onefunnel.portal.server import PortalServer, ServerOptions

pytestmark = pytest.mark.integration

RATE_HEADERS = (
    "x-hubspot-ratelimit-daily",
    "x-hubspot-ratelimit-daily-remaining",
    "x-hubspot-ratelimit-interval-milliseconds",
    "x-hubspot-ratelimit-max",
    "x-hubspot-ratelimit-remaining",
)
# Windows far longer than any test, so budgets never refill while a test runs: no waiting, no timing.
NEVER_REFILLS_MS = 3_600_000


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    return build_portal(tmp_path_factory.mktemp("limits"), contacts=12)


@pytest.fixture(scope="module")
def server(portal):
    with PortalServer(portal.path, ServerOptions.fast(TOKEN)) as running:
        yield running


def limited(portal, **changes) -> PortalServer:
    options = ServerOptions(token=TOKEN, rate_window_ms=NEVER_REFILLS_MS, search_window_ms=NEVER_REFILLS_MS)
    for name, value in changes.items():
        setattr(options, name, value)
    return PortalServer(portal.path, options)


def assert_hubspot_error(response, status, category):
    assert response.status == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == category
    assert body["message"]
    assert body["correlationId"]
    return body


# --- authentication ---


def test_missing_token_is_401_and_not_served(server):
    # GIVEN a request without Authorization
    before = server.stats()["served"]
    # WHEN it is sent
    response = raw_request(server.url, "GET", "/crm/v3/objects/contacts", token=None)
    # THEN HubSpot's 401 body comes back and nothing was served
    body = assert_hubspot_error(response, 401, "INVALID_AUTHENTICATION")
    assert body["message"].startswith("Authentication credentials not found.")
    assert server.stats()["served"] == before


def test_wrong_token_through_the_sdk_raises_401(server):
    # GIVEN a client with another token
    client = hubspot.HubSpot(access_token="pat-na1-wrong", host=server.url)
    before = server.stats()
    # WHEN it reads contacts
    with pytest.raises(ApiException) as error:
        client.crm.contacts.basic_api.get_page()
    # THEN the SDK raises ApiException 401 and the server counts it as unauthorized, not served
    assert error.value.status == 401
    assert orjson.loads(error.value.body)["category"] == "INVALID_AUTHENTICATION"
    after = server.stats()
    assert after["served"] == before["served"]
    assert after["unauthorized"] == before["unauthorized"] + 1


def test_other_auth_schemes_are_401(server):
    # GIVEN the right token but without the Bearer scheme
    # WHEN it is sent THEN it is refused like a missing token
    response = raw_request(server.url, "GET", "/crm/v3/owners", token=None, headers={"Authorization": TOKEN})
    assert_hubspot_error(response, 401, "INVALID_AUTHENTICATION")


# --- request limits ---


@pytest.mark.parametrize(
    ("method", "target", "body", "fragment"),
    [
        ("GET", "/crm/v3/objects/contacts?limit=101", None, "limit"),
        ("GET", "/crm/v3/objects/contacts?limit=0", None, "limit"),
        ("GET", "/crm/v3/objects/contacts?limit=ten", None, "limit"),
        (
            "GET",
            "/crm/v3/objects/contacts?limit=51&propertiesWithHistory=email",
            None,
            "propertiesWithHistory",
        ),
        ("GET", "/crm/v3/objects/contacts?after=%%%", None, "after"),
        ("GET", "/crm/v3/objects/contacts?archived=maybe", None, "archived"),
        ("GET", "/crm/v3/objects/widgets", None, "widgets"),
        (
            "POST",
            "/crm/v3/objects/contacts/batch/read",
            {"inputs": [{"id": str(i)} for i in range(101)]},
            "100",
        ),
        ("POST", "/crm/v3/objects/contacts/batch/read", {"inputs": "1,2"}, "inputs"),
        (
            "POST",
            "/crm/v4/associations/contacts/companies/batch/read",
            {"inputs": [{"id": str(i)} for i in range(1001)]},
            "1000",
        ),
        ("POST", "/crm/v3/objects/contacts/search", {"limit": 201}, "limit"),
    ],
)
def test_limits_answer_hubspot_400s(server, method, target, body, fragment):
    # GIVEN a request over one of HubSpot's limits or with a bad parameter
    # WHEN it is sent
    response = raw_request(server.url, method, target, body)
    # THEN it is a 400 VALIDATION_ERROR JSON body naming the problem
    answer = assert_hubspot_error(response, 400, "VALIDATION_ERROR")
    assert fragment in answer["message"]


def test_sdk_limit_above_100_raises_400(server):
    # GIVEN the SDK
    client = hubspot.HubSpot(access_token=TOKEN, host=server.url)
    # WHEN it asks for 101 records per page
    with pytest.raises(ApiException) as error:
        client.crm.contacts.basic_api.get_page(limit=101)
    # THEN it raises ApiException 400
    assert error.value.status == 400


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2", b"\xff\xfe"])
def test_malformed_json_is_400_json(server, body):
    # GIVEN a POST whose body is not JSON
    # WHEN it is sent to search and to batch read
    for target in ("/crm/v3/objects/contacts/search", "/crm/v3/objects/contacts/batch/read"):
        response = raw_request(server.url, "POST", target, body)
        # THEN HubSpot-style 400 JSON comes back, never a 500
        answer = assert_hubspot_error(response, 400, "VALIDATION_ERROR")
        assert "Invalid input JSON" in answer["message"]


def test_unknown_paths_and_methods(server):
    # GIVEN an unknown path, a write to a read-only route and a GET on a POST-only route
    unknown = raw_request(server.url, "GET", "/crm/v3/nothing/here")
    create = raw_request(server.url, "POST", "/crm/v3/objects/contacts", {"properties": {}})
    delete = raw_request(server.url, "DELETE", "/crm/v3/objects/contacts/1001")
    search_get = raw_request(server.url, "GET", "/crm/v3/objects/contacts/search")
    # THEN 404 and 405 JSON bodies
    assert_hubspot_error(unknown, 404, "OBJECT_NOT_FOUND")
    for response in (create, delete, search_get):
        assert_hubspot_error(response, 405, "VALIDATION_ERROR")


def test_url_over_the_limit_is_414_json(server):
    # GIVEN a property list making the URL longer than 15,000 characters
    names = ",".join(f"custom_property_{i:05d}" for i in range(800))
    # WHEN it is requested
    response = raw_request(server.url, "GET", f"/crm/v3/objects/contacts?properties={names}")
    # THEN it is HubSpot's 414 as JSON
    assert len(names) > 15_000
    assert_hubspot_error(response, 414, "VALIDATION_ERROR")


def test_url_over_the_standard_library_line_limit_is_414_json(server):
    # GIVEN a request line of 200,000 characters (beyond http.server's 65,536)
    names = ",".join(f"p{i:06d}" for i in range(25_000))
    # WHEN it is requested
    response = raw_request(server.url, "GET", f"/crm/v3/objects/contacts?properties={names}")
    # THEN the answer is still JSON, not the standard library's HTML error page
    assert len(names) > 65_536
    assert_hubspot_error(response, 414, "VALIDATION_ERROR")


def test_sdk_with_too_many_properties_gets_414(server, portal):
    # GIVEN the SDK and 800 property names (a portal with hundreds of custom properties)
    client = hubspot.HubSpot(access_token=TOKEN, host=server.url)
    # WHEN it puts them all in one list request's URL
    with pytest.raises(ApiException) as error:
        client.crm.contacts.basic_api.get_page(properties=[f"custom_property_{i:05d}" for i in range(800)])
    # THEN it raises ApiException 414
    assert error.value.status == 414


def test_max_url_length_is_configurable(portal):
    # GIVEN a server with a 500-character URL limit
    options = ServerOptions.fast(TOKEN)
    options.max_url_length = 500
    with PortalServer(portal.path, options) as server:
        short = raw_request(server.url, "GET", "/crm/v3/objects/contacts?properties=" + "a," * 200)
        long = raw_request(server.url, "GET", "/crm/v3/objects/contacts?properties=" + "a," * 300)
    # THEN the shorter passes and the longer is refused
    assert short.status == 200
    assert long.status == 414


def test_garbage_request_line_is_400_json(server):
    # GIVEN a connection that sends no HTTP at all
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw:
        raw.sendall(b"HELLO\r\n\r\n")
        reply = b""
        while chunk := raw.recv(65536):
            reply += chunk
    # THEN a JSON 400 comes back before the server closes the connection
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert orjson.loads(body)["status"] == "error"


# --- rate limits ---


def test_ten_second_budget_headers_and_429(portal):
    # GIVEN a budget of 3 requests per (never refilling) window
    with limited(portal, rate_limit=3) as server:
        # WHEN four requests are sent
        answers = [raw_request(server.url, "GET", "/crm/v3/objects/contacts?limit=1") for _ in range(4)]
        stats = server.stats()
    # THEN the first three carry the five rate-limit headers counting down
    assert [a.status for a in answers] == [200, 200, 200, 429]
    for answer in answers:
        assert all(name in answer.headers for name in RATE_HEADERS)
    assert [a.headers["x-hubspot-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0].headers["x-hubspot-ratelimit-max"] == "3"
    assert answers[0].headers["x-hubspot-ratelimit-interval-milliseconds"] == str(NEVER_REFILLS_MS)
    assert answers[0].headers["x-hubspot-ratelimit-daily"] == "625000"
    # AND the fourth is HubSpot's 429 body, with Retry-After, and it consumed no budget
    body = answers[3].json()
    assert set(body) == {"status", "message", "errorType", "correlationId", "policyName", "groupName"}
    assert body["status"] == "error"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert int(answers[3].headers["retry-after"]) >= 1
    assert (
        answers[3].headers["x-hubspot-ratelimit-daily-remaining"]
        == answers[2].headers["x-hubspot-ratelimit-daily-remaining"]
    )
    assert stats["served"] == 3
    assert stats["rate_limited"] == {"TEN_SECONDLY_ROLLING": 1}


def test_sdk_sees_429_as_api_exception(portal):
    # GIVEN a budget of one request and an SDK client that does not retry by itself
    # (urllib3's default Retry honours Retry-After on a GET's 429: it would sleep, then try again)
    with limited(portal, rate_limit=1) as server:
        client = hubspot.HubSpot(
            access_token=TOKEN, host=server.url, retry=Retry(total=0, respect_retry_after_header=False)
        )
        # WHEN it sends two reads
        client.crm.contacts.basic_api.get_page()
        with pytest.raises(ApiException) as error:
            client.crm.contacts.basic_api.get_page()
    # THEN the second raises ApiException 429 with HubSpot's body and a Retry-After header
    assert error.value.status == 429
    assert orjson.loads(error.value.body)["policyName"] == "TEN_SECONDLY_ROLLING"
    assert "Retry-After" in error.value.headers


def test_tier_sets_the_budget(portal):
    # GIVEN the free tier
    with limited(portal, tier="free") as server:
        response = raw_request(server.url, "GET", "/crm/v3/owners")
    # THEN its limits show in the headers
    assert response.headers["x-hubspot-ratelimit-max"] == "100"
    assert response.headers["x-hubspot-ratelimit-daily"] == "250000"


def test_search_has_its_own_bucket_and_no_rate_headers(portal):
    # GIVEN 2 searches per window and 3 other requests per window
    with limited(portal, rate_limit=3, search_per_second=2) as server:
        body = {"filterGroups": [], "limit": 1}
        # WHEN three searches are sent, then three list reads
        searches = [
            raw_request(server.url, "POST", "/crm/v3/objects/contacts/search", body) for _ in range(3)
        ]
        reads = [raw_request(server.url, "GET", "/crm/v3/objects/contacts?limit=1") for _ in range(3)]
    # THEN the third search is a SECONDLY 429; searches carry no rate-limit headers
    assert [s.status for s in searches] == [200, 200, 429]
    assert searches[2].json()["policyName"] == "SECONDLY"
    assert not any(name in s.headers for s in searches for name in RATE_HEADERS)
    # AND the searches did not use the other bucket: all three reads pass
    assert [r.status for r in reads] == [200, 200, 200]


def test_daily_limit(portal):
    # GIVEN a daily limit of 2 requests
    with limited(portal, daily_limit=2) as server:
        answers = [raw_request(server.url, "GET", "/crm/v3/owners") for _ in range(3)]
    # THEN the third is a DAILY 429
    assert [a.status for a in answers] == [200, 200, 429]
    assert answers[2].json()["policyName"] == "DAILY"
    assert answers[1].headers["x-hubspot-ratelimit-daily-remaining"] == "0"


def test_fast_mode_is_not_limited(server):
    # GIVEN fast mode
    # WHEN 30 requests are sent back to back
    statuses = {raw_request(server.url, "GET", "/crm/v3/owners").status for _ in range(30)}
    # THEN all of them pass
    assert statuses == {200}


def test_stats_count_by_endpoint(portal):
    # GIVEN a fresh server
    # WHEN two list reads and one search are served
    with limited(portal) as server:
        raw_request(server.url, "GET", "/crm/v3/objects/contacts")
        raw_request(server.url, "GET", "/crm/v3/objects/deals")
        raw_request(server.url, "POST", "/crm/v3/objects/contacts/search", {})
        stats = server.stats()
    # THEN the counters say so, by endpoint template and by status
    assert stats["by_endpoint"] == {
        "GET /crm/v3/objects/{object_type}": 2,
        "POST /crm/v3/objects/{object_type}/search": 1,
    }
    assert stats["by_status"] == {"200": 3}


def test_sdk_search_through_a_limited_server(portal):
    # GIVEN one search per window
    with limited(portal, search_per_second=1) as server:
        client = hubspot.HubSpot(access_token=TOKEN, host=server.url)
        # WHEN the SDK searches twice (a POST: urllib3 does not retry it)
        client.crm.contacts.search_api.do_search(PublicObjectSearchRequest(limit=1))
        with pytest.raises(ApiException) as error:
            client.crm.contacts.search_api.do_search(PublicObjectSearchRequest(limit=1))
    # THEN the second raises ApiException 429
    assert error.value.status == 429


def test_head_gets_headers_only_and_the_connection_stays_usable(server):
    # GIVEN one keep-alive connection
    import http.client

    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # WHEN a HEAD is followed by a GET on it
    conn.request("HEAD", "/crm/v3/objects/contacts", headers=auth)
    head = conn.getresponse()
    head.read()
    conn.request("GET", "/crm/v3/owners", headers=auth)
    follow = conn.getresponse()
    # THEN the HEAD is refused without a body and the GET is answered normally
    assert head.status == 405
    assert follow.status == 200
    assert orjson.loads(follow.read())["results"]
    conn.close()


def test_paging_link_follows_the_host_header(server):
    # GIVEN a client that reached the server under another name (a container's, say)
    response = raw_request(
        server.url, "GET", "/crm/v3/objects/contacts?limit=2", headers={"Host": "portal:8080"}
    )
    # THEN the paging link uses that name
    assert response.json()["paging"]["next"]["link"].startswith("http://portal:8080/crm/v3/objects/contacts?")
