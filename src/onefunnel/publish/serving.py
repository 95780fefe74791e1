"""Where the serving snapshot lives and how readers open it: read-only, short-lived.

    from onefunnel.publish.serving import open_serving_readonly
    with open_serving_readonly() as con:
        run = con.execute("select run_id, data_as_of, quality_status from serving_meta.run").fetchone()

A connection sees the snapshot file it opened until it closes, even when a publish replaces the file in the
meantime (the replace swaps the directory entry; the open file stays intact). Open one per query or page
render and close it, so the next read sees the newest snapshot and no reader holds an old file for long.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from onefunnel import config

if TYPE_CHECKING:
    import duckdb

SERVING_FILE = "serving.duckdb"
# Schema of the run metadata tables inside the snapshot (the marts keep their warehouse schema, `marts`).
META_SCHEMA = "serving_meta"


class ServingSnapshotMissing(FileNotFoundError):
    """Nothing has been published yet (or the configured path is wrong)."""


def serving_path() -> Path:
    """$ONEFUNNEL_SERVING_PATH, else <data>/serving/serving.duckdb."""
    configured = os.environ.get("ONEFUNNEL_SERVING_PATH")
    return Path(configured) if configured else config.data_dir() / "serving" / SERVING_FILE


@contextmanager
def open_serving_readonly(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only DuckDB connection to the serving snapshot, closed when the block ends."""
    import duckdb

    path = Path(path) if path is not None else serving_path()
    if not path.exists():
        raise ServingSnapshotMissing(
            f"no serving snapshot at {path}: nothing has been published yet (run `onefunnel publish`)"
        )
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def read_run_metadata(path: Path | None = None) -> dict:
    """The snapshot's run metadata as a dict (run id, data as-of, definitions version, quality, warnings)."""
    with open_serving_readonly(path) as con:
        cursor = con.execute(f"select * from {META_SCHEMA}.run")
        columns = [column[0] for column in cursor.description]
        row = cursor.fetchone()
    return dict(zip(columns, row, strict=True)) if row else {}
