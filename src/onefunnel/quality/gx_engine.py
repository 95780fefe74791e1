"""Great Expectations (GX Core 1.x) as the engine: suites, validation definitions and checkpoints built from
the repo's YAML, run on pandas batches prepared with DuckDB, results rendered as Data Docs.

Why pandas batches: GX's SQL data source on DuckDB (through SQLAlchemy + duckdb-engine) fails in 1.x
releases while resolving metric bundles (an IndexError in SqlAlchemyExecutionEngine), and duckdb-engine is
not a dependency here. DuckDB prepares exactly the columns each table needs; GX checks the frame.

The GX context is ephemeral (suites, checkpoints in memory) with two stores on disk: validation results
(kept for the last runs) and the Data Docs site. GX is imported only when a check actually runs.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from onefunnel.quality.severity import CheckStatus
from onefunnel.quality.suites import CheckSpec, SuiteSpec, TableSpec
from onefunnel.quality.summary import CheckResult, clean, failure_message, passed_message

DATASOURCE = "onefunnel"
SITE = "local_site"
PARTIAL_UNEXPECTED = 20


@dataclass
class PreparedTable:
    suite: SuiteSpec
    name: str
    spec: TableSpec
    frame: Any | None = None  # pandas.DataFrame
    error: str | None = None
    # check name -> kwargs with $param values resolved, or the error resolving them
    kwargs: dict[str, dict[str, Any]] = field(default_factory=dict)
    kwargs_errors: dict[str, str] = field(default_factory=dict)
    # Scope `records` / `aggregate`: the whole state's row count, rows breaking each check, changed records.
    state: dict[str, Any] | None = None


def _import_gx():
    # Analytics would try to reach the network on every context; this machine has none and wants none.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx, gxe


def expectation_class(name: str):
    """expect_column_values_to_not_be_null -> gxe.ExpectColumnValuesToNotBeNull (or a clear error)."""
    _, gxe = _import_gx()
    class_name = "".join(part.capitalize() for part in name.split("_"))
    cls = getattr(gxe, class_name, None)
    if cls is None:
        raise ValueError(f"Great Expectations has no expectation {name!r} ({class_name})")
    return cls


def build_expectation(check: CheckSpec, kwargs: dict[str, Any]):
    cls = expectation_class(check.expectation)
    arguments = dict(kwargs)
    if check.column is not None:
        arguments["column"] = check.column
    arguments["meta"] = {
        "check": check.name,
        "severity": check.severity.value,
        "description": check.description,
    }
    # The description makes two checks with the same expectation and kwargs distinct (a GX suite is set-like)
    # and is what Data Docs show for the check.
    arguments["description"] = f"[{check.severity.value}] {check.name}: {check.description}"
    arguments["severity"] = check.severity.value
    arguments["catch_exceptions"] = True
    return cls(**arguments)


def make_context(quality_dir: Path):
    gx, _ = _import_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    config.stores["validation_results_store"] = {
        "class_name": "ValidationResultsStore",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(validations_dir(quality_dir)),
        },
    }
    config.data_docs_sites = {
        SITE: {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir(quality_dir)),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    }
    return gx.get_context(mode="ephemeral", project_config=config)


def validations_dir(quality_dir: Path) -> Path:
    return Path(quality_dir) / "gx" / "validations"


def docs_dir(quality_dir: Path) -> Path:
    return Path(quality_dir) / "data_docs"


def docs_index(quality_dir: Path) -> Path:
    """GX's own index page (its list of results is drawn by scripts from public CDNs)."""
    return docs_dir(quality_dir) / "index.html"


def latest_page(quality_dir: Path) -> Path:
    """The self-contained page of the last run (see report.py): what `check` prints and the summary names."""
    return docs_dir(quality_dir) / "latest.html"


class GxRun:
    """One quality run's GX objects; `validate` per prepared table, then `build_docs` once."""

    def __init__(self, quality_dir: Path, run_id: str, run_time: datetime) -> None:
        gx, _ = _import_gx()
        self.gx = gx
        self.quality_dir = Path(quality_dir)
        self.context = make_context(self.quality_dir)
        self.datasource = self.context.data_sources.add_pandas(DATASOURCE)
        self.run_identifier = gx.RunIdentifier(run_name=run_id, run_time=run_time)
        self.result_ids: list[Any] = []

    def validate(self, table: PreparedTable, checkpoint: str) -> list[CheckResult]:
        checks = table.suite.checks_of(table.name)
        if table.error is not None:
            return [
                _error(check, table, checkpoint, f"could not prepare table {table.name!r}: {table.error}")
                for check in checks
            ]
        results: dict[str, CheckResult] = {}
        gx_name = f"{table.suite.suite}.{table.name}"
        suite = self.context.suites.add(self.gx.ExpectationSuite(name=gx_name))
        to_run: list[CheckSpec] = []
        for check in checks:
            if check.name in table.kwargs_errors:
                results[check.name] = _error(check, table, checkpoint, table.kwargs_errors[check.name])
                continue
            try:
                suite.add_expectation(build_expectation(check, table.kwargs[check.name]))
            except Exception as error:  # pydantic validation of kwargs, unknown expectation
                results[check.name] = _error(check, table, checkpoint, f"invalid check definition: {error}")
                continue
            to_run.append(check)
        if to_run:
            index = [column for column in table.spec.index if column in table.frame.columns]
            result_format: dict[str, Any] = {
                "result_format": "SUMMARY",
                "partial_unexpected_count": PARTIAL_UNEXPECTED,
            }
            if index:
                result_format["unexpected_index_column_names"] = index
            asset = self.datasource.add_dataframe_asset(gx_name)
            batch = asset.add_batch_definition_whole_dataframe("whole")
            definition = self.context.validation_definitions.add(
                self.gx.ValidationDefinition(name=gx_name, data=batch, suite=suite)
            )
            gx_checkpoint = self.context.checkpoints.add(
                self.gx.Checkpoint(
                    name=f"{checkpoint}.{gx_name}",
                    validation_definitions=[definition],
                    result_format=result_format,
                )
            )
            outcome = gx_checkpoint.run(
                batch_parameters={"dataframe": table.frame}, run_id=self.run_identifier
            )
            by_name = {check.name: check for check in to_run}
            for result_id, validation in outcome.run_results.items():
                self.result_ids.append(result_id)
                for expectation_result in validation.results:
                    name = (expectation_result.expectation_config.meta or {}).get("check")
                    if name in by_name:
                        results[name] = _from_gx(
                            by_name[name], table, checkpoint, expectation_result, table.kwargs[name]
                        )
            for check in to_run:
                results.setdefault(check.name, _error(check, table, checkpoint, "GX returned no result"))
        return [results[check.name] for check in checks]

    def build_docs(self, keep_runs: int) -> Path:
        """Render this run's validation results and suites, and the index (older pages stay as they are)."""
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        prune_validations(validations_dir(self.quality_dir), keep_runs)
        prune_validations(docs_dir(self.quality_dir) / "validations", keep_runs, suffix=".html")
        suites = [ExpectationSuiteIdentifier(name=suite.name) for suite in self.context.suites.all()]
        self.context.build_data_docs(site_names=[SITE], resource_identifiers=[*self.result_ids, *suites])
        return docs_index(self.quality_dir)


def _base(check: CheckSpec, table: PreparedTable, checkpoint: str) -> dict[str, Any]:
    return {
        "name": check.name,
        "suite": table.suite.suite,
        "checkpoint": checkpoint,
        "table": table.name,
        "expectation": check.expectation,
        "column": check.column,
        "severity": check.severity,
        "description": check.description,
    }


def _error(check: CheckSpec, table: PreparedTable, checkpoint: str, message: str) -> CheckResult:
    return CheckResult(
        **_base(check, table, checkpoint),
        status=CheckStatus.ERROR,
        message=f"{check.description}: could not be checked — {message}",
    )


def _exception_message(info: Any) -> str | None:
    if not info:
        return None
    if isinstance(info, dict) and info.get("raised_exception"):
        return str(info.get("exception_message") or "raised an exception")
    if isinstance(info, dict):
        for value in info.values():
            if isinstance(value, dict) and (value.get("raised_exception") or value.get("exception_message")):
                return str(value.get("exception_message") or "raised an exception")
    return None


def _from_gx(
    check: CheckSpec, table: PreparedTable, checkpoint: str, result: Any, kwargs: dict
) -> CheckResult:
    raw = clean(dict(result.result or {}))
    problem = _exception_message(result.exception_info)
    if problem is not None:
        return _error(check, table, checkpoint, problem.strip().splitlines()[-1])
    passed = bool(result.success)
    message = (
        passed_message(table.name, raw)
        if passed
        else failure_message(check.description, table.name, raw, kwargs)
    )
    observed = {
        key: raw[key] for key in ("element_count", "unexpected_count", "observed_value") if key in raw
    }
    if not passed:
        examples = raw.get("partial_unexpected_index_list") or raw.get("partial_unexpected_list")
        if examples:
            observed["examples"] = examples[:PARTIAL_UNEXPECTED]
    return CheckResult(
        **_base(check, table, checkpoint),
        status=CheckStatus.PASSED if passed else CheckStatus.FAILED,
        message=message,
        observed=observed,
    )


def prune_validations(root: Path, keep_runs: int, suffix: str = ".json") -> None:
    """Keep the validation results of the newest `keep_runs` runs (run names sort by time); Data Docs are
    rebuilt from what is kept, so the site stays fast however long the history is."""
    if not root.is_dir():
        return
    run_dirs: dict[str, list[Path]] = {}
    # layout: <suite path parts...>/<run_name>/<run_time>/<batch>.json
    for result_file in root.rglob(f"*{suffix}"):
        run_dir = result_file.parent.parent
        run_dirs.setdefault(run_dir.name, []).append(run_dir)
    for run_name in sorted(run_dirs)[:-keep_runs] if keep_runs > 0 else []:
        for run_dir in run_dirs[run_name]:
            shutil.rmtree(run_dir, ignore_errors=True)
