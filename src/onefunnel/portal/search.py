"""Translate a CRM search request (filterGroups, sorts, query, limit, after) into SQL over `objects`.

Values compare by the property's definition type: numbers numerically, date/datetime as epoch ms
(filter values may be epoch-ms numbers or strings, or ISO dates/datetimes), everything else as
case-insensitive text. Created/modified dates and hs_object_id read the indexed columns, so the
incremental "modified since" search never parses JSON. Records without a value never match
EQ / LT / LTE / GT / GTE / BETWEEN / IN / CONTAINS_TOKEN, and always match NEQ / NOT_IN /
NOT_CONTAINS_TOKEN / NOT_HAS_PROPERTY. Results are ordered by the one sort (typed), then id ascending;
without a sort, by id ascending.
"""

from __future__ import annotations

import fnmatch
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from onefunnel.portal.responses import parse_ms, validation_error

OPERATORS = (
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
)

# Properties HubSpot keeps on every object that the store holds as indexed columns.
COLUMN_PROPERTIES = {
    "hs_object_id": ("id", "number"),
    "createdate": ("created_at", "datetime"),
    "hs_createdate": ("created_at", "datetime"),
    "lastmodifieddate": ("updated_at", "datetime"),
    "hs_lastmodifieddate": ("updated_at", "datetime"),
}

# Properties the free-text `query` looks in, per object type (HubSpot's default searchable ones).
QUERY_PROPERTIES = {
    "contacts": ("firstname", "lastname", "email", "phone", "company"),
    "companies": ("name", "domain", "website", "phone"),
    "deals": ("dealname",),
    "calls": ("hs_call_title", "hs_call_body"),
    "emails": ("hs_email_subject", "hs_email_text"),
    "meetings": ("hs_meeting_title", "hs_meeting_body"),
    "notes": ("hs_note_body",),
    "tasks": ("hs_task_subject", "hs_task_body"),
}

PROPERTY_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-.]{0,199}$")
_TOKEN_SPLIT = re.compile(r"[^0-9a-z]+")
_JSON_VALUE = "json_extract(cast(properties as text), ?)"


@dataclass(frozen=True)
class SearchLimits:
    max_filter_groups: int = 5
    max_filters_per_group: int = 6
    max_filters_total: int = 18
    max_limit: int = 200
    default_limit: int = 10
    result_cap: int = 10_000


@dataclass
class CompiledSearch:
    where: str = "1"
    params: list = field(default_factory=list)
    order_by: str = "id asc"
    order_params: list = field(default_factory=list)
    limit: int = 10
    offset: int = 0
    properties: list[str] | None = None


def value_kind(definition_type: str | None) -> str:
    if definition_type == "number":
        return "number"
    if definition_type in ("datetime", "date"):
        return "datetime"
    return "string"


def compile_search(
    body: object, object_type: str, property_types: Mapping[str, str], limits: SearchLimits
) -> CompiledSearch:
    if not isinstance(body, dict):
        raise validation_error("Invalid input JSON: expected an object with filterGroups, sorts, properties")
    compiled = CompiledSearch()
    compiled.limit = _limit(body.get("limit"), limits)
    compiled.offset = _offset(body.get("after"))
    if compiled.offset + compiled.limit > limits.result_cap:
        raise validation_error(
            f"The search endpoints return at most {limits.result_cap:,} results for any query: "
            f"after ({compiled.offset}) + limit ({compiled.limit}) goes past {limits.result_cap:,}. "
            "Narrow the query (for example by a date range) instead of paging further.",
            in_="after",
            code="SEARCH_RESULT_LIMIT",
        )
    compiled.properties = _property_list(body.get("properties"))

    clauses: list[str] = []
    params: list = []
    groups = body.get("filterGroups")
    groups = [] if groups is None else groups
    if not isinstance(groups, list):
        raise validation_error("filterGroups must be a list", in_="filterGroups")
    if len(groups) > limits.max_filter_groups:
        raise validation_error(
            f"Too many filter groups ({len(groups)}); the maximum is {limits.max_filter_groups}.",
            in_="filterGroups",
            code="TOO_MANY_FILTER_GROUPS",
        )
    total_filters = 0
    group_sql: list[str] = []
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if filters is None:
            filters = []
        if not isinstance(filters, list):
            raise validation_error("filterGroups[].filters must be a list", in_="filterGroups")
        if len(filters) > limits.max_filters_per_group:
            raise validation_error(
                f"Too many filters in a filter group ({len(filters)}); the maximum is "
                f"{limits.max_filters_per_group}.",
                in_="filterGroups",
                code="TOO_MANY_FILTERS",
            )
        total_filters += len(filters)
        parts = [_filter_sql(item, property_types, params) for item in filters]
        group_sql.append("(" + " and ".join(parts) + ")" if parts else "1")
    if total_filters > limits.max_filters_total:
        raise validation_error(
            f"Too many filters ({total_filters}); the maximum across all filter groups is "
            f"{limits.max_filters_total}.",
            in_="filterGroups",
            code="TOO_MANY_FILTERS",
        )
    if group_sql:
        clauses.append("(" + " or ".join(group_sql) + ")")

    query = body.get("query")
    if query is not None and not isinstance(query, str):
        raise validation_error("query must be a string", in_="query")
    if query and query.strip():
        fields = QUERY_PROPERTIES.get(object_type, ())
        for word in query.lower().split():
            ors = [f"instr(lower({_JSON_VALUE}), ?) > 0" for _ in fields]
            for name in fields:
                params.extend((_json_path(name), word))
            clauses.append("(" + (" or ".join(ors) or "0") + ")")

    compiled.where = " and ".join(clauses) if clauses else "1"
    compiled.params = params
    compiled.order_by, compiled.order_params = _order(body.get("sorts"), property_types)
    return compiled


def _limit(raw: object, limits: SearchLimits) -> int:
    if raw is None:
        return limits.default_limit
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise validation_error("limit must be an integer", in_="limit")
    try:
        limit = int(raw)
    except ValueError:
        raise validation_error(f"limit must be an integer, got {raw!r}", in_="limit") from None
    if limit < 0 or limit > limits.max_limit:
        raise validation_error(
            f"limit must be between 0 and {limits.max_limit}, got {limit}", in_="limit", code="INVALID_LIMIT"
        )
    return limit


def _offset(raw: object) -> int:
    if raw is None or raw == "":
        return 0
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit():
        raise validation_error(f"after must be a non-negative integer offset, got {raw!r}", in_="after")
    return int(text)


def _property_list(raw: object) -> list[str] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list):
        raise validation_error("properties must be a list of property names", in_="properties")
    names = [str(name).strip() for name in raw if str(name).strip()]
    return names or None


def _json_path(name: str) -> str:
    return f'$."{name}"'


def _property_name(item: dict, key: str = "propertyName") -> str:
    name = item.get(key)
    if not isinstance(name, str) or not PROPERTY_NAME.match(name):
        raise validation_error(f"{key} must be a property name, got {name!r}", in_=key)
    return name


def _typed(name: str, property_types: Mapping[str, str], params: list) -> tuple[str, str, bool]:
    """SQL expression for a property, its value kind, and whether it is an always-present column."""
    if name in COLUMN_PROPERTIES:
        column, kind = COLUMN_PROPERTIES[name]
        return column, kind, True
    kind = value_kind(property_types.get(name))
    params.append(_json_path(name))
    if kind == "number":
        return f"hs_num({_JSON_VALUE})", kind, False
    if kind == "datetime":
        return f"hs_ms({_JSON_VALUE})", kind, False
    return f"lower({_JSON_VALUE})", kind, False


def _convert(value: object, kind: str, name: str, key: str = "value") -> object:
    if value is None or isinstance(value, (dict, list)):
        raise validation_error(f"Filter on {name} needs a {key}", in_=key)
    if kind == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise validation_error(f"{value!r} is not a number (property {name})", in_=key) from None
    if kind == "datetime":
        ms = parse_ms(value)
        if ms is None:
            raise validation_error(
                f"{value!r} is not a date: use epoch milliseconds or ISO-8601 (property {name})", in_=key
            )
        return ms
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


def _filter_sql(item: object, property_types: Mapping[str, str], params: list) -> str:
    if not isinstance(item, dict):
        raise validation_error("each filter must be an object with propertyName and operator", in_="filters")
    name = _property_name(item)
    operator = item.get("operator")
    if operator not in OPERATORS:
        raise validation_error(
            f"Unknown operator {operator!r}; expected one of {', '.join(OPERATORS)}",
            in_="operator",
            code="INVALID_OPERATOR",
        )
    if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        if name in COLUMN_PROPERTIES:
            return "1" if operator == "HAS_PROPERTY" else "0"
        params.append(_json_path(name))
        if operator == "HAS_PROPERTY":
            return f"coalesce({_JSON_VALUE}, '') != ''"
        return f"coalesce({_JSON_VALUE}, '') = ''"
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        if name in COLUMN_PROPERTIES:
            expression = f"cast({COLUMN_PROPERTIES[name][0]} as text)"
        else:
            params.append(_json_path(name))
            expression = _JSON_VALUE
        value = item.get("value")
        if value is None or isinstance(value, (dict, list)):
            raise validation_error(f"Filter on {name} needs a value", in_="value")
        params.append(str(value))
        if operator == "CONTAINS_TOKEN":
            return f"coalesce(hs_token({expression}, ?), 0)"
        return f"not coalesce(hs_token({expression}, ?), 0)"

    expression, kind, _ = _typed(name, property_types, params)
    if operator in ("IN", "NOT_IN"):
        values = item.get("values")
        if not isinstance(values, list) or not values:
            raise validation_error(f"{operator} on {name} needs a non-empty values list", in_="values")
        params.extend(_convert(value, kind, name, "values") for value in values)
        marks = ", ".join("?" for _ in values)
        if operator == "IN":
            return f"{expression} in ({marks})"
        return f"({expression} not in ({marks})) is not 0"  # a record without the value is "not in" too
    if operator == "BETWEEN":
        params.append(_convert(item.get("value"), kind, name))
        params.append(_convert(item.get("highValue"), kind, name, "highValue"))
        return f"{expression} between ? and ?"
    params.append(_convert(item.get("value"), kind, name))
    if operator == "NEQ":
        return f"({expression} != ?) is not 0"
    symbol = {"EQ": "=", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}[operator]
    return f"{expression} {symbol} ?"


def _order(sorts: object, property_types: Mapping[str, str]) -> tuple[str, list]:
    if sorts is None or sorts == []:
        return "id asc", []
    if not isinstance(sorts, list):
        raise validation_error("sorts must be a list", in_="sorts")
    if len(sorts) > 1:
        raise validation_error(
            f"Only one sort is allowed per search, got {len(sorts)}.", in_="sorts", code="TOO_MANY_SORTS"
        )
    sort = sorts[0]
    if isinstance(sort, str):
        descending = sort.startswith("-")
        name = sort.lstrip("-")
        if not PROPERTY_NAME.match(name):
            raise validation_error(f"sorts must name a property, got {sort!r}", in_="sorts")
    elif isinstance(sort, dict):
        name = _property_name(sort)
        direction = str(sort.get("direction") or "ASCENDING").upper()
        if direction not in ("ASCENDING", "DESCENDING"):
            raise validation_error(
                f"direction must be ASCENDING or DESCENDING, got {direction!r}", in_="sorts"
            )
        descending = direction == "DESCENDING"
    else:
        raise validation_error("each sort must be a property name or {propertyName, direction}", in_="sorts")
    params: list = []
    expression, _, _ = _typed(name, property_types, params)
    direction_sql = "desc" if descending else "asc"
    if expression == "id":
        return f"id {direction_sql}", []
    return f"{expression} {direction_sql}, id asc", params


# --- SQL functions the compiled queries call (registered on each reader connection) ---


def _hs_num(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _hs_ms(value: object) -> int | None:
    return parse_ms(value)


def _hs_token(value: object, pattern: str | None) -> int:
    if value is None or pattern is None:
        return 0
    text = str(value).lower()
    wanted = pattern.lower().strip()
    if not wanted:
        return 0
    tokens = [token for token in _TOKEN_SPLIT.split(text) if token]
    if "*" in wanted or "?" in wanted:
        if fnmatch.fnmatchcase(text, wanted):
            return 1
        return int(any(fnmatch.fnmatchcase(token, wanted) for token in tokens))
    if wanted == text or wanted in tokens:
        return 1
    wanted_tokens = [token for token in _TOKEN_SPLIT.split(wanted) if token]
    return int(bool(wanted_tokens) and all(token in tokens for token in wanted_tokens))


def register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("hs_num", 1, _hs_num, deterministic=True)
    conn.create_function("hs_ms", 1, _hs_ms, deterministic=True)
    conn.create_function("hs_token", 2, _hs_token, deterministic=True)
