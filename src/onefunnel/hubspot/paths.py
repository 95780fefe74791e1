"""Every HubSpot path the extractor calls, per API version, in one table (facts and doc URLs: README.md,
"API versions").

HubSpot versions its APIs by date since 2026 (`/crm/objects/2026-09/{objectType}`); `legacy` is the
v3 / v4 family (`/crm/v3/...`, `/crm/v4/associations/...`) that the SDK's generated classes call, kept
for portals or proxies that do not answer date paths yet. The version is configuration
(`hubspot.api_version`): `ExtractOptions.api_version`, `onefunnel extract --api-version`, the environment
variable below, or the Airflow connection extra `api_version`, first one set wins; default the current
date version.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from onefunnel.hubspot.errors import ConfigurationError

API_VERSION_ENV = "ONEFUNNEL_HUBSPOT_API_VERSION"
DEFAULT_API_VERSION = "2026-09"
LEGACY = "legacy"


@dataclass(frozen=True)
class ApiPaths:
    """Path templates of one API version; `{name}` placeholders are filled by the SDK's ApiClient
    (path parameters are URL-quoted there)."""

    version: str
    objects_list: str  # GET, paged by `after`
    objects_get: str  # GET one record
    objects_batch_read: str  # POST {inputs, properties, propertiesWithHistory}
    objects_search: str  # POST {filterGroups, sorts, properties, limit, after}
    properties: str  # GET all property definitions of an object type
    owners: str  # GET, paged by `after`
    pipelines: str  # GET all pipelines (with stages) of an object type
    associations_batch_read: str  # POST {inputs: [{id, after?}]}
    campaigns: str  # GET, paged by `after`
    account_details: str  # GET the account's portal id, UI domain, data hosting location, time zone, currency

    def all(self) -> dict[str, str]:
        return {name: value for name, value in self.__dict__.items() if name != "version"}


def _date_version(version: str) -> ApiPaths:
    return ApiPaths(
        version=version,
        objects_list=f"/crm/objects/{version}/{{objectType}}",
        objects_get=f"/crm/objects/{version}/{{objectType}}/{{objectId}}",
        objects_batch_read=f"/crm/objects/{version}/{{objectType}}/batch/read",
        objects_search=f"/crm/objects/{version}/{{objectType}}/search",
        properties=f"/crm/properties/{version}/{{objectType}}",
        owners=f"/crm/owners/{version}",
        pipelines=f"/crm/pipelines/{version}/{{objectType}}",
        associations_batch_read=f"/crm/associations/{version}/{{fromObjectType}}/{{toObjectType}}/batch/read",
        campaigns=f"/marketing/campaigns/{version}",
        account_details=f"/account-info/{version}/details",
    )


# The table. Date versions share one shape (HubSpot's `/{api}/{YYYY-MM}/{resource}`); legacy is spelled out
# because it mixes v3 and v4 (and is exactly what hubspot-api-client 12's generated classes call).
API_PATHS: dict[str, ApiPaths] = {
    "2026-09": _date_version("2026-09"),
    "2026-03": _date_version("2026-03"),
    LEGACY: ApiPaths(
        version=LEGACY,
        objects_list="/crm/v3/objects/{objectType}",
        objects_get="/crm/v3/objects/{objectType}/{objectId}",
        objects_batch_read="/crm/v3/objects/{objectType}/batch/read",
        objects_search="/crm/v3/objects/{objectType}/search",
        properties="/crm/v3/properties/{objectType}",
        owners="/crm/v3/owners",
        pipelines="/crm/v3/pipelines/{objectType}",
        associations_batch_read="/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
        campaigns="/marketing/v3/campaigns",
        account_details="/account-info/v3/details",
    ),
}
API_VERSIONS = tuple(API_PATHS)
# Accepted spellings of the legacy family.
_ALIASES = {"v3": LEGACY, "v4": LEGACY, "v3/v4": LEGACY}


def check_api_version(value: str, *, source: str = "api_version") -> str:
    """The canonical version name, or a ConfigurationError naming the choices."""
    name = str(value).strip().lower()
    name = _ALIASES.get(name, name)
    if name not in API_PATHS:
        raise ConfigurationError(
            f"unknown HubSpot API version {value!r} ({source}); choose from {', '.join(API_VERSIONS)} "
            f"(default {DEFAULT_API_VERSION}; '{LEGACY}' = the /crm/v3 + /crm/v4/associations paths)"
        )
    return name


def resolve_api_version(explicit: str | None = None, connection: str | None = None) -> str:
    """explicit (CLI / ExtractOptions) > env ONEFUNNEL_HUBSPOT_API_VERSION > Airflow connection extra >
    the default."""
    if explicit:
        return check_api_version(explicit, source="option")
    env = os.environ.get(API_VERSION_ENV, "").strip()
    if env:
        return check_api_version(env, source=f"env {API_VERSION_ENV}")
    if connection:
        return check_api_version(connection, source="Airflow connection extra api_version")
    return DEFAULT_API_VERSION


def paths_for(version: str) -> ApiPaths:
    return API_PATHS[check_api_version(version)]
