"""The whole state through DuckDB aggregates: each check's rule as a SQL predicate (the rows that break
it), so one scan of a table counts the rows breaking every check on it, and only the rows that break one
are ever turned into a DataFrame (the examples GX shows).

A check is written once, in its suite (expectation + kwargs + severity); this module derives its SQL form from
that same definition, with the semantics of the GX expectation (nulls ignored where GX ignores them, the
pair expectations' `ignore_row_if`, strict bounds). An expectation without a SQL form here cannot be used on
a table validated through aggregates (scope `records` or `aggregate`); the suite loader says so.

    sql = violation_predicate(check, kwargs)   # "amount is not null and (amount < 0)"
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from onefunnel.quality.suites import CheckSpec

# Expectations whose rule is "no two rows share the key": counted as duplicate rows, not by a row predicate.
UNIQUENESS = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
SUPPORTED = (
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex",
    "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_pair_values_to_be_equal",
    *UNIQUENESS,
)


class AggregateError(ValueError):
    """A check has no SQL form (unknown expectation or kwargs); the message names the check."""


def ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal for a kwargs value (strings quoted, booleans, numbers, null)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise AggregateError(f"{value!r} has no SQL literal")
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Uniqueness:
    """A uniqueness rule: the columns that must not repeat (rows where all of them are null are ignored)."""

    columns: tuple[str, ...]


def violation_predicate(check: CheckSpec, kwargs: dict[str, Any]) -> str | Uniqueness:
    """The rows breaking `check` as a SQL predicate over its table's columns (or a Uniqueness rule)."""
    name = check.expectation
    if name not in SUPPORTED:
        raise AggregateError(
            f"check {check.name!r}: {name} has no SQL aggregate form (supported: {', '.join(SUPPORTED)}); "
            "use it on a table of scope `table` (validated whole by GX)"
        )
    unknown = set(kwargs) - KWARGS[name]
    if unknown:
        raise AggregateError(
            f"check {check.name!r}: {name} kwargs {sorted(unknown)} have no SQL aggregate form here"
        )
    if name in UNIQUENESS:
        columns = tuple(kwargs["column_list"]) if "column_list" in kwargs else (_column(check),)
        return Uniqueness(columns)
    if name.startswith("expect_column_pair_"):
        return _pair(check, kwargs)
    column = ident(_column(check))
    if name == "expect_column_values_to_not_be_null":
        return f"{column} is null"
    if name == "expect_column_values_to_be_in_set":
        values = list(kwargs.get("value_set") or [])
        if not values:
            return f"{column} is not null"
        return f"{column} is not null and {column} not in ({', '.join(literal(v) for v in values)})"
    if name == "expect_column_values_to_be_between":
        bounds = []
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if low is not None:
            bounds.append(f"{column} {'<=' if kwargs.get('strict_min') else '<'} {literal(low)}")
        if high is not None:
            bounds.append(f"{column} {'>=' if kwargs.get('strict_max') else '>'} {literal(high)}")
        if not bounds:
            raise AggregateError(f"check {check.name!r}: between needs min_value or max_value")
        return f"{column} is not null and ({' or '.join(bounds)})"
    if name == "expect_column_values_to_match_regex":
        return (
            f"{column} is not null and not regexp_matches(cast({column} as varchar), "
            f"{literal(kwargs['regex'])})"
        )
    raise AssertionError(name)  # pragma: no cover - SUPPORTED is handled above


def _column(check: CheckSpec) -> str:
    if check.column is None:
        raise AggregateError(f"check {check.name!r}: {check.expectation} needs a `column`")
    return check.column


def _pair(check: CheckSpec, kwargs: dict[str, Any]) -> str:
    a, b = ident(kwargs["column_A"]), ident(kwargs["column_B"])
    ignore = kwargs.get("ignore_row_if", "both_values_are_missing")
    ignored = {
        "both_values_are_missing": f"({a} is null and {b} is null)",
        "either_value_is_missing": f"({a} is null or {b} is null)",
        "neither": "false",
    }.get(ignore)
    if ignored is None:
        raise AggregateError(f"check {check.name!r}: ignore_row_if={ignore!r} has no SQL aggregate form")
    if check.expectation == "expect_column_pair_values_to_be_equal":
        holds = f"{a} = {b}"
    else:
        holds = f"{a} {'>=' if kwargs.get('or_equal') else '>'} {b}"
    # GX compares a missing value as "not holding" unless the row is ignored
    return f"not {ignored} and not coalesce({holds}, false)"


KWARGS: dict[str, set[str]] = {
    "expect_column_values_to_not_be_null": set(),
    "expect_column_values_to_be_in_set": {"value_set"},
    "expect_column_values_to_be_between": {"min_value", "max_value", "strict_min", "strict_max"},
    "expect_column_values_to_match_regex": {"regex"},
    "expect_column_pair_values_a_to_be_greater_than_b": {"column_A", "column_B", "or_equal", "ignore_row_if"},
    "expect_column_pair_values_to_be_equal": {"column_A", "column_B", "ignore_row_if"},
    "expect_column_values_to_be_unique": set(),
    "expect_compound_columns_to_be_unique": {"column_list"},
}


def counts_query(source: str, rules: dict[str, str | Uniqueness]) -> str:
    """One scan of `source` (a query): the row count and, per check, the rows that break it (uniqueness: rows
    beyond the first of each key)."""
    measures = ["count(*) as _rows"]
    for index, rule in enumerate(rules.values()):
        if isinstance(rule, Uniqueness):
            key = ", ".join(ident(column) for column in rule.columns)
            present = " or ".join(f"{ident(column)} is not null" for column in rule.columns)
            measures.append(
                f"count(*) filter (where {present}) - count(distinct struct_pack({key})) "
                f"filter (where {present}) as _v{index}"
            )
        else:
            measures.append(f"count(*) filter (where {rule}) as _v{index}")
    return f"with _t as ({source}) select {', '.join(measures)} from _t"


def examples_query(source: str, rule: str | Uniqueness, limit: int) -> str:
    """Rows of `source` that break one rule, at most `limit` (uniqueness: every row of up to `limit` keys)."""
    if isinstance(rule, Uniqueness):
        key = ", ".join(ident(column) for column in rule.columns)
        present = " or ".join(f"{ident(column)} is not null" for column in rule.columns)
        return (
            f"with _t as ({source}), _dup as (select {key} from _t where {present} group by {key} "
            f"having count(*) > 1 limit {int(limit)}) "
            f"select _t.* from _t semi join _dup using ({key})"
        )
    return f"with _t as ({source}) select * from _t where {rule} limit {int(limit)}"
