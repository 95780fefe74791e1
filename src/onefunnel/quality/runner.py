"""One quality run: prepare every table the selected checkpoints need, validate them with GX, apply
severities, build Data Docs, and record the summary and history.

What GX validates row by row is small: the records the run under check changed (tables of scope `records`),
the rows that break a check, small tables whole (scope `table`). The whole state is checked through DuckDB
aggregates derived from the same checks (quality/aggregates.py): one scan per table counts the rows breaking
each check, and a check fails when any row of the whole state breaks it, changed or not.

    summary = run_checks(CheckOptions(checkpoints=["landing"]))
    summary.status            # passed | warning | failed
    summary.check("landing.deals.amount_non_negative").message
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from onefunnel import config
from onefunnel.landing import layout
from onefunnel.quality import history
from onefunnel.quality.gx_engine import PreparedTable
from onefunnel.quality.prepared import (
    CheckContext,
    PrepareError,
    build_builtin,
    build_sql,
    resolve_params,
)
from onefunnel.quality.severity import CheckStatus, Severity
from onefunnel.quality.sources import Sources, run_manifests
from onefunnel.quality.suites import Catalogue, SuiteError, load_catalogue
from onefunnel.quality.summary import CheckResult, Summary

if TYPE_CHECKING:
    import duckdb

DEFAULT_KEEP_RUNS = 30
# Rows of the whole state per broken check that GX validates beside the changed records (its examples).
EXAMPLES = 20
BUILD_COMPLETED_CHECK = "warehouse.build.completed"


def default_warehouse_path() -> Path:
    """The DuckDB file dbt writes (same rule as dbt_project/profiles.yml)."""
    return Path(os.environ.get("ONEFUNNEL_WAREHOUSE", config.data_dir() / "warehouse" / "warehouse.duckdb"))


def default_landing_dir() -> Path:
    return Path(os.environ.get("ONEFUNNEL_LANDING_DIR", layout.default_landing_dir()))


@dataclass
class CheckOptions:
    checkpoints: Sequence[str] | None = (
        None  # None: every checkpoint, in the order checkpoints.yml lists them
    )
    landing_dir: Path | None = None
    warehouse_path: Path | None = None
    quality_dir: Path | None = None
    expectations_dir: Path | None = None
    run_id: str | None = None  # the quality run's id (default: a new sortable id)
    landing_run_id: str | None = None  # the extraction run to check (default: the newest)
    now: datetime | None = None
    waive: Sequence[str] = ()  # check names lowered to warning for this run, recorded as waived
    build_docs: bool = True
    keep_runs: int = DEFAULT_KEEP_RUNS
    definitions_path: Path | None = None
    extra_notes: list[str] = field(default_factory=list)


def warehouse_fingerprint(path: Path, con: duckdb.DuckDBPyConnection | None = None) -> dict | None:
    """What the check saw of the warehouse, which publish compares with what it copies: the dbt build that
    wrote it last (`build`, from definitions.build_log), a content checksum of every table publish copies
    (the models tagged published; `tables`: "<schema>.<table>" -> rows, checksum), the transforms that did
    not finish, and the file's size and mtime (a hint only: a write-ahead log replayed on open changes the
    content, not the file).

    `con`: a connection with the warehouse attached read-only as `wh` (the checks' own, so the content is the
    one they saw: no writer can open the file while it is attached); without it the file is opened here."""
    import duckdb

    from onefunnel.publish.published import PublishedModelsError, published_models
    from onefunnel.publish.snapshot import content_fingerprint, serving_schemas
    from onefunnel.warehouse.build import latest_build, unfinished_transforms

    path = Path(path)
    if not path.exists():
        return None
    stat = path.stat()
    fingerprint: dict = {
        "path": str(path.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "schemas": list(serving_schemas() or ()),
        "published": None,
        "build": None,
        "tables": None,
        "unfinished_transforms": [transform.describe() for transform in unfinished_transforms(path)],
    }
    started = time.monotonic()

    def read(connection) -> None:
        fingerprint["build"] = latest_build(connection, "wh")
        relations = published_models(path, fingerprint["schemas"])
        fingerprint["published"] = [f"{schema}.{name}" for schema, name in relations]
        fingerprint["tables"] = content_fingerprint(connection, relations)

    try:
        if con is None:
            with duckdb.connect() as own:
                own.execute("attach " + "'" + str(path).replace("'", "''") + "' as wh (read_only)")
                read(own)
        else:
            read(con)
    except PublishedModelsError as error:
        fingerprint["error"] = str(error)
    except duckdb.Error as error:
        fingerprint["error"] = f"cannot read the warehouse {path}: {error}"
    fingerprint["seconds"] = round(time.monotonic() - started, 3)
    return fingerprint


def build_completed_check(fingerprint: dict | None) -> CheckResult:
    """A critical check of the warehouse checkpoint: the last dbt build of the warehouse ran to its end and
    succeeded. A killed transform leaves tables of the new build beside tables of the old one, and no failed
    rule need notice the mix; a failed build skips whatever depends on what failed."""
    fingerprint = fingerprint or {}
    build = fingerprint.get("build")
    unfinished = fingerprint.get("unfinished_transforms") or []
    if unfinished:
        status = CheckStatus.FAILED
        message = (
            f"{unfinished[-1]}: the warehouse may mix tables of two builds; run `onefunnel transform` to "
            "completion, then `onefunnel check`"
        )
    elif build is None:
        status = CheckStatus.FAILED
        message = fingerprint.get("error") or (
            "the warehouse has no record of a dbt build (definitions.build_log): build it with "
            "`onefunnel transform`, then run `onefunnel check`"
        )
    elif not build.get("succeeded"):
        status = CheckStatus.FAILED
        message = (
            f"the last dbt build ({build.get('invocation_id')}, {build.get('loaded_at')}) failed or skipped "
            "models or tests, so some tables may be older than others: fix what `onefunnel transform` "
            "reports, run it again, then `onefunnel check`"
        )
    else:
        status = CheckStatus.PASSED
        message = f"ok (dbt build {build.get('invocation_id')} of {build.get('loaded_at')} completed)"
    return CheckResult(
        name=BUILD_COMPLETED_CHECK,
        suite="warehouse_build",
        checkpoint="warehouse",
        table="definitions.build_log",
        expectation="onefunnel_last_build_completed",
        column=None,
        severity=Severity.CRITICAL,
        status=status,
        description="the last dbt build of the warehouse ran to its end and succeeded",
        message=message,
        observed={"build": build, "unfinished_transforms": unfinished},
    )


def run_checks(options: CheckOptions | None = None) -> Summary:
    """Run the selected checkpoints; always records a summary (even when checks could not run)."""
    with warnings.catch_warnings():
        # pandas 3 deprecation notices raised inside GX and DuckDB's DataFrame conversion, not in this code.
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*Pandas4Warning.*")
        warnings.filterwarnings("ignore", module=r"(great_expectations|pandas|duckdb)(\..*)?")
        return _run_checks(options or CheckOptions())


def _run_checks(options: CheckOptions) -> Summary:
    started = time.monotonic()
    now = options.now or datetime.now(UTC)
    run_id = options.run_id or layout.new_run_id(now)
    landing_dir = Path(options.landing_dir or default_landing_dir())
    warehouse_path = Path(options.warehouse_path or default_warehouse_path())
    quality_dir = Path(options.quality_dir or history.default_quality_dir())
    catalogue = load_catalogue(options.expectations_dir)
    selected = list(options.checkpoints or [checkpoint.name for checkpoint in catalogue.checkpoints])
    for name in selected:
        catalogue.checkpoint(name)  # raises SuiteError naming the unknown checkpoint
    _check_waivers(catalogue, options.waive)
    needs = {need for name in selected for need in catalogue.checkpoint(name).needs}
    notes = list(options.extra_notes)

    definitions, definitions_version = _definitions(options.definitions_path, notes)
    manifests = run_manifests(landing_dir) if "landing" in needs else []
    run = _pick_run(manifests, options.landing_run_id)
    previous_runs = [manifest for manifest in manifests if run is None or manifest.run_id < run.run_id]
    baseline_run_id, baseline_metrics = history.baseline(
        quality_dir, before_landing_run=run.run_id if run else None
    )

    results: list[CheckResult] = []
    timings: dict[str, dict] = {}
    gx_run = None
    with Sources(landing_dir, warehouse_path, run_id=run.run_id if run else None) as sources:
        if "landing" in needs:
            sources.attach_landing()
        if "warehouse" in needs:
            sources.attach_warehouse()
        ctx = CheckContext(
            sources=sources,
            run=run,
            previous_runs=previous_runs,
            now=now,
            baseline=baseline_metrics,
            baseline_run_id=baseline_run_id,
            definitions=definitions,
        )
        if "landing" in needs:
            scoped = [
                spec.sql
                for name in selected
                for suite in catalogue.suites_of(name)
                for spec in suite.tables.values()
                if spec.scope == "records" and spec.sql
            ]
            if scoped:
                ctx.metrics["materialize_s"] = sources.materialize_state(scoped)
                if sources.bulk:
                    ctx.metrics["bulk_loaded"] = dict(sources.bulk)
                    notes.append(
                        "bulk load: "
                        + ", ".join(f"{dataset} {rows} records" for dataset, rows in sources.bulk.items())
                        + " landed by this run, more than ONEFUNNEL_QUALITY_MAX_CHANGED_ROWS: checked "
                        "through the aggregates, GX given the broken rows only"
                    )
            ctx.metrics["active_records"] = sources.active_record_counts()
        from onefunnel.quality.gx_engine import GxRun

        engine_started = time.monotonic()
        gx_run = GxRun(quality_dir, run_id, now)  # imports GX: seconds of start-up, reported on their own
        engine_start_s = round(time.monotonic() - engine_started, 3)
        for checkpoint_name in selected:
            checkpoint = catalogue.checkpoint(checkpoint_name)
            for suite in catalogue.suites_of(checkpoint_name):
                for table_name, spec in suite.tables.items():
                    table = PreparedTable(suite=suite, name=table_name, spec=spec)
                    table_started = time.monotonic()
                    if "warehouse" in checkpoint.needs and sources.warehouse_error:
                        table.error = sources.warehouse_error
                    else:
                        _prepare(ctx, table)
                    prepared_at = time.monotonic()
                    validated = gx_run.validate(table, checkpoint_name)
                    results.extend(_with_state(table, validated))
                    timings[f"{suite.suite}.{table_name}"] = {
                        "rows": None if table.frame is None else len(table.frame),
                        **({"state_rows": table.state["rows"]} if table.state else {}),
                        "prepare_s": round(prepared_at - table_started, 3),
                        "validate_s": round(time.monotonic() - prepared_at, 3),
                    }
                    table.frame = None  # free the batch before the next one
        warehouse = None
        if "warehouse" in needs:
            # inside the attach: the content the checks saw (no writer can open the file meanwhile)
            attached = None if sources.warehouse_error else sources.con
            warehouse = warehouse_fingerprint(warehouse_path, attached)
            results.append(build_completed_check(warehouse))
        if options.build_docs:
            try:
                gx_run.build_docs(options.keep_runs)
            except Exception as error:  # the docs are a view of the results; never lose the results for them
                notes.append(f"Data Docs could not be built: {error}")

    for check in results:
        if check.name in options.waive and check.severity is Severity.CRITICAL:
            check.severity = Severity.WARNING
            check.waived = True
            check.message = f"[waived for this run] {check.message}"
    summary = Summary(
        run_id=run_id,
        started_at=now.isoformat(),
        finished_at=datetime.now(UTC).isoformat(),
        checkpoints=selected,
        landing_run_id=run.run_id if run else None,
        data_as_of=run.started_at if run else None,
        definitions_version=definitions_version,
        warehouse=warehouse,
        checks=results,
        metrics={
            **ctx.metrics,
            "duration_s": round(time.monotonic() - started, 3),
            "engine_start_s": engine_start_s,
            **({"warehouse_fingerprint_s": warehouse["seconds"]} if warehouse else {}),
            "tables": timings,
        },
        notes=notes,
    )
    if options.build_docs:
        from onefunnel.quality.gx_engine import docs_dir, latest_page
        from onefunnel.quality.report import render_latest

        summary.data_docs = str(latest_page(quality_dir))
        history.record_run(quality_dir, summary)
        render_latest(docs_dir(quality_dir), summary, history.read_history(quality_dir))
    else:
        history.record_run(quality_dir, summary)
    return summary


def _prepare(ctx: CheckContext, table: PreparedTable) -> None:
    for check in table.suite.checks_of(table.name):
        try:
            table.kwargs[check.name] = resolve_params(ctx, dict(check.kwargs))
        except PrepareError as error:
            table.kwargs_errors[check.name] = str(error)
    try:
        if table.spec.scope != "table":
            table.frame = _state_and_examples(ctx, table)
        elif table.spec.sql is not None:
            table.frame = build_sql(ctx, table.spec.sql)
        else:
            table.frame = build_builtin(ctx, table.spec.builtin, resolve_params(ctx, dict(table.spec.params)))
    except PrepareError as error:
        table.error = str(error)
        return
    for check in table.suite.checks_of(table.name):
        if check.column is not None and check.column not in table.frame.columns:
            table.kwargs_errors[check.name] = f"table {table.name!r} has no column {check.column!r}"


def _state_and_examples(ctx: CheckContext, table: PreparedTable):
    """A table of scope `records` or `aggregate`: count, in one scan of the whole state, the rows breaking
    each check (`table.state`); return the rows GX validates: the records the run changed (scope
    `records`) and up to EXAMPLES rows of the whole state per broken check, each row once."""
    import duckdb
    import pandas as pd

    from onefunnel.quality.aggregates import (
        AggregateError,
        counts_query,
        examples_query,
        violation_predicate,
    )

    rules = {}
    for check in table.suite.checks_of(table.name):
        if check.name in table.kwargs_errors:
            continue
        try:
            rules[check.name] = violation_predicate(check, table.kwargs[check.name])
        except AggregateError as error:
            table.kwargs_errors[check.name] = str(error)
    sources = ctx.sources
    sql = table.spec.sql
    try:
        if table.spec.scope == "records":
            sources.bind_state("latest")
        counted = sources.con.execute(counts_query(sql, rules)).fetchone()
        table.state = {
            "rows": int(counted[0]),
            "violations": {name: int(n) for name, n in zip(rules, counted[1:], strict=True)},
        }
        frames = []
        for name, rule in rules.items():
            if table.state["violations"][name]:
                frames.append(sources.con.execute(examples_query(sql, rule, EXAMPLES)).df())
        if table.spec.scope == "records":
            sources.bind_state("changed")
            changed = sources.con.execute(sql).df()
            sources.bind_state("latest")
            table.state["changed_rows"] = len(changed)
        else:
            changed = sources.con.execute(f"select * from ({sql}) where false").df()
    except duckdb.Error as error:
        raise PrepareError(f"query failed: {str(error).strip().splitlines()[0]}") from None
    key = [column for column in table.spec.index if column in changed.columns]
    frame = changed
    for examples in frames:
        if key and len(frame):
            seen = pd.MultiIndex.from_frame(frame[key].astype(str))
            examples = examples[~pd.MultiIndex.from_frame(examples[key].astype(str)).isin(seen)]
        if len(examples):
            frame = pd.concat([frame, examples], ignore_index=True) if len(frame) else examples
    return frame.reset_index(drop=True)


def _with_state(table: PreparedTable, results: list[CheckResult]) -> list[CheckResult]:
    """Fold the whole-state counts of a table of scope `records` or `aggregate` into GX's results: a check
    fails when any row of the whole state breaks it; the message counts the whole state, and names GX's
    examples (the changed records and the broken rows it was given)."""
    from onefunnel.quality.summary import failure_message

    if not table.state:
        return results
    rows = table.state["rows"]
    changed = table.state.get("changed_rows")
    for result in results:
        if result.name not in table.state["violations"] or result.status is CheckStatus.ERROR:
            continue
        broken = table.state["violations"][result.name]
        seen = {
            "state_rows": rows,
            "state_violations": broken,
            **({"changed_rows": changed} if changed is not None else {}),
        }
        result.observed = {**result.observed, **seen}
        if broken == 0 and result.status is CheckStatus.PASSED:
            of_them = f", {changed} changed records row by row" if changed is not None else ""
            result.message = f"ok ({rows} {table.name} rows checked{of_them})"
            continue
        result.status = CheckStatus.FAILED
        examples = result.observed.get("examples") or []
        result.message = failure_message(
            result.description,
            table.name,
            {
                "unexpected_count": max(broken, int(result.observed.get("unexpected_count") or 0)),
                "element_count": rows,
                "partial_unexpected_list": examples,
            },
            {},
        )
    return results


def _pick_run(manifests, wanted: str | None):
    if wanted is not None:
        for manifest in manifests:
            if manifest.run_id == wanted:
                return manifest
        raise SuiteError(f"no extraction run {wanted!r} in the landing zone")
    return manifests[-1] if manifests else None


def _check_waivers(catalogue: Catalogue, waive: Sequence[str]) -> None:
    known = {check.name for suite in catalogue.suites for check in suite.checks}
    unknown = sorted(set(waive) - known)
    if unknown:
        raise SuiteError(f"cannot waive unknown check(s) {unknown}")


def _definitions(path: Path | None, notes: list[str]):
    from onefunnel.definitions import DefinitionsError, load_definitions

    try:
        definitions = load_definitions(path)
    except DefinitionsError as error:
        notes.append(f"definitions could not be loaded: {error}")
        return None, None
    return definitions, definitions.version
