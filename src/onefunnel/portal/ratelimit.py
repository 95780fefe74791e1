"""HubSpot's request budgets for the local portal: a rolling window per tier, a daily count, and the
separate search bucket.

Only requests that are let through consume budget; a 429 never does. Search responses carry no
rate-limit headers (as on HubSpot); every other answer after authentication carries the five
X-HubSpot-RateLimit-* headers.

Retry-After (whole seconds, at least 1) is sent on the limiter's own TEN_SECONDLY_ROLLING and SECONDLY
429s: the time until the oldest request in the window leaves it. DAILY 429s and injected 429s
(faults.py) carry none, which is how "Retry-After is not always sent" shows up here.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# tier -> (requests per rolling window, requests per day); None = not limited.
TIER_LIMITS: dict[str, tuple[int | None, int | None]] = {
    "free": (100, 250_000),
    "starter": (100, 250_000),
    "professional": (190, 625_000),
    "enterprise": (190, 1_000_000),
    # Professional plus one API limit increase pack (+1,000,000 a day); the newer page's 250 per 10 s.
    "api_pack": (250, 1_625_000),
    "unlimited": (None, None),
}
TIERS = tuple(TIER_LIMITS)

# What the headers say when a budget is not limited at all (fast mode).
_UNLIMITED_HEADER_VALUE = 1_000_000_000


@dataclass
class Decision:
    allowed: bool
    policy: str | None = None  # TEN_SECONDLY_ROLLING | SECONDLY | DAILY when refused
    headers: dict[str, str] = field(default_factory=dict)


class RollingWindow:
    """At most `limit` admissions in any `window_seconds`; the caller holds the lock."""

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds
        self.stamps: deque[float] = deque()

    def _prune(self, now: float) -> None:
        horizon = now - self.window
        stamps = self.stamps
        while stamps and stamps[0] <= horizon:
            stamps.popleft()

    def try_acquire(self, now: float) -> bool:
        self._prune(now)
        if len(self.stamps) >= self.limit:
            return False
        self.stamps.append(now)
        return True

    def remaining(self, now: float) -> int:
        self._prune(now)
        return max(0, self.limit - len(self.stamps))

    def retry_after(self, now: float) -> int:
        if not self.stamps:
            return 1
        return max(1, math.ceil(self.stamps[0] + self.window - now))


class RateLimiter:
    def __init__(
        self,
        *,
        tier: str,
        window_limit: int | None = None,
        window_ms: int = 10_000,
        daily_limit: int | None = None,
        search_per_second: int | None = 5,
        search_window_ms: int = 1_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if tier not in TIER_LIMITS:
            raise ValueError(f"unknown tier {tier!r}; expected one of {', '.join(TIERS)}")
        tier_window, tier_daily = TIER_LIMITS[tier]
        self.window_limit = window_limit if window_limit is not None else tier_window
        self.daily_limit = daily_limit if daily_limit is not None else tier_daily
        self.window_ms = window_ms
        self._clock = clock
        self._lock = threading.Lock()
        self._window = RollingWindow(self.window_limit, window_ms / 1000) if self.window_limit else None
        unlimited_search = tier == "unlimited" or not search_per_second
        self._search = None if unlimited_search else RollingWindow(search_per_second, search_window_ms / 1000)
        self.daily_used = 0

    def admit(self, *, search: bool) -> Decision:
        """Let one request through or refuse it; refusals consume nothing."""
        with self._lock:
            now = self._clock()
            if self.daily_limit is not None and self.daily_used >= self.daily_limit:
                return Decision(False, "DAILY", {} if search else self._headers(now))
            bucket = self._search if search else self._window
            if bucket is not None and not bucket.try_acquire(now):
                policy = "SECONDLY" if search else "TEN_SECONDLY_ROLLING"
                headers = {} if search else self._headers(now)
                headers["Retry-After"] = str(bucket.retry_after(now))
                return Decision(False, policy, headers)
            self.daily_used += 1
            return Decision(True, None, {} if search else self._headers(now))

    def current_headers(self, *, search: bool) -> dict[str, str]:
        """Headers for an answer that did not go through admit() (an injected 429)."""
        if search:
            return {}
        with self._lock:
            return self._headers(self._clock())

    def _headers(self, now: float) -> dict[str, str]:
        if self._window is None:
            max_, remaining = _UNLIMITED_HEADER_VALUE, _UNLIMITED_HEADER_VALUE
        else:
            max_, remaining = self._window.limit, self._window.remaining(now)
        daily = self.daily_limit if self.daily_limit is not None else _UNLIMITED_HEADER_VALUE
        return {
            "X-HubSpot-RateLimit-Daily": str(daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, daily - self.daily_used)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.window_ms),
            "X-HubSpot-RateLimit-Max": str(max_),
            "X-HubSpot-RateLimit-Remaining": str(remaining),
        }
