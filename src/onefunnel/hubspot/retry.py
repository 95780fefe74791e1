"""The retry layer: every HubSpot request runs through `Retrier.call`.

Retried: 429 (except the daily limit), 5xx, timeouts, connection resets and truncated bodies — for every
method, POST search included. Backoff is exponential with full jitter; Retry-After wins when sent. A 429
that shows the window really is used up (Retry-After, or Remaining 0) pauses the whole shared budget; a
lone 429 with budget left only delays the request that got it. 401 / 403 / daily limit stop at once.
After `max_attempts` a `RetriesExhausted` names the object and the cursor so the run can be resumed.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from onefunnel.hubspot import settings
from onefunnel.hubspot.client import redact
from onefunnel.hubspot.errors import (
    AuthError,
    DailyLimitError,
    RequestError,
    RetriesExhausted,
    scopes_from_error_body,
)
from onefunnel.hubspot.ratebudget import GENERAL, PRIORITY_SIDE, RateBudget


@dataclass
class CallStats:
    """Counters of one stream (or of the whole run); updated from several threads."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0  # 429 answers
    server_errors: int = 0  # 5xx answers
    connection_errors: int = 0  # resets, timeouts, truncated bodies
    bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "server_errors": self.server_errors,
            "connection_errors": self.connection_errors,
            "bytes": self.bytes,
        }


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    data: Any  # the parsed JSON body (None when empty)


class _Retryable(Exception):
    def __init__(self, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.retry_after = retry_after


class Retrier:
    def __init__(
        self,
        budget: RateBudget,
        *,
        max_attempts: int = settings.RETRY_MAX_ATTEMPTS,
        base_seconds: float = settings.RETRY_BASE_SECONDS,
        cap_seconds: float = settings.RETRY_CAP_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        run_stats: CallStats | None = None,
    ) -> None:
        self.budget = budget
        self.max_attempts = max_attempts
        self.base_seconds = base_seconds
        self.cap_seconds = cap_seconds
        self._sleep = sleep
        self._rng = rng
        self.run_stats = run_stats or CallStats()

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
        return self._rng() * min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1))

    def call(
        self,
        send: Callable[[], Any],
        *,
        what: str,
        cursor: object = None,
        kind: str = GENERAL,
        priority: tuple = PRIORITY_SIDE,
        stats: CallStats | None = None,
        endpoint: str | None = None,
    ) -> Response:
        """Send (via the SDK, raw response) until success or a non-retryable answer. `endpoint` (method and
        path template) is named in the errors that stop the run."""
        last = "no attempt made"
        timeline = self.budget.timeline
        for attempt in range(1, self.max_attempts + 1):
            queued = timeline.now() if timeline is not None else 0.0
            self.budget.acquire(kind, priority)
            granted = self.budget.now()
            granted_t = timeline.now() if timeline is not None else 0.0
            self._count(stats, requests=1, retries=1 if attempt > 1 else 0)
            status = "error"
            try:
                response = self._attempt(send, kind, stats, granted, what, endpoint)
                status = str(response.status)
                return response
            except _Retryable as retryable:
                status = last = retryable.description
                retry_after = retryable.retry_after
            finally:
                if timeline is not None:
                    timeline.request(kind, what, queued, granted_t, timeline.now(), status)
            if attempt == self.max_attempts:
                break
            delay = self.backoff(attempt)
            if retry_after is not None:
                delay = max(delay, retry_after)
            self._sleep(delay)
        raise RetriesExhausted(
            redact(
                f"{what}: giving up after {self.max_attempts} attempts (last error: {last}); "
                f"cursor {cursor!r}. Committed data and state are intact: rerun to resume."
            )
        )

    def _attempt(
        self,
        send: Callable[[], Any],
        kind: str,
        stats: CallStats | None,
        sent_at: float | None = None,
        what: str = "",
        endpoint: str | None = None,
    ) -> Response:
        from urllib3.exceptions import HTTPError as Urllib3Error

        try:
            raw = send()
            body = raw.data  # the whole body; a reset mid-body raises here
            headers = dict(raw.headers)
            status = raw.status
            raw.release_conn()
        except (Urllib3Error, http.client.HTTPException, OSError) as error:
            self._count(stats, connection_errors=1)
            raise _Retryable(f"connection error {type(error).__name__}") from None
        except Exception as error:  # the SDK's ApiException family (one per generated package)
            status = getattr(error, "status", None)
            if status is None:
                raise
            self._count(stats, bytes=len(getattr(error, "body", b"") or b""))
            return self._fail(error, kind, stats, sent_at, what, endpoint)
        self._count(stats, bytes=len(body))
        if kind == GENERAL:
            self.budget.observe_headers(headers, sent_at)
        try:
            data = orjson.loads(body) if body else None
        except orjson.JSONDecodeError:
            # A body cut short without a length error (chunked transfer): same as a reset.
            self._count(stats, connection_errors=1)
            raise _Retryable("truncated or malformed JSON body") from None
        return Response(status, headers, body, data)

    def _fail(
        self,
        error: Any,
        kind: str,
        stats: CallStats | None,
        sent_at: float | None = None,
        what: str = "",
        endpoint: str | None = None,
    ):
        status = int(error.status)
        headers = dict(error.headers or {})
        body = error.body or b""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        parsed = _json_or_none(text)
        message = (parsed or {}).get("message") or text[:300]
        if kind == GENERAL:
            self.budget.observe_headers(headers, sent_at)
        where = f"{endpoint} ({what})" if endpoint else what
        if status == 401:
            raise AuthError(
                redact(
                    f"HubSpot refused the access token on {where} (HTTP 401: {message}). Check "
                    "HUBSPOT_ACCESS_TOKEN or the Airflow connection 'hubspot_default': it must be a Service "
                    "Key of this portal (HubSpot > Settings > Integrations > Service Keys) that was not "
                    "rotated or deleted; a legacy private-app token still works until September 2027 but "
                    "can no longer be created."
                ),
                401,
                endpoint=endpoint,
            )
        if status == 403:
            scopes = scopes_from_error_body(parsed)
            category = (parsed or {}).get("category")
            named = (
                f"the token lacks the scope HubSpot reported: {' or '.join(scopes)}"
                if scopes
                else "the token lacks a scope this endpoint needs (HubSpot named none)"
            )
            raise AuthError(
                redact(
                    f"HubSpot denied {where} (HTTP 403{' ' + category if category else ''}: {message}); "
                    f"{named}. Add it to the Service Key (HubSpot > Settings > Integrations > Service Keys "
                    "> the key > Scopes), or for a legacy private-app token to the private app's scopes, "
                    f"and rerun. onefunnel reads with: {', '.join(settings.required_scopes())} (optional: "
                    f"{', '.join(settings.required_scopes(settings.OPTIONAL_OBJECTS))} for leads)."
                ),
                403,
                endpoint=endpoint,
                scopes=scopes,
            )
        if status == 429:
            self._count(stats, rate_limited=1)
            policy = (parsed or {}).get("policyName")
            if policy == "DAILY":
                raise DailyLimitError(
                    "HubSpot's daily request limit for this account is used up (429 DAILY). It resets at "
                    "midnight in the account's time zone; rerun then (the run resumes from its checkpoints), "
                    "or lower the extraction's scope/frequency."
                )
            retry_after = _float_or_none(headers.get("Retry-After") or headers.get("retry-after"))
            remaining = _float_or_none(
                headers.get("X-HubSpot-RateLimit-Remaining") or headers.get("x-hubspot-ratelimit-remaining")
            )
            if retry_after is not None:
                self.budget.pause(retry_after)
            elif remaining is not None and remaining <= 0:
                self.budget.pause(1.0)
            raise _Retryable(f"HTTP 429 {policy or ''}".strip(), retry_after)
        if status >= 500:
            self._count(stats, server_errors=1)
            raise _Retryable(f"HTTP {status}")
        raise RequestError(
            redact(f"{where}: HTTP {status}: {message}" if where else f"HTTP {status}: {message}"),
            status=status,
        )

    def _count(self, stats: CallStats | None, **counts: int) -> None:
        self.run_stats.add(**counts)
        if stats is not None:
            stats.add(**counts)


def _json_or_none(text: str) -> dict | None:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _float_or_none(value: object) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
