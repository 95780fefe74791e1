"""The retry layer: what is retried, what stops at once, and what the final error says."""

from __future__ import annotations

import pytest
import urllib3
from hubspot.crm.objects.exceptions import ApiException

from onefunnel.hubspot.client import register_secret
from onefunnel.hubspot.errors import AuthError, DailyLimitError, RequestError, RetriesExhausted
from onefunnel.hubspot.ratebudget import SEARCH, RateBudget
from onefunnel.hubspot.retry import CallStats, Retrier

pytestmark = pytest.mark.unit


class Raw:
    """What the SDK hands back with _preload_content=False (a urllib3 response)."""

    def __init__(self, body: bytes, status: int = 200, headers: dict | None = None) -> None:
        self.data = body
        self.status = status
        self.headers = headers or {}

    def release_conn(self) -> None:
        pass


def http_error(status: int, body: bytes = b"{}", headers: dict | None = None) -> ApiException:
    error = ApiException(status=status, reason="x")
    error.body = body
    error.headers = headers or {}
    return error


def sequence(*outcomes):
    calls = iter(outcomes)

    def send():
        outcome = next(calls)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return send


@pytest.fixture
def retrier() -> Retrier:
    budget = RateBudget(requests_per_window=None, search_per_second=None)
    return Retrier(budget, max_attempts=4, sleep=lambda s: None, rng=lambda: 0.5)


def test_429_5xx_and_reset_are_retried_then_succeed(retrier):
    # GIVEN a request that meets a 429, a 503 and a reset before it succeeds
    stats = CallStats()
    send = sequence(
        http_error(429, b'{"policyName":"TEN_SECONDLY_ROLLING"}'),
        http_error(503),
        urllib3.exceptions.ProtocolError("Connection broken", ConnectionResetError()),
        Raw(b'{"results": [1]}'),
    )
    # WHEN it is sent through the retry layer
    response = retrier.call(send, what="contacts: list page", cursor="abc", stats=stats)
    # THEN it succeeds and every failure is counted
    assert response.data == {"results": [1]}
    assert (
        stats.requests,
        stats.retries,
        stats.rate_limited,
        stats.server_errors,
        stats.connection_errors,
    ) == (4, 3, 1, 1, 1)


def test_truncated_json_body_is_retried(retrier):
    # GIVEN a first answer whose body was cut short
    send = sequence(Raw(b'{"results": [1, 2'), Raw(b'{"results": []}'))
    # WHEN sent
    response = retrier.call(send, what="x")
    # THEN the second answer is used
    assert response.data == {"results": []}


def test_post_search_is_retried_like_any_request(retrier):
    # GIVEN a search (POST) that first gets a 502
    send = sequence(http_error(502), Raw(b'{"total": 0, "results": []}'))
    # WHEN sent in the search bucket
    response = retrier.call(send, what="contacts: search", kind=SEARCH)
    # THEN it was retried
    assert response.data["total"] == 0


def test_retry_after_is_honoured(retrier):
    # GIVEN a 429 carrying Retry-After: 3
    slept: list[float] = []
    retrier._sleep = slept.append
    send = sequence(http_error(429, b"{}", {"Retry-After": "3"}), Raw(b"{}"))
    # WHEN sent
    retrier.call(send, what="x")
    # THEN the wait was at least 3 s
    assert slept
    assert slept[0] >= 3


def test_bounded_attempts_then_error_names_object_and_cursor(retrier):
    # GIVEN a request that always gets 500
    send = sequence(*[http_error(500)] * 4)
    # WHEN the attempts run out
    with pytest.raises(RetriesExhausted) as caught:
        retrier.call(send, what="deals: list page", cursor="MTIzNA")
    # THEN the error names the object, the cursor and the attempts
    message = str(caught.value)
    assert "deals" in message
    assert "MTIzNA" in message
    assert "4 attempts" in message


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_stop_at_once(retrier, status, secret_token):
    # GIVEN a 401/403 whose body echoes the token (worst case)
    register_secret(secret_token)
    calls = []

    def send():
        calls.append(1)
        raise http_error(status, f'{{"message": "bad token {secret_token}"}}'.encode())

    # WHEN sent
    with pytest.raises(AuthError) as caught:
        retrier.call(send, what="contacts: list page")
    # THEN it was sent once, the message says what to do, and the token is not in it
    assert len(calls) == 1
    assert "HUBSPOT_ACCESS_TOKEN" in str(caught.value) or "scope" in str(caught.value)
    assert secret_token not in str(caught.value)


def test_daily_limit_stops_at_once(retrier):
    # GIVEN the daily limit is reached
    send = sequence(http_error(429, b'{"policyName":"DAILY","errorType":"RATE_LIMIT"}'))
    # WHEN sent
    # THEN no retry: the error says when it resets
    with pytest.raises(DailyLimitError, match="midnight"):
        retrier.call(send, what="x")


def test_other_4xx_is_not_retried(retrier):
    # GIVEN a 400 (e.g. a malformed search)
    send = sequence(http_error(400, b'{"message":"bad filter"}'))
    # WHEN sent
    # THEN it fails at once with HubSpot's message
    with pytest.raises(RequestError, match="bad filter"):
        retrier.call(send, what="x")


def test_backoff_is_full_jitter_and_capped():
    # GIVEN a retrier with base 0.5 s and cap 30 s and a random source at its maximum
    retrier = Retrier(RateBudget(requests_per_window=None), rng=lambda: 1.0, base_seconds=0.5, cap_seconds=30)
    # WHEN computing backoffs
    # THEN they double and stop at the cap
    assert [retrier.backoff(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert retrier.backoff(20) == 30
