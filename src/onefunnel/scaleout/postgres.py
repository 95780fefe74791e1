"""The dbt project on PostgreSQL: load the Parquet landing zone into raw tables, then `dbt build --target
postgres` (profiles.yml's `postgres` output, configured by libpq's own variables PGHOST, PGPORT, PGUSER,
PGPASSWORD, PGDATABASE; psycopg2 reads the same ones).

The load step, as a team would run it beside its other loaders: every finished landing run (one with a run
manifest in `_runs/`; a run still landing is loaded by the next load) of every dataset is copied into the
table `hubspot.<dataset>` - the schema dbt's `hubspot` source resolves to - with the columns the Parquet
parts carry, in lower case (PostgreSQL folds unquoted identifiers), plus `run_id` (what DuckDB's hive
partitioning gives the DuckDB build). Parts are read with pyarrow and streamed with COPY ... FROM STDIN
(CSV); a column that appears in a later run (a new HubSpot property) is added to the table first (ALTER
TABLE ... ADD COLUMN), as `union_by_name` lines it up on DuckDB. Each run of each dataset is loaded in one
transaction, recorded in `hubspot._loaded_runs`, and never loaded twice: loads are incremental and safe to
repeat. Values stay HubSpot's raw strings; typing happens in dbt's staging models, the same SQL on both
engines (DuckDB-only SQL sits in dispatched macros under dbt_project/macros/adapters/).

The dashboard and publish keep reading the DuckDB serving snapshot: Postgres is where a team's own
warehouse gets the funnel tables, next to its other data; the embedded DuckDB build stays the default.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from onefunnel.landing import layout
from onefunnel.landing import runs as landing_runs

RAW_SCHEMA = "hubspot"
LOADED_RUNS_TABLE = "_loaded_runs"


class PostgresLoadError(RuntimeError):
    """The landing zone or the database cannot be loaded; the message names what and why."""


@dataclass
class LoadReport:
    runs_loaded: dict[str, list[str]] = field(default_factory=dict)  # dataset -> run ids loaded now
    rows_loaded: dict[str, int] = field(default_factory=dict)  # dataset -> rows loaded now
    columns_added: dict[str, list[str]] = field(default_factory=dict)  # dataset -> columns added now


def _pg_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_null(arrow_type):
        return "text"
    raise PostgresLoadError(f"landing column type {arrow_type} has no PostgreSQL mapping")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def finished_runs(landing_dir: Path) -> set[str]:
    """Runs with a run manifest: finished landing (their parts are all there)."""
    folder = Path(landing_dir) / layout.RUNS_DIR
    if not folder.is_dir():
        return set()
    return {
        path.name[: -len(landing_runs.MANIFEST_SUFFIX)]
        for path in folder.iterdir()
        if path.name.endswith(landing_runs.MANIFEST_SUFFIX) and not path.name.startswith(".")
    }


def _run_table(folder: Path, run_id: str) -> pa.Table | None:
    parts = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))
    tables = [pq.read_table(part) for part in parts]
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return None
    table = pa.concat_tables(tables, promote_options="permissive")
    table = table.append_column("run_id", pa.array([run_id] * table.num_rows, type=pa.string()))
    return _lowercase_names(table, folder)


def _lowercase_names(table: pa.Table, folder: Path) -> pa.Table:
    """Column names in lower case: PostgreSQL folds unquoted identifiers (`createdAt` in a model is
    `createdat`), as DuckDB matches them case-insensitively. Two names equal but for case are refused."""
    names = [name.lower() for name in table.column_names]
    if len(set(names)) != len(names):
        clashes = sorted({n for n in names if names.count(n) > 1})
        raise PostgresLoadError(f"{folder}: columns differ only by case ({', '.join(clashes)}); cannot load")
    return table.rename_columns(names)


def _csv(table: pa.Table) -> bytes:
    """CSV for COPY: nulls unquoted and empty (NULL to COPY), strings quoted (an empty string stays one)."""
    sink = io.BytesIO()
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    pacsv.write_csv(table, sink, write_options=options)
    return sink.getvalue()


def load_landing(landing_dir: Path, connection, datasets: Iterable[str] | None = None) -> LoadReport:
    """Load every finished run not loaded yet into hubspot.<dataset> (module docstring); `connection` is a
    psycopg2 connection (committed per run and dataset)."""
    landing_dir = Path(landing_dir)
    landing_runs.check_landing_zone(landing_dir)  # foreign folders, unreadable parts: named, nothing loaded
    finished = finished_runs(landing_dir)
    report = LoadReport()
    with connection.cursor() as cursor:
        cursor.execute(f"create schema if not exists {RAW_SCHEMA}")
        cursor.execute(
            f"create table if not exists {RAW_SCHEMA}.{LOADED_RUNS_TABLE} (dataset text not null, "
            "run_id text not null, rows bigint not null, loaded_at timestamptz not null default now(), "
            "primary key (dataset, run_id))"
        )
    connection.commit()
    wanted = set(datasets) if datasets is not None else None
    for dataset_dir in landing_runs.dataset_dirs(landing_dir):
        dataset = dataset_dir.name
        if wanted is not None and dataset not in wanted:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"select run_id from {RAW_SCHEMA}.{LOADED_RUNS_TABLE} where dataset = %s", (dataset,)
            )
            loaded = {row[0] for row in cursor.fetchall()}
        for folder in sorted(dataset_dir.iterdir()):
            run_id = landing_runs.run_id_of(folder)
            if run_id is None or run_id not in finished or run_id in loaded:
                continue
            table = _run_table(folder, run_id)
            _load_run(connection, dataset, run_id, table, report)
    return report


def _existing_columns(cursor, dataset: str) -> list[str] | None:
    cursor.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s "
        "order by ordinal_position",
        (RAW_SCHEMA, dataset),
    )
    names = [row[0] for row in cursor.fetchall()]
    return names or None


def _load_run(connection, dataset: str, run_id: str, table: pa.Table | None, report: LoadReport) -> None:
    target = f"{RAW_SCHEMA}.{_quote(dataset)}"
    with connection.cursor() as cursor:
        rows = 0
        if table is not None:
            existing = _existing_columns(cursor, dataset)
            if existing is None:
                columns = ", ".join(f"{_quote(f.name)} {_pg_type(f.type)}" for f in table.schema)
                cursor.execute(f"create table {target} ({columns})")
            else:
                added = [f for f in table.schema if f.name not in existing]
                for column in added:
                    cursor.execute(
                        f"alter table {target} add column {_quote(column.name)} {_pg_type(column.type)}"
                    )
                if added:
                    report.columns_added.setdefault(dataset, []).extend(f.name for f in added)
            names = ", ".join(_quote(name) for name in table.column_names)
            cursor.copy_expert(
                f"copy {target} ({names}) from stdin with (format csv)", io.BytesIO(_csv(table))
            )
            rows = table.num_rows
        cursor.execute(
            f"insert into {RAW_SCHEMA}.{LOADED_RUNS_TABLE} (dataset, run_id, rows) values (%s, %s, %s)",
            (dataset, run_id, rows),
        )
    connection.commit()
    report.runs_loaded.setdefault(dataset, []).append(run_id)
    report.rows_loaded[dataset] = report.rows_loaded.get(dataset, 0) + rows


def connect(**overrides):
    """A psycopg2 connection from libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)."""
    import psycopg2

    try:
        return psycopg2.connect(**overrides)
    except psycopg2.OperationalError as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else "connection failed"
        raise PostgresLoadError(
            f"cannot connect to PostgreSQL (PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE): {message}"
        ) from None


def build_on_postgres(
    landing_dir: Path,
    work_dir: Path,
    *,
    definitions_path: Path | None = None,
    as_of: str | None = None,
    full_refresh: bool = True,
) -> tuple[LoadReport, dict[str, str]]:
    """Load the landing zone (load_landing) and `dbt build --target postgres` (models, data tests, unit
    tests) with the definitions' vars, as `onefunnel transform` does for DuckDB; returns the load report
    and dbt's node statuses, or raises WarehouseBuildError naming every failed node. `full_refresh`: the
    first build of a warehouse (what `onefunnel transform` decides from its build log on DuckDB)."""
    from onefunnel.definitions import load_definitions
    from onefunnel.warehouse.build import dbt_vars, run_dbt

    definitions = load_definitions(Path(definitions_path) if definitions_path else None)
    connection = connect()
    try:
        report = load_landing(landing_dir, connection)
    finally:
        connection.close()
    work_dir = Path(work_dir)
    statuses = run_dbt(
        "build",
        ["--target", "postgres", *(["--full-refresh"] if full_refresh else [])],
        landing_dir=Path(landing_dir),
        warehouse_path=work_dir
        / "not-used.duckdb",  # the `local` output's file; the postgres target ignores it
        accountability_dir=work_dir / "accountability",
        work_dir=work_dir,
        variables=dbt_vars(definitions, as_of),
    )
    return report, statuses
