"""Links to records in HubSpot: the portal id and the UI domain of the portal's data centre (app.hubspot.com,
app-eu1.hubspot.com ...), the one place the dashboard decides them.

Configuration wins (ONEFUNNEL_HUBSPOT_PORTAL_ID, ONEFUNNEL_HUBSPOT_UI_DOMAIN, each on its own); else the
snapshot's portal row (marts.dim_portal, from HubSpot's account-info API: portalId, uiDomain). With neither
there are no links, only ids, and `missing_note` says what to set. A configured portal id without a
configured domain takes the portal row's domain when the row is the same portal, else app.hubspot.com.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
from dashboards.lib import sql

PORTAL_ID_ENV = "ONEFUNNEL_HUBSPOT_PORTAL_ID"
UI_DOMAIN_ENV = "ONEFUNNEL_HUBSPOT_UI_DOMAIN"
DEFAULT_UI_DOMAIN = "app.hubspot.com"
# HubSpot UI hosts: app.hubspot.com (US), app-eu1.hubspot.com, app-na2..., app-ap1...; others are refused
# so a mistyped setting never turns record links into links elsewhere.
_UI_DOMAIN = re.compile(r"^app(-[a-z]{2}[0-9])?\.hubspot(qa)?\.com$")
_PORTAL_ID = re.compile(r"^[0-9]+$")
# HubSpot object type ids in record URLs (/contacts/<portal>/record/<type id>/<record id>).
OBJECT_TYPE_IDS = {"contact": "0-1", "company": "0-2", "deal": "0-3"}


class InvalidHubSpotSetting(ValueError):
    """A configured portal id or UI domain that cannot be part of a HubSpot record URL."""


@dataclass(frozen=True)
class Portal:
    portal_id: str | None
    ui_domain: str
    source: str  # "configuration" | "account details" | "none"

    @property
    def links(self) -> bool:
        return self.portal_id is not None


def _checked_domain(value: str, where: str) -> str:
    domain = value.strip().lower().removeprefix("https://").rstrip("/")
    if not _UI_DOMAIN.match(domain):
        raise InvalidHubSpotSetting(f"{where}: {value!r} is not a HubSpot UI domain (app-eu1.hubspot.com)")
    return domain


def _checked_portal(value: Any, where: str) -> str:
    text = str(value).strip()
    if not _PORTAL_ID.match(text):
        raise InvalidHubSpotSetting(f"{where}: {value!r} is not a HubSpot portal id (digits only)")
    return text


# The snapshot's portal row (published by dbt from the account details the extraction landed).
PORTAL_ROW = sql.Query(
    "PORTAL_ROW",
    "marts.dim_portal",
    "select portal_id, ui_domain, data_hosting_location from marts.dim_portal order by portal_id limit 1",
)


def portal(run: dict[str, Any] | None = None, account: dict[str, Any] | None = None) -> Portal:
    """The portal the record links point into (see the module docstring for the order). `account` is the
    snapshot's portal row ({portal_id, ui_domain}); `run` is kept for callers, it decides nothing."""
    del run
    configured_id = (os.environ.get(PORTAL_ID_ENV) or "").strip() or None
    configured_domain = (os.environ.get(UI_DOMAIN_ENV) or "").strip() or None
    account = account or {}
    account_id = account.get("portal_id")
    account_id = None if account_id is None or pd.isna(account_id) or str(account_id) == "" else account_id
    if configured_id:
        portal_id, source = _checked_portal(configured_id, PORTAL_ID_ENV), "configuration"
    elif account_id is not None:
        portal_id, source = _checked_portal(account_id, "account details"), "account details"
    else:
        return Portal(
            None,
            _checked_domain(configured_domain, UI_DOMAIN_ENV) if configured_domain else DEFAULT_UI_DOMAIN,
            "none",
        )
    same_portal = account_id is not None and str(account_id).strip() == portal_id
    if configured_domain:
        domain = _checked_domain(configured_domain, UI_DOMAIN_ENV)
    elif same_portal and account.get("ui_domain"):
        domain = _checked_domain(str(account["ui_domain"]), "account details")
    else:
        domain = DEFAULT_UI_DOMAIN
    return Portal(portal_id, domain, source)


def snapshot_portal(version: Any, run: dict[str, Any] | None = None) -> Portal:
    """`portal` with the portal row of the published snapshot `version` (none when the snapshot has no
    marts.dim_portal: published before it, or the token could not read the account details)."""
    from dashboards.lib import queries

    account: dict[str, Any] = {}
    if version is not None and queries.has_table(version, "marts", "dim_portal"):
        frame = queries.query(version, PORTAL_ROW)
        if not frame.empty:
            account = frame.iloc[0].to_dict()
    return portal(run, account)


def missing_note(where: Portal) -> str:
    """The short note shown instead of links ("" when there are links)."""
    if where.links:
        return ""
    return (
        f"No HubSpot links: the snapshot has no portal details (account-info) and {PORTAL_ID_ENV} is not set."
    )


def record_url(where: Portal, record_type: str, record_id: Any) -> str | None:
    """https://<ui domain>/contacts/<portal>/record/<type id>/<id>, or None without a portal id or an id."""
    if where.portal_id is None or record_id is None or (isinstance(record_id, float) and pd.isna(record_id)):
        return None
    return f"https://{where.ui_domain}/contacts/{where.portal_id}/record/{OBJECT_TYPE_IDS[record_type]}/{record_id}"
