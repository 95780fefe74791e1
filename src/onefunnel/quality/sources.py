"""What the checks read: an in-memory DuckDB connection with views over the landing zone and, read-only,
the warehouse, plus the run manifests of the extractor.

Schemas the suite SQL can use:

    landed.<dataset>     every row ever landed for the dataset (all runs)
    latest.<dataset>     the current state: newest version of each record (CRM objects, ties kept so that
                         duplicates stay visible), newest association set of each from-record, newest
                         snapshot of reference data (owners, pipelines, property definitions, campaigns)
    this_run.<dataset>   the rows the run under check landed
    changed.<dataset>    the current state of the records the run under check landed (CRM objects: the newest
                         version of each id it carried; other datasets: as in latest)
    state.<dataset>      bound to `changed` or to `latest` (`bind_state`): the suites' tables of scope
                         `records` read it, GX validates them on the changed records, the aggregates on all
                         (after `materialize_state`, `latest` there is a table of the current state with the
                         columns the suites read, computed once per object instead of once per query)
    warehouse.<name>     every table or view dbt built, whatever its schema (dbt model names are unique)

The warehouse is attached read-only, so the gate never writes it (dbt is its only writer). A landing part
whose Parquet footer cannot be read is left out of the views and listed in `unreadable_parts`; the
`landing.run.finished` check then fails naming it (prepared.builtin_extraction_run), instead of the whole run
crashing on DuckDB's error with no summary.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from onefunnel.landing import layout

if TYPE_CHECKING:
    import duckdb

RUN_ID_PATTERN = re.compile(r"^[0-9A-Za-z_.:-]+$")
CRM_OBJECTS = ("contacts", "companies", "deals", "calls", "emails", "meetings", "notes", "tasks")
ASSOCIATION_PREFIX = "associations_"
HISTORY_SUFFIX = "_property_history"
# Columns of a CRM object every current-state table keeps (identity, version, timestamps, archived flag).
KEY_COLUMNS = ("id", "createdAt", "updatedAt", "archived", "_extracted_at", "_run_id")


DEFAULT_MEMORY_LIMIT = "1GB"
DEFAULT_MAX_CHANGED_ROWS = 250_000


def max_changed_rows() -> int:
    """Records of one object a run may land and still be validated record by record by GX
    ($ONEFUNNEL_QUALITY_MAX_CHANGED_ROWS, default 250000); beyond it (a full extraction, a bulk import) GX
    gets the broken rows only and the aggregates check every record."""
    raw = os.environ.get("ONEFUNNEL_QUALITY_MAX_CHANGED_ROWS")
    if raw is None:
        return DEFAULT_MAX_CHANGED_ROWS
    try:
        return int(raw)
    except ValueError:
        raise SourceError(f"ONEFUNNEL_QUALITY_MAX_CHANGED_ROWS={raw!r} is not a whole number") from None


def memory_limit() -> str:
    """DuckDB's memory limit for the checks: $ONEFUNNEL_QUALITY_MEMORY_LIMIT, else 1GB."""
    return os.environ.get("ONEFUNNEL_QUALITY_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT


class SourceError(RuntimeError):
    """A source the checks need is missing or unreadable; the message says which and why."""


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def dataset_kind(name: str) -> str:
    if name in CRM_OBJECTS:
        return "records"
    if name.startswith(ASSOCIATION_PREFIX):
        return "associations"
    if name.endswith(HISTORY_SUFFIX):
        return "history"
    return "reference"


def landed_datasets(landing_dir: Path) -> list[str]:
    landing_dir = Path(landing_dir)
    if not landing_dir.is_dir():
        return []
    return sorted(
        path.name
        for path in landing_dir.iterdir()
        if path.is_dir() and not path.name.startswith(("_", ".")) and any(path.glob("*/*.parquet"))
    )


@dataclass
class RunManifest:
    """The extractor's `_runs/<run_id>.json`: status, modes and row counts of one extraction run."""

    run_id: str
    ok: bool
    started_at: str | None
    error: str | None
    objects: dict[str, dict[str, Any]]
    rows: dict[str, int]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> RunManifest:
        raw = orjson.loads(Path(path).read_bytes())
        return cls(
            run_id=str(raw.get("run_id") or Path(path).stem),
            ok=bool(raw.get("ok", False)),
            started_at=raw.get("started_at"),
            error=raw.get("error"),
            objects=dict(raw.get("objects") or {}),
            rows={str(k): int(v) for k, v in (raw.get("rows") or {}).items()},
            raw=raw,
        )

    def records(self, object_type: str) -> int:
        """Non-archived records the run extracted for the object (0 when it was extracted but empty)."""
        entry = self.objects.get(object_type) or {}
        return int(entry.get("records") or 0)

    def mode(self, object_type: str) -> str | None:
        entry = self.objects.get(object_type)
        return None if entry is None else entry.get("mode")


def run_manifests(landing_dir: Path) -> list[RunManifest]:
    """Every run manifest, oldest first (run ids sort by start time)."""
    folder = Path(landing_dir) / layout.RUNS_DIR
    if not folder.is_dir():
        return []
    return [RunManifest.read(path) for path in sorted(folder.glob("*.json")) if not path.name.startswith(".")]


class Sources:
    """Owns the DuckDB connection the checks query; use as a context manager."""

    def __init__(
        self,
        landing_dir: Path | None,
        warehouse_path: Path | None,
        run_id: str | None = None,
    ) -> None:
        import duckdb

        self.landing_dir = Path(landing_dir) if landing_dir is not None else None
        self.warehouse_path = Path(warehouse_path) if warehouse_path is not None else None
        self.run_id = run_id
        self.datasets: list[str] = []
        self.unreadable_parts: list[tuple[str, str]] = []  # (path relative to the landing zone, reason)
        self.warehouse_relations: dict[str, str] = {}
        self.warehouse_error: str | None = None
        self.con: duckdb.DuckDBPyConnection = duckdb.connect()
        self.con.execute("set TimeZone = 'UTC'")
        # The current state of a large portal is held in memory once (materialize_state): bounded, spilling
        # to a private temporary folder beyond the limit ($ONEFUNNEL_QUALITY_MEMORY_LIMIT, DuckDB syntax).
        self._spill = tempfile.TemporaryDirectory(prefix="onefunnel-quality-")
        self.con.execute(f"set temp_directory = {_sql_text(self._spill.name)}")
        self.con.execute(f"set memory_limit = {_sql_text(memory_limit())}")
        self.con.execute("set preserve_insertion_order = false")
        self.state_scope: str | None = None
        self.materialized: dict[str, list[str]] = {}  # dataset -> columns of whole.<dataset>
        self.bulk: dict[str, int] = {}  # dataset -> records the run landed, beyond max_changed_rows()
        for schema in ("landed", "latest", "this_run", "changed", "state", "whole", "warehouse"):
            self.con.execute(f"create schema {schema}")

    def __enter__(self) -> Sources:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()
        self._spill.cleanup()

    # ------------------------------------------------------------------------------------ landing

    def attach_landing(self) -> None:
        if self.landing_dir is None:
            raise SourceError("no landing folder configured")
        if self.run_id is not None and not RUN_ID_PATTERN.match(self.run_id):
            raise SourceError(f"not a run id: {self.run_id!r}")
        import duckdb

        self.datasets = []
        for dataset in landed_datasets(self.landing_dir):
            files = self._readable_parts(dataset)
            if files is not None and not files:
                continue  # every part unreadable: the dataset is named in unreadable_parts
            name = _ident(dataset)
            try:
                self._create_landed_view(dataset, files)
            except duckdb.Error as error:
                # A footer damaged in place passes the quick check: find the part by parsing every footer.
                files = self._readable_parts(dataset, thorough=True)
                try:
                    if files is not None and not files:
                        continue
                    self._create_landed_view(dataset, files)
                except duckdb.Error:
                    self.unreadable_parts.append((dataset, f"cannot be read: {_first_line(error)}"))
                    continue
            self.datasets.append(dataset)
            self.con.execute(f"create view latest.{name} as {self._latest_sql(dataset)}")
            run = _sql_text(self.run_id or "")
            self.con.execute(
                f"create view this_run.{name} as select * from landed.{name} where _run_id = {run}"
            )
            self.con.execute(f"create view changed.{name} as {self._changed_sql(dataset)}")
        self.bind_state("latest")

    def bind_state(self, scope: str) -> None:
        """Point every `state.<dataset>` view at `changed` (the records the run under check landed) or at
        `latest` (the whole current state)."""
        if scope not in ("changed", "latest"):
            raise SourceError(f"state can be bound to 'changed' or 'latest', not {scope!r}")
        if scope == self.state_scope:
            return
        for dataset in self.datasets:
            name = _ident(dataset)
            source = "whole" if scope == "latest" and dataset in self.materialized else scope
            self.con.execute(f"create or replace view state.{name} as select * from {source}.{name}")
        self.state_scope = scope

    def materialize_state(self, sql_texts: list[str]) -> dict[str, float]:
        """The current state of every CRM object, computed once, as a table `whole.<dataset>` with the
        columns that `sql_texts` (the suites' SQL) name - by word, or by a `columns('<regex>')` pattern - plus
        the keys and timestamps every rule reads. `state` bound to `latest` then reads these tables. Returns
        the seconds each took."""
        import time

        text = "\n".join(sql_texts)
        patterns = [re.compile(pattern) for pattern in re.findall(r"columns\('([^']*)'\)", text)]
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        seconds = {}
        for dataset in self.datasets:
            if dataset_kind(dataset) != "records":
                continue
            started = time.monotonic()
            name = _ident(dataset)
            columns = [
                row[0]
                for row in self.con.execute(f"describe select * from landed.{name}").fetchall()
                if row[0] in KEY_COLUMNS or row[0] in words or any(p.search(row[0]) for p in patterns)
            ]
            self.con.execute(
                f"create or replace table whole.{name} as "
                f"select {', '.join(_ident(column) for column in columns)} from latest.{name}"
            )
            self.materialized[dataset] = columns
            landed = self.con.execute(f"select count(*) from this_run.{name}").fetchone()[0]
            if landed > max_changed_rows():
                # a bulk load (a full extraction changes every record): GX is given the broken rows only,
                # the aggregates check every record as for the whole state
                self.bulk[dataset] = int(landed)
                self.con.execute(
                    f"create or replace view changed.{name} as select * from latest.{name} where false"
                )
            seconds[dataset] = round(time.monotonic() - started, 3)
        if self.state_scope == "latest":
            self.state_scope = None
            self.bind_state("latest")
        return seconds

    def _changed_sql(self, dataset: str) -> str:
        """The newest version of the records the run under check landed (ranked as in `latest`, over the
        landed rows of those ids only); a row without an id counts as changed when this run landed it."""
        name = _ident(dataset)
        if dataset_kind(dataset) != "records":
            return f"select * from latest.{name}"
        return (
            f"select * from landed.{name} "
            f"where id in (select id from this_run.{name} where id is not null) "
            f"or (id is null and _run_id = {_sql_text(self.run_id or '')}) "
            "qualify rank() over "
            "(partition by id order by _run_id desc, updatedAt desc nulls last, archived desc) = 1"
        )

    def _create_landed_view(self, dataset: str, files: list[Path] | None) -> None:
        """landed.<dataset> over its glob (files None) or over the given parts."""
        if files is None:
            source = _sql_text(layout.dataset_glob(self.landing_dir, dataset))
        else:
            source = "[" + ", ".join(_sql_text(str(path)) for path in files) + "]"
        self.con.execute(
            f"create or replace view landed.{_ident(dataset)} as "
            f"select * from read_parquet({source}, union_by_name = true, hive_partitioning = false)"
        )

    def _readable_parts(self, dataset: str, *, thorough: bool = False) -> list[Path] | None:
        """None when every part of the dataset can be read (read it by its glob), else the readable ones
        (the others are added to unreadable_parts). Quick: magic bytes and footer length of each part;
        thorough: every footer parsed."""
        from onefunnel.landing.runs import part_problem

        assert self.landing_dir is not None
        files = sorted(
            path for path in (self.landing_dir / dataset).glob("*/*.parquet") if not path.name.startswith(".")
        )
        known = {part for part, _reason in self.unreadable_parts}
        readable = []
        for path in files:
            problem = part_problem(path) or (_footer_problem(path) if thorough else None)
            relative = path.relative_to(self.landing_dir).as_posix()
            if problem is None:
                readable.append(path)
            elif relative not in known:
                self.unreadable_parts.append((relative, problem))
        return None if len(readable) == len(files) else readable

    def _latest_sql(self, dataset: str) -> str:
        name = _ident(dataset)
        kind = dataset_kind(dataset)
        if kind == "records":
            # rank, not row_number: two rows of one id in the same run and version stay visible (duplicates).
            return (
                f"select * from landed.{name} qualify rank() over "
                "(partition by id order by _run_id desc, updatedAt desc nulls last, archived desc) = 1"
            )
        if kind == "associations":
            return (
                f"select * from landed.{name} qualify dense_rank() over "
                "(partition by from_id order by _run_id desc, _extracted_at desc) = 1"
            )
        if kind == "history":
            return f"select * from landed.{name}"
        return f"select * from landed.{name} where _run_id = (select max(_run_id) from landed.{name})"

    def has_dataset(self, dataset: str) -> bool:
        return dataset in self.datasets

    def active_record_counts(self) -> dict[str, int]:
        """Records in the current state that are not archived, per CRM object that has landed data."""
        counts = {}
        for dataset in self.datasets:
            if dataset_kind(dataset) == "records":
                schema = "whole" if dataset in self.materialized else "latest"
                relation = f"{schema}.{_ident(dataset)}"
                counts[dataset] = int(
                    self.con.execute(
                        f"select count(distinct id) filter (where not archived) from {relation}"
                    ).fetchone()[0]
                )
        return counts

    # ---------------------------------------------------------------------------------- warehouse

    def attach_warehouse(self) -> None:
        """Attach read-only and expose each relation as warehouse.<name>; a failure is kept, not raised,
        so that only the checks that need the warehouse report it."""
        import duckdb

        if self.warehouse_path is None or not self.warehouse_path.exists():
            self.warehouse_error = f"no warehouse file at {self.warehouse_path} (has dbt built it?)"
            return
        try:
            self.con.execute(f"attach {_sql_text(str(self.warehouse_path))} as wh (read_only)")
        except duckdb.Error as error:
            self.warehouse_error = f"cannot open the warehouse {self.warehouse_path} read-only: {error}"
            return
        self.warehouse_relations = warehouse_relations(self.con, "wh")
        for name, qualified in self.warehouse_relations.items():
            self.con.execute(f"create view warehouse.{_ident(name)} as select * from {qualified}")

    # -------------------------------------------------------------------------------------- query

    def frame(self, sql: str):
        """Run a suite query and return a pandas DataFrame (the GX batch)."""
        return self.con.execute(sql).df()

    def scalar_list(self, sql: str, params: list[Any] | None = None) -> list[Any]:
        return [row[0] for row in self.con.execute(sql, params or []).fetchall()]


def _footer_problem(path: Path) -> str | None:
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ... for a damaged footer
        return f"unreadable Parquet footer ({_first_line(error)})"
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else error.__class__.__name__


def warehouse_relations(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, str]:
    """name -> fully qualified name of every table and view in an attached database (dbt names are unique;
    on a clash the first schema in alphabetical order wins)."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? order by table_schema, table_name",
        [catalog],
    ).fetchall()
    relations: dict[str, str] = {}
    for schema, name in rows:
        relations.setdefault(name, f"{_ident(catalog)}.{_ident(schema)}.{_ident(name)}")
    return relations
