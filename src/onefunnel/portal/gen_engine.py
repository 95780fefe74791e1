"""Event engine shared by generation and `advance`: applies timeline events to CRM objects.

The simulation writes each record's whole life as events (create, update, archive, merge,
associate). Events up to the portal clock are applied; later ones are stored in `pending_events`
and applied by `advance` when the clock reaches them. Generation applies events to an in-memory
store (one block of companies at a time); `advance` applies them to the SQLite portal. Both go
through the same `Engine`, so a record reached by advancing is built exactly like a generated one.

Event: (ts_ms, seq, kind, object_id, data); (ts, seq) is a unique, deterministic order.
    "c" create    data = (type_code, props, src, [(to_type_code, to_id, is_primary), ...])
    "u" update    data = (set_props | None, (prop, value) raise | None, props set only if raised | None, src)
    "a" archive   data = src
    "m" merge     object_id = survivor, data = (loser_id, src)
    "x" associate data = (from_type_code, to_type_code, to_id, is_primary)
src = (sourceType, sourceId | None, updatedByUserId | None) as in HubSpot's property history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import orjson

from onefunnel.portal.gen_leads import LEADS_CODE, OBJECT_TYPES_BY_CODE
from onefunnel.portal.gen_leads import TRACKED as LEAD_TRACKED
from onefunnel.portal.gen_lifecycle import DATE_ENTERED, DATE_EXITED, STAGE_RANK
from onefunnel.portal.gen_time import iso
from onefunnel.portal.model import STAGE_RANK as DEFAULT_STAGE_RANK
from onefunnel.portal.store import LAST_MODIFIED_PROPERTY

Event = tuple[int, int, str, int, Any]
Src = tuple[str, str | None, int | None]

CONTACT, COMPANY, DEAL = 1, 2, 3
LASTMOD = {
    code: LAST_MODIFIED_PROPERTY.get(name, "hs_lastmodifieddate")
    for code, name in OBJECT_TYPES_BY_CODE.items()
}
CREATED_PROP = {
    code: ("createdate" if code in (CONTACT, COMPANY, DEAL) else "hs_createdate")
    for code in OBJECT_TYPES_BY_CODE
}
# Properties whose history is kept (propertiesWithHistory returns them).
TRACKED: dict[int, frozenset[str]] = {
    CONTACT: frozenset({"lifecyclestage", "hs_lead_status", "hubspot_owner_id", "acme_territory"}),
    COMPANY: frozenset({"lifecyclestage", "hubspot_owner_id"}),
    DEAL: frozenset({"dealstage", "amount", "closedate", "hubspot_owner_id", "pipeline"}),
    LEADS_CODE: LEAD_TRACKED,
}
_NO_TRACK: frozenset[str] = frozenset()
STAGE_DATE_PROPS = tuple(f"hs_lifecyclestage_{s}_date" for s in DEFAULT_STAGE_RANK)
_MERGE_KEEP_OWN = frozenset(
    {
        "hs_object_id",
        "createdate",
        "lastmodifieddate",
        "hs_merged_object_ids",
        "email",
        "hs_additional_emails",
    }
)

# Tables the generator adds next to store.DDL (readers of the portal may ignore them).
EXTRA_DDL = """
-- Simulated future of the portal: applied by `advance` when the clock reaches `due`.
-- A plain rowid table: generation appends in block order, the (due, seq) index is built afterwards.
create table if not exists pending_events (
    due integer not null,          -- epoch ms when the event happens
    seq integer not null,          -- unique tie-break, deterministic
    kind text not null,            -- c | u | a | m | x (see gen_engine)
    object_id integer not null,
    payload blob not null          -- JSON
);

-- One row per `advance`: what it changed (the AdvanceReport as JSON).
create table if not exists advance_log (
    seq integer primary key,
    old_clock integer not null,
    new_clock integer not null,
    days integer not null,
    report blob not null
);
"""
EXTRA_INDEXES = """
create unique index if not exists pending_by_due on pending_events (due, seq);
-- Merged-away contacts are few; this small partial index lets the manifest find them without a table scan.
create index if not exists objects_merged on objects (type, id, merged_into) where merged_into is not null;
"""


def seq_base(block: int) -> int:
    """Events of block b get seq numbers b * 2**32 + n, unique across blocks and advances."""
    return block << 32


class Obj:
    __slots__ = (
        "archived",
        "archived_at",
        "created",
        "dirty",
        "history",
        "id",
        "merged_into",
        "new",
        "props",
        "type",
        "updated",
    )

    def __init__(self, oid: int, type_code: int, created: int, props: dict) -> None:
        self.id = oid
        self.type = type_code
        self.created = created
        self.updated = created
        self.archived = 0
        self.archived_at: int | None = None
        self.merged_into: int | None = None
        self.props = props
        self.history: dict[str, list[dict]] = {}  # oldest first while building
        self.new = True
        self.dirty = True

    def row(self) -> tuple:
        # the last-modified property is rendered here, once, from `updated` (they must always agree)
        props = self.props
        props[LASTMOD[self.type]] = (
            props[CREATED_PROP[self.type]] if self.updated == self.created else iso(self.updated)
        )
        return (
            self.id,
            self.type,
            self.created,
            self.updated,
            self.archived,
            self.archived_at,
            self.merged_into,
            orjson.dumps(self.props),
        )


def history_entry(value: str | None, ts: int, src: Src) -> dict:
    entry: dict = {"value": "" if value is None else value, "timestamp": iso(ts), "sourceType": src[0]}
    if src[1] is not None:
        entry["sourceId"] = src[1]
    if src[2] is not None:
        entry["updatedByUserId"] = src[2]
    return entry


def _split_ids(text: str | None) -> list[str]:
    return [part for part in (text or "").split(";") if part]


class MemoryStore:
    """All objects of one generation block, kept in dicts."""

    def __init__(self) -> None:
        self.objects: dict[int, Obj] = {}
        self.assoc: dict[tuple[int, int, int, int], int] = {}
        self.contact_adj: dict[int, dict[tuple[int, int], int]] = {}

    def get(self, oid: int) -> Obj | None:
        return self.objects.get(oid)

    def resolve(self, oid: int) -> int | None:
        """The id an association to `oid` lands on (its survivor if merged away); None if it is unknown."""
        obj = self.objects.get(oid)
        if obj is None:
            return None
        return obj.merged_into if obj.merged_into is not None else oid

    def add(self, obj: Obj) -> None:
        self.objects[obj.id] = obj

    def assoc_add(self, ft: int, tt: int, fid: int, tid: int, primary: int) -> None:
        key = (ft, tt, fid, tid)
        if key in self.assoc:
            return
        self.assoc[key] = primary
        if ft == CONTACT:
            self.contact_adj.setdefault(fid, {})[(tt, tid)] = primary

    def assoc_remove(self, ft: int, tt: int, fid: int, tid: int) -> None:
        self.assoc.pop((ft, tt, fid, tid), None)
        if ft == CONTACT:
            self.contact_adj.get(fid, {}).pop((tt, tid), None)

    def assocs_of_contact(self, cid: int) -> list[tuple[int, int, int]]:
        return [(tt, tid, prim) for (tt, tid), prim in self.contact_adj.get(cid, {}).items()]

    # -- output
    def object_rows(self) -> list[tuple]:
        return [self.objects[oid].row() for oid in sorted(self.objects)]

    def history_rows(self) -> list[tuple]:
        rows = []
        for oid in sorted(self.objects):
            obj = self.objects[oid]
            if not obj.history:
                continue
            for prop in sorted(obj.history):
                rows.append((oid, prop, orjson.dumps(obj.history[prop][::-1])))
        return rows

    def assoc_rows(self) -> list[tuple]:
        return [(ft, tt, fid, tid, prim) for (ft, tt, fid, tid), prim in sorted(self.assoc.items())]


class SqliteStore:
    """Objects loaded lazily from a portal database; changes written back by `flush`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[int, Obj | None] = {}
        self._resolved: dict[int, int | None] = {}  # id -> survivor id (or itself), for unloaded records

    def get(self, oid: int) -> Obj | None:
        if oid in self.cache:
            return self.cache[oid]
        row = self.conn.execute(
            "select id, type, created_at, updated_at, archived, archived_at, merged_into, properties "
            "from objects where id = ?",
            (oid,),
        ).fetchone()
        obj = None
        if row is not None:
            obj = Obj(row[0], row[1], row[2], orjson.loads(row[7]))
            obj.updated, obj.archived, obj.archived_at, obj.merged_into = row[3], row[4], row[5], row[6]
            obj.new = False
            obj.dirty = False
            for prop, hist in self.conn.execute(
                "select property, history from property_history where object_id = ?", (oid,)
            ):
                obj.history[prop] = orjson.loads(hist)[::-1]
        self.cache[oid] = obj
        return obj

    def resolve(self, oid: int) -> int | None:
        """Like MemoryStore.resolve, without loading the record (associations only need its merge state)."""
        if oid in self.cache:
            obj = self.cache[oid]
            if obj is None:
                return None
            return obj.merged_into if obj.merged_into is not None else oid
        found = self._resolved.get(oid, 0)
        if found == 0:
            row = self.conn.execute("select merged_into from objects where id = ?", (oid,)).fetchone()
            found = None if row is None else (row[0] if row[0] is not None else oid)
            self._resolved[oid] = found
        return found

    def add(self, obj: Obj) -> None:
        self.cache[obj.id] = obj
        self._resolved.pop(obj.id, None)

    def assoc_add(self, ft: int, tt: int, fid: int, tid: int, primary: int) -> None:
        self.conn.execute(
            "insert or ignore into associations (from_type, to_type, from_id, to_id, is_primary) "
            "values (?, ?, ?, ?, ?)",
            (ft, tt, fid, tid, primary),
        )

    def assoc_remove(self, ft: int, tt: int, fid: int, tid: int) -> None:
        self.conn.execute(
            "delete from associations where from_type = ? and to_type = ? and from_id = ? and to_id = ?",
            (ft, tt, fid, tid),
        )

    def assocs_of_contact(self, cid: int) -> list[tuple[int, int, int]]:
        return [
            tuple(r)
            for r in self.conn.execute(
                "select to_type, to_id, is_primary from associations where from_type = ? and from_id = ? "
                "order by to_type, to_id",
                (CONTACT, cid),
            )
        ]

    def flush(self) -> None:
        dirty = [obj for obj in self.cache.values() if obj is not None and obj.dirty]
        dirty.sort(key=lambda o: o.id)
        self.conn.executemany(
            "insert or replace into objects (id, type, created_at, updated_at, archived, archived_at, "
            "merged_into, properties) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [o.row() for o in dirty],
        )
        self.conn.executemany(
            "insert or replace into property_history (object_id, property, history) values (?, ?, ?)",
            [(o.id, prop, orjson.dumps(o.history[prop][::-1])) for o in dirty for prop in sorted(o.history)],
        )
        for obj in dirty:
            obj.dirty = False


class Engine:
    """Applies events in (ts, seq) order; records what it created, changed, archived and merged."""

    def __init__(self, store: MemoryStore | SqliteStore) -> None:
        self.store = store
        self.created: list[int] = []
        self.touched: set[int] = set()
        self.archived: list[int] = []
        self.merged: list[tuple[int, int]] = []

    def run(self, events: list[Event], clock_ms: int) -> list[Event]:
        """Apply events due by clock_ms; return the rest (still in order)."""
        events.sort()  # (ts, seq) is unique, so tuple order never reaches the payload
        for i, ev in enumerate(events):
            if ev[0] > clock_ms:
                return events[i:]
            self.apply(ev)
        return []

    def apply(self, ev: Event) -> None:
        ts, _seq, kind, oid, data = ev
        if kind == "u":
            self._update(ts, oid, data)
        elif kind == "c":
            self._create(ts, oid, data)
        elif kind == "x":
            ft, tt, tid, prim = data
            self._associate(ft, oid, tt, tid, prim)
        elif kind == "a":
            self._archive(ts, oid)
        elif kind == "m":
            self._merge(ts, oid, data[0], data[1])
        else:  # pragma: no cover - corrupt pending row
            raise ValueError(f"unknown event kind {kind!r}")

    # -- helpers
    def _touch(self, obj: Obj, ts: int) -> None:
        obj.updated = ts
        obj.dirty = True
        if not obj.new:
            self.touched.add(obj.id)

    def _set(
        self, obj: Obj, prop: str, value: str | None, ts: int, src: Src, tracked: frozenset[str]
    ) -> bool:
        if obj.props.get(prop, None) == value and prop in obj.props:
            return False
        obj.props[prop] = value
        if prop in tracked:
            obj.history.setdefault(prop, []).append(history_entry(value, ts, src))
        return True

    def _create(self, ts: int, oid: int, data: tuple) -> None:
        type_code, props, src, assocs = data
        if self.store.get(oid) is not None:
            raise ValueError(f"object {oid} created twice")
        props[CREATED_PROP[type_code]] = iso(ts)
        props["hs_object_id"] = str(oid)
        obj = Obj(oid, type_code, ts, props)
        tracked = TRACKED.get(type_code)
        if tracked:
            for prop in tracked:
                value = props.get(prop)
                if value is not None:
                    obj.history[prop] = [history_entry(value, ts, src)]
        self.store.add(obj)
        self.created.append(oid)
        for tt, tid, prim in assocs:
            self._associate(type_code, oid, tt, tid, prim)

    def _associate(self, ft: int, fid: int, tt: int, tid: int, prim: int) -> None:
        resolved = self.store.resolve(tid)  # merged-away contacts hand their associations to the survivor
        if resolved is None:
            return
        tid = resolved
        self.store.assoc_add(ft, tt, fid, tid, prim)
        self.store.assoc_add(tt, ft, tid, fid, prim)

    def _update(self, ts: int, oid: int, data: tuple) -> None:
        obj = self.store.get(oid)
        if obj is None or obj.archived or obj.merged_into is not None:
            return
        set_props, raise_, rset, src = data
        tracked = TRACKED.get(obj.type, _NO_TRACK)
        changed = False
        stage_before = obj.props.get("lifecyclestage")
        if raise_ is not None:
            prop, value = raise_
            if STAGE_RANK.get(value, -2) > STAGE_RANK.get(obj.props.get(prop) or "", -2):
                changed = self._set(obj, prop, value, ts, src, tracked)
                if rset:
                    for k, v in rset.items():
                        changed = self._set(obj, k, v, ts, src, tracked) or changed
        if set_props:
            for k, v in set_props.items():
                changed = self._set(obj, k, v, ts, src, tracked) or changed
        if changed:
            stage_now = obj.props.get("lifecyclestage")
            if stage_before and stage_now != stage_before:
                self._exit_stage(obj, stage_before, stage_now, ts, rset, set_props, src, tracked)
            self._touch(obj, ts)

    def _exit_stage(
        self,
        obj: Obj,
        left: str,
        entered: str | None,
        ts: int,
        rset: dict | None,
        set_props: dict | None,
        src: Src,
        tracked: frozenset[str],
    ) -> None:
        """A portal that records date-entered stage properties also records the date a record left one."""
        key = f"{DATE_ENTERED}{entered}"
        if key in (rset or {}) or key in (set_props or {}):
            self._set(obj, f"{DATE_EXITED}{left}", iso(ts), ts, src, tracked)

    def _archive(self, ts: int, oid: int) -> None:
        obj = self.store.get(oid)
        if obj is None or obj.archived or obj.merged_into is not None:
            return
        obj.archived = 1
        obj.archived_at = ts
        self._touch(obj, ts)
        self.archived.append(oid)

    def _merge(self, ts: int, survivor_id: int, loser_id: int, src: Src) -> None:
        s = self.store.get(survivor_id)
        loser = self.store.get(loser_id)
        if (
            s is None
            or loser is None
            or s.archived
            or loser.archived
            or loser.merged_into is not None
            or s.merged_into is not None
        ):
            return
        sp, lp = s.props, loser.props
        ids = [
            *_split_ids(sp.get("hs_merged_object_ids")),
            str(loser_id),
            *_split_ids(lp.get("hs_merged_object_ids")),
        ]
        sp["hs_merged_object_ids"] = ";".join(sorted(set(ids), key=int))
        tracked = TRACKED[CONTACT]
        if STAGE_RANK.get(lp.get("lifecyclestage") or "", -2) > STAGE_RANK.get(
            sp.get("lifecyclestage") or "", -2
        ):
            self._set(s, "lifecyclestage", lp["lifecyclestage"], ts, src, tracked)
        if lp.get("email") and lp.get("email") != sp.get("email"):
            extra = [*_split_ids(sp.get("hs_additional_emails")), lp["email"]]
            sp["hs_additional_emails"] = ";".join(extra)
        entered = [k for k in lp if k.startswith(DATE_ENTERED)]  # only portals with date-entered props
        for prop in (*STAGE_DATE_PROPS, *entered):  # the survivor keeps the earliest stage dates of both
            lv = lp.get(prop)
            if lv and (not sp.get(prop) or lv < sp[prop]):
                sp[prop] = lv
        for k, v in lp.items():  # the survivor's own values win; gaps are filled from the loser
            if v is not None and sp.get(k) is None and k not in _MERGE_KEEP_OWN:
                self._set(s, k, v, ts, src, tracked)
        self._touch(s, ts)
        loser.merged_into = survivor_id
        loser.updated = ts
        loser.dirty = True
        has_primary_company = any(
            tt == COMPANY and prim for tt, _tid, prim in self.store.assocs_of_contact(survivor_id)
        )
        for tt, tid, prim in self.store.assocs_of_contact(loser_id):
            self.store.assoc_remove(CONTACT, tt, loser_id, tid)
            self.store.assoc_remove(tt, CONTACT, tid, loser_id)
            if tt == COMPANY and prim:
                prim = 0 if has_primary_company else 1
            self.store.assoc_add(CONTACT, tt, survivor_id, tid, prim)
            self.store.assoc_add(tt, CONTACT, tid, survivor_id, prim)
        self.merged.append((loser_id, survivor_id))


# ---------------------------------------------------------------- pending events (de)serialisation


def encode_event(ev: Event) -> tuple[int, int, str, int, bytes]:
    ts, seq, kind, oid, data = ev
    if kind == "c":
        payload: Any = {"t": data[0], "p": data[1], "s": data[2], "a": data[3]}
    elif kind == "u":
        payload = {"set": data[0], "raise": data[1], "rset": data[2], "s": data[3]}
    elif kind == "a":
        payload = {"s": data}
    elif kind == "m":
        payload = {"l": data[0], "s": data[1]}
    else:
        payload = {"d": data}
    return ts, seq, kind, oid, orjson.dumps(payload)


def decode_event(row: tuple) -> Event:
    ts, seq, kind, oid, blob = row
    p = orjson.loads(blob)
    if kind == "c":
        data: Any = (p["t"], p["p"], tuple(p["s"]), [tuple(a) for a in p["a"]])
    elif kind == "u":
        data = (p["set"], tuple(p["raise"]) if p["raise"] else None, p["rset"], tuple(p["s"]))
    elif kind == "a":
        data = tuple(p["s"])
    elif kind == "m":
        data = (p["l"], tuple(p["s"]))
    else:
        data = tuple(p["d"])
    return ts, seq, kind, oid, data


def encode_events(events: Iterable[Event]) -> list[tuple[int, int, str, int, bytes]]:
    return [encode_event(ev) for ev in events]
