"""The quality suites kept in the repo (expectations/): load and validate them; errors name the file and key.

A suite file lists the tables it checks (a SQL query over the landing zone or the warehouse, or a built-in
prepared frame) and its checks: table, column, Great Expectations expectation, kwargs, severity. Adding a
check or a mart is one edit in YAML; nothing here knows any table by name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from onefunnel.config import REPO_ROOT
from onefunnel.quality.severity import Severity

DEFAULT_EXPECTATIONS_DIR = REPO_ROOT / "expectations"
CHECKPOINTS_FILE = "checkpoints.yml"
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]
Source = Literal["landing", "warehouse"]
# What GX sees of a table (the rows it validates one by one) and how the rest is checked:
#   table      every row (small tables: built-ins, reference snapshots, aggregates)
#   records    the records the run under check changed (its SQL reads `state.<dataset>`, bound to them), plus
#              the rows of the whole state that break a check; the whole state through SQL aggregates
#   aggregate  only the rows of the whole table that break a check; the table through SQL aggregates
Scope = Literal["table", "records", "aggregate"]


class SuiteError(ValueError):
    """A suite or checkpoint file is missing or invalid; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableSpec(_Strict):
    """One prepared table (a pandas batch for GX): `sql` over the sources, or a `builtin` frame."""

    description: str
    sql: str | None = None
    builtin: str | None = None
    params: dict[str, Any] = {}
    # Columns that identify a row in failure messages (e.g. the record id).
    index: list[str] = []
    scope: Scope = "table"

    @model_validator(mode="after")
    def _one_way_to_build(self) -> TableSpec:
        if (self.sql is None) == (self.builtin is None):
            raise ValueError("a table needs exactly one of `sql` or `builtin`")
        if self.scope != "table" and self.sql is None:
            raise ValueError(f"scope {self.scope!r} needs `sql` (a built-in table is validated whole)")
        if self.scope == "records" and "state." not in self.sql:
            raise ValueError(
                "scope 'records' reads the records through `state.<dataset>` (the changed records for GX, "
                "the whole state for the aggregates); this SQL does not"
            )
        if self.scope != "records" and self.sql is not None and "state." in self.sql:
            raise ValueError("`state.<dataset>` can only be read by a table of scope 'records'")
        return self


class CheckSpec(_Strict):
    name: Name
    table: str
    expectation: Annotated[str, Field(pattern=r"^expect_[a-z0-9_]+$")]
    column: str | None = None
    kwargs: dict[str, Any] = {}
    severity: Severity
    # The rule in words, as a reader of the dashboard should see it ("every deal amount is >= 0").
    description: str


class SuiteSpec(_Strict):
    suite: Name
    checkpoint: Name
    description: str
    tables: dict[str, TableSpec] = Field(min_length=1)
    checks: list[CheckSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _checks_name_known_tables(self) -> SuiteSpec:
        names = [check.name for check in self.checks]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"check names must be unique, repeated: {duplicates}")
        for check in self.checks:
            if check.table not in self.tables:
                raise ValueError(
                    f"check {check.name!r} names table {check.table!r}, which is not under `tables` "
                    f"(known: {sorted(self.tables)})"
                )
            if self.tables[check.table].scope != "table":
                _has_sql_form(check)
        return self

    def checks_of(self, table: str) -> list[CheckSpec]:
        return [check for check in self.checks if check.table == table]


def _has_sql_form(check: CheckSpec) -> None:
    """A check on a table validated through aggregates needs a SQL form (quality/aggregates.py)."""
    from onefunnel.quality.aggregates import KWARGS, SUPPORTED

    if check.expectation not in SUPPORTED:
        raise ValueError(
            f"check {check.name!r}: {check.expectation} has no SQL aggregate form, so it cannot check a "
            f"table of scope 'records' or 'aggregate' (supported: {', '.join(SUPPORTED)})"
        )
    unknown = set(check.kwargs) - KWARGS[check.expectation]
    if unknown:
        raise ValueError(
            f"check {check.name!r}: kwargs {sorted(unknown)} of {check.expectation} "
            "have no SQL aggregate form"
        )


class CheckpointSpec(_Strict):
    name: Name
    description: str
    # What must exist before the checkpoint can run: the landing zone, the warehouse built by dbt.
    needs: list[Source] = Field(min_length=1)
    required_for_publish: bool = True


class CheckpointsFile(_Strict):
    checkpoints: list[CheckpointSpec] = Field(min_length=1)

    @field_validator("checkpoints")
    @classmethod
    def _unique(cls, checkpoints: list[CheckpointSpec]) -> list[CheckpointSpec]:
        names = [checkpoint.name for checkpoint in checkpoints]
        if len(set(names)) != len(names):
            raise ValueError(f"checkpoint names must be unique, got {names}")
        return checkpoints


class Catalogue:
    """Every checkpoint (in run order) and the suites each one runs."""

    def __init__(self, root: Path, checkpoints: list[CheckpointSpec], suites: list[SuiteSpec]) -> None:
        self.root = root
        self.checkpoints = checkpoints
        self.suites = suites

    def checkpoint(self, name: str) -> CheckpointSpec:
        for checkpoint in self.checkpoints:
            if checkpoint.name == name:
                return checkpoint
        raise SuiteError(f"unknown checkpoint {name!r}; defined: {[c.name for c in self.checkpoints]}")

    def suites_of(self, checkpoint: str) -> list[SuiteSpec]:
        return [suite for suite in self.suites if suite.checkpoint == checkpoint]

    def required_for_publish(self) -> list[str]:
        return [checkpoint.name for checkpoint in self.checkpoints if checkpoint.required_for_publish]


def expectations_dir() -> Path:
    return Path(os.environ.get("ONEFUNNEL_EXPECTATIONS_DIR", DEFAULT_EXPECTATIONS_DIR))


def _read_yaml(path: Path) -> dict:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SuiteError(f"file not found: {path}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise SuiteError(f"{path}: not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    if not isinstance(raw, dict):
        raise SuiteError(f"{path}: expected a mapping at the top level")
    return raw


def _validate(model: type[BaseModel], raw: dict, path: Path) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            key = ".".join(str(part) for part in issue["loc"]) or "(top level)"
            problems.append(f"{key}: {issue['msg'].removeprefix('Value error, ')}")
        raise SuiteError(f"{path} is invalid:\n  " + "\n  ".join(problems)) from None


def load_catalogue(root: Path | None = None) -> Catalogue:
    """Read expectations/checkpoints.yml and every suite file (*.yml) in the folders beneath it."""
    root = Path(root) if root is not None else expectations_dir()
    checkpoints = _validate(CheckpointsFile, _read_yaml(root / CHECKPOINTS_FILE), root / CHECKPOINTS_FILE)
    known = {checkpoint.name for checkpoint in checkpoints.checkpoints}
    suites: list[SuiteSpec] = []
    seen_checks: dict[str, str] = {}
    for path in sorted(root.glob("*/**/*.yml")):
        suite = _validate(SuiteSpec, _read_yaml(path), path)
        if suite.checkpoint not in known:
            raise SuiteError(f"{path}: checkpoint {suite.checkpoint!r} is not defined in {CHECKPOINTS_FILE}")
        if any(other.suite == suite.suite for other in suites):
            raise SuiteError(f"{path}: suite name {suite.suite!r} is used by another file")
        for check in suite.checks:
            if check.name in seen_checks:
                raise SuiteError(
                    f"{path}: check {check.name!r} is already defined in {seen_checks[check.name]}"
                )
            seen_checks[check.name] = str(path)
        suites.append(suite)
    return Catalogue(root, list(checkpoints.checkpoints), suites)
