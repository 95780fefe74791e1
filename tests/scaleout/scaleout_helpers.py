"""Shared by the scale-out tests: free ports, a tiny portal served on 127.0.0.1, a local S3 server, and the
period funnel read from a built warehouse."""

from __future__ import annotations

import contextlib
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
