"""Run the dbt project programmatically: definitions validated first, passed in as vars, failures named.

A malformed definitions file stops here with `DefinitionsError` (naming the key) before dbt starts, so it
builds nothing. A definitions change (new version) triggers a full refresh of the incremental models,
because their stored columns depend on the definitions (e.g. which lifecycle stage dates are read).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from onefunnel import config
from onefunnel.definitions import Definitions, load_definitions

DBT_PROJECT_DIR = config.REPO_ROOT / "dbt_project"


class WarehouseBuildError(RuntimeError):
    """dbt failed; the message names every failed model or test and dbt's own message for it."""

    def __init__(self, message: str, failures: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.failures = failures or []


@dataclass
class BuildResult:
    definitions_version: str
    warehouse_path: Path
    seconds: float
    full_refresh: bool
    statuses: dict[str, str] = field(default_factory=dict)  # unique_id -> status
    frozen_months: list[str] = field(default_factory=list)

    @property
    def models_built(self) -> int:
        return sum(
            1 for node, status in self.statuses.items() if node.startswith("model.") and status == "success"
        )

    @property
    def tests_passed(self) -> int:
        return sum(
            1
            for node, status in self.statuses.items()
            if node.startswith(("test.", "unit_test.")) and status == "pass"
        )


def default_warehouse_path() -> Path:
    return Path(os.environ.get("ONEFUNNEL_WAREHOUSE", config.data_dir() / "warehouse" / "warehouse.duckdb"))


def dbt_vars(definitions: Definitions, as_of: str | None = None) -> dict:
    """The vars the dbt project reads: the validated definitions, their version, an optional as-of."""
    values = {
        "onefunnel_definitions": definitions.model_dump(mode="json"),
        "definitions_version": definitions.version,
    }
    if as_of:
        values["as_of"] = as_of
    return values


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _built_version(warehouse_path: Path) -> str | None:
    """The definitions version of the last build, or None for a new warehouse."""
    if not warehouse_path.exists():
        return None
    import duckdb

    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as connection:
            rows = connection.execute(
                "select definitions_version from definitions.definitions_current"
            ).fetchall()
    except duckdb.Error:
        return None
    return rows[0][0] if rows else None


def _release_duckdb() -> None:
    """dbt-duckdb keeps its database open in the process after a run; close it so this process (freeze,
    tests) and other processes (publish, dashboard snapshot) can open the file."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter: nothing to release
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def run_dbt(
    command: str | Sequence[str],
    arguments: Sequence[str],
    *,
    landing_dir: Path,
    warehouse_path: Path,
    accountability_dir: Path,
    work_dir: Path,
    variables: dict,
) -> dict[str, str]:
    """One dbt invocation in this process; returns node statuses or raises WarehouseBuildError."""
    from dbt.cli.main import dbtRunner

    environment = {
        "ONEFUNNEL_LANDING_DIR": str(Path(landing_dir).resolve()),
        "ONEFUNNEL_WAREHOUSE": str(Path(warehouse_path).resolve()),
        "ONEFUNNEL_ACCOUNTABILITY_DIR": str(Path(accountability_dir).resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    words = [command] if isinstance(command, str) else list(command)
    command = " ".join(words)
    args = [
        *words,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        "--vars",
        json.dumps(variables),
        *arguments,
    ]
    with _environment(environment):
        try:
            outcome = dbtRunner().invoke(args)
        finally:
            _release_duckdb()
    statuses: dict[str, str] = {}
    failures: list[tuple[str, str]] = []
    results = getattr(outcome.result, "results", None) or []
    for result in results:
        node = getattr(result, "node", None)
        name = getattr(node, "unique_id", None) or str(node)
        status = str(getattr(result.status, "value", result.status))
        statuses[name] = status
        if status in ("error", "fail", "runtime error"):
            failures.append((name, (result.message or "").strip()))
    if not outcome.success:
        if failures:
            detail = "\n".join(f"  {name}: {message}" for name, message in failures)
            raise WarehouseBuildError(
                f"dbt {command} failed for {len(failures)} node(s):\n{detail}", failures
            )
        reason = outcome.exception or "see the dbt log above"
        raise WarehouseBuildError(f"dbt {command} failed: {reason}")
    return statuses


def build_warehouse(
    landing_dir: Path | str | None = None,
    warehouse_path: Path | str | None = None,
    definitions_path: Path | str | None = None,
    select: Sequence[str] | str | None = None,
    full_refresh: bool = False,
    *,
    as_of: str | None = None,
    accountability_dir: Path | str | None = None,
    freeze_due: bool = True,
    exclude: Sequence[str] | str | None = None,
    run_tests: bool = True,
) -> BuildResult:
    """`dbt build` (models, data tests, unit tests) of the warehouse from a landing zone.

    Months whose close day has passed are then frozen (once, never rewritten) unless `freeze_due` is
    False, and the accountability models are rebuilt to show them. `run_tests=False` builds models only.
    Raises DefinitionsError (naming the key) before anything is built, WarehouseBuildError naming every
    failed model or test.
    """
    from onefunnel.landing.layout import default_landing_dir
    from onefunnel.warehouse.freeze import default_accountability_dir, due_months, freeze_month

    started = time.perf_counter()
    definitions = load_definitions(Path(definitions_path) if definitions_path else None)
    landing_dir = Path(landing_dir or os.environ.get("ONEFUNNEL_LANDING_DIR") or default_landing_dir())
    warehouse_path = Path(warehouse_path) if warehouse_path else default_warehouse_path()
    accountability_dir = (
        Path(accountability_dir) if accountability_dir else default_accountability_dir(warehouse_path)
    )
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    work_dir = warehouse_path.parent / "dbt"
    previous_version = _built_version(warehouse_path)
    if previous_version is not None and previous_version != definitions.version:
        full_refresh = True
    arguments: list[str] = []
    if select:
        arguments += ["--select", *([select] if isinstance(select, str) else select)]
    excluded = [exclude] if isinstance(exclude, str) else list(exclude or ())
    if not run_tests:
        excluded += ["resource_type:test", "resource_type:unit_test"]
    if excluded:
        arguments += ["--exclude", *excluded]
    if full_refresh:
        arguments.append("--full-refresh")
    context = {
        "landing_dir": landing_dir,
        "warehouse_path": warehouse_path,
        "accountability_dir": accountability_dir,
        "work_dir": work_dir,
        "variables": dbt_vars(definitions, as_of),
    }
    statuses = run_dbt("build", arguments, **context)
    result = BuildResult(definitions.version, warehouse_path, 0.0, full_refresh, statuses)
    if freeze_due and not select:
        for month in due_months(warehouse_path, definitions, accountability_dir):
            if freeze_month(month, warehouse_path, accountability_dir):
                result.frozen_months.append(month)
        if result.frozen_months:
            result.statuses.update(
                run_dbt(
                    "build",
                    [
                        "--select",
                        "stg_accountability__reported_metrics+",
                        "stg_accountability__reported_contributions+",
                        *(["--exclude", *excluded] if excluded else []),
                    ],
                    **context,
                )
            )
    result.seconds = time.perf_counter() - started
    return result


def check_freshness(
    landing_dir: Path | str, warehouse_path: Path | str, definitions_path: Path | str | None = None
) -> dict[str, str]:
    """`dbt source freshness` of the landing zone (warn after 2 days, error after 7): source -> status."""
    definitions = load_definitions(Path(definitions_path) if definitions_path else None)
    warehouse_path = Path(warehouse_path)
    from onefunnel.warehouse.freeze import default_accountability_dir

    return run_dbt(
        ["source", "freshness"],
        [],
        landing_dir=Path(landing_dir),
        warehouse_path=warehouse_path,
        accountability_dir=default_accountability_dir(warehouse_path),
        work_dir=warehouse_path.parent / "dbt",
        variables=dbt_vars(definitions),
    )
