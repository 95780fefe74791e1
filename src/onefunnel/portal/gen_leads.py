"""HubSpot's Leads object (prospecting, objectTypeId 0-136) in the synthetic portal.

A lead is the record a rep works in HubSpot's prospecting workspace: created when a rep takes a contact on
(an assigned MQL, or a contact the rep qualifies straight away), moved through the default lead pipeline as
the rep attempts, connects, and qualifies or disqualifies it. HubSpot requires every lead to be associated
with exactly one contact (association type 578, "lead to primary contact").

Leads are generated only by profiles that ask for them (gen_lifecycle.LifecycleProfile.leads): adding them
to the default profile would change that portal's tables, which must stay byte-identical. The simulation
calls `lead_events` at the end of a person's funnel with what it already decided; nothing here draws from
the simulation's random stream (the lead type and label come from a hash of the contact id).

Store conventions: leads are type code 9 (`LEADS_CODE`) unless `store.OBJECT_TYPE_CODES` names another.
The server serves a type from the store once `store.OBJECT_TYPE_CODES` lists it; until then the portal
file holds the leads and the manifest counts them, but the API answers `leads` as an empty standard type.
"""

from __future__ import annotations

import hashlib

from onefunnel.portal import store

LEADS = "leads"
LEADS_CODE = store.OBJECT_TYPE_CODES.get(LEADS, 9)
CONTACT = 1

# Every object type code the generator may write, the store's own first.
OBJECT_TYPE_CODES: dict[str, int] = {**store.OBJECT_TYPE_CODES, LEADS: LEADS_CODE}
OBJECT_TYPES_BY_CODE: dict[int, str] = {code: name for name, code in OBJECT_TYPE_CODES.items()}
# HUBSPOT_DEFINED association type ids as in store.ASSOCIATION_TYPE_IDS: (default id, primary id).
# 608 lead_to_contact and 578 lead_to_primary_contact are HubSpot's documented ids; 607 for the reverse
# direction follows HubSpot's pairing of adjacent ids and is not confirmed by its reference.
ASSOCIATION_TYPE_IDS: dict[tuple[str, str], tuple[int, int | None]] = {
    **store.ASSOCIATION_TYPE_IDS,
    (LEADS, "contacts"): store.ASSOCIATION_TYPE_IDS.get((LEADS, "contacts"), (608, 578)),
    ("contacts", LEADS): store.ASSOCIATION_TYPE_IDS.get(("contacts", LEADS), (607, None)),
}

# HubSpot's default lead pipeline (ids as HubSpot names them).
LEAD_PIPELINE = "lead-pipeline-id"
NEW, ATTEMPTING, CONNECTED = "new-stage-id", "attempting-stage-id", "connected-stage-id"
QUALIFIED, UNQUALIFIED = "qualified-stage-id", "unqualified-stage-id"
LEAD_STAGES = (
    (NEW, "New", "OPEN"),
    (ATTEMPTING, "Attempting", "IN_PROGRESS"),
    (CONNECTED, "Connected", "IN_PROGRESS"),
    (QUALIFIED, "Qualified", "QUALIFIED"),
    (UNQUALIFIED, "Disqualified", "UNQUALIFIED"),
)
LEAD_TYPES = (("NEW_BUSINESS", "New Business"), ("UPSELL", "Upsell"), ("RE_ATTEMPTING", "Re-attempting"))
LEAD_LABELS = (("HOT", "Hot"), ("WARM", "Warm"), ("COLD", "Cold"))
TRACKED = frozenset({"hs_pipeline_stage", "hubspot_owner_id"})

Src = tuple[str, str | None, int | None]


def _pick(contact_id: int, salt: str, options: tuple[tuple[str, str], ...], weights: tuple[int, ...]) -> str:
    number = int.from_bytes(hashlib.sha256(f"{salt}:{contact_id}".encode()).digest()[:8], "big") % sum(
        weights
    )
    for (value, _label), weight in zip(options, weights, strict=True):
        if number < weight:
            return value
        number -= weight
    return options[-1][0]  # pragma: no cover - the weights cover every number


def lead_events(
    lead_id: int,
    contact_id: int,
    name: str,
    *,
    created: int,
    owner_id: int,
    user_id: int,
    first_touch: int | None,
    connected: bool,
    qualified: int | None,
    disqualified: int | None,
) -> list[tuple[int, str, int, tuple]]:
    """The lead's life as (ts, kind, object id, data) engine events (gen_engine), oldest first."""
    src: Src = ("CRM_UI", None, user_id)
    props = {
        "hs_lead_name": name,
        "hs_pipeline": LEAD_PIPELINE,
        "hs_pipeline_stage": NEW,
        "hs_lead_type": _pick(contact_id, "lead-type", LEAD_TYPES, (8, 1, 1)),
        "hs_lead_label": _pick(contact_id, "lead-label", LEAD_LABELS, (2, 5, 3)),
        "hubspot_owner_id": str(owner_id),
    }
    out: list[tuple[int, str, int, tuple]] = [
        (created, "c", lead_id, (LEADS_CODE, props, src, [(CONTACT, contact_id, 1)]))
    ]
    moves = []
    if first_touch is not None:
        moves.append((max(first_touch, created + 1_000), ATTEMPTING))
        if connected:
            moves.append((max(first_touch, created) + 2_000, CONNECTED))
    if qualified is not None:
        moves.append((max(qualified, created + 3_000), QUALIFIED))
    elif disqualified is not None:
        moves.append((max(disqualified, created + 3_000), UNQUALIFIED))
    for ts, stage in moves:
        out.append((ts, "u", lead_id, ({"hs_pipeline_stage": stage}, None, None, src)))
    return out


def pipeline_body(created_iso: str) -> dict:
    """The default lead pipeline as /crm/v3/pipelines/leads returns it."""
    return {
        "id": LEAD_PIPELINE,
        "label": "Lead pipeline",
        "displayOrder": 0,
        "createdAt": created_iso,
        "updatedAt": created_iso,
        "archived": False,
        "stages": [
            {
                "id": stage_id,
                "label": label,
                "displayOrder": order,
                "metadata": {
                    "leadState": state,
                    "isClosed": str(state in ("QUALIFIED", "UNQUALIFIED")).lower(),
                },
                "createdAt": created_iso,
                "updatedAt": created_iso,
                "archived": False,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            }
            for order, (stage_id, label, state) in enumerate(LEAD_STAGES)
        ],
    }


def property_standards() -> list[tuple]:
    """Lead property definitions as properties_catalog Std tuples."""
    group = "lead_information"
    stages = tuple((stage_id, label) for stage_id, label, _state in LEAD_STAGES)
    return [
        ("hs_lead_name", "Lead name", "string", "text", group, None, False),
        (
            "hs_pipeline",
            "Pipeline",
            "enumeration",
            "select",
            group,
            ((LEAD_PIPELINE, "Lead pipeline"),),
            False,
        ),
        ("hs_pipeline_stage", "Lead stage", "enumeration", "select", group, stages, False),
        ("hs_lead_type", "Lead type", "enumeration", "select", group, LEAD_TYPES, False),
        ("hs_lead_label", "Lead label", "enumeration", "select", group, LEAD_LABELS, False),
        ("hubspot_owner_id", "Lead owner", "enumeration", "select", group, None, False),
        ("hs_createdate", "Create date", "datetime", "date", group, None, True),
        ("hs_lastmodifieddate", "Last modified date", "datetime", "date", group, None, True),
        ("hs_object_id", "Record ID", "number", "number", group, None, True),
    ]
