"""Injected latency and faults: seeded and reproducible, and each one visible to a real client."""

from __future__ import annotations

import http.client

import hubspot
import pytest
import urllib3
from hubspot.crm.contacts import ApiException, PublicObjectSearchRequest
from portal_fixture import TOKEN, build_portal, raw_request

from onefunnel.portal.faults import FaultPlan
from onefunnel.portal.server import PortalServer, ServerOptions


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    return build_portal(tmp_path_factory.mktemp("faults"), contacts=30)


def faulty(portal, **changes) -> PortalServer:
    options = ServerOptions(token=TOKEN, tier="unlimited", **changes)
    return PortalServer(portal.path, options)


def outcome(url: str) -> str:
    try:
        return str(raw_request(url, "GET", "/crm/v3/objects/contacts?limit=100").status)
    except (ConnectionError, http.client.HTTPException):
        return "reset"


def outcomes(portal, seed: int, count: int = 60) -> list[str]:
    with faulty(
        portal, seed=seed, fault_429=0.15, fault_5xx=0.15, fault_reset=0.15, latency_ms=(0, 1)
    ) as server:
        return [outcome(server.url) for _ in range(count)]


@pytest.mark.integration
def test_same_seed_same_faults_in_the_same_places(portal):
    # GIVEN two servers with the same seed and fault rates, and a third with another seed
    # WHEN the same 60 requests are sent to each, one after another
    first, second, other = outcomes(portal, 11), outcomes(portal, 11), outcomes(portal, 12)
    # THEN the first two see identical outcomes, every kind of fault occurs, and another seed differs
    assert first == second
    assert {"200", "429", "reset"} <= set(first)
    assert set(first) & {"500", "502", "503", "504"}
    assert other != first


@pytest.mark.integration
def test_reset_is_a_connection_error_in_the_sdk(portal):
    # GIVEN every response reset mid-body
    with faulty(portal, fault_reset=1.0) as server:
        client = hubspot.HubSpot(access_token=TOKEN, host=server.url)
        # WHEN the SDK reads a page (urllib3 retries the GET, then gives up)
        with pytest.raises(urllib3.exceptions.HTTPError):
            client.crm.contacts.basic_api.get_page(limit=100)
        # AND a plain HTTP client reads one
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            raw_request(server.url, "GET", "/crm/v3/objects/contacts?limit=100")
        stats = server.stats()
    # THEN both saw a broken connection, not a response; the server counted the resets
    assert stats["faults"]["reset"] >= 2


@pytest.mark.integration
def test_5xx_faults_have_json_bodies_and_hit_search_too(portal):
    # GIVEN every response a server error
    with faulty(portal, fault_5xx=1.0) as server:
        reads = [raw_request(server.url, "GET", "/crm/v3/owners") for _ in range(12)]
        search = raw_request(server.url, "POST", "/crm/v3/objects/contacts/search", {"limit": 1})
        client = hubspot.HubSpot(access_token=TOKEN, host=server.url)
        with pytest.raises(ApiException) as error:
            client.crm.contacts.search_api.do_search(PublicObjectSearchRequest(limit=1))
    # THEN each is a 500/502/503/504 with a HubSpot-ish JSON body, search included
    assert {r.status for r in reads} <= {500, 502, 503, 504}
    assert len({r.status for r in reads}) > 1
    assert all(r.json()["status"] == "error" and r.json()["correlationId"] for r in reads)
    assert search.status in (500, 502, 503, 504)
    assert error.value.status in (500, 502, 503, 504)


@pytest.mark.integration
def test_injected_429_consumes_no_budget_and_has_no_retry_after(portal):
    # GIVEN every response an injected 429 on a professional-tier server
    with PortalServer(portal.path, ServerOptions(token=TOKEN, fault_429=1.0)) as server:
        answer = raw_request(server.url, "GET", "/crm/v3/objects/contacts")
        stats = server.stats()
    # THEN it looks like HubSpot's 429 with the rate-limit headers, but without Retry-After (HubSpot omits it
    # at times), and the budget is untouched
    assert answer.status == 429
    assert answer.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    assert answer.headers["x-hubspot-ratelimit-remaining"] == "190"
    assert "retry-after" not in answer.headers
    assert stats["served"] == 0
    assert stats["daily_used"] == 0
    assert stats["faults"] == {"429": 1}


@pytest.mark.integration
def test_slow_response_outlasts_a_client_timeout_and_stop_does_not_wait(portal):
    # GIVEN every response stalled for 60 s
    with faulty(portal, fault_slow=1.0, slow_seconds=60.0) as server:
        # WHEN a client with a short read timeout asks for a page
        with pytest.raises(TimeoutError):
            raw_request(server.url, "GET", "/crm/v3/owners", timeout=0.5)
        # THEN it times out; leaving the block stops the server without sitting out the stall
        assert server.stats()["faults"] == {"slow": 1}


@pytest.mark.integration
def test_latency_mode_still_answers(portal):
    # GIVEN per-request latency switched on
    with faulty(portal, latency_ms=(1.0, 3.0)) as server:
        # WHEN a request is sent
        response = raw_request(server.url, "GET", "/crm/v3/owners")
    # THEN it is answered normally (latency is never asserted on: no timed assertions)
    assert response.status == 200


@pytest.mark.unit
def test_fault_plan_is_deterministic_per_request_index():
    # GIVEN two plans with one seed
    plan_a = FaultPlan(
        seed=5, fault_429=0.2, fault_5xx=0.2, fault_reset=0.2, fault_slow=0.2, latency_ms=(10, 20)
    )
    plan_b = FaultPlan(
        seed=5, fault_429=0.2, fault_5xx=0.2, fault_reset=0.2, fault_slow=0.2, latency_ms=(10, 20)
    )
    # WHEN each draws 500 times
    draws_a = [plan_a.draw() for _ in range(500)]
    draws_b = [plan_b.draw() for _ in range(500)]
    # THEN the draws are equal, latency stays in bounds and each band shows up about as often as configured
    assert draws_a == draws_b
    assert all(0.010 <= d.latency_seconds <= 0.020 for d in draws_a)
    for kind in ("429", "5xx", "reset", "slow"):
        assert 60 <= sum(d.fault == kind for d in draws_a) <= 140, kind
    assert all(d.status in (500, 502, 503, 504) for d in draws_a if d.fault == "5xx")


@pytest.mark.unit
def test_fault_plan_rejects_impossible_rates():
    # GIVEN rates summing past 1 and inverted latency bounds
    # WHEN a plan is made of them THEN it is refused with a message naming the option
    with pytest.raises(ValueError, match="fault rates"):
        FaultPlan(fault_429=0.7, fault_5xx=0.7)
    with pytest.raises(ValueError, match="latency_ms"):
        FaultPlan(latency_ms=(10, 5))
