"""The serving snapshot as the dashboard sees it: which file, which version, one short read-only connection
per query, and the run it came from.

The dashboard never opens the warehouse. A publish replaces the snapshot with os.replace: a connection that is
already open keeps reading the old file to its end, the next one opens the new file. Every query passes the
`SnapshotVersion` it was planned for; a connection that finds a different run inside raises `SnapshotChanged`
and the app reruns, so one page never mixes two snapshots and a new publish shows on the next rerun.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from onefunnel.publish.serving import (
    META_SCHEMA,
    ServingSnapshotMissing,
    open_serving_readonly,
    serving_path,
)

__all__ = ["ServingSnapshotMissing", "SnapshotChanged", "SnapshotVersion", "connect", "read_run"]

RUN_QUERY = f"select * from {META_SCHEMA}.run"
RUN_ID_QUERY = f"select run_id, cast(published_at as varchar) from {META_SCHEMA}.run"


class SnapshotChanged(RuntimeError):
    """The snapshot file was replaced between planning a page and reading it; rerun the page."""


class SnapshotVersion(NamedTuple):
    """What identifies one published snapshot: its path, the file (inode, mtime, size) and its run.

    A tuple so st.cache_data can hash it: every cached query takes it as its first argument, so a new
    publish (new file, new run) misses the cache at once and old entries simply age out.
    """

    path: str
    inode: int
    mtime_ns: int
    size: int
    run_id: str
    published_at: str


def snapshot_path() -> Path:
    """$ONEFUNNEL_SERVING_PATH, else <data>/serving/serving.duckdb (the publish step's own resolution)."""
    return serving_path()


def file_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


_render = threading.local()


@contextmanager
def render_scope() -> Iterator[None]:
    """One page render: queries inside share one read-only connection per snapshot version, closed at the end.

    Still short-lived (one render), and it makes a render read one file from start to end even if a publish
    replaces it meanwhile. Outside a scope every query opens and closes its own connection.
    """
    previous = getattr(_render, "connections", None)
    _render.connections = {}
    try:
        yield
    finally:
        for con in _render.connections.values():
            con.close()
        _render.connections = previous


def _open_checked(version: SnapshotVersion) -> Any:
    import duckdb

    path = Path(version.path)
    if not path.exists():
        raise ServingSnapshotMissing(f"no serving snapshot at {path}")
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute(RUN_ID_QUERY).fetchone()
    except BaseException:
        con.close()
        raise
    if found is None or (found[0], found[1]) != (version.run_id, version.published_at):
        con.close()
        raise SnapshotChanged(f"snapshot at {version.path} now holds run {found[0] if found else None}")
    return con


@contextmanager
def connect(version: SnapshotVersion) -> Iterator[Any]:
    """A read-only connection to the snapshot `version` names (the render's own one inside a render scope)."""
    scoped = getattr(_render, "connections", None)
    if scoped is not None:
        con = scoped.get(version)
        if con is None:
            con = scoped[version] = _open_checked(version)
        yield con
        return
    con = _open_checked(version)
    try:
        yield con
    finally:
        con.close()


def read_run(path: Path) -> tuple[str, str, dict[str, Any]]:
    """(run id, published_at text, run metadata) read from the snapshot file at `path`."""
    with open_serving_readonly(path) as con:
        cursor = con.execute(RUN_QUERY)
        columns = [column[0] for column in cursor.description]
        row = cursor.fetchone()
        published = con.execute(RUN_ID_QUERY).fetchone()
    if row is None or published is None:
        raise ValueError(f"the snapshot at {path} has no run metadata")
    return published[0], published[1], dict(zip(columns, row, strict=True))


def data_as_of(run: dict[str, Any]) -> datetime | None:
    value = run.get("data_as_of")
    return value if isinstance(value, datetime) else None
