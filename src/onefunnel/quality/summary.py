"""The machine-readable result of one quality run: every check with its severity, status and a message a
person can act on, the overall status, and the metrics later runs compare against.

Written as JSON (summary.json beside the history) for the dashboard, the publish step and operators.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from onefunnel.landing import layout
from onefunnel.quality.severity import CheckStatus, RunStatus, Severity, run_status

MAX_EXAMPLES = 5


@dataclass
class CheckResult:
    name: str
    suite: str
    checkpoint: str
    table: str
    expectation: str
    column: str | None
    severity: Severity
    status: CheckStatus
    description: str
    message: str
    observed: dict[str, Any] = field(default_factory=dict)
    waived: bool = False  # severity lowered to warning for this run by an operator (`--waive`)

    @property
    def blocking(self) -> bool:
        return self.status is not CheckStatus.PASSED and self.severity is Severity.CRITICAL

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        values = dict(data)
        values["severity"] = Severity(values["severity"])
        values["status"] = CheckStatus(values["status"])
        return cls(**values)


@dataclass
class Summary:
    run_id: str
    started_at: str
    finished_at: str
    checkpoints: list[str]
    landing_run_id: str | None
    data_as_of: str | None
    definitions_version: str | None
    warehouse: dict[str, Any] | None
    checks: list[CheckResult]
    metrics: dict[str, Any] = field(default_factory=dict)
    data_docs: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> RunStatus:
        return run_status((check.severity, check.status) for check in self.checks)

    @property
    def blocking(self) -> list[CheckResult]:
        return [check for check in self.checks if check.blocking]

    @property
    def warnings(self) -> list[CheckResult]:
        return [
            check
            for check in self.checks
            if check.status is not CheckStatus.PASSED and check.severity is Severity.WARNING
        ]

    def counts(self) -> dict[str, int]:
        return {
            "checks": len(self.checks),
            "passed": sum(check.status is CheckStatus.PASSED for check in self.checks),
            "failed_critical": len(self.blocking),
            "failed_warning": len(self.warnings),
            "errors": sum(check.status is CheckStatus.ERROR for check in self.checks),
        }

    def check(self, name: str) -> CheckResult:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(f"no check named {name!r} in run {self.run_id}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status.value,
            "publishable": self.status.publishable,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "checkpoints": self.checkpoints,
            "landing_run_id": self.landing_run_id,
            "data_as_of": self.data_as_of,
            "definitions_version": self.definitions_version,
            "warehouse": self.warehouse,
            "counts": self.counts(),
            "blocking": [f"{check.name}: {check.message}" for check in self.blocking],
            "warnings": [f"{check.name}: {check.message}" for check in self.warnings],
            "checks": [check.as_dict() for check in self.checks],
            "metrics": self.metrics,
            "data_docs": self.data_docs,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        return cls(
            run_id=data["run_id"],
            started_at=data["started_at"],
            finished_at=data["finished_at"],
            checkpoints=list(data["checkpoints"]),
            landing_run_id=data.get("landing_run_id"),
            data_as_of=data.get("data_as_of"),
            definitions_version=data.get("definitions_version"),
            warehouse=data.get("warehouse"),
            checks=[CheckResult.from_dict(check) for check in data["checks"]],
            metrics=data.get("metrics") or {},
            data_docs=data.get("data_docs"),
            notes=list(data.get("notes") or []),
        )

    def to_json(self) -> bytes:
        return orjson.dumps(self.as_dict(), option=orjson.OPT_INDENT_2, default=jsonable)

    def write(self, path: Path) -> None:
        layout.atomic_write_bytes(Path(path), self.to_json())


def read_summary(path: Path) -> Summary:
    return Summary.from_dict(orjson.loads(Path(path).read_bytes()))


def jsonable(value: Any) -> Any:
    """numpy / pandas / decimal values from GX results -> plain JSON values."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if hasattr(value, "isoformat"):  # pandas.Timestamp
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return jsonable(value.item())
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if value.__class__.__name__ in ("NAType", "NaTType"):
        return None
    return str(value)


def clean(value: Any) -> Any:
    """Recursively make a GX result JSON-safe (NaN and NaT become null)."""
    return jsonable(value)


# ---------------------------------------------------------------------------------------------- messages


def _show(value: Any) -> str:
    value = jsonable(value)
    if value is None or value == "NaT":  # GX reports a missing timestamp of a pandas batch as the text NaT
        return "null"
    if isinstance(value, list):
        return "(" + ", ".join(_show(item) for item in value) + ")"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _example(entry: Any) -> str:
    if isinstance(entry, dict):
        return " ".join(f"{key}={_show(value)}" for key, value in entry.items())
    return _show(entry)


def _expected(kwargs: dict[str, Any]) -> str:
    shown = []
    for key in ("value", "min_value", "max_value", "value_set", "regex", "column_list", "column_set"):
        if key in kwargs and kwargs[key] is not None:
            value = kwargs[key]
            if isinstance(value, list | tuple | set) and len(value) > 12:
                value = [*list(value)[:12], "…"]
            shown.append(f"{key}={_show(list(value) if isinstance(value, set | tuple) else value)}")
    return ", ".join(shown)


def failure_message(
    description: str,
    table: str,
    result: dict[str, Any],
    kwargs: dict[str, Any],
) -> str:
    """One line: the rule, how many rows break it out of how many, and a few identified examples."""
    if "unexpected_count" in result:
        count = result.get("unexpected_count") or 0
        total = result.get("element_count")
        examples = result.get("partial_unexpected_index_list") or result.get("partial_unexpected_list") or []
        shown = "; ".join(_example(example) for example in examples[:MAX_EXAMPLES])
        more = f" (+{count - MAX_EXAMPLES} more)" if count > MAX_EXAMPLES and shown else ""
        where = f" of {total}" if total is not None else ""
        return f"{description}: {count}{where} {table} rows break it — {shown}{more}".rstrip(" —")
    if "observed_value" in result:
        expected = _expected(kwargs)
        tail = f" (expected {expected})" if expected else ""
        return f"{description}: observed {_show(result['observed_value'])}{tail}"
    return f"{description}: failed"


def passed_message(table: str, result: dict[str, Any]) -> str:
    if "element_count" in result:
        return f"ok ({result.get('element_count')} {table} rows checked)"
    if "observed_value" in result:
        return f"ok (observed {_show(result['observed_value'])})"
    return "ok"
