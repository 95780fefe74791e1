"""Unit tests of the server's pieces: timestamps, cursors, the rate limiter, options, query parsing."""

from __future__ import annotations

import random
import sqlite3

import pytest

from onefunnel.portal import store
from onefunnel.portal.api import parse_query
from onefunnel.portal.ratelimit import RateLimiter
from onefunnel.portal.reader import iso_sql
from onefunnel.portal.responses import ApiError, decode_cursor, encode_cursor, iso_ms, parse_ms
from onefunnel.portal.search import _hs_token
from onefunnel.portal.server import ServerOptions

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_timestamps_format_exactly_like_the_store():
    # GIVEN instants before and after 1970, with and without milliseconds
    rng = random.Random(3)
    samples = [0, 1, 999, 1000, -1, -1500, 1_704_067_200_123, 253_402_300_799_999]
    samples += [rng.randint(-2_000_000_000_000, 4_000_000_000_000) for _ in range(500)]
    conn = sqlite3.connect(":memory:")
    # WHEN formatted in Python and in SQL
    for ms in samples:
        in_sql = conn.execute(f"select {iso_sql('?1')}", (ms,)).fetchone()[0]
        # THEN both equal store.iso_ms
        assert iso_ms(ms) == in_sql == store.iso_ms(ms), ms


def test_parse_ms_accepts_hubspot_date_forms():
    # GIVEN the forms HubSpot accepts for a date in a filter (epoch ms as text or number, ISO, date only)
    # WHEN each is parsed THEN all mean the same instant; text that is no date gives None
    assert parse_ms("1704067200000") == parse_ms(1_704_067_200_000) == 1_704_067_200_000
    assert parse_ms("2024-01-01T00:00:00.000Z") == 1_704_067_200_000
    assert parse_ms("2024-01-01T01:00:00+01:00") == 1_704_067_200_000
    assert parse_ms("2024-01-01") == 1_704_067_200_000
    assert parse_ms("next tuesday") is None
    assert parse_ms("") is None
    assert parse_ms(None) is None


def test_cursors_round_trip_and_garbage_is_a_400():
    # GIVEN paging keys and strings that are no paging token
    # WHEN encoded and decoded THEN keys survive and garbage is HubSpot's 400, not a crash
    for value in (0, 1, 1001, 10**15):
        assert decode_cursor(encode_cursor(value)) == value
    for garbage in ("%%%", "not-a-cursor", "!!"):
        with pytest.raises(ApiError) as error:
            decode_cursor(garbage)
        assert error.value.status == 400


def test_rolling_window_refills_as_old_requests_leave_it():
    # GIVEN 2 requests per 10 s on a fake clock
    clock = FakeClock()
    limiter = RateLimiter(tier="professional", window_limit=2, window_ms=10_000, clock=clock)
    # WHEN 3 arrive at once, then time passes
    first, second, third = (limiter.admit(search=False) for _ in range(3))
    clock.now += 9.5
    still_refused = limiter.admit(search=False)
    clock.now += 0.6
    refilled = limiter.admit(search=False)
    # THEN the third and the one 9.5 s later are refused (Retry-After counts down); after 10 s both earlier
    # requests have left the window, so the next is admitted with one more to spare
    assert [first.allowed, second.allowed, third.allowed] == [True, True, False]
    assert third.policy == "TEN_SECONDLY_ROLLING"
    assert third.headers["Retry-After"] == "10"
    assert still_refused.headers["Retry-After"] == "1"
    assert refilled.allowed
    assert refilled.headers["X-HubSpot-RateLimit-Remaining"] == "1"
    assert limiter.daily_used == 3  # refusals consume nothing


def test_search_bucket_is_separate_and_headerless():
    # GIVEN one search per second and one other request per window
    clock = FakeClock()
    limiter = RateLimiter(tier="enterprise", window_limit=1, search_per_second=1, clock=clock)
    # WHEN two searches and one read arrive at once, then a search a second later
    assert limiter.admit(search=True).allowed
    refused = limiter.admit(search=True)
    other = limiter.admit(search=False)
    # THEN the second search is a SECONDLY refusal with only Retry-After, the read passes, and the
    # search bucket refills after its one-second window
    assert refused.policy == "SECONDLY"
    assert set(refused.headers) == {"Retry-After"}
    assert other.allowed
    assert other.headers["X-HubSpot-RateLimit-Daily"] == "1000000"
    clock.now += 1.0
    assert limiter.admit(search=True).allowed


def test_daily_limit_counts_every_admitted_request():
    # GIVEN a daily limit of 2
    limiter = RateLimiter(tier="starter", daily_limit=2, clock=FakeClock())
    # WHEN a search, a read and a search arrive
    decisions = [limiter.admit(search=index % 2 == 0) for index in range(3)]
    # THEN both kinds count toward the day, and the third is a DAILY refusal without Retry-After
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[2].policy == "DAILY"
    assert "Retry-After" not in decisions[2].headers


def test_unlimited_tier_never_refuses():
    # GIVEN fast mode's tier WHEN 2,000 requests arrive at one instant THEN none is refused
    limiter = RateLimiter(tier="unlimited", clock=FakeClock())
    assert all(limiter.admit(search=index % 3 == 0).allowed for index in range(2_000))


def test_server_options_validate_and_fast_mode():
    # GIVEN fast mode and some impossible options
    fast = ServerOptions.fast("t")
    # THEN fast mode has no limits, latency or faults, and the impossible options are refused by name
    assert fast.tier == "unlimited"
    assert fast.latency_ms is None
    assert fast.fault_429 == 0.0
    bad_options = (
        ({"token": ""}, "token"),
        ({"token": "t", "tier": "gold"}, "tier"),
        ({"token": "t", "max_url_length": 10}, "max_url_length"),
    )
    for bad, message in bad_options:
        with pytest.raises(ValueError, match=message):
            ServerOptions(**bad)


def test_parse_query_matches_hubspot_client_encodings():
    # GIVEN query strings as the SDK and other clients encode them
    # WHEN parsed THEN the pairs are decoded in order, blanks kept, like parse_qsl(keep_blank_values=True)
    assert parse_query("limit=10&properties=a%2Cb&properties=c&archived=False&after=") == [
        ("limit", "10"),
        ("properties", "a,b"),
        ("properties", "c"),
        ("archived", "False"),
        ("after", ""),
    ]
    assert parse_query("email=a%2Bb%40x.com&q=two+words") == [("email", "a+b@x.com"), ("q", "two words")]


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("jane.doe@acme.com", "*@acme.com", 1),
        ("jane.doe@acme.com", "acme", 1),
        ("jane.doe@acme.com", "ACME.COM", 1),
        ("jane.doe@acme.com", "acm", 0),
        ("jane.doe@acme.com", "acm*", 1),
        (None, "acme", 0),
    ],
)
def test_contains_token(value, pattern, expected):
    # GIVEN a stored value and a CONTAINS_TOKEN pattern WHEN matched THEN HubSpot's token rules apply
    assert _hs_token(value, pattern) == expected
