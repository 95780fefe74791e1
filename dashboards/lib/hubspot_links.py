"""Links to records in HubSpot: the portal id and the UI domain of the portal's data centre (app.hubspot.com,
app-eu1.hubspot.com ...), the one place the dashboard decides them.

Configuration wins (ONEFUNNEL_HUBSPOT_PORTAL_ID, ONEFUNNEL_HUBSPOT_UI_DOMAIN); else the account details the
snapshot carries (HubSpot's account-info API: portalId, uiDomain), else the run metadata's portal id with the
default UI domain. Without a portal id there are no links, only ids.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

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
    source: str  # "configuration" | "account details" | "run metadata" | "none"

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


def portal(run: dict[str, Any], account: dict[str, Any] | None = None) -> Portal:
    """The portal the record links point into (see the module docstring for the order)."""
    configured_id = os.environ.get(PORTAL_ID_ENV) or None
    configured_domain = os.environ.get(UI_DOMAIN_ENV) or None
    account = account or {}
    from_run = next((run[key] for key in ("portal_id", "hub_id", "hubspot_portal_id") if run.get(key)), None)
    if configured_id:
        portal_id, source = _checked_portal(configured_id, PORTAL_ID_ENV), "configuration"
    elif account.get("portal_id"):
        portal_id, source = _checked_portal(account["portal_id"], "account details"), "account details"
    elif from_run:
        portal_id, source = _checked_portal(from_run, "run metadata"), "run metadata"
    else:
        portal_id, source = None, "none"
    if configured_domain:
        domain = _checked_domain(configured_domain, UI_DOMAIN_ENV)
    elif account.get("ui_domain"):
        domain = _checked_domain(str(account["ui_domain"]), "account details")
    else:
        domain = DEFAULT_UI_DOMAIN
    return Portal(portal_id, domain, source)


def record_url(where: Portal, record_type: str, record_id: Any) -> str | None:
    """https://<ui domain>/contacts/<portal>/record/<type id>/<id>, or None without a portal id or an id."""
    if where.portal_id is None or record_id is None or (isinstance(record_id, float) and pd.isna(record_id)):
        return None
    return f"https://{where.ui_domain}/contacts/{where.portal_id}/record/{OBJECT_TYPE_IDS[record_type]}/{record_id}"
