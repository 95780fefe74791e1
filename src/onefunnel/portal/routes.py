"""The one route table of the local portal: every endpoint once, served under both path families.

HubSpot serves the same resources under legacy paths (`/crm/v3/objects/...`, `/crm/v4/associations/...`,
`/marketing/v3/campaigns`) and date-versioned paths `/{api}/{YYYY-MM}/{resource}`
(`/crm/objects/2026-09/contacts`). A row names the handler once; `expand` turns it into one route per
family, so limits, errors, budgets and faults cannot differ between them. Paths and shapes, with the
reference pages they come from: API_FIDELITY.md beside this file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Date versions the portal answers; any other YYYY-MM answers 404 like an unknown path on HubSpot.
DATE_VERSIONS: tuple[str, ...] = ("2026-03", "2026-09")


@dataclass(frozen=True)
class Endpoint:
    legacy: str | None  # full legacy path template, None when the resource has no legacy path
    dated: str | None  # "{api}|{resource}": the date path is /{api}/{version}{resource}; None: none
    methods: dict[str, str]  # HTTP method -> PortalApi method name
    search: bool = False  # answered from the search bucket (own budget, no rate headers)


def _e(legacy: str | None, dated: str | None, search: bool = False, **methods: str) -> Endpoint:
    return Endpoint(legacy, dated, methods, search)


# Order matters where two templates match one path: the first listed wins (".../contacts/search" would
# also match get_object's ".../{object_type}/{object_id}"). Page reads come first: most of the traffic.
ENDPOINTS: tuple[Endpoint, ...] = (
    # CRM objects
    _e("/crm/v3/objects/{object_type}", "crm/objects|/{object_type}", GET="list_objects"),
    _e(
        "/crm/v3/objects/{object_type}/batch/read", "crm/objects|/{object_type}/batch/read", POST="batch_read"
    ),
    _e("/crm/v3/objects/{object_type}/search", "crm/objects|/{object_type}/search", True, POST="search"),
    _e(
        "/crm/v3/objects/{object_type}/{object_id}",
        "crm/objects|/{object_type}/{object_id}",
        GET="get_object",
    ),
    # associations of one record (v4 shape in both families)
    _e(
        "/crm/v4/objects/{object_type}/{object_id}/associations/{to_type}",
        "crm/objects|/{object_type}/{object_id}/associations/{to_type}",
        GET="object_associations",
    ),
    _e(
        "/crm/v4/associations/{from_type}/{to_type}/batch/read",
        "crm/associations|/{from_type}/{to_type}/batch/read",
        POST="associations_batch_read",
    ),
    # properties and property groups
    _e(
        "/crm/v3/properties/{object_type}/groups/{group_name}",
        "crm/properties|/{object_type}/groups/{group_name}",
        GET="get_group",
    ),
    _e("/crm/v3/properties/{object_type}/groups", "crm/properties|/{object_type}/groups", GET="list_groups"),
    _e(
        "/crm/v3/properties/{object_type}/batch/read",
        "crm/properties|/{object_type}/batch/read",
        POST="batch_read_properties",
    ),
    _e("/crm/v3/properties/{object_type}/{name}", "crm/properties|/{object_type}/{name}", GET="get_property"),
    _e("/crm/v3/properties/{object_type}", "crm/properties|/{object_type}", GET="list_properties"),
    # owners
    _e("/crm/v3/owners/{owner_id}", "crm/owners|/{owner_id}", GET="get_owner"),
    _e("/crm/v3/owners", "crm/owners|", GET="list_owners"),
    # pipelines
    _e(
        "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages/{stage_id}",
        "crm/pipelines|/{object_type}/{pipeline_id}/stages/{stage_id}",
        GET="get_stage",
    ),
    _e(
        "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages",
        "crm/pipelines|/{object_type}/{pipeline_id}/stages",
        GET="list_stages",
    ),
    _e(
        "/crm/v3/pipelines/{object_type}/{pipeline_id}",
        "crm/pipelines|/{object_type}/{pipeline_id}",
        GET="get_pipeline",
    ),
    _e("/crm/v3/pipelines/{object_type}", "crm/pipelines|/{object_type}", GET="list_pipelines"),
    # marketing campaigns
    _e("/marketing/v3/campaigns/{campaign_id}", "marketing/campaigns|/{campaign_id}", GET="get_campaign"),
    _e("/marketing/v3/campaigns", "marketing/campaigns|", GET="list_campaigns"),
    # account
    _e("/account-info/v3/details", "account-info|/details", GET="account_details"),
)


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern
    methods: dict[str, Callable]
    template: str
    search: bool = False
    family: str = "legacy"  # "legacy" or "date"


def _compile(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


def expand(resolve_handler: Callable[[str], Callable]) -> list[Route]:
    """One route per endpoint and family; handler names resolved through `resolve_handler`."""
    routes = []
    for endpoint in ENDPOINTS:
        methods = {verb: resolve_handler(name) for verb, name in endpoint.methods.items()}
        if endpoint.legacy:
            routes.append(Route(_compile(endpoint.legacy), methods, endpoint.legacy, endpoint.search))
        if endpoint.dated:
            api, _, resource = endpoint.dated.partition("|")
            template = f"/{api}/{{version}}{resource}"
            routes.append(Route(_compile(template), methods, template, endpoint.search, "date"))
    return routes


def _group_key(path: str) -> str:
    """The first two path segments ("/crm/v3", "/crm/objects", "/account-info/2026-09")."""
    first = path.find("/", 1)
    if first < 0:
        return path
    second = path.find("/", first + 1)
    return path if second < 0 else path[:second]


class RouteTable:
    """Routes grouped by their two leading literal segments, so a lookup tries a handful of patterns."""

    def __init__(self, routes: list[Route], versions: tuple[str, ...] = DATE_VERSIONS) -> None:
        self.routes = routes
        self.versions = frozenset(versions)
        self._by_key: dict[str, list[Route]] = {}
        self._by_first: dict[str, list[Route]] = {}
        for route in routes:
            literal = route.template.split("{", 1)[0].rstrip("/")
            segments = literal.strip("/").split("/")
            if len(segments) >= 2:
                self._by_key.setdefault("/" + "/".join(segments[:2]), []).append(route)
            else:  # a parameter in the second segment (/account-info/{version}/details)
                self._by_first.setdefault("/" + segments[0], []).append(route)

    def resolve(self, path: str) -> tuple[Route | None, dict[str, str]]:
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        key = _group_key(path)
        candidates = self._by_key.get(key)
        if candidates is None:
            first = key.find("/", 1)
            candidates = self._by_first.get(key if first < 0 else key[:first], ())
        for route in candidates:
            match = route.pattern.match(path)
            if match:
                params = match.groupdict()
                if route.family == "date" and params.get("version") not in self.versions:
                    return None, {}
                return route, params
        return None, {}
