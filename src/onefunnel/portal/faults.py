"""Seeded latency and fault draws for the local portal.

Request n (numbered in arrival order from 0) gets its own generator seeded by (seed, n), so the outcome
of request n never depends on how many numbers earlier requests used: a client that sends the same
requests in the same order meets the same faults at the same places.

Latency: uniform between latency_ms[0] and latency_ms[1] milliseconds, drawn for every request.
Faults, one draw u in [0, 1) per request, in this order of bands:
  [0, fault_429)                 -> 429 without Retry-After (TEN_SECONDLY_ROLLING; SECONDLY on search)
  next fault_5xx                 -> 500 / 502 / 503 / 504 (equally likely) with a HubSpot-ish JSON body
  next fault_reset               -> headers and part of the body, then a TCP reset (SO_LINGER 0)
  next fault_slow                -> stall slow_seconds, then answer normally
  rest                           -> normal answer
Faults apply to every authenticated request, POST search included. An injected 429 is decided before
the rate limiter and uses no budget; the others pass the limiter first and use budget like any request.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

FAULT_KINDS = ("429", "5xx", "reset", "slow")
SERVER_ERROR_CODES = (500, 502, 503, 504)


@dataclass(frozen=True)
class Draw:
    index: int
    fault: str | None = None  # one of FAULT_KINDS
    status: int | None = None  # the 5xx code when fault == "5xx"
    latency_seconds: float = 0.0
    reset_fraction: float = 0.5  # share of the body sent before a reset


NO_FAULT = Draw(index=-1)


class FaultPlan:
    def __init__(
        self,
        *,
        seed: int = 0,
        fault_429: float = 0.0,
        fault_5xx: float = 0.0,
        fault_reset: float = 0.0,
        fault_slow: float = 0.0,
        latency_ms: tuple[float, float] | None = None,
    ) -> None:
        rates = (fault_429, fault_5xx, fault_reset, fault_slow)
        if any(not 0.0 <= rate <= 1.0 for rate in rates) or sum(rates) > 1.0 + 1e-9:
            raise ValueError("fault rates must each be within [0, 1] and sum to at most 1")
        if latency_ms is not None:
            low, high = latency_ms
            if low < 0 or high < low:
                raise ValueError("latency_ms must be (low, high) with 0 <= low <= high")
        self.seed = seed
        self.bands = tuple(itertools.accumulate(rates))
        self.latency_ms = latency_ms
        self.active = any(rates) or latency_ms is not None
        self._counter = itertools.count()  # next() on a count is atomic under the GIL

    def draw(self) -> Draw:
        if not self.active:
            return NO_FAULT
        index = next(self._counter)
        rng = random.Random(f"onefunnel-portal:{self.seed}:{index}")
        u = rng.random()
        code = rng.choice(SERVER_ERROR_CODES)
        fraction = rng.uniform(0.2, 0.8)
        latency = rng.uniform(*self.latency_ms) / 1000 if self.latency_ms else 0.0
        fault = None
        for kind, upper in zip(FAULT_KINDS, self.bands, strict=True):
            if u < upper:
                fault = kind
                break
        return Draw(
            index=index,
            fault=fault,
            status=code if fault == "5xx" else None,
            latency_seconds=latency,
            reset_fraction=fraction,
        )
