"""Invariants every generated (or advanced) portal must satisfy; used by tests, handy when debugging.

`check_portal(path)` scans the whole file and returns human-readable problems (empty = fine).
It is a full scan, meant for test-sized portals.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from onefunnel.portal import store
from onefunnel.portal.gen_leads import ASSOCIATION_TYPE_IDS, OBJECT_TYPES_BY_CODE
from onefunnel.portal.gen_lifecycle import DATE_ENTERED, LifecycleProfile, profile_named
from onefunnel.portal.gen_time import iso

FUNNEL_ORDER = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
)
CREATED_PROP = {1: "createdate", 2: "createdate", 3: "createdate"}


def check_portal(path: Path, *, limit: int = 50) -> list[str]:
    conn = store.connect(Path(path), read_only=True)
    try:
        problems: list[str] = []
        for problem in _problems(conn):
            problems.append(problem)
            if len(problems) >= limit:
                break
        return problems
    finally:
        conn.close()


def _problems(conn) -> Iterator[str]:
    clock_ms = int(store.get_meta(conn, "clock_ms") or 0)
    lifecycle = profile_named(store.get_meta(conn, "lifecycle_profile"))
    with_history = {
        oid
        for (oid,) in conn.execute("select object_id from property_history where property = 'lifecyclestage'")
    }
    defs: dict[str, dict[str, dict]] = {}
    for object_type, name, body in conn.execute("select object_type, name, body from property_definitions"):
        defs.setdefault(object_type, {})[name] = orjson.loads(body)
    stages: dict[str, dict[str, dict]] = {}
    for pid, body in conn.execute("select id, body from pipelines where object_type = 'deals'"):
        pipeline = orjson.loads(body)
        for stage in pipeline["stages"]:
            meta = stage["metadata"]
            if not isinstance(meta["isClosed"], str) or not isinstance(meta["probability"], str):
                yield f"pipeline {pid} stage {stage['id']}: metadata values must be strings"
            float(meta["probability"])
        stages[pid] = {s["id"]: s for s in pipeline["stages"]}
    owners = {oid for (oid,) in conn.execute("select id from owners")}
    ids: dict[int, tuple[int, int | None]] = {}

    for oid, code, created, updated, archived, archived_at, merged_into, blob in conn.execute(
        "select id, type, created_at, updated_at, archived, archived_at, merged_into, properties from objects"
    ):
        name = OBJECT_TYPES_BY_CODE[code]
        ids[oid] = (code, merged_into)
        props = orjson.loads(blob)
        where = f"{name} {oid}"
        bad = [k for k, v in props.items() if v is not None and not isinstance(v, str)]
        if bad:
            yield f"{where}: non-string values for {bad[:5]}"
        if props.get("hs_object_id") != str(oid):
            yield f"{where}: hs_object_id {props.get('hs_object_id')!r}"
        modified = store.LAST_MODIFIED_PROPERTY.get(name, "hs_lastmodifieddate")
        if props.get(modified) != iso(updated):
            yield f"{where}: updated_at {iso(updated)} != {props.get(modified)}"
        created_prop = CREATED_PROP.get(code, "hs_createdate")
        if props.get(created_prop) != iso(created):
            yield f"{where}: created_at {iso(created)} != {props.get(created_prop)}"
        if created > updated or updated > clock_ms:
            yield f"{where}: created {created} / updated {updated} / clock {clock_ms} out of order"
        if archived and archived_at is None:
            yield f"{where}: archived without archived_at"
        if merged_into is not None and code != 1:
            yield f"{where}: only contacts merge"
        unknown = [k for k in props if k not in defs.get(name, {})]
        if unknown:
            yield f"{where}: properties without definition {unknown[:5]}"
        for k, v in props.items():
            d = defs.get(name, {}).get(k)
            if v and d and d["type"] == "enumeration" and d["options"]:
                allowed = {o["value"] for o in d["options"]}
                values = v.split(";") if d["fieldType"] == "checkbox" else [v]
                if any(x not in allowed for x in values):
                    yield f"{where}: {k}={v!r} is not an option"
        owner = props.get("hubspot_owner_id")
        if owner and int(owner) not in owners:
            yield f"{where}: unknown owner {owner}"
        if code == 1 and lifecycle is not None:
            yield from _custom_stage_contact_problems(where, props, lifecycle, oid in with_history)
        elif code == 1:
            yield from _contact_problems(where, props)
        elif code == 3:
            yield from _deal_problems(where, props, stages)
        elif name in store.ENGAGEMENT_TYPES and not props.get("hs_timestamp"):
            yield f"{where}: engagement without hs_timestamp"

    for oid, prop, blob in conn.execute("select object_id, property, history from property_history"):
        hist = orjson.loads(blob)
        stamps = [h["timestamp"] for h in hist]
        if stamps != sorted(stamps, reverse=True):
            yield f"history {oid}.{prop}: not newest first"
        if any(set(h) - {"value", "timestamp", "sourceType", "sourceId", "updatedByUserId"} for h in hist):
            yield f"history {oid}.{prop}: unexpected keys"
    for oid, prop, current, newest in conn.execute(
        "select h.object_id, h.property, json_extract(o.properties, '$.' || h.property), "
        "json_extract(h.history, '$[0].value') from property_history h join objects o on o.id = h.object_id "
        "where o.merged_into is null"
    ):
        if (current or "") != (newest or ""):
            yield f"history {oid}.{prop}: newest {newest!r} != current {current!r}"

    for ft, tt, fid, tid, prim in conn.execute(
        "select a.from_type, a.to_type, a.from_id, a.to_id, a.is_primary from associations a "
        "left join associations b on b.from_type = a.to_type and b.to_type = a.from_type "
        "and b.from_id = a.to_id and b.to_id = a.from_id "
        "where b.from_id is null or b.is_primary != a.is_primary"
    ):
        yield f"association {ft}:{fid} -> {tt}:{tid} (primary {prim}) has no matching reverse"
    for ft, tt, fid, tid in conn.execute("select from_type, to_type, from_id, to_id from associations"):
        if (OBJECT_TYPES_BY_CODE[ft], OBJECT_TYPES_BY_CODE[tt]) not in ASSOCIATION_TYPE_IDS:
            yield f"association {ft}->{tt} has no type id"
        for end, code in ((fid, ft), (tid, tt)):
            if end not in ids or ids[end][0] != code:
                yield f"association {fid}->{tid}: endpoint {end} missing or of the wrong type"
            elif ids[end][1] is not None:
                yield f"association {fid}->{tid}: endpoint {end} was merged away"


def _contact_problems(where: str, props: dict) -> Iterator[str]:
    stage = props.get("lifecyclestage")
    if stage and not props.get(f"hs_lifecyclestage_{stage}_date"):
        yield f"{where}: lifecyclestage {stage} without its date"
    if props.get("hs_merged_object_ids"):
        return  # a survivor keeps the earliest dates of two records; their order is not guaranteed
    dates = [props.get(f"hs_lifecyclestage_{s}_date") for s in FUNNEL_ORDER]
    present = [d for d in dates if d]
    if present != sorted(present):
        yield f"{where}: stage dates out of order {dates}"


def _custom_stage_contact_problems(
    where: str, props: dict, lifecycle: LifecycleProfile, has_history: bool
) -> Iterator[str]:
    """A customised portal: every stage date is a date-entered property (default stages also keep theirs);
    a contact without any stage date must be dated by its lifecyclestage history."""
    stage = props.get("lifecyclestage")
    entered = {k.removeprefix(DATE_ENTERED): v for k, v in props.items() if k.startswith(DATE_ENTERED) and v}
    if stage and stage in lifecycle.removed:
        yield f"{where}: lifecyclestage {stage} was removed from this portal"
    for value in entered:
        default_date = props.get(f"hs_lifecyclestage_{value}_date")
        custom = value in lifecycle.custom_values
        if custom and default_date is not None:
            yield f"{where}: custom stage {value} has a hs_lifecyclestage_ date property"
        if not custom and default_date != entered[value]:
            yield f"{where}: {value} entered {entered[value]} but its stage date is {default_date}"
    if not entered:
        if stage and not has_history:
            yield f"{where}: lifecyclestage {stage} with neither a stage date nor a history"
        return
    if stage and stage not in entered:
        yield f"{where}: lifecyclestage {stage} without its date-entered property"
    if props.get("hs_merged_object_ids"):
        return  # a survivor keeps the earliest dates of two records; their order is not guaranteed
    order = sorted((s for s in lifecycle.stages if s.rank >= 0), key=lambda s: s.rank)
    present = [entered[s.value] for s in order if s.value in entered]
    if present != sorted(present):
        yield f"{where}: stage dates out of order {present}"


def _deal_problems(where: str, props: dict, stages: dict[str, dict[str, dict]]) -> Iterator[str]:
    pipeline, stage_id = props.get("pipeline"), props.get("dealstage")
    stage = stages.get(pipeline or "", {}).get(stage_id or "")
    if stage is None:
        yield f"{where}: stage {stage_id} not in pipeline {pipeline}"
        return
    closed = stage["metadata"]["isClosed"] == "true"
    won = closed and float(stage["metadata"]["probability"]) == 1.0
    if props.get("hs_is_closed") != ("true" if closed else "false"):
        yield f"{where}: hs_is_closed {props.get('hs_is_closed')} but stage closed={closed}"
    if props.get("hs_is_closed_won") != ("true" if won else "false"):
        yield f"{where}: hs_is_closed_won {props.get('hs_is_closed_won')} but stage won={won}"
    if props.get(f"hs_v2_date_entered_{stage_id}") is None:
        yield f"{where}: no entered date for its current stage"
    for sid in stages[pipeline]:  # type: ignore[index]
        entered, exited = props.get(f"hs_v2_date_entered_{sid}"), props.get(f"hs_v2_date_exited_{sid}")
        if exited and (not entered or exited < entered):
            yield f"{where}: stage {sid} exited {exited} before entered {entered}"
    if not closed and props.get("closed_lost_reason"):
        yield f"{where}: open deal with a closed-lost reason"
