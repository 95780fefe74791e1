"""Read side of a portal database for the HTTP server: queries, and records in HubSpot's JSON shape.

One `PortalReader` per client connection (its own read-only SQLite connection); each request runs in
one read transaction so it sees one consistent snapshot while `advance` writes (WAL). Nothing that
can change is cached except property definitions, which are reloaded whenever the meta table or the
definitions table changes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from onefunnel.portal import object_types, store
from onefunnel.portal.search import CompiledSearch, register_functions


def canonical_type(name: str) -> str | None:
    """The plural type name for a path's object type (plural, singular or 0-N id); None if unknown."""
    found = object_types.canonical(name)
    if found is None and name in object_types.STORED_TYPE_CODES:  # a stored type the registry does not list
        found = name
    return found


# Properties every record answer carries whatever was requested, and the defaults when none was.
_ENGAGEMENT_ALWAYS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")
ALWAYS_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("createdate", "hs_object_id", "lastmodifieddate"),
    "companies": ("createdate", "hs_lastmodifieddate", "hs_object_id"),
    "deals": ("createdate", "hs_lastmodifieddate", "hs_object_id"),
    **{name: _ENGAGEMENT_ALWAYS for name in store.ENGAGEMENT_TYPES},
}
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "deals": (
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ),
    "calls": (*_ENGAGEMENT_ALWAYS, "hs_timestamp", "hs_call_title"),
    "emails": (*_ENGAGEMENT_ALWAYS, "hs_timestamp", "hs_email_subject"),
    "meetings": (*_ENGAGEMENT_ALWAYS, "hs_timestamp", "hs_meeting_title"),
    "notes": (*_ENGAGEMENT_ALWAYS, "hs_timestamp"),
    "tasks": (*_ENGAGEMENT_ALWAYS, "hs_timestamp", "hs_task_subject"),
}


def always_properties(object_type: str) -> tuple[str, ...]:
    found = ALWAYS_PROPERTIES.get(object_type)
    if found is None:
        spec = object_types.BY_NAME.get(object_type)
        found = tuple(sorted({spec.created, spec.modified, "hs_object_id"})) if spec else _ENGAGEMENT_ALWAYS
    return found


def default_properties(object_type: str) -> tuple[str, ...]:
    found = DEFAULT_PROPERTIES.get(object_type)
    if found is None:
        spec = object_types.BY_NAME.get(object_type)
        found = spec.defaults if spec else _ENGAGEMENT_ALWAYS
    return found


# Stored-blob fallbacks: if a record's blob lacks one of these, it comes from the row's columns.
_FALLBACK_ID = frozenset({"hs_object_id"})
_FALLBACK_CREATED = frozenset({"createdate", "hs_createdate"})
_FALLBACK_UPDATED = frozenset({"lastmodifieddate", "hs_lastmodifieddate"})


def iso_sql(column: str) -> str:
    """SQL giving store.iso_ms(column) (floor division, so pre-1970 instants format the same way)."""
    millis = f"((({column} % 1000) + 1000) % 1000)"
    return (
        f"strftime('%Y-%m-%dT%H:%M:%S', ({column} - {millis}) / 1000, 'unixepoch')"
        f" || printf('.%03dZ', {millis})"
    )


# Timestamps are formatted by SQLite, in C: a third of the per-record cost when done in Python.
OBJECT_COLUMNS = (
    f"id, {iso_sql('created_at')}, {iso_sql('updated_at')}, archived, {iso_sql('archived_at')}, properties"
)


@dataclass
class TypeDefinitions:
    """Property definitions of one object type, raw (to embed in answers) and parsed (for typing)."""

    active: list[orjson.Fragment] = field(default_factory=list)
    archived: list[orjson.Fragment] = field(default_factory=list)
    by_name: dict[str, tuple[orjson.Fragment, bool]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    known: frozenset[str] = frozenset()
    calculated: frozenset[str] = frozenset()
    groups: list[dict] = field(default_factory=list)  # property groups, in order of first use
    stored: bool = True  # False: HubSpot's built-in definitions of a type the portal stores none for


class DefinitionCache:
    """Property definitions shared by all connections, keyed on what could change them."""

    _KEY_SQL = (
        "select (select group_concat(key || '=' || value, char(31)) from meta),"
        " (select count(*) from property_definitions), (select max(rowid) from property_definitions)"
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._types: dict[str, TypeDefinitions] = {}

    def get(self, conn: sqlite3.Connection) -> dict[str, TypeDefinitions]:
        key = tuple(conn.execute(self._KEY_SQL).fetchone())
        if key == self._key:
            return self._types
        with self._lock:
            if key != self._key:
                self._types = self._load(conn)
                self._key = key
            return self._types

    @staticmethod
    def _load(conn: sqlite3.Connection) -> dict[str, TypeDefinitions]:
        loaded: dict[str, TypeDefinitions] = {}
        calculated: dict[str, set[str]] = {}
        rows = conn.execute(
            "select object_type, name, body from property_definitions order by object_type, name"
        )
        for object_type, name, body in rows:
            canonical = canonical_type(object_type) or object_type
            raw = body.encode() if isinstance(body, str) else bytes(body)
            _add_definition(loaded, calculated, canonical, name, raw, orjson.loads(raw))
        created_at = store.get_meta(conn, "account_created") or "2020-01-01T00:00:00.000Z"
        for spec in object_types.STANDARD_TYPES:
            if spec.name not in loaded:
                for body in object_types.default_definitions(spec.name, created_at):
                    raw = orjson.dumps(body)
                    _add_definition(loaded, calculated, spec.name, body["name"], raw, body)
                loaded[spec.name].stored = False
        for object_type, definitions in loaded.items():
            definitions.known = frozenset(definitions.types)
            definitions.calculated = frozenset(calculated.get(object_type, ()))
        return loaded


def _add_definition(
    loaded: dict[str, TypeDefinitions],
    calculated: dict[str, set[str]],
    object_type: str,
    name: str,
    raw: bytes,
    parsed: dict,
) -> None:
    definitions = loaded.setdefault(object_type, TypeDefinitions())
    fragment = orjson.Fragment(raw)
    archived = bool(parsed.get("archived"))
    (definitions.archived if archived else definitions.active).append(fragment)
    definitions.by_name[name] = (fragment, archived)
    if archived:
        return
    definitions.types[name] = str(parsed.get("type") or "string")
    if parsed.get("calculated"):
        calculated.setdefault(object_type, set()).add(name)
    group = parsed.get("groupName")
    if group and all(existing["name"] != group for existing in definitions.groups):
        definitions.groups.append(
            {
                "name": group,
                "label": GROUP_LABELS.get(group) or group.replace("_", " ").capitalize(),
                "displayOrder": len(definitions.groups) if parsed.get("hubspotDefined", True) else -1,
                "archived": False,
            }
        )


# Labels HubSpot gives its built-in property groups (custom groups get their name, capitalised).
GROUP_LABELS = {
    "contactinformation": "Contact information",
    "companyinformation": "Company information",
    "dealinformation": "Deal information",
    "ticketinformation": "Ticket information",
    "productinformation": "Product information",
    "lineiteminformation": "Line item information",
    "quoteinformation": "Quote information",
    "lead_information": "Lead information",
    "analyticsinformation": "Web analytics history",
    "conversioninformation": "Conversion information",
    "emailinformation": "Email information",
    "sales_properties": "Sales properties",
    "socialmediainformation": "Social media information",
    "deal_activity": "Deal activity",
    "dealstages": "Deal stage properties",
    "engagement": "Engagement",
    "call": "Call",
    "email": "Email",
    "meeting": "Meeting",
    "note": "Note",
    "task": "Task",
}


class PortalReader:
    def __init__(self, path: Path, definitions: DefinitionCache) -> None:
        self._path = path
        self._definitions = definitions
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = store.connect(self._path, read_only=True)
            conn.isolation_level = None  # explicit begin/commit: one snapshot per request
            register_functions(conn)
            self._conn = conn
        return self._conn

    def begin(self) -> None:
        self.conn.execute("begin")

    def end(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            self._conn.execute("commit")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def definitions(self, object_type: str) -> TypeDefinitions:
        return self._definitions.get(self.conn).get(object_type) or TypeDefinitions()

    def meta(self, key: str, default: str | None = None) -> str | None:
        return store.get_meta(self.conn, key, default)

    # --- objects ---

    def list_objects(self, type_code: int, archived: bool, after_id: int, limit: int) -> list[tuple]:
        return self.conn.execute(
            f"select {OBJECT_COLUMNS} from objects where type = ? and archived = ? and merged_into is null"
            " and id >= ? order by id limit ?",
            (type_code, int(archived), after_id, limit),
        ).fetchall()

    def resolve(self, object_id: int, type_code: int) -> tuple | None:
        """The row for an id, following merges to the survivor; None if missing or another type."""
        for _ in range(20):
            row = self.conn.execute(
                f"select {OBJECT_COLUMNS}, type, merged_into from objects where id = ?", (object_id,)
            ).fetchone()
            if row is None or row[6] != type_code:
                return None
            if row[7] is None:
                return row[:6]
            object_id = row[7]
        return None

    def find_by_property(
        self, type_code: int, name: str, values: Sequence[str], archived: bool
    ) -> list[tuple]:
        """Rows whose property `name` equals one of `values` (case-insensitive), for idProperty reads."""
        if not values:
            return []
        marks = ", ".join("?" for _ in values)
        return self.conn.execute(
            f"select {OBJECT_COLUMNS} from objects where type = ? and archived = ? and merged_into is null"
            f" and lower(json_extract(cast(properties as text), ?)) in ({marks})",
            (type_code, int(archived), f'$."{name}"', *[value.lower() for value in values]),
        ).fetchall()

    def search(self, type_code: int, compiled: CompiledSearch) -> tuple[int, list[tuple]]:
        base = f"from objects where type = ? and archived = 0 and merged_into is null and {compiled.where}"
        params = [type_code, *compiled.params]
        total = self.conn.execute(f"select count(*) {base}", params).fetchone()[0]
        rows: list[tuple] = []
        if compiled.limit and compiled.offset < total:
            rows = self.conn.execute(
                f"select {OBJECT_COLUMNS} {base} order by {compiled.order_by} limit ? offset ?",
                [*params, *compiled.order_params, compiled.limit, compiled.offset],
            ).fetchall()
        return total, rows

    def associations(self, from_code: int, to_code: int, from_ids: Sequence[int]) -> dict[int, list[tuple]]:
        found: dict[int, list[tuple]] = {}
        for chunk in _chunks(from_ids, 900):
            marks = ", ".join("?" for _ in chunk)
            rows = self.conn.execute(
                "select from_id, to_id, is_primary from associations where from_type = ? and to_type = ?"
                f" and from_id in ({marks}) order by from_id, to_id",
                (from_code, to_code, *chunk),
            )
            for from_id, to_id, primary in rows:
                found.setdefault(from_id, []).append((to_id, primary))
        return found

    def association_page(
        self, from_code: int, to_code: int, from_id: int, after_to_id: int, limit: int
    ) -> list[tuple]:
        return self.conn.execute(
            "select to_id, is_primary from associations where from_type = ? and to_type = ? and from_id = ?"
            " and to_id > ? order by to_id limit ?",
            (from_code, to_code, from_id, after_to_id, limit),
        ).fetchall()

    def history(self, object_ids: Sequence[int], names: Sequence[str]) -> dict[tuple[int, str], list]:
        found: dict[tuple[int, str], list] = {}
        if not object_ids or not names:
            return found
        name_marks = ", ".join("?" for _ in names)
        for chunk in _chunks(object_ids, 500):
            marks = ", ".join("?" for _ in chunk)
            rows = self.conn.execute(
                f"select object_id, property, history from property_history where object_id in ({marks})"
                f" and property in ({name_marks})",
                (*chunk, *names),
            )
            for object_id, name, blob in rows:
                found[(object_id, name)] = orjson.loads(blob)
        return found

    # --- other resources ---

    def owners(self, archived: bool, after_id: int, limit: int, email: str | None) -> list[tuple]:
        sql = "select id, body from owners where archived = ? and id >= ?"
        params: list = [int(archived), after_id]
        if email:
            sql += " and lower(json_extract(cast(body as text), '$.email')) = ?"
            params.append(email.lower())
        return self.conn.execute(sql + " order by id limit ?", (*params, limit)).fetchall()

    def owner(self, key: str, id_property: str, archived: bool) -> bytes | None:
        if id_property == "userId":
            row = self.conn.execute(
                "select body from owners where archived = ?"
                " and cast(json_extract(cast(body as text), '$.userId') as text) = ?",
                (int(archived), key),
            ).fetchone()
        else:
            if not key.isdigit():
                return None
            row = self.conn.execute(
                "select body from owners where id = ? and archived = ?", (int(key), int(archived))
            ).fetchone()
        return _raw(row[0]) if row else None

    def pipelines(self, object_type: str) -> list[bytes]:
        rows = self.conn.execute(
            "select body from pipelines where object_type = ? order by display_order, id", (object_type,)
        )
        return [_raw(body) for (body,) in rows]

    def pipeline(self, object_type: str, pipeline_id: str) -> bytes | None:
        row = self.conn.execute(
            "select body from pipelines where object_type = ? and id = ?", (object_type, pipeline_id)
        ).fetchone()
        return _raw(row[0]) if row else None

    def campaigns(self, after_seq: int, limit: int) -> list[tuple]:
        return self.conn.execute(
            "select seq, body from campaigns where seq >= ? order by seq limit ?", (after_seq, limit)
        ).fetchall()

    def campaign_count(self) -> int:
        return self.conn.execute("select count(*) from campaigns").fetchone()[0]

    def campaign(self, campaign_id: str) -> bytes | None:
        row = self.conn.execute("select body from campaigns where id = ?", (campaign_id,)).fetchone()
        return _raw(row[0]) if row else None


def _raw(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else bytes(body)


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def property_names(object_type: str, requested: list[str] | None, definitions: TypeDefinitions) -> list[str]:
    """The property names an answer carries: always-present ones plus the known requested ones."""
    if not requested:
        return list(default_properties(object_type))
    names = list(always_properties(object_type))
    seen = set(names)
    check = definitions.known if definitions.known else None
    for name in requested:
        if name not in seen and (check is None or name in check):
            seen.add(name)
            names.append(name)
    return names


def history_names(requested: list[str] | None, definitions: TypeDefinitions) -> list[str]:
    if not requested:
        return []
    check = definitions.known if definitions.known else None
    return list(dict.fromkeys(name for name in requested if check is None or name in check))


def build_records(
    rows: Sequence[tuple],
    names: Sequence[str],
    *,
    history: dict[tuple[int, str], list] | None = None,
    history_props: Sequence[str] = (),
    calculated: frozenset[str] = frozenset(),
) -> list[dict]:
    """HubSpot record objects from rows selected with OBJECT_COLUMNS; each blob is parsed once.

    When a blob holds only requested names (the usual case, even with every property requested),
    the properties are a copy of an all-null template updated from the blob: C-level work only.
    """
    loads = orjson.loads
    template = dict.fromkeys(names)
    wanted = template.keys()
    fallback_id = _FALLBACK_ID.intersection(names)
    fallback_created = _FALLBACK_CREATED.intersection(names)
    fallback_updated = _FALLBACK_UPDATED.intersection(names)
    records = []
    for object_id, created, updated, archived, archived_at, blob in rows:
        stored = loads(blob)
        if stored.keys() <= wanted:
            properties = template.copy()
            properties.update(stored)
        else:
            get = stored.get
            properties = {name: get(name) for name in names}
        for name in fallback_id:
            if name not in stored:
                properties[name] = str(object_id)
        for name in fallback_created:
            if name not in stored:
                properties[name] = created
        for name in fallback_updated:
            if name not in stored:
                properties[name] = updated
        record = {"id": str(object_id), "properties": properties, "createdAt": created, "updatedAt": updated}
        if history_props:
            record["propertiesWithHistory"] = {
                name: _history_with_current(
                    history.get((object_id, name)) if history else None,
                    name,
                    _current_value(stored, name, object_id, created, updated),
                    created,
                    updated,
                    calculated,
                )
                for name in history_props
            }
        record["archived"] = bool(archived)
        if archived:
            record["archivedAt"] = archived_at or updated
        records.append(record)
    return records


def _current_value(stored: dict, name: str, object_id: int, created: str, updated: str) -> str | None:
    value = stored.get(name)
    if value is None:
        if name in _FALLBACK_ID:
            return str(object_id)
        if name in _FALLBACK_CREATED:
            return created
        if name in _FALLBACK_UPDATED:
            return updated
    return value


def _history_with_current(
    entries: list | None,
    name: str,
    current: str | None,
    created: str,
    updated: str,
    calculated: frozenset[str],
) -> list:
    """A property's history as HubSpot returns it: the current value first, then earlier values.

    The store keeps history only for the properties whose changes matter to the funnel; any other
    property with a value gets it as a one-entry history, dated when the record last changed (for the
    last-modified properties) or was created (for everything else, whose change time is not kept).
    """
    if current is None or current == "":
        return entries or []
    if entries and entries[0].get("value") == current:
        return entries
    source = "CALCULATED" if name in calculated else "CRM_UI"
    stamp = updated if entries or name in _FALLBACK_UPDATED else created
    entry = {
        "value": current,
        "timestamp": stamp,
        "sourceType": source,
        "sourceId": None,
        "updatedByUserId": None,
    }
    return [entry, *entries] if entries else [entry]
