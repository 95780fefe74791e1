"""Per-object extraction: full (list endpoints) and incremental (search keyset) streams, landing in commit
groups, each group's checkpoint saved only after its Parquet parts are durable.

A stream's own thread walks the paging chain (every page needs the previous page's cursor, so this is the
part of a run that cannot be parallelised); page enrichment (extra property chunks, history) and
associations run on the shared executor so the chain never waits for them. Groups are committed strictly
in order, so a checkpoint never covers a page whose data is not on disk.

Incremental keyset (never uses search's `after`, so the 10,000-result cap is never reached, and a record
modified while the run pages cannot shift a page boundary and be skipped):

    cursor (ts, None):  search  lastmodified >= ts  sorted by lastmodified ascending, 200 per query
        - last page (no paging.next): land all; cursor = (max ts + 1, None)
        - otherwise T = ts of the page's last record; land records with ts < T; cursor = (T, None)
          (records at T are read again by the next query) — unless every record has ts T: cursor = (T, 0)
    cursor (ts, id):    search  lastmodified == ts and hs_object_id > id  sorted by id, 200 per query
        - land all; cursor = (ts, max id), or (ts + 1, None) after the last page

so any number of records sharing one timestamp (a 15,000-record bulk import) is drained by id.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa

from onefunnel.hubspot import settings
from onefunnel.hubspot.associations import dataset_name as association_dataset
from onefunnel.hubspot.associations import fetch_associations
from onefunnel.hubspot.endpoints import HubSpotApi
from onefunnel.hubspot.properties import PropertyPlan
from onefunnel.hubspot.ratebudget import PRIORITY_BACKGROUND, PRIORITY_SIDE, stream_priority
from onefunnel.hubspot.retry import CallStats
from onefunnel.landing.state import StateStore
from onefunnel.landing.writer import Landing, concat, crm_records_table, history_table

MAX_PAGE_TASKS_IN_FLIGHT = 8


class StopRequested(Exception):
    """Another stream failed; this one stops without committing more."""


@dataclass
class StreamProgress:
    name: str
    object_type: str
    phase: str
    mode: str
    records: int = 0
    pages: int = 0
    total: int | None = None
    status: str = "pending"
    started: float | None = None
    finished: float | None = None
    stats: CallStats = field(default_factory=CallStats)
    error: str | None = None

    @property
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    def eta_seconds(self) -> float | None:
        if not self.total or not self.records or self.status != "running":
            return None
        rate = self.records / max(self.elapsed, 1e-6)
        return max(0.0, (self.total - self.records) / rate)


@dataclass
class RunContext:
    api: HubSpotApi
    landing: Landing
    state: StateStore
    executor: Executor
    run_id: str
    plans: dict[str, PropertyPlan]
    stop: threading.Event = field(default_factory=threading.Event)
    group_records: int = settings.COMMIT_GROUP_RECORDS
    max_pending_groups: int = settings.MAX_PENDING_GROUPS
    associations: bool = True
    unexpected_properties: dict[str, set[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check_stop(self) -> None:
        if self.stop.is_set():
            raise StopRequested()

    def note_unexpected(self, object_type: str, names: set[str]) -> None:
        if names:
            with self._lock:
                self.unexpected_properties.setdefault(object_type, set()).update(names)


def now_utc() -> datetime:
    return datetime.now(UTC)


def parse_ms(value: object) -> int | None:
    """HubSpot datetime text (epoch ms digits or ISO-8601) -> epoch ms."""
    if value is None:
        return None
    text = str(value)
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def record_ts(record: dict, last_modified_property: str) -> int:
    value = parse_ms((record.get("properties") or {}).get(last_modified_property))
    if value is None:
        value = parse_ms(record.get("updatedAt"))
    return value or 0


# ---- page processing (executor) ----------------------------------------------------------------------


@dataclass
class PageResult:
    records: pa.Table
    history: pa.Table | None
    ids: list[str]


def process_page(
    ctx: RunContext,
    plan: PropertyPlan,
    records: list[dict],
    extracted_at: datetime,
    *,
    enrich: bool,
    stats: CallStats,
    columns: list[str] | None = None,
    priority: tuple = PRIORITY_SIDE,
    complete: bool = False,
) -> PageResult:
    """Merge the batch-read property chunk and history into the page's records, then build Arrow tables.
    `complete`: the page already carries every property (search answers): only history is read."""
    object_type = plan.object_type
    with_history = enrich and bool(plan.history)
    history_source: list[dict] = []
    in_body = [] if complete else plan.in_body
    if enrich and (in_body or with_history):
        by_id = {record["id"]: record for record in records}
        ids = list(by_id)
        chunk = settings.HISTORY_BATCH_LIMIT if with_history else settings.BATCH_READ_LIMIT
        for start in range(0, len(ids), chunk):
            ctx.check_stop()
            answer = ctx.api.batch_read(
                object_type,
                ids[start : start + chunk],
                properties=in_body or ["hs_object_id"],
                properties_with_history=plan.history if with_history else None,
                priority=priority,
                stats=stats,
            )
            for result in answer.get("results") or ():
                target = by_id.get(result.get("id"))
                if target is None:
                    continue
                if in_body:
                    extra = result.get("properties") or {}
                    props = target.setdefault("properties", {})
                    for name in in_body:
                        props[name] = extra.get(name)
                if with_history:
                    history_source.append(result)
    table, unexpected = crm_records_table(records, columns or plan.names, extracted_at, ctx.run_id)
    ctx.note_unexpected(object_type, unexpected)
    history = history_table(history_source, extracted_at, ctx.run_id) if with_history else None
    return PageResult(table, history, [record["id"] for record in records])


# ---- commit groups ------------------------------------------------------------------------------------


@dataclass
class Group:
    pages: list[Future] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    associations: dict[str, list[Future]] = field(default_factory=dict)  # to-type -> one per id chunk
    checkpoint: dict | None = None
    records: int = 0
    page_count: int = 0
    last: bool = False

    def done(self) -> bool:
        return all(f.done() for f in self.pages) and all(
            f.done() for chunks in self.associations.values() for f in chunks
        )


class CrmStream:
    """One pass over one CRM object; subclasses walk the chain, this class commits in order."""

    phase = "active"

    def __init__(self, ctx: RunContext, object_type: str, mode: str, checkpoint: dict) -> None:
        self.ctx = ctx
        self.object_type = object_type
        self.mode = mode
        self.cursor = checkpoint
        self.plan = ctx.plans[object_type]
        self.progress = StreamProgress(f"{object_type}:{self.phase}", object_type, self.phase, mode)
        self._pending: deque[Group] = deque()
        self._group = Group()
        self._in_flight: deque[Future] = deque()
        self.enrich = True
        self.with_associations = ctx.associations
        self.on_done: Callable[[CrmStream], None] | None = None

    # -- chain side ----------------------------------------------------------------------------------

    def run(self) -> None:
        self.progress.status = "running"
        self.progress.started = time.monotonic()
        try:
            self.walk()
            self._close_group(last=True)
            while self._pending:
                self._commit_oldest(block=True)
            self.progress.status = "done"
        except StopRequested:
            self.progress.status = "stopped"
        except BaseException as error:
            self.progress.status = "failed"
            self.progress.error = str(error)
            self.ctx.stop.set()
            raise
        finally:
            self.progress.finished = time.monotonic()

    def walk(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def add_page(self, records: list[dict], checkpoint_after: dict, extracted_at: datetime) -> None:
        """Queue one fetched page; `checkpoint_after` is the cursor that resumes after it."""
        self.ctx.check_stop()
        self.progress.pages += 1
        timeline = self.ctx.api.retrier.budget.timeline
        stalled = timeline.now() if timeline is not None else 0.0
        while len(self._in_flight) >= MAX_PAGE_TASKS_IN_FLIGHT:
            oldest = self._in_flight.popleft()
            oldest.exception()  # wait; errors surface at commit
        if records:
            future = self.ctx.executor.submit(
                process_page,
                self.ctx,
                self.plan,
                records,
                extracted_at,
                enrich=self.enrich,
                stats=self.progress.stats,
                columns=self.columns(),
                complete=self.complete_pages,
            )
            self._in_flight.append(future)
            self._group.pages.append(future)
            self._group.ids.extend(record["id"] for record in records)
            self._group.records += len(records)
        self._group.page_count += 1
        self._group.checkpoint = checkpoint_after
        if self._group.records >= self.ctx.group_records:
            self._close_group(last=False)
        while self._pending and self._pending[0].done():
            self._commit_oldest(block=False)
        while len(self._pending) >= self.ctx.max_pending_groups:
            self._commit_oldest(block=True)
        if timeline is not None:
            timeline.stall(
                f"{self.progress.name}: chain waits for its pages / commits", stalled, timeline.now()
            )

    def columns(self) -> list[str]:
        return self.plan.names

    page_size = settings.LIST_PAGE_LIMIT
    complete_pages = False  # pages carry every property (search), so no batch read for the URL overflow
    meet: Meet | None = None

    def remaining(self) -> int:
        """Records this pass still has to fetch, as far as known (ranks its requests in the shared budget)."""
        if self.meet is not None:
            return self.meet.remaining()
        total = self.progress.total
        return max(0, total - self.progress.pages * self.page_size) if total else 0

    def chain_priority(self) -> tuple:
        return stream_priority(self.remaining(), chain=True)

    def side_priority(self) -> tuple:
        return stream_priority(self.remaining(), chain=False)

    def _close_group(self, *, last: bool) -> None:
        group, self._group = self._group, Group()
        group.last = last
        if group.page_count == 0 and not last:
            return
        if self.with_associations and group.ids:
            extracted_at = now_utc()
            # One task per batch (1,000 ids): a group's batches go in parallel, so its commit does not wait
            # for them one after another (that wait is the run's very end for the last group).
            limit = settings.ASSOCIATION_BATCH_LIMIT
            for to_type in settings.ASSOCIATIONS.get(self.object_type, ()):
                group.associations[to_type] = [
                    self.ctx.executor.submit(
                        fetch_associations,
                        self.ctx.api,
                        self.object_type,
                        to_type,
                        group.ids[start : start + limit],
                        extracted_at,
                        self.ctx.run_id,
                        self.progress.stats,
                    )
                    for start in range(0, len(group.ids), limit)
                ]
        self._pending.append(group)

    def _commit_oldest(self, *, block: bool) -> None:
        group = self._pending[0]
        if not block and not group.done():
            return
        results: list[PageResult] = [future.result() for future in group.pages]
        associations = {
            to_type: concat(future.result() for future in chunks)
            for to_type, chunks in group.associations.items()
        }
        self.ctx.check_stop()
        landing = self.ctx.landing
        landing.write(self.object_type, concat(r.records for r in results))
        if self.enrich and self.plan.history:
            landing.write(f"{self.object_type}_property_history", concat(r.history for r in results))
        for to_type, table in associations.items():
            landing.write(association_dataset(self.object_type, to_type), table)
        # The parts above are durable (fsync + rename + fsync folder): only now may the checkpoint move.
        self.save_checkpoint(group.checkpoint, done=group.last)
        self.progress.records += group.records
        self._pending.popleft()

    def save_checkpoint(self, cursor: dict | None, *, done: bool) -> None:
        phase = self.phase

        def change(state: dict) -> None:
            checkpoint = state.get("checkpoint")
            if not checkpoint:
                return
            entry = checkpoint["passes"][phase]
            if cursor is not None:
                entry.update(cursor)
            entry["done"] = done or entry.get("done", False)
            if done:
                entry["run_id"] = self.ctx.run_id
            finalize_if_complete(state)

        self.ctx.state.update(self.object_type, change)


def finalize_if_complete(state: dict) -> None:
    """All passes done: the checkpoint becomes the new watermark (same atomic state write)."""
    checkpoint = state.get("checkpoint")
    if not checkpoint or not all(p.get("done") for p in checkpoint["passes"].values()):
        return
    if checkpoint["mode"] == "full":
        watermark = checkpoint.get("snapshot_ts") or 0
    else:
        watermark = checkpoint["passes"]["search"]["ts"]
    state["watermark"] = {"lastmodified_gte_ms": watermark, "iso": _iso(watermark)}
    state["last_completed"] = {
        "mode": checkpoint["mode"],
        "started_run_id": checkpoint.get("run_id"),
        "finished_at": now_utc().isoformat(),
    }
    if checkpoint["mode"] == "full":
        state["last_full"] = state["last_completed"]
    state["checkpoint"] = None


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


class FullListStream(CrmStream):
    """The objects list endpoint (paths.py) at the maximum page size, from the checkpoint's `after`."""

    def __init__(
        self, ctx: RunContext, object_type: str, mode: str, checkpoint: dict, *, archived: bool
    ) -> None:
        self.phase = "archived" if archived else "active"
        self.archived = archived
        super().__init__(ctx, object_type, mode, checkpoint)
        if archived:
            # Deleted records: ids, timestamps, the URL-sized property chunk; no enrichment.
            self.enrich = False
            self.with_associations = False

    def columns(self) -> list[str]:
        return self.plan.in_url if self.archived else self.plan.names

    def walk(self) -> None:
        after = self.cursor.get("after")
        meet = None if self.archived else self.meet
        while True:
            self.ctx.check_stop()
            extracted_at = now_utc()
            answer = self.ctx.api.list_page(
                self.object_type,
                after=after,
                properties=self.plan.in_url,
                archived=self.archived,
                priority=PRIORITY_BACKGROUND if self.archived else self.chain_priority(),
                stats=self.progress.stats,
            )
            records = answer.get("results") or []
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if meet is None:
                self.add_page(records, {"after": after}, extracted_at)
                if not after:
                    return
                continue
            # Only the ids the search chain has not claimed are landed (see Meet), so no id lands twice.
            records, high, ordered = meet.list_page(records, complete=not after)
            met = bool(after) and meet.met()
            cursor = {"after": after, "high_id": high, "ordered": ordered, "complete": not after}
            self.add_page(records, cursor, extracted_at)
            if not after or met:
                return


class TopPartitionStream(CrmStream):
    """Full mode of a big object, second chain beside the list: the top of the id range through search,
    keyset by hs_object_id descending (each page a fresh query `hs_object_id < low`, never `after`, so the
    10,000-result cap is never reached). It stops where the list chain (ascending ids) has arrived: the
    two chains meet in the middle, each covering its side, so the object takes half the serial time and the
    search bucket (separate from the general one) carries part of it. See `Meet`."""

    phase = "top"
    page_size = settings.SEARCH_PAGE_LIMIT
    complete_pages = True

    def walk(self) -> None:
        meet = self.meet
        assert meet is not None
        limit = settings.SEARCH_PAGE_LIMIT
        while True:
            self.ctx.check_stop()
            low, list_high = meet.search_bounds()
            if meet.met():
                self.add_page([], {"low_id": low}, now_utc())
                return
            filters = [{"propertyName": "hs_object_id", "operator": "GT", "value": str(list_high)}]
            if low is not None:
                filters.append({"propertyName": "hs_object_id", "operator": "LT", "value": str(low)})
            request = {
                "filterGroups": [{"filters": filters}],
                "sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
                "properties": self.plan.names,
                "limit": limit,
            }
            extracted_at = now_utc()
            answer = self.ctx.api.search(
                self.object_type,
                request,
                cursor={"low_id": low, "above": list_high},
                priority=self.chain_priority(),
                stats=self.progress.stats,
            )
            records = answer.get("results") or []
            exhausted = len(records) < limit or not ((answer.get("paging") or {}).get("next"))
            # Exhausted: everything above the list's position is held, down to list_high + 1.
            records, low = meet.search_page(records, exhausted=exhausted, above=list_high)
            self.add_page(records, {"low_id": low}, extracted_at)
            if exhausted:
                return


class Meet:
    """Where the two chains of a partitioned full pass stand, shared by both threads.

    list chain: ascending ids from the start; after its pages every id <= `list_high` is held — provided the
    list answers in ascending id order, which is what HubSpot's list endpoint does but does not document:
    it is checked on every page (never the opaque `after` cursor) and, once broken, the list simply runs to
    its end (`ordered` false: only the list's own end completes the pass).
    search chain: descending ids from the top; every id >= `search_low` is held.
    Met when list_high + 1 >= search_low. Both positions are also saved in the passes' checkpoints
    (`high_id`, `ordered`; `low_id`), and restored on resume, so a resumed run meets again without a gap.
    Runtime positions may run ahead of the committed ones: a pass is marked done only after its groups are
    committed, and a resumed pass continues from its committed position to the other's committed one.
    """

    def __init__(self, total: int | None, active: dict, top: dict) -> None:
        self._lock = threading.Lock()
        self.total = total or 0
        self.list_high: int = int(active.get("high_id") or 0)
        self.ordered: bool = bool(active.get("ordered", True))
        # The list reached its own end (not merely the meeting point): it alone holds every id.
        self.list_complete: bool = bool(active.get("complete"))
        low = top.get("low_id")
        self.search_low: int | None = None if low is None else int(low)
        self.search_done: bool = bool(top.get("done"))
        self.fetched = 0

    def list_page(self, records: list[dict], *, complete: bool) -> tuple[list[dict], int, bool]:
        """Claim a list page: returns the records to land (those below the search chain's claim, while
        the order holds), the list position and whether the order still holds. Claims happen under one
        lock, so list_high < search_low always holds and no id is landed by both chains."""
        with self._lock:
            self.fetched += len(records)
            self.list_complete = self.list_complete or complete
            previous = self.list_high
            for record in records:
                value = int(record["id"])
                if value <= previous:
                    self.ordered = False
                previous = value
            if self.ordered and self.search_low is not None:
                records = [record for record in records if int(record["id"]) < self.search_low]
            for record in records:
                self.list_high = max(self.list_high, int(record["id"]))
            return records, self.list_high, self.ordered

    def search_page(self, records: list[dict], *, exhausted: bool, above: int) -> tuple[list[dict], int]:
        """Claim a search page: the list may have moved past `above` while the request was in flight, so
        ids it already landed are dropped here (it holds them); returns the records to land and the claim."""
        with self._lock:
            self.fetched += len(records)
            if self.ordered:
                records = [record for record in records if int(record["id"]) > self.list_high]
            # An empty claim means the list already holds the rest: both together cover (above, low).
            low = above + 1 if exhausted or not records else min(int(record["id"]) for record in records)
            self.search_low = low if self.search_low is None else min(self.search_low, low)
            if exhausted:
                self.search_done = True
            return records, self.search_low

    def search_bounds(self) -> tuple[int | None, int]:
        with self._lock:
            return self.search_low, (self.list_high if self.ordered else 0)

    def met(self) -> bool:
        with self._lock:
            if self.list_complete or (self.search_low is not None and self.search_low <= 1):
                return True
            return self.ordered and self.search_low is not None and self.list_high + 1 >= self.search_low

    def remaining(self) -> int:
        return max(0, self.total - self.fetched)


class IncrementalSearchStream(CrmStream):
    """Search keyset on the last-modified property (see the module docstring)."""

    phase = "search"
    page_size = settings.SEARCH_PAGE_LIMIT

    def walk(self) -> None:
        ts = int(self.cursor["ts"])
        after_id = self.cursor.get("id")
        prop = settings.LAST_MODIFIED_PROPERTY[self.object_type]
        limit = settings.SEARCH_PAGE_LIMIT
        first = True
        while True:
            self.ctx.check_stop()
            if after_id is None:
                request = {
                    "filterGroups": [
                        {"filters": [{"propertyName": prop, "operator": "GTE", "value": str(ts)}]}
                    ],
                    "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
                    "properties": self.plan.names,
                    "limit": limit,
                }
            else:
                request = {
                    "filterGroups": [
                        {
                            "filters": [
                                {"propertyName": prop, "operator": "EQ", "value": str(ts)},
                                {"propertyName": "hs_object_id", "operator": "GT", "value": str(after_id)},
                            ]
                        }
                    ],
                    "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                    "properties": self.plan.names,
                    "limit": limit,
                }
            extracted_at = now_utc()
            answer = self.ctx.api.search(
                self.object_type, request, cursor={"ts": ts, "id": after_id}, stats=self.progress.stats
            )
            records = answer.get("results") or []
            if first and after_id is None:
                self.progress.total = answer.get("total")
                first = False
            is_last = not ((answer.get("paging") or {}).get("next"))
            if after_id is not None:
                if records:
                    after_id = max(int(r["id"]) for r in records)
                if is_last or not records:
                    ts, after_id = ts + 1, None
                self.add_page(records, {"ts": ts, "id": after_id}, extracted_at)
                continue
            if is_last or not records:
                if records:
                    ts = max(record_ts(r, prop) for r in records) + 1
                self.add_page(records, {"ts": ts, "id": None}, extracted_at)
                return
            stamps = [record_ts(r, prop) for r in records]
            last_ts = stamps[-1]
            keep = [r for r, stamp in zip(records, stamps, strict=True) if stamp < last_ts]
            if not keep:
                # A whole page shares one timestamp: drain that timestamp by id.
                ts, after_id = last_ts, 0
                continue
            ts = last_ts
            self.add_page(keep, {"ts": ts, "id": None}, extracted_at)
