"""Where landed files and state live.

    <landing>/<dataset>/run_id=<run_id>/part-<NNNNN>.parquet   data, append-only
    <landing>/_runs/<run_id>.started                            start marker (written before the first part)
    <landing>/_runs/<run_id>.json                               run manifest (mode, counts, parts per dataset)
    <landing>/_drift/<run_id>.json                              schema drift of the run
    <state>/<object>.json                                       watermark + checkpoint per object
    <landing>/_quarantine/<run_id>/                             unreadable parts an extraction moved aside
    <state>/.lock                                               one run at a time (flock; freed on kill)

Only registered runs are landing runs (landing/runs.py: a foreign folder stops transform). Every file here
holds personal data: files 0600, folders 0700.

dbt reads a dataset with read_parquet('<landing>/<dataset>/*/*.parquet', union_by_name = true); temporary
files start with a dot and end in .tmp, so that glob never sees a half-written file.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from onefunnel import config
from onefunnel.files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE

RUNS_DIR = "_runs"
DRIFT_DIR = "_drift"
TMP_SUFFIX = ".tmp"


def default_landing_dir() -> Path:
    return config.data_dir() / "landing"


def default_state_dir() -> Path:
    return config.data_dir() / "state"


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by start time, unique across concurrent processes."""
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def dataset_glob(landing_dir: Path, dataset: str) -> str:
    return str(Path(landing_dir) / dataset / "*" / "*.parquet")


def run_folder(landing_dir: Path, dataset: str, run_id: str) -> Path:
    return Path(landing_dir) / dataset / f"run_id={run_id}"


def part_name(number: int) -> str:
    return f"part-{number:05d}.parquet"


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (POSIX: the directory entry lives in the directory's data)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Temporary name, fsync, rename, fsync the folder: readers see old or new, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    # 0600 from the start (os.open's mode): landing manifests and state name what was extracted.
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)  # a left-over temporary of a killed run keeps its old mode
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def make_tree_private(root: Path) -> None:
    """Folders 0700 and files 0600 under `root` (a landing zone or state folder written before they were
    private); called while holding the state lock."""
    root = Path(root)
    if not root.is_dir():
        return
    os.chmod(root, PRIVATE_DIR_MODE)
    for folder, folders, files in os.walk(root):
        for name in folders:
            os.chmod(os.path.join(folder, name), PRIVATE_DIR_MODE)
        for name in files:
            os.chmod(os.path.join(folder, name), PRIVATE_FILE_MODE)


def remove_stale_temporaries(root: Path) -> int:
    """Left-overs of a killed run (only called while holding the state lock, so no writer is active)."""
    removed = 0
    root = Path(root)
    if not root.exists():
        return 0
    for path in root.rglob(f".*{TMP_SUFFIX}"):
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed
