"""Helpers for the integration tests: build a portal under tmp_path, serve it on 127.0.0.1:0, run the
extractor, and compare what landed with the portal's ground truth (its manifest)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from onefunnel.hubspot import settings
from onefunnel.landing.verify import compare_with_manifest, problems

REPO = Path(__file__).resolve().parents[2]


def generate(portal_dir: Path, **kwargs) -> Path:
    from onefunnel.portal.generate import generate_portal

    kwargs.setdefault("size", "tiny")
    kwargs.setdefault("seed", 42)
    generate_portal(portal_dir, **kwargs)
    return portal_dir


@contextmanager
def serve(portal_dir: Path, token: str, *, fast: bool = True, **options):
    from onefunnel.portal.server import PortalServer, ServerOptions

    server_options = ServerOptions.fast(token) if fast else ServerOptions(token=token, **options)
    server = PortalServer(portal_dir, server_options, host="127.0.0.1", port=0).start()
    try:
        yield server
    finally:
        server.stop()


def extract(url: str, token: str, landing: Path, state: Path, **options):
    from onefunnel.hubspot.client import Credentials
    from onefunnel.hubspot.runner import ExtractOptions, run_extraction

    options.setdefault("tier", None)
    return run_extraction(
        ExtractOptions(landing_dir=landing, state_dir=state, **options),
        credentials=Credentials(token, url, "test"),
    )


def manifest_ids(portal_dir: Path) -> dict[str, dict[str, dict]]:
    """The portal's manifest blocks per CRM object: {"active": {count, sha256, ids?}, "archived": {...}}."""
    from onefunnel.portal.manifest import build_manifest

    return build_manifest(portal_dir)["objects"]


def assert_landing_matches(portal_dir: Path, landing: Path, objects=settings.CRM_OBJECTS) -> dict[str, int]:
    """Active and archived ids as the warehouse would see them == the manifest (count and checksum);
    the comparison is the package's (onefunnel.landing.verify), shared with the benchmarks."""
    report = compare_with_manifest(manifest_ids(portal_dir), landing, objects)
    found = problems(report)
    assert not found, "; ".join(found)
    return {name: entry["active"]["landed"] for name, entry in report.items()}


def cli_env(token: str, url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSPOT_", "AIRFLOW_CONN_"))}
    env.update(
        HUBSPOT_ACCESS_TOKEN=token,
        HUBSPOT_HOST=url,
        ONEFUNNEL_DATA_DIR=str(data_dir),
        PYTHONPATH=str(REPO / "src"),
    )
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from onefunnel.extract_cli import extract; extract()", *args]


def tree_snapshot(*roots: Path) -> dict[str, bytes]:
    files = {}
    for root in roots:
        if root.exists():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    files[str(path)] = path.read_bytes()
    return files
