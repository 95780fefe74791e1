"""Property discovery (every run, from the properties API), allow / deny filtering, and URL-length splitting.

Splitting strategy (list endpoints put property names in the URL): the names are packed greedily into the
first chunk until the URL would pass `URL_LENGTH_BUDGET` characters; that chunk goes to the list request
(which also gives the ids and the paging cursor). When names remain, all of them go to ONE batch-read POST
for the page's ids, where they travel in the JSON body (no URL limit), and the two answers are merged by id.
So a page costs one request for ordinary portals and two for portals with thousands of custom properties,
instead of one request per URL-sized chunk.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from onefunnel.hubspot import settings


@dataclass(frozen=True)
class PropertyFilter:
    """Allow / deny lists of property names (fnmatch patterns); an empty allow list allows everything."""

    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    def keeps(self, name: str) -> bool:
        if self.allow and not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.allow):
            return False
        return not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.deny)


def filters_from_config(config: Mapping | None) -> dict[str, PropertyFilter]:
    """`{"contacts": {"allow": [...], "deny": [...]}, "*": {...}}` -> filters per object type."""
    filters: dict[str, PropertyFilter] = {}
    for object_type, spec in (config or {}).items():
        spec = spec or {}
        filters[object_type] = PropertyFilter(tuple(spec.get("allow") or ()), tuple(spec.get("deny") or ()))
    return filters


def select_properties(
    object_type: str, definitions: Iterable[dict], property_filter: PropertyFilter | None
) -> list[str]:
    """Names to extract, in the API's order, essential ones always included."""
    essential = settings.ESSENTIAL_PROPERTIES.get(object_type, ()) + settings.HISTORY_PROPERTIES.get(
        object_type, ()
    )
    names: list[str] = []
    seen: set[str] = set()
    for definition in definitions:
        name = definition.get("name")
        if not name or name in seen:
            continue
        if property_filter is None or property_filter.keeps(name) or name in essential:
            names.append(name)
            seen.add(name)
    for name in essential:
        if name not in seen:
            names.append(name)
            seen.add(name)
    return names


def list_url_length(
    base_url: str, object_type: str, names: Iterable[str], extra_query_chars: int = 160
) -> int:
    """Length of GET <objects list path>/{type}?limit&after&archived&properties=...; `extra_query_chars`
    covers limit, archived, propertiesWithHistory and the longest paging cursor. The path is counted as its
    longest spelling (the date-versioned `/crm/objects/YYYY-MM/`), so one plan fits every API version."""
    length = len(base_url) + len(f"/crm/objects/2026-09/{quote(object_type)}?") + extra_query_chars
    return length + sum(len("&properties=") + len(quote(name, safe="")) for name in names)


def split_for_url(
    base_url: str, object_type: str, names: list[str], budget: int = settings.URL_LENGTH_BUDGET
) -> tuple[list[str], list[str]]:
    """(names that fit in the list URL, names that go to the batch-read body). Essential names go first."""
    essential = set(settings.ESSENTIAL_PROPERTIES.get(object_type, ()))
    ordered = [n for n in names if n in essential] + [n for n in names if n not in essential]
    used = list_url_length(base_url, object_type, ())
    in_url: list[str] = []
    rest: list[str] = []
    for name in ordered:
        cost = len("&properties=") + len(quote(name, safe=""))
        if not rest and used + cost <= budget:
            in_url.append(name)
            used += cost
        else:
            rest.append(name)
    return in_url, rest


@dataclass(frozen=True)
class PropertyPlan:
    """What one object stream requests."""

    object_type: str
    names: list[str]  # everything extracted, essential included
    in_url: list[str]  # on the list request
    in_body: list[str]  # on the batch-read POST (empty for most portals)
    history: list[str]  # propertiesWithHistory
    definitions: list[dict]


def plan_properties(
    object_type: str,
    definitions: list[dict],
    base_url: str,
    property_filter: PropertyFilter | None,
    budget: int = settings.URL_LENGTH_BUDGET,
) -> PropertyPlan:
    names = select_properties(object_type, definitions, property_filter)
    in_url, in_body = split_for_url(base_url, object_type, names, budget)
    history = [n for n in settings.HISTORY_PROPERTIES.get(object_type, ())]
    return PropertyPlan(object_type, names, in_url, in_body, history, definitions)
