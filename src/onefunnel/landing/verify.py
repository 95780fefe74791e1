"""Compare a landing zone with a portal's manifest (its ground truth): did an extraction land exactly the
portal's active and archived ids, as the warehouse would see them (newest extraction of each id)?

    report = compare_with_manifest(build_manifest(portal_dir)["objects"], landing_dir)
    problems(report)   # [] when every object's ids, counts and checksums equal the manifest

The checksum recipe is the manifest's (onefunnel.portal.manifest): decimal ids sorted numerically, joined
by newlines, sha256. Used by the integration tests (tests/extract/portal_helpers.py) and the benchmarks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from onefunnel.landing.reader import current_ids

KINDS = ("active", "archived")


def id_checksum(ids: Iterable[int]) -> str:
    """The manifest's checksum of a set of ids: decimal ids sorted numerically, joined by newlines."""
    return hashlib.sha256("\n".join(str(i) for i in sorted(ids)).encode("ascii")).hexdigest()


def compare_with_manifest(
    manifest_objects: Mapping[str, Mapping], landing: Path, objects: Iterable[str] | None = None
) -> dict[str, dict]:
    """Per object: {"active": {...}, "archived": {...}, "exact": bool, "problems": [...]}.

    Each kind holds landed / manifest counts, and when the manifest lists the ids (small enough portals)
    how many are missing or unexpected with a few examples. `manifest_objects` is the manifest's "objects"
    section; `objects` defaults to every CRM object the extractor lands. An object the manifest does not
    know (a type the portal does not generate) must land nothing.
    """
    if objects is None:
        from onefunnel.hubspot.settings import CRM_OBJECTS

        objects = CRM_OBJECTS
    report: dict[str, dict] = {}
    for name in objects:
        landed = dict(zip(KINDS, current_ids(landing, name), strict=True))
        entry: dict = {"problems": []}
        if name not in manifest_objects:
            for kind, ids in landed.items():
                entry[kind] = {"landed": len(ids), "manifest": 0}
            if landed["active"] | landed["archived"]:
                entry["problems"].append(f"{name}: landed, not in the manifest")
        else:
            for kind, ids in landed.items():
                block = manifest_objects[name][kind]
                result = {"landed": len(ids), "manifest": block["count"]}
                if "ids" in block:
                    want = {int(i) for i in block["ids"]}
                    missing, unexpected = want - ids, ids - want
                    result.update(missing=len(missing), unexpected=len(unexpected))
                    if missing or unexpected:
                        entry["problems"].append(
                            f"{name} {kind}: {len(missing)} missing (e.g. {sorted(missing)[:5]}), "
                            f"{len(unexpected)} unexpected (e.g. {sorted(unexpected)[:5]})"
                        )
                if len(ids) != block["count"]:
                    entry["problems"].append(f"{name} {kind}: {len(ids)} landed, manifest {block['count']}")
                result["checksum_equal"] = id_checksum(ids) == block["sha256"]
                if not result["checksum_equal"]:
                    entry["problems"].append(f"{name} {kind}: checksum differs from the manifest")
                entry[kind] = result
        entry["exact"] = not entry["problems"]
        report[name] = entry
    return report


def problems(report: Mapping[str, Mapping]) -> list[str]:
    """Every difference compare_with_manifest found, in object order; empty when the landing is exact."""
    return [problem for entry in report.values() for problem in entry["problems"]]
