"""On-disk storage of a synthetic HubSpot portal (one SQLite file per portal).

The generator and `advance` write it; the HTTP server only reads it, so a large portal
never has to fit in RAM and the server starts instantly. Conventions every writer and
reader share live here: object type codes, association type ids, time encoding.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = "1"
PORTAL_FILE_NAME = "portal.sqlite"

# CRM object types served under /crm/v3/objects/{type}; the code is what the tables store.
OBJECT_TYPE_CODES: dict[str, int] = {
    "contacts": 1,
    "companies": 2,
    "deals": 3,
    "calls": 4,
    "emails": 5,
    "meetings": 6,
    "notes": 7,
    "tasks": 8,
}
OBJECT_TYPES_BY_CODE: dict[int, str] = {code: name for name, code in OBJECT_TYPE_CODES.items()}
ENGAGEMENT_TYPES = ("calls", "emails", "meetings", "notes", "tasks")

# HubSpot's singular names, used in v3 association `type` strings ("contact_to_company").
SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "calls": "call",
    "emails": "email",
    "meetings": "meeting",
    "notes": "note",
    "tasks": "task",
}

# HUBSPOT_DEFINED association type ids: (from, to) -> (unlabeled/default id, primary id or None).
# The default id is always returned; the primary id is added for rows with is_primary = 1.
ASSOCIATION_TYPE_IDS: dict[tuple[str, str], tuple[int, int | None]] = {
    ("contacts", "companies"): (279, 1),
    ("companies", "contacts"): (280, 2),
    ("deals", "contacts"): (3, None),
    ("contacts", "deals"): (4, None),
    ("deals", "companies"): (341, 5),
    ("companies", "deals"): (342, 6),
    ("contacts", "calls"): (193, None),
    ("calls", "contacts"): (194, None),
    ("contacts", "emails"): (197, None),
    ("emails", "contacts"): (198, None),
    ("contacts", "meetings"): (199, None),
    ("meetings", "contacts"): (200, None),
    ("contacts", "notes"): (201, None),
    ("notes", "contacts"): (202, None),
    ("contacts", "tasks"): (203, None),
    ("tasks", "contacts"): (204, None),
    ("deals", "calls"): (205, None),
    ("calls", "deals"): (206, None),
    ("deals", "emails"): (209, None),
    ("emails", "deals"): (210, None),
    ("deals", "meetings"): (211, None),
    ("meetings", "deals"): (212, None),
    ("deals", "notes"): (213, None),
    ("notes", "deals"): (214, None),
    ("deals", "tasks"): (215, None),
    ("tasks", "deals"): (216, None),
}

# Last-modified property HubSpot maintains per object type (used by incremental search).
LAST_MODIFIED_PROPERTY = {name: "hs_lastmodifieddate" for name in OBJECT_TYPE_CODES}
LAST_MODIFIED_PROPERTY["contacts"] = "lastmodifieddate"

DDL = """
create table if not exists meta (
    key text primary key,
    value text not null
);

-- One row per CRM record of any type. Ids are unique across types.
-- properties: JSON object, every value a string (as HubSpot sends them) or null.
-- merged_into: set on a merged-away contact; such rows are neither active nor archived.
create table if not exists objects (
    id integer primary key,
    type integer not null,
    created_at integer not null,      -- epoch ms UTC
    updated_at integer not null,      -- epoch ms UTC; equals the last-modified property
    archived integer not null default 0,
    archived_at integer,
    merged_into integer,
    properties blob not null
);
create index if not exists objects_by_type_id on objects (type, archived, id);
create index if not exists objects_by_type_updated on objects (type, updated_at, id);
create index if not exists objects_by_type_created on objects (type, created_at, id);

-- Property history, newest first, as HubSpot returns it in propertiesWithHistory:
-- JSON list of {"value", "timestamp" (ISO), "sourceType", "sourceId", "updatedByUserId"}.
create table if not exists property_history (
    object_id integer not null,
    property text not null,
    history blob not null,
    primary key (object_id, property)
) without rowid;

-- Both directions are stored, so a read is one index range per (from_type, to_type, from_id).
create table if not exists associations (
    from_type integer not null,
    to_type integer not null,
    from_id integer not null,
    to_id integer not null,
    is_primary integer not null default 0,
    primary key (from_type, to_type, from_id, to_id)
) without rowid;

-- Owners as HubSpot's /crm/v3/owners returns them (body is the JSON object, teams included).
create table if not exists owners (
    id integer primary key,
    archived integer not null default 0,
    body blob not null
);

-- Pipelines per object type, body as /crm/v3/pipelines/{objectType} returns one pipeline.
create table if not exists pipelines (
    object_type text not null,
    id text not null,
    display_order integer not null,
    body blob not null,
    primary key (object_type, id)
);

-- Property definitions as /crm/v3/properties/{objectType} returns them (options included).
create table if not exists property_definitions (
    object_type text not null,
    name text not null,
    body blob not null,
    primary key (object_type, name)
);

-- Marketing campaigns (/marketing/v3/campaigns); seq gives a stable paging order.
create table if not exists campaigns (
    seq integer primary key,
    id text not null unique,
    body blob not null
);
"""


def portal_file(portal_dir: Path) -> Path:
    return Path(portal_dir) / PORTAL_FILE_NAME


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open a portal database; readers use read-only mode so they can never change it."""
    path = Path(path)
    if path.is_dir():
        path = portal_file(path)
    if read_only:
        if not path.exists():
            raise FileNotFoundError(f"no portal database at {path}; generate one first")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute("pragma journal_mode=wal")
        conn.executescript(DDL)
    conn.execute("pragma busy_timeout=30000")
    return conn


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("select value from meta where key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value",
        (key, value),
    )


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def iso_ms(ms: int) -> str:
    """HubSpot's timestamp format: ISO-8601 UTC with milliseconds and a Z."""
    moment = from_ms(ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
