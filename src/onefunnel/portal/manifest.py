"""Ground truth of a portal's current state, for tests that prove an extraction lost nothing.

Checksum recipe (stable; other test suites recompute it):
    ids are decimal strings of the object ids, sorted numerically ascending;
    checksum = sha256("\\n".join(ids).encode("ascii")).hexdigest()   (no trailing newline;
    an empty list hashes the empty string).
    Merged pairs are lines "loser_id:survivor_id", sorted numerically by (loser, survivor), same hash.

Per object type (contacts, companies, deals, calls, emails, meetings, notes, tasks; leads when the
portal has them, see gen_leads):
    active    = archived = 0 and merged_into is null   (what list/search endpoints return by default)
    archived  = archived = 1                            (what archived=true returns)
    merged    = merged-away contacts (neither active nor archived) as loser:survivor pairs
Owners: active / archived ids; campaigns: ids (uuid strings, sorted as text).
Id lists are included when a type has at most ID_LIST_LIMIT ids; larger portals get counts and checksums.
Each object type also carries active_count / archived_count / merged_count (flat copies of the counts).
Associations: row count per "from->to" pair of type names (both directions are stored, so
"contacts->companies" equals "companies->contacts").
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from onefunnel.portal import store
from onefunnel.portal.gen_leads import LEADS, LEADS_CODE, OBJECT_TYPES_BY_CODE

ID_LIST_LIMIT = 50_000
MANIFEST_FILE_NAME = "manifest.json"


def _object_types(conn) -> dict[str, int]:
    """The store's object types, plus leads when the portal holds some (gen_leads; not in the default)."""
    types = dict(store.OBJECT_TYPE_CODES)
    if (
        LEADS not in types
        and conn.execute("select 1 from objects where type = ? limit 1", (LEADS_CODE,)).fetchone()
    ):
        types[LEADS] = LEADS_CODE
    return types


def checksum(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("ascii")).hexdigest()


def _id_block(ids: list[int]) -> dict:
    ids = sorted(ids)
    text = [str(i) for i in ids]
    block: dict = {"count": len(ids), "sha256": checksum(text)}
    if len(ids) <= ID_LIST_LIMIT:
        block["ids"] = text
    return block


def build_manifest(portal_dir: Path) -> dict:
    """JSON-able ground truth for the portal's current state (see module docstring for the recipe)."""
    conn = store.connect(Path(portal_dir), read_only=True)
    try:
        meta = dict(conn.execute("select key, value from meta").fetchall())
        manifest: dict = {
            "portal_id": meta.get("portal_id"),
            "seed": int(meta["seed"]) if "seed" in meta else None,
            "size": meta.get("size"),
            "clock": meta.get("clock"),
            "schema_version": meta.get("schema_version"),
            "id_list_limit": ID_LIST_LIMIT,
            "objects": {},
        }
        for name, code in _object_types(conn).items():
            # ids come from covering indexes (no row reads): the portal file can be gigabytes
            pairs = sorted(
                conn.execute(
                    "select id, merged_into from objects where type = ? and merged_into is not null", (code,)
                ).fetchall()
            )
            losers = {loser for loser, _ in pairs}
            active = [
                r[0]
                for r in conn.execute(
                    "select id from objects where type = ? and archived = 0 order by id", (code,)
                )
                if r[0] not in losers
            ]
            archived = [
                r[0]
                for r in conn.execute(
                    "select id from objects where type = ? and archived = 1 order by id", (code,)
                )
            ]
            merged: dict = {"count": len(pairs), "sha256": checksum([f"{a}:{b}" for a, b in pairs])}
            if len(pairs) <= ID_LIST_LIMIT:
                merged["pairs"] = [[str(a), str(b)] for a, b in pairs]
            manifest["objects"][name] = {
                "active": _id_block(active),
                "archived": _id_block(archived),
                "merged": merged,
                # flat counts for summaries (the same numbers as the blocks' "count")
                "active_count": len(active),
                "archived_count": len(archived),
                "merged_count": len(pairs),
            }
        owners_active = [r[0] for r in conn.execute("select id from owners where archived = 0")]
        owners_archived = [r[0] for r in conn.execute("select id from owners where archived = 1")]
        manifest["owners"] = {"active": _id_block(owners_active), "archived": _id_block(owners_archived)}
        campaign_ids = sorted(r[0] for r in conn.execute("select id from campaigns"))
        manifest["campaigns"] = {
            "count": len(campaign_ids),
            "sha256": checksum(campaign_ids),
            "ids": campaign_ids,
        }
        assoc: dict[str, int] = {}
        for ft, tt, n in conn.execute(
            "select from_type, to_type, count(*) from associations group by from_type, to_type order by 1, 2"
        ):
            assoc[f"{OBJECT_TYPES_BY_CODE[ft]}->{OBJECT_TYPES_BY_CODE[tt]}"] = n
        manifest["associations"] = assoc
        return manifest
    finally:
        conn.close()


def write_manifest(portal_dir: Path) -> Path:
    """Write manifest.json beside portal.sqlite; returns its path."""
    portal_dir = Path(portal_dir)
    path = portal_dir / MANIFEST_FILE_NAME
    tmp = portal_dir / f".{MANIFEST_FILE_NAME}.tmp"
    tmp.write_bytes(
        orjson.dumps(build_manifest(portal_dir), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    )
    tmp.replace(path)
    return path
