"""Per-object extraction state: watermark and checkpoints, one JSON file per object, replaced atomically.

A checkpoint is saved only after the Parquet parts it covers are durable (fsynced and renamed), so a run
killed at any instant resumes from a point whose data is already landed: nothing is lost, and what is
fetched twice lands twice with identical (id, updatedAt) — removed by the warehouse's dedup.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from onefunnel.files import PRIVATE_FILE_MODE, private_dir
from onefunnel.landing import layout

STATE_VERSION = 1


class StateLockedError(RuntimeError):
    """A second extraction on the same state folder; `onefunnel extract` exits with the configuration code."""


class StateStore:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self._lock = threading.Lock()
        self._cache: dict[str, dict] = {}

    def path(self, name: str) -> Path:
        return self.state_dir / f"{name}.json"

    def load(self, name: str) -> dict:
        with self._lock:
            if name not in self._cache:
                path = self.path(name)
                self._cache[name] = orjson.loads(path.read_bytes()) if path.exists() else {"object": name}
            return _copy(self._cache[name])

    def update(self, name: str, change) -> dict:
        """Apply `change(state) -> None` to the object's state and save it atomically; thread-safe."""
        with self._lock:
            if name not in self._cache:
                path = self.path(name)
                self._cache[name] = orjson.loads(path.read_bytes()) if path.exists() else {"object": name}
            state = _copy(self._cache[name])
            change(state)
            state["version"] = STATE_VERSION
            layout.atomic_write_bytes(self.path(name), orjson.dumps(state, option=orjson.OPT_INDENT_2))
            self._cache[name] = state
            return _copy(state)

    @contextmanager
    def exclusive(self):
        """Hold the state folder's lock for the whole run; a second run fails instead of interleaving."""
        private_dir(self.state_dir)
        fd = os.open(self.state_dir / ".lock", os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StateLockedError(
                    "another extraction is running on this data folder "
                    f"(it holds {self.state_dir / '.lock'}); nothing was written: wait for it to finish, "
                    "then run again"
                ) from None
            yield self
        finally:
            os.close(fd)


def _copy(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value))
