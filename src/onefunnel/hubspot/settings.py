"""HubSpot endpoints, page sizes, limits and tiers as named constants (facts: shared/docs/hubspot-api.md).

Where HubSpot's own documents disagree the number is a constant here, so one edit changes it everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_HOST = "https://api.hubapi.com"

# CRM object types extracted through the objects API (paths per API version: paths.py).
ENGAGEMENT_OBJECTS = ("calls", "emails", "meetings", "notes", "tasks")
# Leads (HubSpot's prospecting object, objectTypeId 0-136) exist only on some plans and need their own
# scope: extracted when the portal has them, skipped with one log line when it answers 403 / 404 / 400.
OPTIONAL_OBJECTS = ("leads",)
CRM_OBJECTS = ("contacts", "companies", "deals", *ENGAGEMENT_OBJECTS, *OPTIONAL_OBJECTS)
# Small reference datasets, always extracted as a complete snapshot. `account`: the account-info details
# (portal id, UI domain of the data centre, time zone, currency), one row; a token HubSpot refuses it to
# (403, or 404 / 400 from a proxy) skips it with one log line, the run goes on (OPTIONAL_REFERENCE).
REFERENCE_OBJECTS = ("owners", "pipelines", "properties", "campaigns", "account")
OPTIONAL_REFERENCE = ("account",)
ALL_OBJECTS = CRM_OBJECTS + REFERENCE_OBJECTS

# Last-modified property per object type: what incremental search filters and sorts on.
LAST_MODIFIED_PROPERTY = {name: "hs_lastmodifieddate" for name in CRM_OBJECTS}
LAST_MODIFIED_PROPERTY["contacts"] = "lastmodifieddate"

# Properties whose full value history is extracted (a separate `<object>_property_history` dataset).
HISTORY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("lifecyclestage", "hs_lead_status", "hubspot_owner_id"),
    "deals": ("dealstage",),
}

# Properties always requested even when a deny list or an allow list would drop them: the extractor
# itself depends on them (keys, watermarks, merges).
ESSENTIAL_PROPERTIES: dict[str, tuple[str, ...]] = {name: ("hs_object_id",) for name in CRM_OBJECTS}
ESSENTIAL_PROPERTIES["contacts"] = ("hs_object_id", "lastmodifieddate", "createdate", "hs_merged_object_ids")
for _name in CRM_OBJECTS:
    if _name != "contacts":
        ESSENTIAL_PROPERTIES[_name] = ("hs_object_id", "hs_lastmodifieddate", "hs_createdate")

# Associations fetched (batch read) for the ids each CRM stream extracts: from-object -> to-objects.
ASSOCIATIONS: dict[str, tuple[str, ...]] = {
    "contacts": ("companies",),
    "deals": ("contacts", "companies"),
    **{engagement: ("contacts", "deals") for engagement in ENGAGEMENT_OBJECTS},
    "leads": ("contacts",),  # every lead is associated with a contact (HubSpot requires one on create)
}

# Pipelines are extracted for these object types.
PIPELINE_OBJECTS = ("deals",)

# Read scopes a Service Key (or a legacy private-app token) needs, per dataset, derived from the endpoints
# each one calls (README.md, "Credentials: Service Keys and scopes"). Properties and pipelines accept any
# one of many scopes, the object's read scope among them, so they need nothing more.
REQUIRED_SCOPES: dict[str, tuple[str, ...]] = {
    "contacts": ("crm.objects.contacts.read",),
    "companies": ("crm.objects.companies.read",),
    "deals": ("crm.objects.deals.read",),
    # Engagements (calls, emails, meetings, notes, tasks) are read with the contacts scope.
    **{engagement: ("crm.objects.contacts.read",) for engagement in ENGAGEMENT_OBJECTS},
    "leads": ("crm.objects.leads.read",),
    "owners": ("crm.objects.owners.read",),
    "pipelines": ("crm.objects.deals.read",),
    "properties": (),
    "campaigns": ("marketing.campaigns.read",),
    # HubSpot documents no scope for the account details; a token refused them only loses the dataset.
    "account": (),
}
# Not required: without it HubSpot redacts the content of email engagements, the rest still lands.
OPTIONAL_SCOPES: dict[str, tuple[str, ...]] = {"emails": ("sales-email-read",)}


def required_scopes(objects: tuple[str, ...] | list[str] | None = None) -> list[str]:
    """The distinct read scopes the given datasets need, sorted; None = every dataset but the optional
    objects (leads), which are skipped when their scope is missing."""
    names = objects if objects is not None else tuple(n for n in REQUIRED_SCOPES if n not in OPTIONAL_OBJECTS)
    return sorted({scope for name in names for scope in REQUIRED_SCOPES.get(name, ())})


# Page sizes and request limits.
LIST_PAGE_LIMIT = 100  # GET objects list: limit <= 100
HISTORY_BATCH_LIMIT = 50  # propertiesWithHistory: at most 50 records per request
BATCH_READ_LIMIT = 100  # POST .../batch/read inputs
SEARCH_PAGE_LIMIT = 200  # POST .../search limit <= 200
SEARCH_RESULT_CAP = 10_000  # paging a search past 10,000 results answers HTTP 400
ASSOCIATION_BATCH_LIMIT = 1_000  # associations batch read inputs (v4 since Feb 2025; kept for date versions)
OWNERS_PAGE_LIMIT = 100
CAMPAIGNS_PAGE_LIMIT = 100

# HubSpot answers 414 somewhere above ~15,000 characters; stay well below with room for host and cursor.
MAX_URL_CHARS = 15_000
URL_LENGTH_BUDGET = 12_000

# Records per landing commit group: one Parquet part per dataset per group, and one checkpoint.
COMMIT_GROUP_RECORDS = 5_000
# Full mode: objects with at least this many active records get a second chain, the top of their id range
# through search (descending hs_object_id keyset), meeting the list chain in the middle (streams.Meet).
PARTITION_MIN_RECORDS = 10_000
# At most this many uncommitted groups per stream (memory bound = groups x group size x streams).
MAX_PENDING_GROUPS = 2

# Timeouts for one HTTP request: (connect, read) seconds.
REQUEST_TIMEOUT = (10.0, 60.0)


@dataclass(frozen=True)
class Tier:
    name: str
    requests_per_window: int
    window_ms: int
    requests_per_day: int


# Private-app limits per tier; search has its own bucket (SEARCH_REQUESTS_PER_SECOND) on every tier.
TIERS: dict[str, Tier] = {
    "free": Tier("free", 100, 10_000, 250_000),
    "starter": Tier("starter", 100, 10_000, 250_000),
    "professional": Tier("professional", 190, 10_000, 625_000),
    "enterprise": Tier("enterprise", 190, 10_000, 1_000_000),
    "api_pack": Tier("api_pack", 250, 10_000, 1_625_000),
}
DEFAULT_TIER = "professional"
# "About 5 per second" (one older note says 4); the budget keeps a margin below it.
SEARCH_REQUESTS_PER_SECOND = 5
# Share of a window's allowance the client plans to use; the rest absorbs client/server skew.
BUDGET_SAFETY = 0.96
# Requests sent in order can arrive out of order by the spread of network latency; windows allow for it.
LATENCY_JITTER_S = 0.3
# Requests the budget lets go back to back before pacing them evenly (token bucket capacity).
BUDGET_BURST = 4
# The search bucket is paced one request at a time (see ratebudget.RateBudget).
SEARCH_BURST = 1
# How long the budget remembers its own requests after they left the window: the server counts a request
# on arrival, one network latency later; header comparisons look back this far at most.
LAG_RETENTION_S = 2.0

# Retries: exponential backoff with full jitter, bounded attempts.
RETRY_MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 0.5
RETRY_CAP_SECONDS = 30.0

# Incremental search re-reads this much before the stored watermark, because HubSpot's search index
# lags writes slightly; the duplicates it lands are removed by the warehouse's dedup.
SEARCH_LOOKBACK_MS = 0
