"""How the shared budget keeps the general window full: the server's late count of our own requests is not
mistaken for another client, search slots are spaced so the biggest object's chain gets the next one, a
stream's start goes before every chain, a group's association batches go in parallel, and the request
timeline records what each request waited for."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from onefunnel.hubspot import settings
from onefunnel.hubspot.properties import PropertyPlan
from onefunnel.hubspot.ratebudget import GENERAL, PRIORITY_START, SEARCH, RateBudget, stream_priority
from onefunnel.hubspot.retry import Retrier
from onefunnel.hubspot.streams import FullListStream, RunContext
from onefunnel.hubspot.timeline import Timeline
from onefunnel.landing.state import StateStore
from onefunnel.landing.writer import Landing

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def headers(used: int, limit: int = 100) -> dict[str, str]:
    return {
        "X-HubSpot-RateLimit-Max": str(limit),
        "X-HubSpot-RateLimit-Remaining": str(limit - used),
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
    }


def budget_that_sent_30_requests_a_window_ago(clock: FakeClock) -> RateBudget:
    """30 requests at t=1000, answered 0.4 s later (the server counted them on arrival, ~1000.4)."""
    budget = RateBudget(
        requests_per_window=100, window_ms=10_000, safety=1.0, burst=100, clock=clock, search_per_second=None
    )
    for _ in range(30):
        budget.acquire()
    clock.now = 1000.4
    budget.observe_headers(headers(used=30), sent_at=1000.0)
    return budget


def test_server_counting_our_requests_on_arrival_is_not_taken_for_another_client():
    # GIVEN 30 requests sent at t=1000 that arrived at the server about 0.4 s later
    clock = FakeClock()
    budget = budget_that_sent_30_requests_a_window_ago(clock)
    # WHEN, 10.2 s later (they left the client's window, not yet the server's), a new request's answer
    # says the server counts 31 in its window
    clock.now = 1010.2
    budget.acquire()
    clock.now = 1010.3
    budget.observe_headers(headers(used=31), sent_at=1010.2)
    # THEN nothing is held back: those 31 are all ours, counted later by the network latency
    window = budget._windows[GENERAL]
    assert window.held_back == 0
    assert window.wait_time(clock.now) == 0.0


def test_another_client_on_the_same_app_is_still_held_back():
    # GIVEN the same 30 requests of ours, a window ago
    clock = FakeClock()
    budget = budget_that_sent_30_requests_a_window_ago(clock)
    # WHEN the server counts 40 more than all of ours it can possibly have seen (another client)
    clock.now = 1010.2
    budget.acquire()
    clock.now = 1010.3
    budget.observe_headers(headers(used=31 + 40), sent_at=1010.2)
    # THEN about those 40 slots are held back for the window
    assert 36 <= budget._windows[GENERAL].held_back <= 40


def test_search_slots_are_spaced_not_freed_four_at_once():
    # GIVEN the search bucket (about 5/s, planned 4 per window) on a fake clock
    clock = FakeClock()
    budget = RateBudget(requests_per_window=None, search_per_second=5, clock=clock)
    window = budget._windows[SEARCH]
    # WHEN one search has just gone
    assert budget.acquire(SEARCH) == 0.0
    # THEN the next slot comes one pacing interval later (window / planned count), not at once and not
    # only when the whole window has slid: a chain answered 0.3 s later finds a slot soon after
    interval = window.window_s / window.limit
    wait = window.wait_time(clock.now)
    assert interval * 0.9 <= wait <= interval * 1.01
    clock.now += wait
    assert window.wait_time(clock.now) == 0.0


def test_a_stream_start_goes_before_the_biggest_chain():
    # GIVEN a search bucket whose slot is taken, and waiting: the biggest object's next page, then a
    # small object's snapshot search (without it that object cannot start at all)
    budget = RateBudget(requests_per_window=None, search_per_second=2)  # 1 slot per 1.3 s window
    budget.acquire(SEARCH)
    order: list[str] = []
    chain = threading.Thread(
        target=lambda: (
            budget.acquire(SEARCH, stream_priority(50_000, chain=True)),
            order.append("biggest chain"),
        )
    )
    chain.start()
    while not budget._waiters:
        pass
    start = threading.Thread(
        target=lambda: (budget.acquire(SEARCH, PRIORITY_START), order.append("stream start"))
    )
    start.start()
    chain.join()
    start.join()
    # WHEN the slot frees
    # THEN the stream start went first
    assert order == ["stream start", "biggest chain"]


class ConcurrentAssociations:
    """An API whose association reads only complete when `parties` of them are in flight at once."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=5)
        self.calls: list[list[str]] = []
        self.retrier = Retrier(RateBudget(requests_per_window=None, search_per_second=None))
        self._lock = threading.Lock()

    def associations(self, from_type, to_type, inputs, *, priority, stats):
        with self._lock:
            self.calls.append([item["id"] for item in inputs])
        self.barrier.wait()  # breaks (and the test fails) if the batches run one after another
        return {"results": [{"from": {"id": item["id"]}, "to": [{"toObjectId": 7}]} for item in inputs]}


def test_a_groups_association_batches_are_read_in_parallel(tmp_path):
    # GIVEN a contacts stream whose group holds 2,500 ids (three batches of at most 1,000)
    api = ConcurrentAssociations(parties=3)
    plan = PropertyPlan("contacts", ["hs_object_id"], ["hs_object_id"], [], [], [])
    with ThreadPoolExecutor(max_workers=4) as executor:
        ctx = RunContext(
            api=api,
            landing=Landing(tmp_path / "landing", "run"),
            state=StateStore(tmp_path / "state"),
            executor=executor,
            run_id="run",
            plans={"contacts": plan},
        )
        stream = FullListStream(ctx, "contacts", "full", {}, archived=False)
        ids = [str(i) for i in range(1, 2501)]
        stream._group.ids = list(ids)
        stream._group.page_count = 25
        # WHEN the group is closed
        stream._close_group(last=True)
        group = stream._pending[0]
        chunks = group.associations["companies"]
        tables = [future.result(timeout=10) for future in chunks]
    # THEN its three batches were in flight together, and together cover every id once
    assert len(chunks) == 3
    assert sorted(len(call) for call in api.calls) == [500, 1000, 1000]
    assert sorted(int(i) for table in tables for i in table.column("from_id").to_pylist()) == list(
        range(1, 2501)
    )
    assert max(len(call) for call in api.calls) <= settings.ASSOCIATION_BATCH_LIMIT


def test_timeline_records_queue_grant_and_answer_of_every_attempt():
    # GIVEN a retrier whose budget records a timeline, and a request failing once with a 503
    from test_retry import Raw, http_error, sequence

    budget = RateBudget(requests_per_window=None, search_per_second=None)
    budget.timeline = Timeline()
    retrier = Retrier(budget, sleep=lambda _s: None)
    send = sequence(http_error(503), Raw(b'{"results": []}'))
    # WHEN it is called
    retrier.call(send, what="contacts: list page")
    # THEN both attempts are events, in order, each queued <= granted <= finished
    events = budget.timeline.as_dict()["events"]
    assert [(e[0], e[1], e[2], e[6]) for e in events] == [
        ("request", GENERAL, "contacts: list page", "HTTP 503"),
        ("request", GENERAL, "contacts: list page", "200"),
    ]
    for _event, _kind, _what, queued, granted, finished, _status in events:
        assert queued <= granted <= finished
