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


def landing_url() -> str | None:
    """ONEFUNNEL_LANDING_URL: an object-storage landing zone (s3://bucket/prefix), None for the local one
    (onefunnel.landing.objectstore)."""
    return os.environ.get("ONEFUNNEL_LANDING_URL", "").strip() or None


def landing_mirror_dir(bucket: str, prefix: str) -> Path:
    """Local mirror of an object-storage landing zone's published runs, which dbt builds from
    (ONEFUNNEL_LANDING_MIRROR_DIR, default $ONEFUNNEL_DATA_DIR/landing-mirror/<bucket>/<prefix>)."""
    configured = os.environ.get("ONEFUNNEL_LANDING_MIRROR_DIR")
    if configured:
        return Path(configured).resolve()
    return data_dir() / "landing-mirror" / bucket / prefix
