"""An optional record of a run's requests in time, for finding where the rate budget idles.

Every attempt is one event: when it queued for the budget, when the budget granted it, when its answer
was in, its kind (general / search), what it was ("contacts: list page", ...) and its status. Chains also
record the time they stood still waiting for their own pages' enrichment or commits (`stall` events).
Off by default (`ExtractOptions.timeline_path`, `onefunnel extract --timeline FILE`); the cost when on is
one tuple per request. `paths` counts the attempts per endpoint (method and path template of the API
version in use), so a timeline also shows which API paths a run called.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import orjson


class Timeline:
    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.origin = clock()
        self.events: list[tuple] = []
        self.paths: Counter[str] = Counter()

    def now(self) -> float:
        return self._clock()

    def request(
        self, kind: str, what: str, queued: float, granted: float, finished: float, status: str
    ) -> None:
        with self._lock:
            self.events.append(("request", kind, what, queued, granted, finished, status))

    def path(self, endpoint: str) -> None:
        with self._lock:
            self.paths[endpoint] += 1

    def stall(self, what: str, started: float, finished: float) -> None:
        if finished - started < 0.005:
            return
        with self._lock:
            self.events.append(("stall", "", what, started, started, finished, ""))

    def as_dict(self) -> dict:
        origin = self.origin
        with self._lock:
            events = sorted(self.events, key=lambda event: event[4])
        return {
            "fields": ["event", "kind", "what", "queued_s", "granted_s", "finished_s", "status"],
            "events": [
                [event, kind, what, round(q - origin, 4), round(g - origin, 4), round(f - origin, 4), status]
                for event, kind, what, q, g, f, status in events
            ],
            "paths": dict(sorted(self.paths.items())),
        }

    def write(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(self.as_dict()))
