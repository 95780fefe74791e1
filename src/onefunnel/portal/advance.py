"""Move a portal's clock forward: the account changes as a live HubSpot account would.

Two sources of change, applied in time order through the same engine as generation:
- the stored future of existing records (`pending_events` due by the new clock): funnel
  progressions, activities, deal stage moves and closes, edits, deletions, merges;
- persons who arrive during the new days (same growth/seasonality model), simulated whole,
  their not-yet-due events stored for later advances.
Deterministic for (portal seed, old clock, days). Each run is recorded in `advance_log`.
"""

from __future__ import annotations

import random
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import orjson

from onefunnel.portal import store
from onefunnel.portal.gen_engine import (
    EXTRA_DDL,
    EXTRA_INDEXES,
    Engine,
    SqliteStore,
    decode_event,
    encode_events,
)
from onefunnel.portal.gen_leads import LEADS, LEADS_CODE, OBJECT_TYPES_BY_CODE
from onefunnel.portal.gen_lifecycle import STAGE_RANK, profile_named
from onefunnel.portal.gen_setup import SimContext, build_campaigns, build_owners
from onefunnel.portal.gen_sim import BlockSim, BlockSpec, block_seed
from onefunnel.portal.gen_time import DAY_MS, ArrivalModel, iso, parse_iso
from onefunnel.portal.generate import HORIZON_DAYS, no_gc
from onefunnel.portal.manifest import MANIFEST_FILE_NAME, write_manifest
from onefunnel.portal.properties_catalog import custom_contact_properties

P_EXISTING_COMPANY = 0.25  # share of newly arriving persons who join a company already in the CRM


@dataclass
class AdvanceReport:
    """What one advance changed. Ids per object type name; merged pairs are (loser, survivor).

    created:  records that did not exist before (whatever their state now)
    updated:  records that existed, changed, and are still active (not archived, not merged away)
    archived: records deleted during the advance
    merged:   contacts merged away during the advance (the survivor is in `updated` or `created`)
    Every record in these lists has updated_at in (old clock, new clock]; no other record changed.
    """

    old_clock: str
    new_clock: str
    old_clock_ms: int
    new_clock_ms: int
    days: int
    created: dict[str, list[int]] = field(default_factory=dict)
    updated: dict[str, list[int]] = field(default_factory=dict)
    archived: dict[str, list[int]] = field(default_factory=dict)
    merged: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    new_persons: int = 0
    events_applied: int = 0
    pending_added: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("select key, value from meta").fetchall())


def _context(meta: dict[str, str], new_clock_ms: int) -> SimContext:
    """Rebuild the generation's owners, campaigns and custom properties from the seed."""
    seed, size = int(meta["seed"]), meta["size"]
    start_ms, gen_clock_ms = int(meta["start_ms"]), parse_iso(meta["generated_clock"])
    horizon_ms = new_clock_ms + HORIZON_DAYS * DAY_MS
    owners = build_owners(size, seed, start_ms, gen_clock_ms, horizon_ms, meta["time_zone"])
    campaigns = build_campaigns(size, seed, start_ms, gen_clock_ms, owners)
    ctx = SimContext(
        seed=seed,
        clock_ms=new_clock_ms,
        start_ms=start_ms,
        horizon_ms=horizon_ms,
        tz=meta["time_zone"],
        owners=owners,
        campaigns=campaigns,
        custom=custom_contact_properties(int(meta["custom_properties"])),
        lifecycle=profile_named(meta.get("lifecycle_profile")),
    )
    ctx.index()
    return ctx


def _existing_companies(conn: sqlite3.Connection, rng: random.Random, k: int) -> list[dict]:
    """Up to k distinct active companies, picked by probing random ids (an index seek each)."""
    lo, hi = conn.execute("select min(id), max(id) from objects where type = 2").fetchone()
    if lo is None or k <= 0:
        return []
    picked: dict[int, dict] = {}
    for _ in range(k * 2):
        if len(picked) >= k:
            break
        row = conn.execute(
            "select id, properties from objects where type = 2 and archived = 0 and id >= ? "
            "order by id limit 1",
            (rng.randint(lo, hi),),
        ).fetchone()
        if row is None or row[0] in picked:
            continue
        p = orjson.loads(row[1])
        picked[row[0]] = {
            "id": row[0],
            "existing": True,
            "name": p.get("name") or "",
            "domain": p.get("domain") or "example.com",
            "industry": p.get("industry"),
            "employees": int(p.get("numberofemployees") or 10),
            "country": p.get("country") or "United States",
            "owner": int(p["hubspot_owner_id"]) if p.get("hubspot_owner_id") else None,
            "max_rank": STAGE_RANK.get(p.get("lifecyclestage") or "", -2),
            "last_ts": 0,
            "deals": 0,
        }
    return [picked[i] for i in sorted(picked)]


def advance_portal(portal_dir: Path, days: int) -> AdvanceReport:
    """Move the portal clock forward `days` days, applying everything that happens meanwhile."""
    if days < 0:
        raise ValueError("days must be >= 0: the clock only moves forward")
    started = time.perf_counter()
    portal_dir = Path(portal_dir)
    path = store.portal_file(portal_dir)
    if not path.exists():
        raise FileNotFoundError(f"no portal at {path}; generate one first")
    conn = store.connect(path)
    conn.isolation_level = None
    conn.executescript(EXTRA_DDL + EXTRA_INDEXES)
    try:
        conn.execute("begin immediate")
        meta = _meta(conn)
        old_ms = int(meta["clock_ms"])
        new_ms = old_ms + days * DAY_MS
        seed = int(meta["seed"])
        report = AdvanceReport(
            old_clock=iso(old_ms), new_clock=iso(new_ms), old_clock_ms=old_ms, new_clock_ms=new_ms, days=days
        )
        events = [
            decode_event(row)
            for row in conn.execute(
                "select due, seq, kind, object_id, payload from pending_events "
                "where due <= ? order by due, seq",
                (new_ms,),
            )
        ]
        if days > 0:
            ctx = _context(meta, new_ms)  # owners, campaigns, custom properties rebuilt from the seed
            events.extend(_new_arrivals(conn, ctx, meta, seed, old_ms, new_ms, report))
        sql_store = SqliteStore(conn)
        engine = Engine(sql_store)
        n_events = len(events)
        with no_gc():
            later = engine.run(events, new_ms)
        report.events_applied = n_events - len(later)
        conn.execute("delete from pending_events where due <= ?", (new_ms,))
        conn.executemany(
            "insert into pending_events (due, seq, kind, object_id, payload) values (?, ?, ?, ?, ?)",
            encode_events(later),
        )
        report.pending_added = len(later)
        sql_store.flush()
        _fill_report(report, engine, sql_store)
        store.set_meta(conn, "clock", iso(new_ms))
        store.set_meta(conn, "clock_ms", str(new_ms))
        if days > 0:
            _refresh_campaigns(conn, ctx, new_ms)
        report.seconds = round(time.perf_counter() - started, 3)
        conn.execute(
            "insert into advance_log (old_clock, new_clock, days, report) values (?, ?, ?, ?)",
            (old_ms, new_ms, days, orjson.dumps(report.to_dict())),
        )
        conn.execute("commit")
    except BaseException:
        if conn.in_transaction:
            conn.execute("rollback")
        raise
    finally:
        conn.close()
    if (portal_dir / MANIFEST_FILE_NAME).exists():
        write_manifest(portal_dir)
    return report


def _new_arrivals(
    conn: sqlite3.Connection,
    ctx: SimContext,
    meta: dict[str, str],
    seed: int,
    old_ms: int,
    new_ms: int,
    report: AdvanceReport,
) -> list:
    """Simulate the persons created in (old, new] as one fresh block; returns its events."""
    model_meta = orjson.loads(meta["arrival_model"])
    arrivals_model = ArrivalModel(
        model_meta["origin_day"], model_meta["time_zone"], model_meta["base_per_day"]
    )
    rng = np.random.default_rng(block_seed(seed, 3, old_ms // 1000, new_ms // 1000))
    n = int(rng.poisson(arrivals_model.expected(old_ms + 1, new_ms + 1)))
    report.new_persons = n
    block = int(meta.get("next_block", meta.get("blocks", "0")))
    store.set_meta(conn, "next_block", str(block + 1))
    if n == 0:
        return []
    arrivals = arrivals_model.sample(rng, n, old_ms + 1, new_ms + 1)
    pick = random.Random(block_seed(seed, 4, old_ms // 1000, new_ms // 1000))
    existing = _existing_companies(conn, pick, max(1, n // 3))
    spec = BlockSpec(
        index=block,
        arrivals=arrivals,
        window_start=old_ms,
        existing_companies=existing,
        p_existing_company=P_EXISTING_COMPANY if existing else 0.0,
    )
    with no_gc():
        return BlockSim(ctx, spec).run()


def _refresh_campaigns(conn: sqlite3.Connection, ctx: SimContext, new_ms: int) -> None:
    """Campaign status (planned / active / completed) follows the clock."""
    conn.executemany(
        "update campaigns set body = ? where id = ?",
        [(orjson.dumps(c.body(new_ms)), c.id) for c in ctx.campaigns],
    )


def _fill_report(report: AdvanceReport, engine: Engine, sql_store: SqliteStore) -> None:
    def type_of(oid: int) -> str:
        obj = sql_store.cache[oid]
        assert obj is not None
        return OBJECT_TYPES_BY_CODE[obj.type]

    names = list(store.OBJECT_TYPE_CODES)
    if any(obj is not None and obj.type == LEADS_CODE for obj in sql_store.cache.values()):
        names.append(LEADS)  # a profile with leads (the default portal's report is unchanged)
    report.created = {n: [] for n in names}
    report.updated = {n: [] for n in names}
    report.archived = {n: [] for n in names}
    report.merged = {n: [] for n in names}
    created = set(engine.created)
    archived = set(engine.archived)
    losers = {loser for loser, _ in engine.merged}
    for oid in sorted(created):
        report.created[type_of(oid)].append(oid)
    for oid in sorted(archived):
        report.archived[type_of(oid)].append(oid)
    for loser, survivor in sorted(engine.merged):
        report.merged[type_of(loser)].append((loser, survivor))
    for oid in sorted(engine.touched - created - archived - losers):
        report.updated[type_of(oid)].append(oid)
