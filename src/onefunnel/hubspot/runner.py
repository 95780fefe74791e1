"""One extraction run: credentials -> discovery (also the fail-fast auth check) -> lock -> streams in
parallel under one rate budget -> run manifest, drift report, summary.

Nothing is written (not even a folder) before HubSpot has accepted the token, so a wrong token leaves the
landing zone and the state exactly as they were.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson

from onefunnel.files import private_dir
from onefunnel.hubspot import settings
from onefunnel.hubspot.availability import probe_optional_objects
from onefunnel.hubspot.client import Credentials, redact, register_secret, resolve_credentials
from onefunnel.hubspot.endpoints import HubSpotApi
from onefunnel.hubspot.errors import ConfigurationError, ExtractError
from onefunnel.hubspot.paths import check_api_version
from onefunnel.hubspot.properties import PropertyFilter, PropertyPlan, plan_properties
from onefunnel.hubspot.ratebudget import PRIORITY_START, RateBudget
from onefunnel.hubspot.reference import (
    account_stream,
    campaigns_stream,
    owners_stream,
    pipelines_stream,
    property_definitions_stream,
)
from onefunnel.hubspot.retry import CallStats, Retrier
from onefunnel.hubspot.streams import (
    CrmStream,
    FullListStream,
    IncrementalSearchStream,
    Meet,
    RunContext,
    StreamProgress,
    TopPartitionStream,
    now_utc,
    parse_ms,
)
from onefunnel.hubspot.timeline import Timeline
from onefunnel.landing import layout
from onefunnel.landing import runs as landing_runs
from onefunnel.landing.state import StateStore
from onefunnel.landing.writer import Landing

log = logging.getLogger("onefunnel.extract")


@dataclass
class ExtractOptions:
    objects: tuple[str, ...] = settings.ALL_OBJECTS
    mode: str = "incremental"  # "incremental" | "full"
    full_refresh: tuple[str, ...] = ()
    landing_dir: Path | None = None
    state_dir: Path | None = None
    host: str | None = None
    tier: str | None = settings.DEFAULT_TIER  # None / "unlimited": no client-side throttle
    concurrency: int = 16
    property_filters: dict[str, PropertyFilter] = field(default_factory=dict)
    lookback_ms: int = settings.SEARCH_LOOKBACK_MS
    associations: bool = True
    group_records: int = settings.COMMIT_GROUP_RECORDS
    max_attempts: int = settings.RETRY_MAX_ATTEMPTS
    url_length_budget: int = settings.URL_LENGTH_BUDGET
    # Full mode: objects with at least this many active records also page the top of their id range
    # through search (a second chain that meets the list in the middle); 0 disables it.
    partition_min_records: int = settings.PARTITION_MIN_RECORDS
    # Write every request's queue / grant / answer times here (JSON, see timeline.py); None = off.
    timeline_path: Path | None = None
    # HubSpot API version (paths.py): "2026-09", "2026-03" or "legacy"; None = env
    # ONEFUNNEL_HUBSPOT_API_VERSION, else the Airflow connection extra `api_version`, else the default.
    api_version: str | None = None

    def validate(self) -> None:
        unknown = [name for name in (*self.objects, *self.full_refresh) if name not in settings.ALL_OBJECTS]
        if unknown:
            raise ConfigurationError(
                f"unknown object(s) {', '.join(unknown)}; choose from {', '.join(settings.ALL_OBJECTS)}"
            )
        if self.mode not in ("incremental", "full"):
            raise ConfigurationError(f"mode must be incremental or full, not {self.mode!r}")
        if self.concurrency < 1:
            raise ConfigurationError("concurrency must be at least 1")
        if self.api_version is not None:
            self.api_version = check_api_version(self.api_version)


@dataclass
class RunSummary:
    run_id: str
    ok: bool
    started_at: str
    duration_s: float
    modes: dict[str, str]
    streams: list[StreamProgress]
    totals: dict[str, int]
    drift: dict[str, dict]
    budget: dict
    error: str | None = None
    landing_dir: str = ""
    state_dir: str = ""
    api_version: str = ""
    skipped: dict[str, str] = field(default_factory=dict)  # optional objects (leads) not extracted, why
    # Unreadable parts of earlier runs moved to <landing>/_quarantine/ (their objects extracted in full).
    quarantined: list[dict] = field(default_factory=list)

    def per_object(self) -> dict[str, dict]:
        rows: dict[str, dict] = {}
        for stream in self.streams:
            row = rows.setdefault(
                stream.object_type,
                {
                    "mode": self.modes.get(stream.object_type, stream.mode),
                    "records": 0,
                    "archived": 0,
                    "pages": 0,
                    "requests": 0,
                    "retries": 0,
                    "rate_limited": 0,
                    "server_errors": 0,
                    "connection_errors": 0,
                    "seconds": 0.0,
                    "status": "done",
                },
            )
            if stream.phase == "archived":
                row["archived"] += stream.records
            else:
                row["records"] += stream.records
            row["pages"] += stream.pages
            for key, value in stream.stats.as_dict().items():
                if key in row:
                    row[key] += value
            row["seconds"] = max(row["seconds"], stream.elapsed)
            if stream.status != "done":
                row["status"] = stream.status
        return rows

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "ok": self.ok,
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3),
            "error": self.error,
            "objects": self.per_object(),
            "totals": self.totals,
            "drift": self.drift,
            "budget": self.budget,
            "landing_dir": self.landing_dir,
            "state_dir": self.state_dir,
            "api_version": self.api_version,
            "skipped": self.skipped,
            "quarantined": self.quarantined,
        }


class ExtractionFailed(ExtractError):
    def __init__(self, message: str, summary: RunSummary, cause: BaseException) -> None:
        super().__init__(message)
        self.summary = summary
        self.cause = cause
        self.exit_code = getattr(cause, "exit_code", 1)


def run_extraction(
    options: ExtractOptions,
    *,
    credentials: Credentials | None = None,
    on_streams: Callable[[list[StreamProgress], RateBudget, CallStats], None] | None = None,
) -> RunSummary:
    """Run one extraction; raises ExtractError (with `.summary` when streams had started), StateLockedError
    when another extraction holds the state folder."""
    options.validate()
    credentials = credentials or resolve_credentials(host=options.host)
    register_secret(credentials.token)
    landing_dir = Path(options.landing_dir or layout.default_landing_dir())
    state_dir = Path(options.state_dir or layout.default_state_dir())
    # Unreadable parts of earlier runs (read-only here; moved aside once the lock is held): their objects are
    # extracted again in full, so what the parts held is landed again.
    unreadable = landing_runs.unreadable_parts(landing_runs.own_run_folders(landing_dir))
    options = _extract_again_in_full(options, unreadable)
    budget = RateBudget.for_tier(options.tier)
    if options.timeline_path is not None:
        budget.timeline = Timeline()
    run_stats = CallStats()
    retrier = Retrier(budget, max_attempts=options.max_attempts, run_stats=run_stats)
    api = HubSpotApi(
        credentials, retrier, pool_size=options.concurrency * 2 + 8, api_version=options.api_version
    )
    crm_objects = [
        name
        for name in settings.CRM_OBJECTS
        if name in options.objects and name not in settings.OPTIONAL_OBJECTS
    ]
    # Optional objects (leads) are probed after the token check; a portal without them skips them.
    optional = [
        name
        for name in settings.OPTIONAL_OBJECTS
        if name in options.objects or "properties" in options.objects
    ]
    started = time.monotonic()
    started_at = now_utc().isoformat()

    # 1. Discovery: also the fail-fast check of the token, before anything touches the disk.
    discovery_targets = crm_objects or (["contacts"] if "properties" in options.objects else [])
    definitions: dict[str, list[dict]] = {}
    if discovery_targets:
        definitions[discovery_targets[0]] = api.properties(discovery_targets[0]).get("results") or []
        with ThreadPoolExecutor(max_workers=min(8, options.concurrency)) as pool:
            rest = discovery_targets[1:]
            for name, answer in zip(rest, pool.map(api.properties, rest), strict=True):
                definitions[name] = answer.get("results") or []
        if "properties" in options.objects:
            for name in settings.CRM_OBJECTS:
                if name not in definitions and name not in settings.OPTIONAL_OBJECTS:
                    definitions[name] = api.properties(name).get("results") or []
    elif not optional:
        api.owners_page(after=None, archived=False)  # cheapest authenticated call (account details may be
        # refused to a valid token, so they cannot be the check)
    optional_definitions, skipped = probe_optional_objects(api, optional)
    definitions.update(optional_definitions)
    crm_objects += [name for name in optional_definitions if name in options.objects]
    plans: dict[str, PropertyPlan] = {
        name: plan_properties(
            name,
            definitions[name],
            credentials.base_url,
            options.property_filters.get(name) or options.property_filters.get("*"),
            options.url_length_budget,
        )
        for name in crm_objects
    }

    # 2. Token accepted: take the state lock and start writing.
    run_id = layout.new_run_id()
    state = StateStore(state_dir)
    private_dir(landing_dir)
    with state.exclusive():
        layout.remove_stale_temporaries(landing_dir)
        layout.remove_stale_temporaries(state_dir)
        layout.make_tree_private(landing_dir)  # landing zones and state written before files were private
        layout.make_tree_private(state_dir)
        quarantined = _quarantine(landing_dir, unreadable, run_id)
        # Registers the run before its first part: its folder is a landing run even if this process dies.
        started_marker = landing_runs.started_marker(landing_dir, run_id)
        private_dir(started_marker.parent)
        layout.atomic_write_bytes(started_marker, orjson.dumps({"run_id": run_id, "started_at": started_at}))
        landing = Landing(landing_dir, run_id)
        with ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="hubspot") as executor:
            ctx = RunContext(
                api=api,
                landing=landing,
                state=state,
                executor=executor,
                run_id=run_id,
                plans=plans,
                group_records=options.group_records,
                associations=options.associations,
            )
            modes: dict[str, str] = {}
            drift = _drift(state, plans)
            object_runners = [_ObjectRunner(ctx, name, options) for name in crm_objects]
            reference = []
            if "owners" in options.objects:
                reference.append(owners_stream(ctx))
            if "pipelines" in options.objects:
                reference.append(pipelines_stream(ctx))
            if "properties" in options.objects:
                reference.append(property_definitions_stream(ctx, definitions))
            if "campaigns" in options.objects:
                reference.append(campaigns_stream(ctx))
            if "account" in options.objects:
                reference.append(account_stream(ctx, skipped))
            streams: list[StreamProgress] = [p for runner in object_runners for p in runner.progresses]
            streams += [progress for progress, _ in reference]
            if on_streams:
                on_streams(streams, budget, run_stats)
            errors: list[BaseException] = []
            threads = [
                threading.Thread(target=_capture(runner.run, errors), name=f"stream-{runner.object_type}")
                for runner in object_runners
            ] + [
                threading.Thread(target=_capture(body, errors), name=f"stream-{p.name}")
                for p, body in reference
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            for runner in object_runners:
                modes[runner.object_type] = runner.mode
            for progress, _ in reference:
                modes[progress.object_type] = "snapshot"
        for name, unexpected in ctx.unexpected_properties.items():
            drift.setdefault(name, {"added": [], "removed": []})["unexpected_in_data"] = sorted(unexpected)
        error = _first_error(errors)
        summary = RunSummary(
            run_id=run_id,
            ok=error is None,
            started_at=started_at,
            duration_s=time.monotonic() - started,
            modes=modes,
            streams=streams,
            totals=run_stats.as_dict(),
            drift=drift,
            budget=_budget_report(budget, options.tier),
            error=redact(error) if error else None,
            landing_dir=str(landing_dir),
            state_dir=str(state_dir),
            api_version=api.api_version,
            skipped=skipped,
            quarantined=quarantined,
        )
        if error is None:
            for name, plan in plans.items():
                state.update(name, lambda s, plan=plan: s.__setitem__("properties", plan.names))
        _write_run_files(landing_dir, summary, landing)
        started_marker.unlink(missing_ok=True)  # the run manifest registers the run from now on
        if budget.timeline is not None:
            budget.timeline.write(options.timeline_path)
    if error is not None:
        raise ExtractionFailed(redact(error), summary, error)
    return summary


def _extract_again_in_full(
    options: ExtractOptions, unreadable: list[landing_runs.UnreadablePart]
) -> ExtractOptions:
    """Options that also extract, in full, every object whose landed parts cannot be read."""
    objects = {landing_runs.object_of_dataset(part.path.parent.parent.name) for part in unreadable} - {None}
    if not objects:
        return options
    ordered = tuple(name for name in settings.ALL_OBJECTS if name in objects)
    return replace(
        options,
        objects=tuple(dict.fromkeys((*options.objects, *ordered))),
        full_refresh=tuple(dict.fromkeys((*options.full_refresh, *ordered))),
    )


def _quarantine(landing_dir: Path, unreadable: list[landing_runs.UnreadablePart], run_id: str) -> list[dict]:
    """Move the unreadable parts (still unreadable now that the lock is held) to the quarantine folder."""
    still = [part for part in unreadable if part.path.exists() and landing_runs.part_problem(part.path)]
    if not still:
        return []
    folder = landing_runs.quarantine(landing_dir, still, run_id)
    entries = []
    for part in still:
        relative = part.path.relative_to(landing_dir).as_posix()
        again = landing_runs.object_of_dataset(part.path.parent.parent.name)
        entries.append({"part": relative, "reason": part.reason, "extracted_again": again})
        log.info(
            "quarantined %s (%s): moved to %s; %s",
            relative,
            part.reason,
            folder,
            f"{again} is extracted again in full" if again else "no object re-extracts this dataset",
        )
    return entries


def _capture(target: Callable[[], None], errors: list[BaseException]) -> Callable[[], None]:
    def run() -> None:
        try:
            target()
        except BaseException as error:  # collected; the first real error is raised by the runner
            errors.append(error)

    return run


def _first_error(errors: list[BaseException]) -> BaseException | None:
    from onefunnel.hubspot.streams import StopRequested

    real = [e for e in errors if not isinstance(e, StopRequested)]
    # Prefer errors a data engineer must act on (auth, daily limit) over their consequences.
    real.sort(key=lambda e: 0 if isinstance(e, ExtractError) else 1)
    return real[0] if real else (errors[0] if errors else None)


class _ObjectRunner:
    """Decides the object's mode, opens or resumes its checkpoint, runs its passes in parallel."""

    def __init__(self, ctx: RunContext, object_type: str, options: ExtractOptions) -> None:
        self.ctx = ctx
        self.object_type = object_type
        self.options = options
        state = ctx.state.load(object_type)
        checkpoint = state.get("checkpoint")
        watermark = state.get("watermark")
        refresh = object_type in options.full_refresh
        if refresh:
            self.resume = None
            self.mode = "full"
        elif checkpoint and (options.mode == "incremental" or checkpoint["mode"] == "full"):
            self.resume = checkpoint  # finish what a killed or failed run started
            self.mode = checkpoint["mode"]
        elif options.mode == "full" or not watermark:
            self.resume = None
            self.mode = "full"
        else:
            self.resume = None
            self.mode = "incremental"
        passes = ("active", "top", "archived") if self.mode == "full" else ("search", "archived")
        self.progresses = [
            StreamProgress(f"{object_type}:{name}", object_type, name, self.mode) for name in passes
        ]
        self._watermark = watermark

    def run(self) -> None:
        ctx = self.ctx
        prop = settings.LAST_MODIFIED_PROPERTY[self.object_type]
        main_progress = self.progresses[0]
        main_progress.status = "running"
        main_progress.started = time.monotonic()
        try:
            latest_ts, total = self._latest(prop, main_progress)
        except BaseException as error:
            main_progress.status = "failed"
            main_progress.error = str(error)
            main_progress.finished = time.monotonic()
            ctx.stop.set()
            raise
        checkpoint = self.resume
        if checkpoint is None:
            if self.mode == "full":
                checkpoint = {
                    "mode": "full",
                    "run_id": ctx.run_id,
                    "started_at": now_utc().isoformat(),
                    "snapshot_ts": latest_ts,
                    "passes": {
                        "active": {"after": None, "done": False},
                        # Big objects: the top of the id range through search (see streams.Meet).
                        "top": {"low_id": None, "done": not self._partitioned(total)},
                        "archived": {"after": None, "done": False},
                    },
                }
            else:
                start_ts = max(0, int(self._watermark["lastmodified_gte_ms"]) - self.options.lookback_ms)
                checkpoint = {
                    "mode": "incremental",
                    "run_id": ctx.run_id,
                    "started_at": now_utc().isoformat(),
                    "from_watermark": self._watermark,
                    "passes": {
                        "search": {"ts": start_ts, "id": None, "done": False},
                        "archived": {"after": None, "done": False},
                    },
                }
            new_checkpoint = checkpoint

            def start(state: dict) -> None:
                state["checkpoint"] = new_checkpoint
                if self.object_type in self.options.full_refresh:
                    state.pop("watermark", None)

            ctx.state.update(self.object_type, start)
        streams: list[CrmStream] = []
        passes = checkpoint["passes"]
        meet = None
        if "top" in passes and not passes["top"].get("done"):
            meet = Meet(total, passes["active"], passes["top"])
        for progress in self.progresses:
            entry = passes.get(progress.phase)
            if entry is None:  # a checkpoint written before the pass existed
                progress.status = "done"
                continue
            if progress.phase == "top":
                stream: CrmStream = TopPartitionStream(ctx, self.object_type, self.mode, entry)
                stream.meet = meet
            elif progress.phase == "search":
                stream = IncrementalSearchStream(ctx, self.object_type, self.mode, entry)
            else:
                stream = FullListStream(
                    ctx, self.object_type, self.mode, entry, archived=progress.phase == "archived"
                )
                if progress.phase == "active":
                    stream.meet = meet
            # keep the progress objects the caller already holds
            stream.progress.started = progress.started
            stream.progress = progress
            if progress.phase in ("active", "top"):
                progress.total = total
            if entry.get("done"):
                progress.status = "done"
                progress.finished = time.monotonic()
                continue
            streams.append(stream)
        errors: list[BaseException] = []
        threads = [threading.Thread(target=_capture(s.run, errors)) for s in streams]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise _first_error(errors)

    def _partitioned(self, total: int | None) -> bool:
        threshold = self.options.partition_min_records
        return bool(threshold) and (total or 0) >= threshold

    def _latest(self, prop: str, progress: StreamProgress) -> tuple[int | None, int | None]:
        """Newest last-modified time and active count right now (one search): the full run's watermark and
        the ETA's denominator."""
        if self.mode != "full":
            return None, None
        answer = self.ctx.api.search(
            self.object_type,
            {
                "filterGroups": [],
                "sorts": [{"propertyName": prop, "direction": "DESCENDING"}],
                "properties": [prop],
                "limit": 1,
            },
            cursor="latest",
            # Ahead of every chain: the object's passes cannot start before it (behind the big objects'
            # search chains, small objects would start only when those end, and finish alone at the end).
            priority=PRIORITY_START,
            stats=progress.stats,
        )
        results = answer.get("results") or []
        latest = None
        if results:
            latest = parse_ms((results[0].get("properties") or {}).get(prop)) or parse_ms(
                results[0].get("updatedAt")
            )
        return latest, answer.get("total")


def _drift(state: StateStore, plans: dict[str, PropertyPlan]) -> dict[str, dict]:
    drift: dict[str, dict] = {}
    for name, plan in plans.items():
        previous = state.load(name).get("properties")
        if previous is None:
            continue  # first run: this run's properties become the baseline
        added = sorted(set(plan.names) - set(previous))
        removed = sorted(set(previous) - set(plan.names))
        if added or removed:
            drift[name] = {"added": added, "removed": removed}
    return drift


def _budget_report(budget: RateBudget, tier: str | None) -> dict:
    stats = budget.stats
    span = (stats.last_grant - stats.first_grant) if stats.first_grant is not None else 0.0
    allowed = (
        settings.TIERS[tier].requests_per_window / (settings.TIERS[tier].window_ms / 1000)
        if (tier in settings.TIERS)
        else None
    )
    general = stats.granted.get("general", 0)
    return {
        "tier": tier or "unlimited",
        "general_requests": general,
        "search_requests": stats.granted.get("search", 0),
        "span_s": round(span, 3),
        "allowed_rps": allowed,
        "achieved_rps": round(general / span, 3) if span > 0 else None,
        "utilisation": round(general / span / allowed, 4) if span > 0 and allowed else None,
        "waited_s": round(stats.waited_seconds, 3),
        "global_pauses": stats.pauses,
    }


def _write_run_files(landing_dir: Path, summary: RunSummary, landing: Landing) -> None:
    private_dir(landing_dir / layout.RUNS_DIR)
    private_dir(landing_dir / layout.DRIFT_DIR)
    report = summary.as_dict()
    report["parts"] = landing.parts
    report["rows"] = landing.rows
    layout.atomic_write_bytes(
        landing_dir / layout.RUNS_DIR / f"{summary.run_id}.json",
        orjson.dumps(report, option=orjson.OPT_INDENT_2),
    )
    layout.atomic_write_bytes(
        landing_dir / layout.DRIFT_DIR / f"{summary.run_id}.json",
        orjson.dumps({"run_id": summary.run_id, "drift": summary.drift}, option=orjson.OPT_INDENT_2),
    )
