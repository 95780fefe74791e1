"""One request budget shared by every stream of a run.

Two rolling windows: the general one (tier's requests per 10 s) and search's own bucket (about 5 per second).
A request waits for a slot before it is sent; waiters are served by priority (the sequential list chains that
bound a run's length go first), then in arrival order. The window follows HubSpot's headers: a smaller
X-HubSpot-RateLimit-Max shrinks it, and a Remaining lower than the client's own count makes the budget
hold the difference back until the window slides. A 429 pauses every stream, not only the one that got it.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from onefunnel.hubspot import settings
from onefunnel.hubspot.timeline import Timeline

GENERAL = "general"
SEARCH = "search"

# Priorities are tuples, lower first: (class, -remaining records of the stream, 0 chain / 1 side request).
# The stream with the most work left goes first, its paging chain before its enrichment: a run is as long as
# its longest stream, so that one must never wait behind a short one.
PRIORITY_START = (0, 0, 0)  # what a stream needs before it can start at all (its snapshot search)
PRIORITY_CHAIN = (1, 0, 0)  # next page of a paging chain
PRIORITY_SIDE = (1, 0, 1)  # enrichment: extra property chunks, history, associations
PRIORITY_BACKGROUND = (2, 0, 0)  # archived passes


def stream_priority(remaining_records: int, *, chain: bool) -> tuple[int, int, int]:
    return (1, -max(0, remaining_records), 0 if chain else 1)


@dataclass
class BudgetStats:
    granted: dict[str, int] = field(default_factory=lambda: {GENERAL: 0, SEARCH: 0})
    waited_seconds: float = 0.0
    pauses: int = 0
    first_grant: float | None = None
    last_grant: float | None = None


class _Window:
    """A rolling window (HubSpot's rule) paced by a token bucket: requests are spread evenly over the
    window instead of being spent in one burst and then starved for the rest of it, so a sequential
    paging chain finds a slot whenever it is ready for its next page."""

    def __init__(self, limit: int, window_s: float, burst: int = 4) -> None:
        self.limit = limit
        self.window_s = window_s
        self.stamps: deque[float] = deque()
        self.held_back = 0  # slots the server says are used that the client did not count
        self.held_until = 0.0
        self.burst = max(1, min(burst, limit))
        self.tokens = float(self.burst)
        self.refilled_at: float | None = None
        # Stamps that left the window, kept `settings.LAG_RETENTION_S` longer: the server counts a request
        # on arrival, up to one network latency after the client's stamp (see RateBudget.observe_headers).
        self.expired: deque[float] = deque()

    def _refill(self, now: float) -> None:
        rate = self.limit / self.window_s
        if self.refilled_at is None:
            self.refilled_at = now
        self.tokens = min(float(self.burst), self.tokens + (now - self.refilled_at) * rate)
        self.refilled_at = now

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0
        self.stamps.append(now)

    def prune(self, now: float) -> None:
        horizon = now - self.window_s
        while self.stamps and self.stamps[0] <= horizon:
            self.expired.append(self.stamps.popleft())
        horizon -= settings.LAG_RETENTION_S
        while self.expired and self.expired[0] <= horizon:
            self.expired.popleft()
        if self.held_back and now >= self.held_until:
            self.held_back = 0

    def count_since(self, moment: float) -> int:
        """Requests this client started after `moment` (as far back as the lag retention reaches)."""
        count = len(self.stamps)
        if self.stamps and self.stamps[0] <= moment:
            count = sum(1 for stamp in self.stamps if stamp > moment)
        return count + sum(1 for stamp in self.expired if stamp > moment)

    def wait_time(self, now: float) -> float:
        """0 if a request may start now, else seconds until a slot frees."""
        self.prune(now)
        self._refill(now)
        if self.tokens < 1.0:
            return max(0.001, (1.0 - self.tokens) * self.window_s / self.limit)
        if len(self.stamps) + self.held_back < self.limit:
            return 0.0
        if self.held_back and len(self.stamps) < self.limit:
            return max(0.001, self.held_until - now)
        return max(0.001, self.stamps[0] + self.window_s - now)


class RateBudget:
    """Thread-safe shared budget; `acquire` blocks until the request may be sent."""

    def __init__(
        self,
        *,
        requests_per_window: int | None,
        window_ms: int = 10_000,
        search_per_second: float | None = settings.SEARCH_REQUESTS_PER_SECOND,
        safety: float = settings.BUDGET_SAFETY,
        burst: int = settings.BUDGET_BURST,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.safety = safety
        self._clock = clock
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._waiters: list[tuple] = []
        self._seq = itertools.count()
        self._paused_until = 0.0
        self._windows: dict[str, _Window | None] = {
            GENERAL: _Window(self._planned(requests_per_window), window_ms / 1000, burst)
            if requests_per_window
            else None,
            # search: one slot of margin and a window stretched by the latency jitter (a request sent later
            # can arrive earlier than one sent before it), so the server's 1 s window never sees too many.
            # Paced one by one (no burst): a burst of 4 makes the 4 slots of the window free at the same
            # instant, every chain waiting takes one, and the biggest object's chain, back a moment later,
            # waits a whole window; spaced slots let it take the next one.
            SEARCH: _Window(
                max(1, int(search_per_second) - 1), 1.0 + settings.LATENCY_JITTER_S, settings.SEARCH_BURST
            )
            if search_per_second
            else None,
        }
        self.stats = BudgetStats()
        self._sleep = sleep
        self.timeline: Timeline | None = None  # set by the runner when a request timeline is asked for
        self._round_trips: deque[float] = deque(maxlen=64)  # recent general request durations (s)

    @classmethod
    def for_tier(cls, tier: str | None, **kwargs) -> RateBudget:
        """`tier=None` or "unlimited": no client-side limit (the local portal's fast mode)."""
        if tier in (None, "unlimited"):
            return cls(requests_per_window=None, search_per_second=None, **kwargs)
        if tier not in settings.TIERS:
            raise ValueError(
                f"unknown tier {tier!r}; expected one of {', '.join(settings.TIERS)} or unlimited"
            )
        spec = settings.TIERS[tier]
        return cls(requests_per_window=spec.requests_per_window, window_ms=spec.window_ms, **kwargs)

    def _planned(self, limit: int) -> int:
        return max(1, int(limit * self.safety))

    @property
    def planned_rate(self) -> float | None:
        """Requests per second the general window allows the client (after the safety margin)."""
        window = self._windows[GENERAL]
        return None if window is None else window.limit / window.window_s

    def acquire(self, kind: str = GENERAL, priority: tuple = PRIORITY_SIDE) -> float:
        """Block until one request of `kind` may start; returns the seconds waited."""
        window = self._windows.get(kind)
        start = self._clock()
        with self._cond:
            ticket = (priority, next(self._seq), kind)
            heapq.heappush(self._waiters, ticket)
            try:
                while True:
                    now = self._clock()
                    delay = max(0.0, self._paused_until - now)
                    if not delay and self._is_first(ticket):
                        delay = window.wait_time(now) if window is not None else 0.0
                        if not delay:
                            if window is not None:
                                window.take(now)
                            break
                    elif not delay:
                        delay = 0.05  # someone ahead of us; woken by notify_all when they go
                    self._cond.wait(timeout=delay)
            finally:
                self._remove(ticket)
                self._cond.notify_all()
            now = self._clock()
            stats = self.stats
            stats.granted[kind] = stats.granted.get(kind, 0) + 1
            stats.waited_seconds += now - start
            stats.first_grant = stats.first_grant if stats.first_grant is not None else now
            stats.last_grant = now
        return now - start

    def _is_first(self, ticket: tuple) -> bool:
        # First among waiters of the same kind: search waiters never block general ones and vice versa.
        same_kind = [waiter for waiter in self._waiters if waiter[2] == ticket[2]]
        return min(same_kind) == ticket

    def _remove(self, ticket: tuple) -> None:
        try:
            self._waiters.remove(ticket)
            heapq.heapify(self._waiters)
        except ValueError:
            pass

    def now(self) -> float:
        return self._clock()

    def observe_headers(self, headers: Mapping[str, str] | None, sent_at: float | None = None) -> None:
        """Follow X-HubSpot-RateLimit-Max / -Remaining / -Interval-Milliseconds of a general answer;
        `sent_at`: when the budget granted the request that got it (`now()` then)."""
        window = self._windows[GENERAL]
        if window is None or not headers:
            return
        max_value = _int_header(headers, "X-HubSpot-RateLimit-Max")
        remaining = _int_header(headers, "X-HubSpot-RateLimit-Remaining")
        interval_ms = _int_header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
        with self._cond:
            now = self._clock()
            if interval_ms and interval_ms > 0 and max_value and max_value < 10**8:
                window.window_s = interval_ms / 1000
                planned = self._planned(max_value)
                if planned < window.limit:
                    window.limit = planned
            if remaining is None or not max_value or max_value >= 10**8:
                return
            window.prune(now)
            # The server counts more than we can have sent (another client on the same app): hold the
            # difference back for one window. The server counted at the request's arrival, somewhere
            # between `sent_at` and now, every request of ours that arrived in the window before it; each
            # arrived at most one round trip after its stamp, so the most of ours it can count is what we
            # started since sent_at - window - the longest recent round trip (in flight included). Counting
            # only the stamps of our current window instead mistakes that lag for another client, holds
            # slots back for a whole window, and idles the budget every ~10 s.
            since = now if sent_at is None else sent_at
            if sent_at is not None:
                self._round_trips.append(max(0.0, now - sent_at))
            lag = min(settings.LAG_RETENTION_S, max(self._round_trips, default=0.0))
            ours = window.count_since(since - window.window_s - lag)
            deficit = (max_value - remaining) - ours - 2  # 2 slots of tolerance
            if deficit > 0:
                window.held_back = max(window.held_back, deficit)
                window.held_until = now + window.window_s

    def pause(self, seconds: float) -> None:
        """Every stream waits `seconds` (after a 429): retrying at once would only earn more 429s."""
        with self._cond:
            until = self._clock() + seconds
            if until > self._paused_until:
                self._paused_until = until
                self.stats.pauses += 1
            self._cond.notify_all()


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
