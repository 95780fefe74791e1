"""Generate a deterministic synthetic HubSpot portal (one SQLite file) for the local server.

The same (size, seed, as_of, overrides) always gives the same logical portal. Work is split into
blocks of persons (grouped into companies); each block is simulated independently (in worker
processes for big portals) and bulk-written, so memory is bounded by the block size. The file is
built under a temporary name and renamed into place at the end: a killed run never leaves a
`portal.sqlite` that looks complete.

Meta keys written (all strings; JSON where noted):
    schema_version, generator_version, portal_id, seed, size, clock (ISO), clock_ms, generated_clock,
    start / start_ms (first simulated day), horizon / horizon_days (how far the future is simulated),
    time_zone ("America/New_York"), home_currency ("USD"), contacts (persons requested),
    lifecycle_profile (gen_lifecycle; written only for a non-default profile),
    custom_properties, blocks, block_size, next_block (id range of the next advance), account_created,
    arrival_model (JSON), owner_profiles (JSON: owner id -> team, time zone, working hours,
    archetype, median_speed_to_lead_hours, untouched_share, cherry_picking, active_from, archived_at),
    sales_teams (JSON), fit_model (JSON: the ideal-customer-profile weights behind model.fit_score),
    source_sql_shift (JSON), campaign_ids (JSON), burst (JSON: timestamp, timestamp_ms, size,
    requested, property, date_property, source).
Tables added next to store.DDL (see gen_engine.EXTRA_DDL): pending_events (the simulated future,
applied by advance) and advance_log (one row per advance). store.DDL itself is unchanged.
"""

from __future__ import annotations

import gc
import math
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import orjson

from onefunnel.portal import gen_leads, model, store
from onefunnel.portal.api import DATA_HOSTING_LOCATIONS, DEFAULT_DATA_HOSTING
from onefunnel.portal.gen_engine import EXTRA_DDL, EXTRA_INDEXES, Engine, MemoryStore, encode_events
from onefunnel.portal.gen_lifecycle import DEFAULT_PROFILE, profile_named
from onefunnel.portal.gen_setup import (
    SimContext,
    build_campaigns,
    build_owners,
    pipeline_bodies,
    pipeline_stage_lists,
)
from onefunnel.portal.gen_sim import BURST_WORKFLOW_ID, BlockSim, BlockSpec, block_seed
from onefunnel.portal.gen_time import DAY_MS, HOUR_MS, ArrivalModel, day_weights, iso
from onefunnel.portal.properties_catalog import (
    BURST_DATE_PROPERTY,
    BURST_PROPERTY,
    build_definitions,
    custom_contact_properties,
)

GENERATOR_VERSION = "1"
HORIZON_DAYS = 730  # how far past the clock each record's future is simulated (for `advance`)
DEFAULT_TIME_ZONE = "America/New_York"
TMP_PREFIX = ".portal.sqlite.generating-"


@dataclass(frozen=True)
class SizePreset:
    contacts: int
    months: int
    burst_size: int
    block_size: int = 5_000
    custom_properties: int = 60


SIZES: dict[str, SizePreset] = {
    "tiny": SizePreset(contacts=400, months=12, burst_size=0, block_size=400),
    "demo": SizePreset(contacts=30_000, months=24, burst_size=12_000),
    "large": SizePreset(contacts=1_000_000, months=24, burst_size=15_000),
}


@dataclass
class GenerationReport:
    path: Path
    size: str
    seed: int
    clock: str
    seconds: float
    profile: str = DEFAULT_PROFILE
    counts: dict[str, int] = field(default_factory=dict)  # rows per object type (all states)
    active: dict[str, int] = field(default_factory=dict)
    archived: dict[str, int] = field(default_factory=dict)
    merged_contacts: int = 0
    associations: int = 0
    owners: int = 0
    campaigns: int = 0
    property_definitions: int = 0
    pending_events: int = 0
    burst: dict = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase (write = main-process inserts)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["path"] = str(self.path)
        return out


def check_data_hosting(location: str) -> str:
    """A HubSpot data hosting location the portal can report, or a ValueError naming the choices."""
    if location not in DATA_HOSTING_LOCATIONS:
        raise ValueError(
            f"unknown data hosting location {location!r}; choose one of {', '.join(DATA_HOSTING_LOCATIONS)}"
        )
    return location


def default_clock() -> datetime:
    """Today's UTC midnight: the demo looks current."""
    now = datetime.now(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _month_end_before(clock_ms: int) -> int:
    """23:00 UTC on the last day of the month before the clock's month (a month-end workflow run)."""
    clock = datetime.fromtimestamp(clock_ms / 1000, tz=UTC)
    first = datetime(clock.year, clock.month, 1, tzinfo=UTC)
    return store.to_ms(first - timedelta(hours=1))


# ---------------------------------------------------------------- worker side

_WORKER_CTX: SimContext | None = None


def _init_worker(ctx: SimContext) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx
    _die_with_parent()


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker if the generating process dies (no orphans left behind)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run_block_in_worker(spec: BlockSpec) -> dict:
    assert _WORKER_CTX is not None
    return run_block(_WORKER_CTX, spec)


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic GC: blocks allocate millions of small containers and build no cycles,
    so its full-heap scans only cost time (about a third of a block's CPU)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_block(ctx: SimContext, spec: BlockSpec) -> dict:
    """Simulate one block and fold its events up to the clock: rows ready for executemany."""
    with no_gc():
        return _run_block(ctx, spec)


def _run_block(ctx: SimContext, spec: BlockSpec) -> dict:
    events = BlockSim(ctx, spec).run()
    mem = MemoryStore()
    engine = Engine(mem)
    pending = engine.run(events, ctx.clock_ms)
    return {
        "index": spec.index,
        "objects": mem.object_rows(),
        "history": mem.history_rows(),
        "associations": mem.assoc_rows(),
        "pending": encode_events(pending),
    }


# ---------------------------------------------------------------- schema


def _split_ddl() -> tuple[str, str]:
    """store.DDL without and with its secondary indexes (built after the bulk load: faster)."""
    lines = store.DDL.splitlines()  # each index statement is one line in store.DDL
    indexes = [line for line in lines if line.strip().lower().startswith("create index")]
    tables = [line for line in lines if line not in indexes]
    return "\n".join(tables) + "\n" + EXTRA_DDL, "\n".join(indexes) + "\n" + EXTRA_INDEXES


def _open_bulk(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=off",
        "synchronous=off",
        "locking_mode=exclusive",
        "temp_store=memory",
        "cache_size=-262144",
        "page_size=8192",
    ):
        conn.execute(f"pragma {pragma}")
    tables, _ = _split_ddl()
    conn.executescript(tables)
    return conn


# ---------------------------------------------------------------- main entry


def generate_portal(
    portal_dir: Path,
    *,
    size: str = "tiny",
    seed: int = 42,
    as_of: datetime | None = None,
    contacts: int | None = None,
    custom_properties: int | None = None,
    burst_size: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    overwrite: bool = False,
    workers: int | None = None,
    profile: str = DEFAULT_PROFILE,
    data_hosting_location: str = "na1",
) -> GenerationReport:
    """Build `portal_dir/portal.sqlite` (and manifest.json); refuses to replace one unless overwrite=True.

    workers: processes for block simulation (default: up to 2 when there are at least 4 blocks).
    The result does not depend on it.
    profile: lifecycle-stage profile (gen_lifecycle.PROFILES); "default" = HubSpot's default stages.
    data_hosting_location: the data centre the account details report ("eu1": uiDomain
    app-eu1.hubspot.com); only a non-default one is stored, so a default portal is unchanged.
    """
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    lifecycle = profile_named(profile)  # raises on an unknown profile before anything is written
    check_data_hosting(data_hosting_location)
    started = time.perf_counter()
    preset = SIZES[size]
    n_persons = preset.contacts if contacts is None else int(contacts)
    if n_persons < 1:
        raise ValueError("contacts must be at least 1")
    n_custom = preset.custom_properties if custom_properties is None else int(custom_properties)
    want_burst = preset.burst_size if burst_size is None else int(burst_size)
    if burst_size is None and contacts is not None and size != "tiny":
        want_burst = round(preset.burst_size * n_persons / preset.contacts)  # keep the preset's share
    report_progress = progress or (lambda _stage, _done, _total: None)

    portal_dir = Path(portal_dir)
    portal_dir.mkdir(parents=True, exist_ok=True)
    final = store.portal_file(portal_dir)
    if final.exists() and not overwrite:
        raise FileExistsError(f"{final} exists; pass overwrite=True to replace it")

    clock = _as_utc(as_of) if as_of is not None else default_clock()
    clock_ms = store.to_ms(clock)
    start_ms = clock_ms - round(preset.months * 30.4375) * DAY_MS
    start_ms -= start_ms % DAY_MS
    horizon_ms = clock_ms + HORIZON_DAYS * DAY_MS
    tz = DEFAULT_TIME_ZONE

    owners = build_owners(size, seed, start_ms, clock_ms, horizon_ms, tz)
    campaigns = build_campaigns(size, seed, start_ms, clock_ms, owners)
    custom = custom_contact_properties(n_custom)

    # --- blocks and their arrivals (cheap; needed up front to pick the burst's members)
    block_size = preset.block_size
    n_blocks = max(1, math.ceil(n_persons / block_size))
    sizes = [n_persons // n_blocks + (1 if i < n_persons % n_blocks else 0) for i in range(n_blocks)]
    arrival_model = ArrivalModel(start_ms // DAY_MS, tz)
    arrivals = [
        np.asarray(
            arrival_model.sample(np.random.default_rng(block_seed(seed, 2, i)), sizes[i], start_ms, clock_ms),
            dtype=np.int64,
        )
        for i in range(n_blocks)
    ]
    n_days = (clock_ms - start_ms) // DAY_MS
    base_per_day = n_persons / float(day_weights(start_ms // DAY_MS, n_days, start_ms // DAY_MS).sum())

    burst_ms, burst_members = _choose_burst(arrivals, want_burst, clock_ms)
    ctx = SimContext(
        seed=seed,
        clock_ms=clock_ms,
        start_ms=start_ms,
        horizon_ms=horizon_ms,
        tz=tz,
        owners=owners,
        campaigns=campaigns,
        custom=custom,
        burst_ms=burst_ms,
        burst_delta_ms=(clock_ms - burst_ms) if burst_ms is not None else 0,
        lifecycle=lifecycle,
    )
    ctx.index()
    # specs are built lazily: only the blocks in flight hold Python lists of their arrivals
    specs = (
        BlockSpec(
            index=i,
            arrivals=arrivals[i].tolist(),
            window_start=start_ms - 1,
            burst=frozenset(burst_members.get(i, ())),
        )
        for i in range(n_blocks)
    )

    _remove_abandoned_temp_files(portal_dir)
    tmp = portal_dir / f"{TMP_PREFIX}{os.getpid()}"
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    conn = _open_bulk(tmp)
    try:
        report = GenerationReport(
            path=final, size=size, seed=seed, clock=iso(clock_ms), seconds=0.0, profile=profile
        )
        _write_static(conn, ctx, size, n_persons, n_custom, preset, base_per_day, n_blocks, report)
        if data_hosting_location != DEFAULT_DATA_HOSTING:  # a default portal's meta is unchanged
            store.set_meta(conn, "data_hosting_location", data_hosting_location)
        burst_info = {
            "timestamp": iso(burst_ms) if burst_ms is not None else None,
            "timestamp_ms": burst_ms,
            "size": sum(len(v) for v in burst_members.values()),
            "requested": want_burst,
            "property": BURST_PROPERTY,
            "date_property": BURST_DATE_PROPERTY,
            "source": BURST_WORKFLOW_ID,
        }
        store.set_meta(conn, "burst", orjson.dumps(burst_info).decode())
        report.burst = burst_info
        report_progress("blocks", 0, n_blocks)
        counts = _Counts()
        phase = time.perf_counter()
        report.phases["setup"] = round(phase - started, 3)
        write_s = 0.0
        with no_gc():
            for done, out in enumerate(_block_results(ctx, specs, n_blocks, workers), start=1):
                t = time.perf_counter()
                _write_block(conn, out, counts)
                del out
                write_s += time.perf_counter() - t
                report_progress("blocks", done, n_blocks)
        report.phases["blocks"] = round(time.perf_counter() - phase, 3)
        report.phases["write"] = round(write_s, 3)
        phase = time.perf_counter()
        report_progress("indexes", 0, 1)
        _, indexes = _split_ddl()
        conn.execute("pragma threads=2")  # let SQLite's sorter use a helper thread per index build
        conn.executescript(indexes)
        conn.execute("pragma analysis_limit=1000")  # sampled statistics: a full ANALYZE reads every page
        conn.execute("analyze")
        conn.execute("pragma locking_mode=normal")
        conn.execute("pragma journal_mode=wal")
        report_progress("indexes", 1, 1)
        report.phases["indexes"] = round(time.perf_counter() - phase, 3)
        conn.close()
        conn = None
        if overwrite:
            for old in (final, Path(f"{final}-wal"), Path(f"{final}-shm"), portal_dir / "manifest.json"):
                old.unlink(missing_ok=True)
        os.replace(tmp, final)
    except BaseException:
        if conn is not None:
            conn.close()
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
        raise

    from onefunnel.portal.manifest import write_manifest  # late import: manifest imports this module's peers

    phase = time.perf_counter()
    write_manifest(portal_dir)
    report.phases["manifest"] = round(time.perf_counter() - phase, 3)
    counts.fill(report)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _remove_abandoned_temp_files(portal_dir: Path) -> None:
    """Delete temporary files of killed generations (their process no longer exists)."""
    for leftover in portal_dir.glob(f"{TMP_PREFIX}*"):
        pid_text = leftover.name.removeprefix(TMP_PREFIX).split("-")[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            leftover.unlink(missing_ok=True)
        except PermissionError:
            pass  # someone else's live process


def _choose_burst(
    arrivals: list[np.ndarray], want: int, clock_ms: int
) -> tuple[int | None, dict[int, list[int]]]:
    """Pick the month-end workflow moment and its members: the `want` oldest persons created before it."""
    if want <= 0:
        return None, {}
    all_t = np.concatenate(arrivals) if arrivals else np.empty(0, dtype=np.int64)
    block_of = np.concatenate([np.full(len(a), i) for i, a in enumerate(arrivals)])
    pos_of = np.concatenate([np.arange(len(a)) for a in arrivals])
    order = np.lexsort((pos_of, block_of, all_t))
    burst_ms = _month_end_before(clock_ms)
    if np.count_nonzero(all_t < burst_ms) < want:  # not enough older contacts: run the workflow just now
        burst_ms = clock_ms - HOUR_MS
    take = order[: min(want, int(np.count_nonzero(all_t < burst_ms)))]
    members: dict[int, list[int]] = {}
    for b, p in zip(block_of[take].tolist(), pos_of[take].tolist(), strict=True):
        members.setdefault(int(b), []).append(int(p))
    return burst_ms, members


def _block_results(ctx: SimContext, specs: Iterator[BlockSpec], n_blocks: int, workers: int | None):
    """Block outputs in block order; at most a few blocks in flight, so memory stays bounded."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if n_blocks >= 4 else 1
    if workers <= 1:
        for spec in specs:
            yield run_block(ctx, spec)
        return
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("fork"), initializer=_init_worker, initargs=(ctx,)
    ) as pool:
        in_flight: list[Future] = []
        it = iter(specs)
        for spec in it:
            in_flight.append(pool.submit(_run_block_in_worker, spec))
            if len(in_flight) >= workers + 1:
                break
        while in_flight:
            out = in_flight.pop(0).result()
            nxt = next(it, None)
            if nxt is not None:
                in_flight.append(pool.submit(_run_block_in_worker, nxt))
            yield out


class _Counts:
    def __init__(self) -> None:
        self.rows: dict[int, int] = {}
        self.archived: dict[int, int] = {}
        self.merged = 0
        self.associations = 0
        self.pending = 0

    def fill(self, report: GenerationReport) -> None:
        codes = dict(store.OBJECT_TYPES_BY_CODE)
        if self.rows.get(gen_leads.LEADS_CODE):  # a profile with leads (absent from the default's report)
            codes[gen_leads.LEADS_CODE] = gen_leads.LEADS
        for code, name in codes.items():
            rows = self.rows.get(code, 0)
            arch = self.archived.get(code, 0)
            merged = self.merged if code == 1 else 0
            report.counts[name] = rows
            report.archived[name] = arch
            report.active[name] = rows - arch - merged
        report.merged_contacts = self.merged
        report.associations = self.associations
        report.pending_events = self.pending


def _write_block(conn: sqlite3.Connection, out: dict, counts: _Counts) -> None:
    conn.execute("begin")
    conn.executemany(
        "insert into objects (id, type, created_at, updated_at, archived, archived_at, merged_into, "
        "properties) values (?, ?, ?, ?, ?, ?, ?, ?)",
        out["objects"],
    )
    conn.executemany(
        "insert into property_history (object_id, property, history) values (?, ?, ?)", out["history"]
    )
    conn.executemany(
        "insert into associations (from_type, to_type, from_id, to_id, is_primary) values (?, ?, ?, ?, ?)",
        out["associations"],
    )
    conn.executemany(
        "insert into pending_events (due, seq, kind, object_id, payload) values (?, ?, ?, ?, ?)",
        out["pending"],
    )
    conn.execute("commit")
    for row in out["objects"]:
        code = row[1]
        counts.rows[code] = counts.rows.get(code, 0) + 1
        if row[4]:
            counts.archived[code] = counts.archived.get(code, 0) + 1
        if row[6] is not None:
            counts.merged += 1
    counts.associations += len(out["associations"])
    counts.pending += len(out["pending"])


def _write_static(
    conn: sqlite3.Connection,
    ctx: SimContext,
    size: str,
    n_persons: int,
    n_custom: int,
    preset: SizePreset,
    base_per_day: float,
    n_blocks: int,
    report: GenerationReport,
) -> None:
    conn.execute("begin")
    setup_ms = ctx.start_ms - 420 * DAY_MS  # the account existed well before the simulated period
    meta = {
        "schema_version": store.SCHEMA_VERSION,
        "generator_version": GENERATOR_VERSION,
        "portal_id": str(40_000_000 + (ctx.seed * 7919) % 9_000_000),
        "seed": str(ctx.seed),
        "size": size,
        "clock": iso(ctx.clock_ms),
        "clock_ms": str(ctx.clock_ms),
        "generated_clock": iso(ctx.clock_ms),
        "start": iso(ctx.start_ms),
        "start_ms": str(ctx.start_ms),
        "horizon": iso(ctx.horizon_ms),
        "horizon_days": str(HORIZON_DAYS),
        "time_zone": ctx.tz,
        "home_currency": model.HOME_CURRENCY,
        "contacts": str(n_persons),
        "custom_properties": str(n_custom),
        "blocks": str(n_blocks),
        "block_size": str(preset.block_size),
        "next_block": str(n_blocks),
        "account_created": iso(setup_ms),
        "arrival_model": orjson.dumps(
            {
                "origin_day": ctx.start_ms // DAY_MS,
                "base_per_day": base_per_day,
                "monthly_growth": model.MONTHLY_GROWTH,
                "time_zone": ctx.tz,
            }
        ).decode(),
        "owner_profiles": orjson.dumps({str(o.id): o.profile() for o in ctx.owners}).decode(),
        "sales_teams": orjson.dumps(list(model.SALES_TEAMS)).decode(),
        "fit_model": orjson.dumps(
            {
                "weights": model.FIT_WEIGHTS,
                "seniority": model.SENIORITY_FIT,
                "size": model.SIZE_FIT,
                "industry": {k: v[1] for k, v in model.INDUSTRIES.items()},
                "no_company_size": model.NO_COMPANY_SIZE_FIT,
                "no_company_industry": model.NO_COMPANY_INDUSTRY_FIT,
            }
        ).decode(),
        "source_sql_shift": orjson.dumps(model.SOURCE_SQL_SHIFT).decode(),
        "campaign_ids": orjson.dumps([c.id for c in ctx.campaigns]).decode(),
    }
    if ctx.lifecycle is not None:  # written for non-default profiles only: a default portal is unchanged
        meta["lifecycle_profile"] = ctx.lifecycle.name
    for key, value in meta.items():
        store.set_meta(conn, key, value)
    conn.executemany(
        "insert into owners (id, archived, body) values (?, ?, ?)",
        [(o.id, 1 if o.left_ms is not None else 0, orjson.dumps(o.body())) for o in ctx.owners],
    )
    conn.executemany(
        "insert into pipelines (object_type, id, display_order, body) values ('deals', ?, ?, ?)",
        [(pid, order, orjson.dumps(body)) for pid, order, body in pipeline_bodies(setup_ms)],
    )
    if ctx.lifecycle is not None and ctx.lifecycle.leads:
        conn.execute(
            "insert into pipelines (object_type, id, display_order, body) values (?, ?, 0, ?)",
            (gen_leads.LEADS, gen_leads.LEAD_PIPELINE, orjson.dumps(gen_leads.pipeline_body(iso(setup_ms)))),
        )
    defs = build_definitions(ctx.custom, pipeline_stage_lists(), setup_ms, lifecycle=ctx.lifecycle)
    conn.executemany(
        "insert into property_definitions (object_type, name, body) values (?, ?, ?)",
        [(ot, name, orjson.dumps(body)) for ot, name, body in defs],
    )
    conn.executemany(
        "insert into campaigns (seq, id, body) values (?, ?, ?)",
        [(i + 1, c.id, orjson.dumps(c.body(ctx.clock_ms))) for i, c in enumerate(ctx.campaigns)],
    )
    conn.execute("commit")
    report.owners = len(ctx.owners)
    report.campaigns = len(ctx.campaigns)
    report.property_definitions = len(defs)
