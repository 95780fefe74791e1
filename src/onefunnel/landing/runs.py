"""Which folders of the landing zone are landing runs, whether their Parquet parts can be read, and the
quarantine for parts that cannot.

The rule (checked by `check_landing_zone` before dbt starts, so a bad landing zone builds nothing):

    A folder <landing>/<dataset>/<name>/ holding Parquet parts is a landing run only when
      1. its name is `run_id=<run id>` with a run id as `layout.new_run_id` makes it (the run's UTC start
         time YYYYMMDDTHHMMSSmmmZ, a dash, a short lowercase suffix: `20261208T011008020Z-463139`), and
      2. an extraction registered that run in <landing>/_runs/: its run manifest `<run id>.json` (written
         when the run ends) or its start marker `<run id>.started` (written before its first part, so the
         folder of a running extraction, or of one killed mid-run, counts too).
    Anything else is foreign, and transform refuses to build while it is there, naming every such folder.

Why refuse rather than read it: the warehouse's incremental staging reads only run ids after the newest one
it has processed (`run_id > max(last_run_id)`), so one folder whose name sorts after every real run id (say
`run_id=zzzz-stray`) would hide every later extraction from the warehouse, silently. A foreign folder is
moved out of the landing zone by whoever put it there; a folder of this landing zone's own extraction that
was killed before run registration existed is registered by hand (`touch <landing>/_runs/<run id>.started`).

Parts are checked by the structure of their Parquet footer (12 bytes read per part: magic bytes and footer
length; a footer whose contents are damaged in place is left to the reader's own error). An extraction moves
unreadable parts of its own runs to <landing>/_quarantine/<its run id>/ (with `reasons.json`; the bytes are
kept, never deleted) and extracts the objects they held again in full, so nothing HubSpot still has is lost.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from onefunnel.files import private_dir
from onefunnel.landing import layout

RUN_FOLDER_PREFIX = "run_id="
STARTED_SUFFIX = ".started"
MANIFEST_SUFFIX = ".json"
QUARANTINE_DIR = "_quarantine"
RUN_ID_PATTERN = re.compile(r"^(?P<started>\d{8}T\d{9}Z)-(?P<suffix>[0-9a-z]{1,32})$")
PART_SUFFIX = ".parquet"
PARQUET_MAGIC = b"PAR1"

# Landing datasets that are not named after the extractor object writing them.
_REFERENCE_DATASETS = {
    "owners": "owners",
    "owner_teams": "owners",
    "pipelines": "pipelines",
    "pipeline_stages": "pipelines",
    "property_definitions": "properties",
    "campaigns": "campaigns",
    "account_details": "account",
}


class LandingZoneError(RuntimeError):
    """The landing zone holds foreign folders or unreadable parts; the message names each and what to do."""


@dataclass(frozen=True)
class ForeignFolder:
    path: Path
    reason: str


@dataclass(frozen=True)
class UnreadablePart:
    path: Path
    reason: str


def is_run_id(text: str) -> bool:
    """A run id as `layout.new_run_id` makes it, with a real UTC start time."""
    match = RUN_ID_PATTERN.match(text)
    if match is None:
        return False
    try:
        datetime.strptime(match["started"][:15], "%Y%m%dT%H%M%S")
    except ValueError:
        return False
    return True


def started_marker(landing_dir: Path, run_id: str) -> Path:
    return Path(landing_dir) / layout.RUNS_DIR / f"{run_id}{STARTED_SUFFIX}"


def registered_run_ids(landing_dir: Path) -> set[str]:
    """Run ids with a run manifest or a start marker in <landing>/_runs/."""
    folder = Path(landing_dir) / layout.RUNS_DIR
    if not folder.is_dir():
        return set()
    ids = set()
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue
        for suffix in (MANIFEST_SUFFIX, STARTED_SUFFIX):
            if path.name.endswith(suffix):
                ids.add(path.name[: -len(suffix)])
    return ids


def dataset_dirs(landing_dir: Path) -> list[Path]:
    """Every dataset folder (side folders such as _runs, _drift, _quarantine and hidden ones excluded)."""
    landing_dir = Path(landing_dir)
    if not landing_dir.is_dir():
        return []
    return sorted(
        path for path in landing_dir.iterdir() if path.is_dir() and not path.name.startswith(("_", "."))
    )


def _parts(folder: Path) -> list[Path]:
    """The parts the warehouse's glob (<dataset>/*/*.parquet) reads in one folder; temporaries excluded."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.name.endswith(PART_SUFFIX) and not path.name.startswith(".") and path.is_file()
    )


def run_folders(landing_dir: Path) -> Iterator[Path]:
    """Every folder directly under a dataset folder that holds at least one part."""
    for dataset in dataset_dirs(landing_dir):
        for folder in sorted(dataset.iterdir()):
            if folder.is_dir() and _parts(folder):
                yield folder


def run_id_of(folder: Path) -> str | None:
    name = folder.name
    return name[len(RUN_FOLDER_PREFIX) :] if name.startswith(RUN_FOLDER_PREFIX) else None


def foreign_folders(landing_dir: Path) -> list[ForeignFolder]:
    """Folders holding parts that are not landing runs by the module's rule, with the reason for each."""
    registered = registered_run_ids(landing_dir)
    foreign = []
    for folder in run_folders(landing_dir):
        run_id = run_id_of(folder)
        if run_id is None:
            reason = f"not named {RUN_FOLDER_PREFIX}<run id>"
        elif not is_run_id(run_id):
            reason = f"{run_id!r} is not a run id (like {layout.new_run_id()})"
        elif run_id not in registered:
            reason = (
                f"no extraction registered run {run_id} "
                f"(neither {layout.RUNS_DIR}/{run_id}{MANIFEST_SUFFIX} nor {run_id}{STARTED_SUFFIX})"
            )
        else:
            continue
        foreign.append(ForeignFolder(folder, reason))
    return foreign


def part_problem(path: Path) -> str | None:
    """Why a Parquet part cannot be read, or None when it can. Reads 12 bytes: the magic `PAR1` at both
    ends and the footer length just before the end, which must fit in the file - what a truncated or
    half-copied part (disk full, an interrupted copy) breaks. ~1000x cheaper than parsing the footer, so
    every extraction and every transform can afford it on every part."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
            size = handle.seek(0, os.SEEK_END)
            if size < 12:
                return f"unreadable Parquet ({size} bytes: truncated)"
            handle.seek(size - 8)
            tail = handle.read(8)
    except OSError as error:
        return f"unreadable ({error.strerror or error})"
    if head != PARQUET_MAGIC:
        return "unreadable Parquet (no PAR1 magic at the start)"
    if tail[4:] != PARQUET_MAGIC:
        return f"unreadable Parquet ({size} bytes, no PAR1 magic at the end: truncated)"
    footer = int.from_bytes(tail[:4], "little")
    if footer + 12 > size:
        return f"unreadable Parquet (footer of {footer} bytes does not fit in {size} bytes)"
    return None


def unreadable_parts(folders: Iterable[Path]) -> list[UnreadablePart]:
    problems = []
    for folder in folders:
        for part in _parts(folder):
            reason = part_problem(part)
            if reason is not None:
                problems.append(UnreadablePart(part, reason))
    return problems


def own_run_folders(landing_dir: Path) -> list[Path]:
    """The run folders of registered extraction runs (what an extraction may quarantine parts of)."""
    registered = registered_run_ids(landing_dir)
    return [folder for folder in run_folders(landing_dir) if run_id_of(folder) in registered]


def object_of_dataset(dataset: str) -> str | None:
    """The extractor object whose extraction writes a landing dataset (None when no object does)."""
    from onefunnel.hubspot import settings

    if dataset in _REFERENCE_DATASETS:
        return _REFERENCE_DATASETS[dataset]
    if dataset in settings.CRM_OBJECTS:
        return dataset
    if dataset.endswith("_property_history"):
        name = dataset[: -len("_property_history")]
        return name if name in settings.CRM_OBJECTS else None
    if dataset.startswith("associations_"):
        for name in settings.CRM_OBJECTS:
            if dataset.startswith(f"associations_{name}_"):
                return name
    return None


def quarantine(landing_dir: Path, parts: list[UnreadablePart], run_id: str) -> Path:
    """Move unreadable parts (bytes kept) to <landing>/_quarantine/<run_id>/<dataset>/<run folder>/ and
    record why in reasons.json there; returns the quarantine folder of this run."""
    landing_dir = Path(landing_dir)
    target_root = private_dir(private_dir(landing_dir / QUARANTINE_DIR) / run_id)
    reasons = []
    for part in parts:
        relative = part.path.relative_to(landing_dir)
        target = target_root / relative
        private_dir(private_dir(target_root / relative.parts[0]) / relative.parts[1])
        os.replace(part.path, target)
        layout.fsync_dir(part.path.parent)
        dataset = relative.parts[0]
        reasons.append(
            {
                "part": relative.as_posix(),
                "reason": part.reason,
                "moved_to": target.relative_to(landing_dir).as_posix(),
                "extracted_again": object_of_dataset(dataset),
            }
        )
    layout.atomic_write_bytes(target_root / "reasons.json", orjson.dumps(reasons, option=orjson.OPT_INDENT_2))
    return target_root


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def check_landing_zone(landing_dir: Path) -> None:
    """Raise LandingZoneError naming every foreign folder and every unreadable part (see the module
    docstring); a landing zone that passes is safe for the warehouse's incremental staging to read."""
    landing_dir = Path(landing_dir)
    foreign = foreign_folders(landing_dir)
    foreign_paths = {item.path for item in foreign}
    broken = unreadable_parts(folder for folder in run_folders(landing_dir) if folder not in foreign_paths)
    if not foreign and not broken:
        return
    lines = [f"the landing zone {landing_dir} cannot be built from; nothing was built:"]
    for item in foreign:
        lines.append(f"  foreign folder {_relative(item.path, landing_dir)}: {item.reason}")
    for part in broken:
        lines.append(f"  {_relative(part.path, landing_dir)}: {part.reason}")
    if foreign:
        lines.append(
            "  Move each foreign folder out of the landing zone: a landing run is a folder "
            f"{RUN_FOLDER_PREFIX}<run id> registered in {layout.RUNS_DIR}/ by an extraction, and a folder "
            "sorting after the real runs would hide every later extraction from the warehouse. (A folder of "
            "this landing zone's own extraction killed before runs were registered: "
            f"touch {layout.RUNS_DIR}/<run id>{STARTED_SUFFIX}.)"
        )
    if broken:
        lines.append(
            "  Run `onefunnel extract` on this landing zone: it moves unreadable parts of its runs to "
            f"{QUARANTINE_DIR}/ and extracts their objects again in full."
        )
    raise LandingZoneError("\n".join(lines))


def refuse_unsafe_landing_zone(landing_dir: Path) -> None:
    """`check_landing_zone` as the warehouse build's first step: raises the build's own error
    (WarehouseBuildError, which `onefunnel transform` prints as one message and Airflow reports), before
    dbt starts."""
    try:
        check_landing_zone(landing_dir)
    except LandingZoneError as error:
        from onefunnel.warehouse.build import WarehouseBuildError

        raise WarehouseBuildError(str(error)) from None
