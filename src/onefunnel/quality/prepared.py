"""Prepared tables and run-time parameters for the suites.

Some rules are not about one table's rows (is the data fresh? did a full extraction come back empty? did
the record count drop against the last good run?). They become small prepared frames, one row per thing
checked, so an ordinary GX expectation checks them and its result reads like every other check.
`$param` values in a check's kwargs (property options, owner ids, thresholds) are resolved here too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from onefunnel.quality.sources import RunManifest, Sources, _ident, dataset_kind

# Extractor object names -> the landing dataset holding their rows.
OBJECT_DATASETS = {"properties": "property_definitions"}


class PrepareError(RuntimeError):
    """A table or parameter could not be prepared; every check on it reports this message as an error."""


@dataclass
class CheckContext:
    sources: Sources
    run: RunManifest | None
    previous_runs: list[RunManifest]
    now: datetime
    # Metrics of the last run that was good enough to publish (from the history); None on the first run.
    baseline: dict[str, Any] | None = None
    baseline_run_id: str | None = None
    definitions: Any | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


def _frame(rows: list[dict[str, Any]], columns: list[str]):
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------------------------------- built-ins


def builtin_schema(ctx: CheckContext, relation: str, columns: dict[str, str]):
    """One row per required column: expected type vs the type found (null when the column is missing).
    An expected type may list alternatives separated by `|`."""
    import duckdb

    try:
        described = ctx.sources.con.execute(f"describe select * from {relation}").fetchall()
    except duckdb.Error as error:
        raise PrepareError(f"cannot read {relation}: {_first_line(error)}") from None
    actual = {row[0]: str(row[1]).upper() for row in described}
    rows = []
    for column, expected in columns.items():
        options = [option.strip().upper() for option in str(expected).split("|")]
        found = actual.get(column)
        rows.append(
            {
                "column_name": column,
                "expected_type": found if found in options else " | ".join(options),
                "actual_type": found,
            }
        )
    return _frame(rows, ["column_name", "expected_type", "actual_type"])


def builtin_extraction_run(ctx: CheckContext):
    """The run under check: did the extractor finish it without error, and can every landed part be read?
    (An unreadable part is named here, so the critical `landing.run.finished` fails on it.)"""
    if ctx.run is None:
        rows = [{"run_id": None, "ok": False, "error": "no extraction run found in the landing zone"}]
    else:
        rows = [{"run_id": ctx.run.run_id, "ok": ctx.run.ok, "error": ctx.run.error}]
    for part, reason in ctx.sources.unreadable_parts:
        rows.append(
            {
                "run_id": rows[0]["run_id"],
                "ok": False,
                "error": f"landing part {part} cannot be read: {reason}; run `onefunnel extract` to "
                "quarantine it and extract its object again",
            }
        )
    return _frame(rows, ["run_id", "ok", "error"])


def builtin_extraction_counts(ctx: CheckContext):
    """Objects the run extracted completely (full or snapshot mode) that earlier runs had rows for:
    records this run vs records the most recent earlier run with rows landed."""
    rows = []
    if ctx.run is not None:
        for object_type, entry in sorted(ctx.run.objects.items()):
            if entry.get("mode") not in ("full", "snapshot"):
                continue
            dataset = OBJECT_DATASETS.get(object_type, object_type)
            previous = _previous_rows(ctx, dataset)
            if previous:
                rows.append(
                    {
                        "object": object_type,
                        "mode": entry.get("mode"),
                        "records_this_run": ctx.run.records(object_type),
                        "records_before": previous,
                    }
                )
    return _frame(rows, ["object", "mode", "records_this_run", "records_before"])


def _previous_rows(ctx: CheckContext, dataset: str) -> int:
    if not ctx.sources.has_dataset(dataset) or ctx.run is None:
        return 0
    name = _ident(dataset)
    archived_filter = "and not archived" if dataset_kind(dataset) == "records" else ""
    row = ctx.sources.con.execute(
        f"""
        with earlier as (
            select _run_id, count(*) as n from landed.{name}
            where _run_id < ? {archived_filter}
            group by _run_id
        )
        select n from earlier order by _run_id desc limit 1
        """,
        [ctx.run.run_id],
    ).fetchone()
    return int(row[0]) if row else 0


def builtin_record_counts_vs_baseline(ctx: CheckContext):
    """Active records per object now vs at the last publishable run: ratio = now / then."""
    current = ctx.metrics.get("active_records") or {}
    previous = (ctx.baseline or {}).get("active_records") or {}
    rows = []
    for object_type, before in sorted(previous.items()):
        if not before:
            continue
        now = int(current.get(object_type, 0))
        rows.append(
            {
                "object": object_type,
                "records_before": int(before),
                "records_now": now,
                "ratio": round(now / before, 4),
                "baseline_run": ctx.baseline_run_id,
            }
        )
    return _frame(rows, ["object", "records_before", "records_now", "ratio", "baseline_run"])


def builtin_freshness(ctx: CheckContext):
    """Hours between the start of the run under check (when the data was read from HubSpot) and now."""
    as_of = _parse_time(ctx.run.started_at) if ctx.run else None
    age = None if as_of is None else round((ctx.now - as_of).total_seconds() / 3600, 2)
    return _frame(
        [{"run_id": ctx.run.run_id if ctx.run else None, "data_as_of": as_of, "age_hours": age}],
        ["run_id", "data_as_of", "age_hours"],
    )


def builtin_association_targets(ctx: CheckContext):
    """One row per landed association dataset: associations in the newest set per from-record, and how many
    point at an id that never landed for the target object (examples as from->to)."""
    rows = []
    for dataset in ctx.sources.datasets:
        if dataset_kind(dataset) != "associations":
            continue
        _, from_type, to_type = dataset.split("_", 2)
        if to_type in ctx.sources.materialized:
            # the ids of the current state are every id ever landed (each keeps its newest version)
            known = f"select distinct id from whole.{_ident(to_type)}"
        elif ctx.sources.has_dataset(to_type):
            known = f"select distinct id from landed.{_ident(to_type)}"
        else:
            known = "select null::varchar as id where false"
        total, missing, examples = ctx.sources.con.execute(
            f"""
            with associations as (
                select from_id, to_id from latest.{_ident(dataset)} where to_id is not null
            ),
            known as ({known})
            select
                count(*),
                count(*) filter (where known.id is null),
                list(associations.from_id || '->' || associations.to_id order by associations.from_id)
                    filter (where known.id is null)
            from associations
            left join known on known.id = associations.to_id
            """
        ).fetchone()
        rows.append(
            {
                "association": f"{from_type}->{to_type}",
                "associations": int(total),
                "missing_targets": int(missing),
                "examples": ", ".join((examples or [])[:5]) or None,
            }
        )
    return _frame(rows, ["association", "associations", "missing_targets", "examples"])


def _warehouse_columns(ctx: CheckContext, schema: str, pattern: str) -> list[tuple[str, str]]:
    """(table, column) of the numeric columns of a warehouse schema whose names match `pattern`."""
    return ctx.sources.con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = 'wh' and table_schema = ? and regexp_matches(column_name, ?) "
        "and (data_type in ('DOUBLE', 'FLOAT', 'REAL') or data_type like 'DECIMAL%') "
        "order by table_name, column_name",
        [schema, pattern],
    ).fetchall()


def builtin_unit_interval_columns(
    ctx: CheckContext, pattern: str, schema: str = "marts", low: float = 0.0, high: float = 1.0
):
    """One row per numeric warehouse column whose name matches `pattern` (rates, shares): how many values fall
    outside [low, high]. New marts are covered as soon as they follow the naming convention."""
    if ctx.sources.warehouse_error:
        raise PrepareError(ctx.sources.warehouse_error)
    rows = []
    for table, column in _warehouse_columns(ctx, schema, pattern):
        relation = f"wh.{_ident(schema)}.{_ident(table)}"
        value = _ident(column)
        checked, outside, low_seen, high_seen = ctx.sources.con.execute(
            f"select count({value}), count(*) filter (where {value} < ? or {value} > ?),"
            f" min({value}), max({value}) from {relation}",
            [low, high],
        ).fetchone()
        rows.append(
            {
                "relation": table,
                "column": column,
                "values_checked": int(checked),
                "outside_range": int(outside),
                "min_value": None if low_seen is None else float(low_seen),
                "max_value": None if high_seen is None else float(high_seen),
            }
        )
    if not rows:
        raise PrepareError(f"no column in schema {schema!r} matches {pattern!r}")
    return _frame(rows, ["relation", "column", "values_checked", "outside_range", "min_value", "max_value"])


BUILTINS: dict[str, Callable[..., Any]] = {
    "unit_interval_columns": builtin_unit_interval_columns,
    "association_targets": builtin_association_targets,
    "schema": builtin_schema,
    "extraction_run": builtin_extraction_run,
    "extraction_counts": builtin_extraction_counts,
    "record_counts_vs_baseline": builtin_record_counts_vs_baseline,
    "freshness": builtin_freshness,
}


def build_builtin(ctx: CheckContext, name: str, params: dict[str, Any]):
    function = BUILTINS.get(name)
    if function is None:
        raise PrepareError(f"unknown built-in table {name!r}; known: {sorted(BUILTINS)}")
    return function(ctx, **params)


def build_sql(ctx: CheckContext, sql: str):
    import duckdb

    try:
        return ctx.sources.frame(sql)
    except duckdb.CatalogException as error:
        raise PrepareError(f"a source is missing: {_first_line(error)}") from None
    except duckdb.BinderException as error:
        raise PrepareError(f"a column is missing: {_first_line(error)}") from None
    except duckdb.Error as error:
        raise PrepareError(f"query failed: {_first_line(error)}") from None


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__


# ------------------------------------------------------------------------------------------ parameters


def param_property_options(ctx: CheckContext, object: str, property: str) -> list[str]:
    """Option values HubSpot defines for an enumeration property (from the landed property definitions)."""
    if not ctx.sources.has_dataset("property_definitions"):
        raise PrepareError("no property definitions landed, so the allowed values are unknown")
    rows = ctx.sources.scalar_list(
        "select options from latest.property_definitions where object_type = ? and name = ?",
        [object, property],
    )
    values = [option.get("value") for text in rows if text for option in orjson.loads(text)]
    values = sorted({str(value) for value in values if value is not None})
    if not values:
        raise PrepareError(f"the property definitions list no options for {object}.{property}")
    return values


def param_owner_ids(ctx: CheckContext) -> list[str]:
    """Every owner HubSpot knows, active or deactivated (the owners snapshot includes archived owners)."""
    if not ctx.sources.has_dataset("owners"):
        raise PrepareError("no owners landed")
    return sorted({str(value) for value in ctx.sources.scalar_list("select id from latest.owners") if value})


def param_pipeline_ids(ctx: CheckContext, object_type: str = "deals") -> list[str]:
    if not ctx.sources.has_dataset("pipelines"):
        raise PrepareError("no pipelines landed")
    rows = ctx.sources.scalar_list("select id from latest.pipelines where object_type = ?", [object_type])
    return sorted({str(value) for value in rows if value})


def param_pipeline_stage_ids(ctx: CheckContext, object_type: str = "deals") -> list[str]:
    if not ctx.sources.has_dataset("pipeline_stages"):
        raise PrepareError("no pipeline stages landed")
    rows = ctx.sources.scalar_list(
        "select id from latest.pipeline_stages where object_type = ?", [object_type]
    )
    return sorted({str(value) for value in rows if value})


def param_setting(ctx: CheckContext, name: str, default: Any) -> Any:
    """A threshold with a default in the suite, overridable by ONEFUNNEL_QUALITY_<NAME>."""
    raw = os.environ.get(f"ONEFUNNEL_QUALITY_{name.upper()}")
    if raw is None:
        return default
    try:
        return type(default)(raw) if default is not None else raw
    except ValueError:
        raise PrepareError(
            f"ONEFUNNEL_QUALITY_{name.upper()}={raw!r} is not a {type(default).__name__}"
        ) from None


def param_lifecycle_stages(ctx: CheckContext) -> list[str]:
    """Lifecycle stages the definitions file knows (funnel stages, not-in-funnel, disqualification)."""
    if ctx.definitions is None:
        raise PrepareError("the definitions file could not be loaded")
    known = {value for stage in ctx.definitions.stages for value in stage.lifecycle_stages}
    known |= set(ctx.definitions.not_in_funnel) | set(ctx.definitions.disqualification.lifecycle_stages)
    return sorted(known)


def param_definitions_version(ctx: CheckContext) -> list[str]:
    """The version of definitions.yml as it is now (what every published number must have been built with)."""
    if ctx.definitions is None:
        raise PrepareError("the definitions file could not be loaded")
    return [ctx.definitions.version]


PARAMS: dict[str, Callable[..., Any]] = {
    "definitions_version": param_definitions_version,
    "property_options": param_property_options,
    "owner_ids": param_owner_ids,
    "pipeline_ids": param_pipeline_ids,
    "pipeline_stage_ids": param_pipeline_stage_ids,
    "setting": param_setting,
    "lifecycle_stages": param_lifecycle_stages,
}


def resolve_params(ctx: CheckContext, value: Any) -> Any:
    """Replace every {"$param": name, ...arguments} in kwargs by the resolved value."""
    if isinstance(value, dict):
        if "$param" in value:
            arguments = {key: item for key, item in value.items() if key != "$param"}
            function = PARAMS.get(value["$param"])
            if function is None:
                raise PrepareError(f"unknown parameter {value['$param']!r}; known: {sorted(PARAMS)}")
            try:
                return function(ctx, **arguments)
            except TypeError as error:
                raise PrepareError(f"parameter {value['$param']!r}: {error}") from None
        return {key: resolve_params(ctx, item) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_params(ctx, item) for item in value]
    return value
