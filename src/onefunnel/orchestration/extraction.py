"""One extract task: one object group from HubSpot into the landing zone, safe beside the other groups.

Why a private staging area: the extractor holds one lock per state folder and, when a run starts, removes
the temporary files a killed run left in its landing folder. Object groups running at the same time in
separate Airflow processes therefore each get their own state folder and their own landing area
(<landing>/_staging/<group>), and a task moves its finished run folders into the shared landing zone
with atomic renames (`promote_staged`) before it ends. Readers glob <landing>/<dataset>/*/*.parquet, so
they see a run folder completely or not at all; `_staging` is never read.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from onefunnel.orchestration import failures, paths, settings

log = logging.getLogger("onefunnel.orchestration.extract")
SIDE_FOLDERS = ("_runs", "_drift")


def extract_group(group: str, *, full_refresh: bool = False) -> dict:
    """Extract one object group incrementally (full the first time, or all objects again when
    `full_refresh`); returns a small summary for XCom (counts and run id, never credentials)."""
    from onefunnel.hubspot.errors import ExtractError
    from onefunnel.hubspot.runner import ExtractOptions, run_extraction
    from onefunnel.landing.state import StateLockedError

    objects = settings.EXTRACT_GROUPS.get(group)
    if objects is None:
        raise ValueError(f"unknown extract group {group!r}; choose from {', '.join(settings.EXTRACT_GROUPS)}")
    staging, state, landing = paths.staging_dir(group), paths.state_dir(group), paths.landing_dir()
    tier = settings.hubspot_tier()
    options = ExtractOptions(
        objects=objects,
        mode="incremental",
        full_refresh=objects if full_refresh else (),
        landing_dir=staging,
        state_dir=state,
        tier=None if tier == "unlimited" else tier,
        concurrency=int(os.environ.get("ONEFUNNEL_EXTRACT_CONCURRENCY", "8")),
    )
    try:
        promote_staged(staging, landing, state)  # what a killed attempt committed lands first
        try:
            summary = run_extraction(options)
        finally:
            promote_staged(staging, landing, state)
    except StateLockedError as error:
        raise failures.retryable(f"extract {group}", f"{error} (an earlier attempt may still run)") from None
    except ExtractError as error:
        raise failures.extract_failure(group, error) from None
    result = {
        "group": group,
        "run_id": summary.run_id,
        "modes": dict(summary.modes),
        "records": {name: row["records"] for name, row in summary.per_object().items()},
        "requests": summary.totals.get("requests"),
        "seconds": round(summary.duration_s, 2),
    }
    log.info("extracted %s: %s", group, result)
    return result


def promote_staged(staging: Path, landing: Path, state_dir: Path | None = None) -> list[str]:
    """Move every finished run folder (and run manifest, drift report) from a task's staging area into the
    shared landing zone; returns the moved names. Holds the group's state lock while moving, so it never
    moves a folder an extraction is still writing."""
    staging, landing = Path(staging), Path(landing)
    if not staging.is_dir():
        return []
    if state_dir is None:
        return _promote(staging, landing)
    from onefunnel.landing.state import StateStore

    with StateStore(Path(state_dir)).exclusive():
        return _promote(staging, landing)


def _promote(staging: Path, landing: Path) -> list[str]:
    from onefunnel.landing.layout import fsync_dir

    moved: list[str] = []
    # Data first, manifests last: a reader that sees a run manifest can also see the run's data.
    folders = sorted(
        (path for path in staging.iterdir() if path.is_dir() and not path.name.startswith(".")),
        key=lambda path: path.name in SIDE_FOLDERS,
    )
    for folder in folders:
        target_folder = landing / folder.name
        target_folder.mkdir(parents=True, exist_ok=True)
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith("."):  # a killed writer's temporary file: never promoted
                continue
            target = target_folder / entry.name
            if entry.is_dir() and target.exists():  # same run id promoted in part before: merge the parts
                for part in entry.iterdir():
                    if not part.name.startswith("."):
                        os.replace(part, target / part.name)
                continue
            os.replace(entry, target)
            moved.append(f"{folder.name}/{entry.name}")
        fsync_dir(target_folder)
    return moved
