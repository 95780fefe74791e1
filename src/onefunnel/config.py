"""Where onefunnel keeps generated data, resolved from the environment with repo-local defaults."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORTAL_TOKEN = "local-portal-token"  # noqa: S105 - synthetic local portal only
DEFAULT_PORTAL_PORT = 8765


def data_dir() -> Path:
    """Root of everything generated (portals, landing zone, warehouse, snapshots); git-ignored."""
    return Path(os.environ.get("ONEFUNNEL_DATA_DIR", REPO_ROOT / "data")).resolve()


def portals_dir() -> Path:
    return data_dir() / "portals"


def portal_dir(name: str) -> Path:
    return portals_dir() / name


def local_portal_token() -> str:
    """Token the local portal expects; a dev default is fine because the portal only holds synthetic data."""
    return os.environ.get("ONEFUNNEL_PORTAL_TOKEN", DEFAULT_PORTAL_TOKEN)
