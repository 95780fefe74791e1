"""The shared rate budget: window sizing by tier, header adjustment, pauses, priorities."""

from __future__ import annotations

import threading

import pytest

from onefunnel.hubspot.ratebudget import GENERAL, PRIORITY_CHAIN, PRIORITY_SIDE, SEARCH, RateBudget

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_professional_tier_plans_just_under_190_per_10_seconds():
    # GIVEN the professional tier
    budget = RateBudget.for_tier("professional")
    # WHEN asking for the planned rate
    # THEN it is 190/10 s less the safety margin, never above the limit
    assert 17.5 <= budget.planned_rate <= 19.0


def test_window_blocks_once_full_and_frees_as_it_slides():
    # GIVEN a budget of 5 requests per second on a fake clock
    clock = FakeClock()
    budget = RateBudget(
        requests_per_window=5, window_ms=1000, safety=1.0, burst=5, clock=clock, search_per_second=None
    )
    for _ in range(5):
        assert budget.acquire() == 0.0
    window = budget._windows[GENERAL]
    # WHEN the window is full
    # THEN a sixth request must wait until the oldest leaves the window
    assert window.wait_time(clock.now) > 0
    clock.now += 1.001
    assert window.wait_time(clock.now) == 0.0


def test_server_remaining_lower_than_ours_holds_slots_back():
    # GIVEN a budget that has sent 2 requests
    clock = FakeClock()
    budget = RateBudget(requests_per_window=100, window_ms=10_000, safety=1.0, burst=100, clock=clock)
    budget.acquire()
    budget.acquire()
    # WHEN HubSpot says only 10 of 100 remain (another client uses the same app)
    budget.observe_headers(
        {
            "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": "10",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        }
    )
    # THEN the budget holds the difference back: only about 10 more may go this window
    window = budget._windows[GENERAL]
    assert window.held_back >= 80
    allowed = 0
    while window.wait_time(clock.now) == 0.0:
        budget.acquire()
        allowed += 1
    assert 8 <= allowed <= 12


def test_smaller_max_header_shrinks_the_window():
    # GIVEN a professional budget
    budget = RateBudget.for_tier("professional", safety=1.0)
    # WHEN HubSpot reports a max of 100 per 10 s (a lower tier than configured)
    budget.observe_headers(
        {
            "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": "99",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        }
    )
    # THEN the client plans for 100
    assert budget._windows[GENERAL].limit == 100


def test_requests_are_paced_evenly_not_spent_in_one_burst():
    # GIVEN 100 requests per 10 s with a burst of 4, on a fake clock
    clock = FakeClock()
    budget = RateBudget(requests_per_window=100, window_ms=10_000, safety=1.0, burst=4, clock=clock)
    for _ in range(4):
        budget.acquire()
    # WHEN a fifth request asks right away
    # THEN it waits about one pacing interval (0.1 s), not until the window slides
    wait = budget._windows[GENERAL].wait_time(clock.now)
    assert 0.05 < wait <= 0.1


def test_search_has_its_own_bucket():
    # GIVEN a budget whose general window is exhausted
    clock = FakeClock()
    budget = RateBudget(
        requests_per_window=2, window_ms=10_000, safety=1.0, burst=2, clock=clock, search_per_second=5
    )
    budget.acquire(GENERAL)
    budget.acquire(GENERAL)
    # WHEN a search request asks for a slot
    waited = budget.acquire(SEARCH)
    # THEN it goes at once: search does not spend the general budget
    assert waited == 0.0
    assert budget.stats.granted == {GENERAL: 2, SEARCH: 1}


def test_pause_delays_every_stream():
    # GIVEN an unlimited budget paused for 0.2 s after a 429
    budget = RateBudget(requests_per_window=None, search_per_second=None)
    budget.pause(0.2)
    # WHEN a request asks for a slot
    waited = budget.acquire()
    # THEN it waited for the pause (a lower bound only; no upper bound is asserted)
    assert waited >= 0.15


def test_chain_requests_go_before_side_requests():
    # GIVEN a budget with one slot per 0.3 s and a side request and a chain request both waiting
    budget = RateBudget(requests_per_window=1, window_ms=300, safety=1.0, search_per_second=None)
    budget.acquire()
    order: list[str] = []
    side = threading.Thread(target=lambda: (budget.acquire(priority=PRIORITY_SIDE), order.append("side")))
    side.start()
    while not budget._waiters:
        pass
    chain = threading.Thread(target=lambda: (budget.acquire(priority=PRIORITY_CHAIN), order.append("chain")))
    chain.start()
    side.join()
    chain.join()
    # WHEN the window frees
    # THEN the chain request (which bounds the run's length) went first
    assert order[0] == "chain"
