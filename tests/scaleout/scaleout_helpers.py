"""Shared by the scale-out tests: free ports, a tiny portal served on 127.0.0.1, a local S3 server, and the
period funnel read from a built warehouse."""

from __future__ import annotations

import contextlib
import math
import socket
from collections.abc import Iterator
from pathlib import Path

import duckdb

PORTAL_TOKEN = "pat-na1-scaleout-test-token"
PERIOD_FUNNEL_SQL = "select * from marts.funnel_period_monthly order by all"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def tiny_portal(root: Path, seed: int = 42) -> Iterator[object]:
    """A generated tiny portal served on 127.0.0.1 (a free port) until the block ends; yields Credentials."""
    from onefunnel.hubspot.client import Credentials
    from onefunnel.portal.generate import generate_portal
    from onefunnel.portal.server import PortalServer, ServerOptions

    if not (root / "portal").exists():
        generate_portal(root / "portal", size="tiny", seed=seed)
    server = PortalServer(root / "portal", ServerOptions.fast(PORTAL_TOKEN), host="127.0.0.1", port=0).start()
    try:
        yield Credentials(PORTAL_TOKEN, server.url, "test")
    finally:
        server.stop()


@contextlib.contextmanager
def s3_server(monkeypatch) -> Iterator[str]:
    """moto's S3-compatible server on 127.0.0.1 (a free port), the AWS environment pointing at it; yields
    the endpoint URL. Stopped after, even on failure."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "scaleout-test-key")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "scaleout-test-secret")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        yield endpoint
    finally:
        server.stop()


def period_funnel(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(PERIOD_FUNNEL_SQL).fetchall()


BUILD_COLUMNS = ("_loaded_at",)  # when a build wrote the row: differs between any two builds


def _normal(value):
    """A cell compared across engines: numbers as floats, times without zone."""
    import datetime
    import decimal

    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, decimal.Decimal | float | int):
        return float(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, f"{v:.3f}" if isinstance(v, float) else str(v)) for v in row)


def _rows(rows: list[tuple]) -> list[tuple]:
    return sorted((tuple(_normal(v) for v in row) for row in rows), key=_sort_key)


def _same_row(left: tuple, right: tuple) -> bool:
    """Equal cell for cell; floats within 1e-6 (engines round aggregates' last digits differently)."""
    return all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
        if isinstance(a, float) and isinstance(b, float)
        else a == b
        for a, b in zip(left, right, strict=True)
    )


def table_differences(duckdb_path: Path, pg_connection, schema: str, tables: list[str] | None = None) -> dict:
    """Per table of `schema` in the DuckDB file: how it differs in PostgreSQL (columns, row count, or the
    first differing rows); tables equal cell for cell are left out. Columns compared by name, except when
    a build wrote the row (BUILD_COLUMNS)."""
    differences: dict[str, object] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as duck:
        names = tables or [
            row[0]
            for row in duck.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
            ).fetchall()
        ]
        for name in names:
            columns = [
                row[0]
                for row in duck.execute(
                    "select column_name from information_schema.columns where table_schema = ? and "
                    "table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
            ]
            with pg_connection.cursor() as cursor:
                cursor.execute(
                    "select column_name from information_schema.columns where table_schema = %s and "
                    "table_name = %s",
                    (schema, name),
                )
                pg_columns = {row[0] for row in cursor.fetchall()}
            if set(columns) != pg_columns:
                differences[name] = {
                    "only_duckdb": sorted(set(columns) - pg_columns),
                    "only_postgres": sorted(pg_columns - set(columns)),
                }
                continue
            listed = ", ".join(f'"{c}"' for c in columns if c not in BUILD_COLUMNS)
            left = _rows(duck.execute(f'select {listed} from "{schema}"."{name}"').fetchall())
            with pg_connection.cursor() as cursor:
                cursor.execute(f'select {listed} from "{schema}"."{name}"')
                right = _rows(cursor.fetchall())
            if len(left) != len(right) or not all(_same_row(a, b) for a, b in zip(left, right, strict=True)):
                pairs = [(a, b) for a, b in zip(left, right, strict=False) if not _same_row(a, b)][:2]
                differences[name] = {"rows": (len(left), len(right)), "first_differences": pairs}
    return differences
