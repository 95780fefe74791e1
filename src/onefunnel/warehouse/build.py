"""Run the dbt project programmatically: definitions validated first, passed in as vars, failures named.

A malformed definitions file stops here with `DefinitionsError` (naming the key) before dbt starts, so it
builds nothing.

Incremental or full: every dbt invocation records itself in the warehouse (`definitions.build_log`, written
by the project's on-run-end hook). A build runs incrementally only when the last build that touched the
incremental models built every one of them and passed every test, with the same definitions version and the
same model code
(`model_code_version`, a hash of the dbt project's files); anything else - a new warehouse, a definitions
change, changed models or macros, a failed or partial build - makes it a full refresh, so the state an
incremental build starts from is always what a full build of the previous landing zone gives. An
incremental build also leaves out what cannot have changed: the unit tests (they passed on this code and
these definitions already), the models built from the definitions alone (tag `static`) and the data tests that
recompute the models' logic independently from everything in staging (tag `full_build_only`: the
reconciliations, the definitions version on every row): full builds run them, and an incremental build equals
a full build of the same landing zone (tests/warehouse/test_incremental.py).

A transform that does not finish (kill -9, out of memory, power loss) leaves its marker
`<warehouse>.transform-<pid>.unfinished` behind: the warehouse may then mix tables of the new build with
tables of the old one, and no build_log row says so. `check` fails and `publish` refuses while such a marker
exists, and the next transform is a full refresh that removes it. The warehouse file, its write-ahead log and
its folder are private (0600 / 0700): they hold contacts' personal data.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from onefunnel import config
from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE, Definitions, load_definitions
from onefunnel.files import make_private, private_dir

DBT_PROJECT_DIR = config.REPO_ROOT / "dbt_project"
# What an incremental build leaves out (see the module docstring).
UNCHANGED_IN_INCREMENTAL_BUILDS = ("resource_type:unit_test", "tag:static", "tag:full_build_only")
# dbt's debug log costs about 10 ms per node (the SQL of every statement); the file keeps info and up.
DBT_LOG_LEVEL_FILE = "info"


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
    full_refresh_reason: str | None = None
    excluded: list[str] = field(default_factory=list)
    node_seconds: dict[str, float] = field(default_factory=dict)  # unique_id -> dbt's execution time
    dbt_seconds: float = 0.0  # wall time of the dbt invocations (start-up, parsing, running the nodes)
    run_seconds: float = 0.0  # dbt's own elapsed time running the nodes (and hooks)
    close_seconds: float = 0.0  # closing the database afterwards (DuckDB writes its last changes then)
    notes: list[str] = field(default_factory=list)  # what the build left out and why, for the operator

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


UNFINISHED_MARKER = ".transform-{pid}.unfinished"


@dataclass(frozen=True)
class UnfinishedTransform:
    """A transform that started on this warehouse and has not finished: still running, or killed."""

    marker: Path
    pid: int
    started_at: str
    running: bool

    def describe(self) -> str:
        state = "is still running" if self.running else "did not finish (killed or crashed)"
        return f"the `onefunnel transform` started at {self.started_at} (process {self.pid}) {state}"


def _marker_path(warehouse_path: Path, pid: int) -> Path:
    warehouse_path = Path(warehouse_path)
    return warehouse_path.with_name(warehouse_path.name + UNFINISHED_MARKER.format(pid=pid))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def unfinished_transforms(warehouse_path: Path) -> list[UnfinishedTransform]:
    """Transforms of this warehouse that started and have not finished, oldest first."""
    warehouse_path = Path(warehouse_path)
    found = []
    pattern = warehouse_path.name + UNFINISHED_MARKER.format(pid="*")
    for marker in sorted(warehouse_path.parent.glob(pattern)) if warehouse_path.parent.is_dir() else []:
        try:
            data = json.loads(marker.read_text())
            pid, started_at = int(data["pid"]), str(data["started_at"])
        except (OSError, ValueError, KeyError, TypeError):
            pid, started_at = -1, "an unknown time (unreadable marker)"
        running = pid > 0 and pid != os.getpid() and _process_alive(pid)
        found.append(UnfinishedTransform(marker, pid, started_at, running))
    return sorted(found, key=lambda transform: transform.started_at)


def _mark_transform_started(warehouse_path: Path) -> Path:
    """Durably note that this process starts writing the warehouse, before dbt opens it."""
    from onefunnel.landing.layout import fsync_dir

    marker = _marker_path(warehouse_path, os.getpid())
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(json.dumps({"pid": os.getpid(), "started_at": started_at}))
        handle.flush()
        os.fsync(handle.fileno())
    fsync_dir(marker.parent)
    return marker


def _mark_transform_finished(marker: Path, warehouse_path: Path, rebuilt_everything: bool) -> None:
    """dbt ran to its end (its on-run-end hook recorded the build): drop this transform's marker and, if
    it was a full refresh of every model, those of earlier transforms that died (it replaced their tables)."""
    from onefunnel.landing.layout import fsync_dir

    marker.unlink(missing_ok=True)
    for transform in unfinished_transforms(warehouse_path) if rebuilt_everything else []:
        if not transform.running:
            transform.marker.unlink(missing_ok=True)
    fsync_dir(marker.parent)


def make_warehouse_private(warehouse_path: Path) -> None:
    """The warehouse folder 0700, the warehouse file and its write-ahead log 0600 (personal data)."""
    warehouse_path = Path(warehouse_path)
    private_dir(warehouse_path.parent)
    for path in (warehouse_path, Path(f"{warehouse_path}.wal")):
        make_private(path)


def latest_build(con, catalog: str) -> dict | None:
    """The newest row of definitions.build_log in an attached warehouse (`catalog`): the dbt build that
    wrote the warehouse last, as {invocation_id, loaded_at, succeeded, is_complete, is_full_refresh}; None
    when the warehouse has no build log."""
    import duckdb

    quoted = '"' + catalog.replace('"', '""') + '"'
    try:
        cursor = con.execute(
            "select invocation_id, cast(loaded_at as varchar) as loaded_at, succeeded, is_complete, "
            f"is_full_refresh from {quoted}.definitions.build_log order by loaded_at desc limit 1"
        )
    except duckdb.CatalogException:
        return None
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def model_code_version(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """A hash of what decides the warehouse's contents besides the data and the definitions: the dbt
    project's files (models, macros, tests, project config) and the dbt and adapter versions."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        try:
            digest.update(f"{package}={version(package)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{package}=none\n".encode())
    skipped = {"target", "logs", "dbt_packages"}
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if (
            not path.is_file()
            or relative.parts[0] in skipped
            or any(part.startswith(".") for part in relative.parts)
            or path.suffix == ".md"
        ):
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def dbt_vars(definitions: Definitions, as_of: str | None = None) -> dict:
    """The vars the dbt project reads: the validated definitions, their version, the model code version, an
    optional as-of."""
    values = {
        "onefunnel_definitions": definitions.model_dump(mode="json"),
        "definitions_version": definitions.version,
        "model_code_version": model_code_version(),
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


@dataclass(frozen=True)
class LastBuild:
    """The last build that touched the incremental models, as definitions.build_log recorded it."""

    definitions_version: str
    model_code_version: str
    is_complete: bool  # every incremental model was built
    succeeded: bool  # every node passed
    data_tests_passed: bool  # the data tests ran (on the rows the build wrote) and passed
    unit_tests_passed: bool  # on this code and these definitions, in this or an earlier build


def last_build(warehouse_path: Path) -> LastBuild | None:
    """The last build of the warehouse that touched its incremental models, or None (new warehouse, or one
    built before builds were recorded)."""
    if not warehouse_path.exists():
        return None
    import duckdb

    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as connection:
            rows = connection.execute(
                """
                select
                    definitions_version,
                    model_code_version,
                    is_complete,
                    succeeded,
                    data_tests_passed,
                    exists (
                        select 1 from definitions.build_log as earlier
                        where earlier.unit_tests_passed
                          and earlier.definitions_version = build_log.definitions_version
                          and earlier.model_code_version = build_log.model_code_version
                    )
                from definitions.build_log
                where touched_incremental_models > 0
                order by loaded_at desc
                limit 1
                """
            ).fetchall()
    except duckdb.Error:
        return None
    return LastBuild(*rows[0]) if rows else None


def unit_tests_unsupported_reason(definitions: Definitions) -> str | None:
    """Why the dbt unit tests cannot run under these definitions, or None when they can.

    The unit tests state the business rules on the shipped default stage mapping (their `overrides` carry
    it), while their input rows take their columns from the real upstream models, which have one date
    column per lifecycle value of the definitions in use. A portal that removed a default stage (custom
    lifecycle stages) lacks columns the tests' rows name, so the tests could only fail to compile; the
    data tests and the quality gate still check every number built under the portal's own mapping.
    """
    default_values = _lifecycle_values(load_definitions(DEFAULT_DEFINITIONS_FILE))
    missing = sorted(default_values - _lifecycle_values(definitions))
    if not missing:
        return None
    return (
        "dbt unit tests skipped: they are written for the default lifecycle stages and these definitions "
        f"do not map {missing} (data tests and the quality gate still run)"
    )


def _lifecycle_values(definitions: Definitions) -> set[str]:
    values = {value for stage in definitions.stages for value in stage.lifecycle_stages}
    return values | set(definitions.disqualification.lifecycle_stages)


def full_refresh_reason(
    last: LastBuild | None, definitions_version: str, code_version: str, run_tests: bool = True
) -> str | None:
    """Why the next build must be a full refresh, or None when it can be incremental. An incremental build
    tests only the rows it writes, so one that runs the data tests needs every older row tested already."""
    if last is None:
        return "no recorded build of this warehouse"
    if last.definitions_version != definitions_version:
        return f"definitions changed ({last.definitions_version} -> {definitions_version})"
    if last.model_code_version != code_version:
        return f"model code changed ({last.model_code_version} -> {code_version})"
    if not last.is_complete:
        return "the last build did not build every incremental model (failed or partial)"
    if not last.succeeded:
        # its failing rows may not change again, and an incremental build tests only the rows it writes
        return "a test failed in the last build (a full build tests every row again)"
    if run_tests and not last.data_tests_passed:
        return "the last build ran without data tests (a full build tests every row)"
    return None


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
    timings: dict | None = None,
) -> dict[str, str]:
    """One dbt invocation in this process; returns node statuses or raises WarehouseBuildError.
    `timings`, when given, receives dbt's execution time per node and the invocation's wall and run times."""
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
        "--log-level-file",
        DBT_LOG_LEVEL_FILE,
        "--vars",
        json.dumps(variables),
        *arguments,
    ]
    started = time.perf_counter()
    with _environment(environment):
        try:
            outcome = dbtRunner().invoke(args)
        finally:
            invoked = time.perf_counter()
            _release_duckdb()  # closing the database writes its last changes to the file (checkpoint)
    if timings is not None:
        closed = time.perf_counter()
        for key, seconds in (
            ("dbt_seconds", invoked - started),
            ("close_seconds", closed - invoked),
            ("run_seconds", float(getattr(outcome.result, "elapsed_time", 0.0) or 0.0)),
        ):
            timings[key] = timings.get(key, 0.0) + seconds
    statuses: dict[str, str] = {}
    failures: list[tuple[str, str]] = []
    results = getattr(outcome.result, "results", None) or []
    for result in results:
        node = getattr(result, "node", None)
        name = getattr(node, "unique_id", None) or str(node)
        status = str(getattr(result.status, "value", result.status))
        statuses[name] = status
        if timings is not None:
            timings.setdefault("nodes", {})[name] = float(getattr(result, "execution_time", 0.0) or 0.0)
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

    Incremental when the warehouse's last build allows it, else a full refresh (the module docstring;
    `full_refresh=True` forces one; the result says which and why). Months whose close day has passed are
    then frozen (once, never rewritten) unless `freeze_due` is False, and the accountability models are
    rebuilt to show them. `run_tests=False` builds models only. Raises DefinitionsError (naming the key)
    before anything is built, WarehouseBuildError naming every failed model or test.
    """
    from onefunnel.landing.layout import default_landing_dir
    from onefunnel.landing.runs import refuse_unsafe_landing_zone
    from onefunnel.warehouse.freeze import default_accountability_dir, due_months, freeze_month

    started = time.perf_counter()
    definitions = load_definitions(Path(definitions_path) if definitions_path else None)
    from onefunnel.landing.objectstore import landing_dir_for_build  # ONEFUNNEL_LANDING_URL: synced mirror

    landing_dir = Path(
        landing_dir_for_build(landing_dir)
        or landing_dir
        or os.environ.get("ONEFUNNEL_LANDING_DIR")
        or default_landing_dir()
    )
    refuse_unsafe_landing_zone(landing_dir)  # foreign folders, unreadable parts: named, nothing built
    warehouse_path = Path(warehouse_path) if warehouse_path else default_warehouse_path()
    accountability_dir = (
        Path(accountability_dir) if accountability_dir else default_accountability_dir(warehouse_path)
    )
    make_warehouse_private(warehouse_path)
    work_dir = warehouse_path.parent.resolve() / "dbt"
    variables = dbt_vars(definitions, as_of)
    reason = "requested" if full_refresh else None
    previous = None
    if not full_refresh:
        previous = last_build(warehouse_path)
        reason = full_refresh_reason(
            previous, definitions.version, variables["model_code_version"], run_tests
        )
        full_refresh = reason is not None
    died = [transform for transform in unfinished_transforms(warehouse_path) if not transform.running]
    if died and not full_refresh:
        # an incremental build starts from the last complete build's state; a killed one broke that premise
        reason = died[-1].describe()
        full_refresh = True
    arguments: list[str] = []
    if select:
        arguments += ["--select", *([select] if isinstance(select, str) else select)]
    excluded = [exclude] if isinstance(exclude, str) else list(exclude or ())
    if not run_tests:
        excluded += ["resource_type:test", "resource_type:unit_test"]
    unit_tests_skipped = unit_tests_unsupported_reason(definitions)
    if unit_tests_skipped and "resource_type:unit_test" not in excluded:
        excluded.append("resource_type:unit_test")
    if not full_refresh:
        unchanged = UNCHANGED_IN_INCREMENTAL_BUILDS
        if previous is None or not previous.unit_tests_passed:
            unchanged = tuple(item for item in unchanged if item != "resource_type:unit_test")
        excluded += [item for item in unchanged if item not in excluded]
    if excluded:
        arguments += ["--exclude", *excluded]
    if full_refresh:
        arguments.append("--full-refresh")
    timings: dict = {}
    context = {
        "landing_dir": landing_dir,
        "warehouse_path": warehouse_path,
        "accountability_dir": accountability_dir,
        "work_dir": work_dir,
        "variables": variables,
        "timings": timings,
    }
    marker = _mark_transform_started(warehouse_path)
    rebuilt_everything = full_refresh and not select
    try:
        statuses = run_dbt("build", arguments, **context)
        result = BuildResult(
            definitions.version,
            warehouse_path,
            0.0,
            full_refresh,
            statuses,
            full_refresh_reason=reason,
            excluded=excluded,
            notes=[unit_tests_skipped] if unit_tests_skipped else [],
        )
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
    except WarehouseBuildError as error:
        if error.failures:  # dbt ran to its end and recorded the failed build (check reports it)
            _mark_transform_finished(marker, warehouse_path, rebuilt_everything)
        raise
    else:
        _mark_transform_finished(marker, warehouse_path, rebuilt_everything)
    finally:
        make_warehouse_private(warehouse_path)
    result.node_seconds = timings.get("nodes", {})
    result.dbt_seconds = timings.get("dbt_seconds", 0.0)
    result.run_seconds = timings.get("run_seconds", 0.0)
    result.close_seconds = timings.get("close_seconds", 0.0)
    result.seconds = time.perf_counter() - started
    return result


def check_freshness(
    landing_dir: Path | str, warehouse_path: Path | str, definitions_path: Path | str | None = None
) -> dict[str, str]:
    """`dbt source freshness` of the landing zone (warn after 2 days, error after 7): source -> status."""
    definitions = load_definitions(Path(definitions_path) if definitions_path else None)
    warehouse_path = Path(warehouse_path)
    from onefunnel.warehouse.freeze import default_accountability_dir

    statuses = run_dbt(
        ["source", "freshness"],
        [],
        landing_dir=Path(landing_dir),
        warehouse_path=warehouse_path,
        accountability_dir=default_accountability_dir(warehouse_path),
        work_dir=warehouse_path.parent.resolve() / "dbt",
        variables=dbt_vars(definitions),
    )
    return {node: status for node, status in statuses.items() if node.startswith("source.")}
