"""Where the pipeline's files live when Airflow runs it: the package's own defaults (all under
$ONEFUNNEL_DATA_DIR, resolved from the package's location), each overridable by its environment variable."""

from __future__ import annotations

import os
from pathlib import Path

from onefunnel import config

STAGING_DIR = "_staging"  # under the landing zone: same filesystem (atomic renames), ignored by readers


def landing_dir() -> Path:
    return Path(os.environ.get("ONEFUNNEL_LANDING_DIR", config.data_dir() / "landing"))


def staging_dir(group: str) -> Path:
    """Private landing area of one extract task (see extraction.promote_staged for why)."""
    return landing_dir() / STAGING_DIR / group


def state_dir(group: str) -> Path:
    """Watermarks and checkpoints of one extract task: its own folder, so its lock is its own."""
    root = Path(os.environ.get("ONEFUNNEL_STATE_DIR", config.data_dir() / "state"))
    return root / "airflow" / group


def warehouse_path() -> Path:
    return Path(os.environ.get("ONEFUNNEL_WAREHOUSE", config.data_dir() / "warehouse" / "warehouse.duckdb"))


def quality_dir() -> Path:
    return Path(os.environ.get("ONEFUNNEL_QUALITY_DIR", config.data_dir() / "quality"))


def serving_path() -> Path:
    configured = os.environ.get("ONEFUNNEL_SERVING_PATH")
    return Path(configured) if configured else config.data_dir() / "serving" / "serving.duckdb"


def deliveries_path() -> Path:
    """Which month's pack went to which recipient list (so a month is e-mailed once per list)."""
    configured = os.environ.get("ONEFUNNEL_DELIVERIES_PATH")
    return Path(configured) if configured else config.data_dir() / "deliveries" / "month_packs.json"
