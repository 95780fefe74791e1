"""A catalogue of data defects, each injected the way it would arrive, and the check that must catch it.

Portal defects change the local portal's SQLite file (store.py conventions: properties are a JSON object of
strings, `updated_at` equals the last-modified property and is moved past the last extraction so the next
incremental run picks the change up); the next extraction then lands them like any HubSpot change.
Landing defects are what a portal cannot produce (a null or duplicated id, an old run): they land a new
extraction run, or rewrite a run manifest, in the documented landing layout.

    injected = inject_defect("negative_amount", portal_dir=..., landing_dir=...)
    injected.defect.check          # "landing.deals.amount_non_negative"
    injected.defect.extraction     # what to run next: Extraction("incremental") or None
    injected.details               # the record ids and values it changed
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from onefunnel.landing import layout

DAY_MS = 86_400_000


@dataclass(frozen=True)
class Extraction:
    """The extraction a test (or operator) runs after injecting a portal defect."""

    mode: str = "incremental"
    objects: tuple[str, ...] | None = None  # None: every object


@dataclass(frozen=True)
class Defect:
    name: str
    check: str  # the named check that must fail
    via: str  # "portal" | "landing"
    description: str
    inject: Callable[[DefectTarget], dict[str, Any]] = field(repr=False)
    extraction: Extraction | None = None  # None: nothing to extract, the landing zone already holds it


@dataclass
class DefectTarget:
    portal_dir: Path | None = None
    landing_dir: Path | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class InjectedDefect:
    defect: Defect
    details: dict[str, Any]


# ---------------------------------------------------------------------------------------------- portal


@contextmanager
def _portal(target: DefectTarget) -> Iterator[sqlite3.Connection]:
    """A write connection to the portal file, committed and closed at the end of the block."""
    from onefunnel.portal import store

    if target.portal_dir is None:
        raise ValueError("this defect is injected through the portal: give portal_dir")
    conn = store.connect(store.portal_file(target.portal_dir))
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def _type_code(name: str) -> int:
    from onefunnel.portal import store

    return store.OBJECT_TYPE_CODES[name]


def _first_active(conn: sqlite3.Connection, object_type: str, where: str = "1 = 1") -> tuple[int, dict]:
    row = conn.execute(
        "select id, properties from objects where type = ? and archived = 0 and merged_into is null "
        f"and {where} order by id limit 1",
        (_type_code(object_type),),
    ).fetchone()
    if row is None:
        raise LookupError(f"the portal has no active {object_type} matching {where}")
    return int(row[0]), orjson.loads(row[1])


def _next_modified_ms(conn: sqlite3.Connection) -> int:
    """Just after every existing modification, so the next incremental extraction sees the change."""
    return int(conn.execute("select max(updated_at) from objects").fetchone()[0]) + 1_000


def _set_properties(
    conn: sqlite3.Connection,
    object_type: str,
    object_id: int,
    changes: dict[str, str | None],
    *,
    created_ms: int | None = None,
) -> None:
    from onefunnel.portal import store

    props = orjson.loads(
        conn.execute("select properties from objects where id = ?", (object_id,)).fetchone()[0]
    )
    modified_ms = _next_modified_ms(conn)
    props.update(changes)
    props[store.LAST_MODIFIED_PROPERTY[object_type]] = store.iso_ms(modified_ms)
    if created_ms is not None:
        props["createdate" if object_type in ("contacts", "companies", "deals") else "hs_createdate"] = (
            store.iso_ms(created_ms)
        )
    conn.execute(
        "update objects set properties = ?, updated_at = ?, created_at = coalesce(?, created_at)"
        " where id = ?",
        (orjson.dumps(props), modified_ms, created_ms, object_id),
    )


def _deal_stage(conn: sqlite3.Connection, probability: float) -> tuple[str, str]:
    """(pipeline id, stage id) of the first closed stage with this probability."""
    for pipeline_id, body in conn.execute(
        "select id, body from pipelines where object_type = 'deals' order by display_order"
    ):
        for stage in orjson.loads(body).get("stages") or ():
            metadata = stage.get("metadata") or {}
            if metadata.get("isClosed") == "true" and float(metadata.get("probability", -1)) == probability:
                return str(pipeline_id), str(stage["id"])
    raise LookupError(f"no closed deal stage with probability {probability}")


def _negative_amount(target: DefectTarget) -> dict[str, Any]:
    with _portal(target) as conn:
        deal_id, _ = _first_active(conn, "deals")
        _set_properties(conn, "deals", deal_id, {"amount": "-5000"})
    return {"object": "deals", "id": str(deal_id), "amount": "-5000"}


def _won_without_close_date(target: DefectTarget) -> dict[str, Any]:
    with _portal(target) as conn:
        pipeline_id, stage_id = _deal_stage(conn, 1.0)
        deal_id, _ = _first_active(conn, "deals")
        _set_properties(
            conn, "deals", deal_id, {"pipeline": pipeline_id, "dealstage": stage_id, "closedate": None}
        )
    return {"object": "deals", "id": str(deal_id), "dealstage": stage_id}


def _unknown_lifecycle_stage(target: DefectTarget) -> dict[str, Any]:
    with _portal(target) as conn:
        contact_id, _ = _first_active(conn, "contacts")
        _set_properties(conn, "contacts", contact_id, {"lifecyclestage": "zombie"})
    return {"object": "contacts", "id": str(contact_id), "lifecyclestage": "zombie"}


def _stage_date_before_create(target: DefectTarget) -> dict[str, Any]:
    from onefunnel.portal import store

    with _portal(target) as conn:
        contact_id, _ = _first_active(conn, "contacts")
        created = conn.execute("select created_at from objects where id = ?", (contact_id,)).fetchone()[0]
        early = store.iso_ms(int(created) - 30 * DAY_MS)
        _set_properties(conn, "contacts", contact_id, {"hs_lifecyclestage_lead_date": early})
    return {"object": "contacts", "id": str(contact_id), "hs_lifecyclestage_lead_date": early}


def _future_date(target: DefectTarget) -> dict[str, Any]:
    from onefunnel.portal import store

    with _portal(target) as conn:
        contact_id, _ = _first_active(conn, "contacts")
        future = store.iso_ms(store.to_ms(target.now) + 30 * DAY_MS)
        _set_properties(conn, "contacts", contact_id, {"hs_lifecyclestage_customer_date": future})
    return {"object": "contacts", "id": str(contact_id), "hs_lifecyclestage_customer_date": future}


def _association_to_missing_record(target: DefectTarget) -> dict[str, Any]:
    with _portal(target) as conn:
        deal_id, _ = _first_active(conn, "deals")
        missing = int(conn.execute("select max(id) from objects").fetchone()[0]) + 1_000_000
        conn.execute(
            "insert or replace into associations (from_type, to_type, from_id, to_id, is_primary)"
            " values (?, ?, ?, ?, 0)",
            (_type_code("deals"), _type_code("contacts"), deal_id, missing),
        )
        _set_properties(conn, "deals", deal_id, {})  # a changed deal is re-extracted with its associations
    return {"object": "deals", "id": str(deal_id), "to_id": str(missing)}


def _missing_owner(target: DefectTarget) -> dict[str, Any]:
    with _portal(target) as conn:
        contact_id, _ = _first_active(conn, "contacts")
        unknown = str(int(conn.execute("select max(id) from owners").fetchone()[0]) + 900_000)
        _set_properties(conn, "contacts", contact_id, {"hubspot_owner_id": unknown})
    return {"object": "contacts", "id": str(contact_id), "hubspot_owner_id": unknown}


def _unknown_deal_stage(target: DefectTarget) -> dict[str, Any]:
    with _portal(target) as conn:
        deal_id, _ = _first_active(conn, "deals")
        _set_properties(conn, "deals", deal_id, {"dealstage": "stage_that_was_deleted"})
    return {"object": "deals", "id": str(deal_id), "dealstage": "stage_that_was_deleted"}


def _deals_vanish(target: DefectTarget) -> dict[str, Any]:
    """HubSpot answers an empty deal list (e.g. a token that lost a scope on a partial outage)."""
    with _portal(target) as conn:
        code = _type_code("deals")
        removed = conn.execute("select count(*) from objects where type = ?", (code,)).fetchone()[0]
        conn.execute("delete from associations where from_type = ? or to_type = ?", (code, code))
        conn.execute("delete from objects where type = ?", (code,))
    return {"object": "deals", "removed": int(removed)}


def _half_the_contacts_archived(target: DefectTarget) -> dict[str, Any]:
    """Half of the active contacts deleted at once (a bad bulk delete or a broken sync)."""
    with _portal(target) as conn:
        ids = [
            row[0]
            for row in conn.execute(
                "select id from objects where type = ? and archived = 0 and merged_into is null order by id",
                (_type_code("contacts"),),
            )
        ]
        doomed = ids[: (len(ids) + 1) // 2]
        modified_ms = _next_modified_ms(conn)
        conn.executemany(
            "update objects set archived = 1, archived_at = ?, updated_at = ? where id = ?",
            [(modified_ms, modified_ms, object_id) for object_id in doomed],
        )
    return {"object": "contacts", "archived": len(doomed), "active_before": len(ids)}


# --------------------------------------------------------------------------------------------- landing


def _landing(target: DefectTarget) -> Path:
    if target.landing_dir is None:
        raise ValueError("this defect is injected through the landing zone: give landing_dir")
    return Path(target.landing_dir)


def newest_rows(landing_dir: Path, dataset: str, limit: int = 1):
    """The newest landed version of the first `limit` active records of a dataset, as an Arrow table."""
    import duckdb

    glob = layout.dataset_glob(landing_dir, dataset).replace("'", "''")
    with duckdb.connect() as con:
        return con.sql(
            f"""
            select * from read_parquet('{glob}', union_by_name = true, hive_partitioning = false)
            qualify row_number() over (partition by id order by _run_id desc, updatedAt desc) = 1
            order by archived, id
            limit {int(limit)}
            """
        ).to_arrow_table()


def land_as_new_run(landing_dir: Path, dataset: str, table, started_at: datetime) -> str:
    """Land `table` as the only data of a new, successful incremental run (as the extractor would)."""
    import pyarrow as pa

    from onefunnel.landing.writer import EXTRACTED_AT_TYPE, Landing

    run_id = layout.new_run_id(started_at)
    n = table.num_rows
    table = table.set_column(
        table.schema.get_field_index("_run_id"), "_run_id", pa.array([run_id] * n, pa.string())
    )
    table = table.set_column(
        table.schema.get_field_index("_extracted_at"),
        "_extracted_at",
        pa.array([started_at] * n, type=EXTRACTED_AT_TYPE),
    )
    landing = Landing(landing_dir, run_id)
    landing.write(dataset, table)
    report = {
        "run_id": run_id,
        "ok": True,
        "started_at": started_at.isoformat(),
        "duration_s": 0.1,
        "error": None,
        "objects": {dataset: {"mode": "incremental", "records": n, "archived": 0, "status": "done"}},
        "totals": {},
        "drift": {},
        "budget": {},
        "landing_dir": str(landing_dir),
        "state_dir": "",
        "parts": landing.parts,
        "rows": landing.rows,
        "injected_defect": True,
    }
    layout.atomic_write_bytes(
        landing_dir / layout.RUNS_DIR / f"{run_id}.json", orjson.dumps(report, option=orjson.OPT_INDENT_2)
    )
    return run_id


def _null_id(target: DefectTarget) -> dict[str, Any]:
    import pyarrow as pa

    landing_dir = _landing(target)
    row = newest_rows(landing_dir, "contacts")
    original = row.column("id")[0].as_py()
    row = row.set_column(row.schema.get_field_index("id"), "id", pa.array([None], pa.string()))
    run_id = land_as_new_run(landing_dir, "contacts", row, target.now)
    return {"object": "contacts", "run_id": run_id, "copied_from": original}


def _duplicate_id(target: DefectTarget) -> dict[str, Any]:
    import pyarrow as pa

    landing_dir = _landing(target)
    row = newest_rows(landing_dir, "contacts")
    run_id = land_as_new_run(landing_dir, "contacts", pa.concat_tables([row, row]), target.now)
    return {"object": "contacts", "run_id": run_id, "id": row.column("id")[0].as_py()}


def _stale_data(target: DefectTarget, hours: int = 72) -> dict[str, Any]:
    """No extraction for three days: the newest run manifest started 72 hours ago."""
    landing_dir = _landing(target)
    manifests = sorted((landing_dir / layout.RUNS_DIR).glob("*.json"))
    if not manifests:
        raise LookupError("no run manifest to age")
    newest = manifests[-1]
    report = orjson.loads(newest.read_bytes())
    started = target.now - timedelta(hours=hours)
    report["started_at"] = started.isoformat()
    layout.atomic_write_bytes(newest, orjson.dumps(report, option=orjson.OPT_INDENT_2))
    return {"run_id": report.get("run_id"), "started_at": report["started_at"]}


def _late_data(target: DefectTarget) -> dict[str, Any]:
    """A missed daily run: the newest extraction started 30 hours ago (late, not yet stale)."""
    return _stale_data(target, hours=30)


def _failed_extraction(target: DefectTarget) -> dict[str, Any]:
    landing_dir = _landing(target)
    newest = sorted((landing_dir / layout.RUNS_DIR).glob("*.json"))[-1]
    report = orjson.loads(newest.read_bytes())
    report["ok"] = False
    report["error"] = "HTTP 503 from /crm/v3/objects/deals after 8 attempts"
    layout.atomic_write_bytes(newest, orjson.dumps(report, option=orjson.OPT_INDENT_2))
    return {"run_id": report.get("run_id"), "error": report["error"]}


# ------------------------------------------------------------------------------------------- catalogue

_INCREMENTAL = Extraction("incremental")

DEFECTS: dict[str, Defect] = {
    defect.name: defect
    for defect in (
        Defect(
            "duplicate_id",
            "landing.records.id_unique",
            "landing",
            "one contact landed twice in the same version by a new run",
            _duplicate_id,
        ),
        Defect(
            "null_id",
            "landing.records.id_not_null",
            "landing",
            "a contact without an id landed by a new run",
            _null_id,
        ),
        Defect(
            "negative_amount",
            "landing.deals.amount_non_negative",
            "portal",
            "a deal's amount set to -5000",
            _negative_amount,
            _INCREMENTAL,
        ),
        Defect(
            "won_without_close_date",
            "landing.deals.closed_deal_has_close_date",
            "portal",
            "a deal moved to a closed-won stage with its close date cleared",
            _won_without_close_date,
            _INCREMENTAL,
        ),
        Defect(
            "unknown_lifecycle_stage",
            "landing.contacts.lifecycle_stage_known",
            "portal",
            "a contact's lifecycle stage set to a value the portal does not define",
            _unknown_lifecycle_stage,
            _INCREMENTAL,
        ),
        Defect(
            "stage_date_before_create",
            "landing.contacts.stage_date_not_before_create",
            "portal",
            "a contact's lead date set 30 days before its create date",
            _stage_date_before_create,
            _INCREMENTAL,
        ),
        Defect(
            "future_date",
            "landing.contacts.stage_date_not_in_future",
            "portal",
            "a contact's customer date set 30 days in the future",
            _future_date,
            _INCREMENTAL,
        ),
        Defect(
            "association_to_missing_record",
            "landing.associations.target_exists",
            "portal",
            "a deal associated with a contact id that does not exist",
            _association_to_missing_record,
            _INCREMENTAL,
        ),
        Defect(
            "missing_owner",
            "landing.records.owner_exists",
            "portal",
            "a contact owned by an owner id HubSpot does not know",
            _missing_owner,
            _INCREMENTAL,
        ),
        Defect(
            "empty_extraction",
            "landing.run.complete_extraction_not_empty",
            "portal",
            "a full extraction of deals returns no deals although the last one had some",
            _deals_vanish,
            Extraction("full", ("deals",)),
        ),
        Defect(
            "half_rows_dropped",
            "landing.run.no_sudden_record_drop",
            "portal",
            "half of the active contacts deleted since the last good run",
            _half_the_contacts_archived,
            _INCREMENTAL,
        ),
        Defect(
            "stale_data",
            "landing.run.fresh",
            "landing",
            "the newest extraction started 72 hours ago (nothing extracted since)",
            _stale_data,
        ),
        Defect(
            "unknown_deal_stage",
            "landing.deals.stage_known",
            "portal",
            "a deal in a stage no pipeline defines",
            _unknown_deal_stage,
            _INCREMENTAL,
        ),
        Defect(
            "failed_extraction",
            "landing.run.finished",
            "landing",
            "the newest extraction run ended with an error",
            _failed_extraction,
        ),
        # A warning, not a block: published with a visible notice.
        Defect(
            "late_data",
            "landing.run.fresh_for_a_daily_schedule",
            "landing",
            "the newest extraction started 30 hours ago (one daily run missed)",
            _late_data,
        ),
    )
}


def inject_defect(
    name: str, *, portal_dir: Path | None = None, landing_dir: Path | None = None, now: datetime | None = None
) -> InjectedDefect:
    defect = DEFECTS.get(name)
    if defect is None:
        raise KeyError(f"unknown defect {name!r}; known: {sorted(DEFECTS)}")
    target = DefectTarget(portal_dir=portal_dir, landing_dir=landing_dir, now=now or datetime.now(UTC))
    return InjectedDefect(defect, defect.inject(target))
