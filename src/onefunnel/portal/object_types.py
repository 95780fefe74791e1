"""HubSpot's standard CRM object types as the local portal answers them, generated or not.

Every HubSpot portal has these types: a type the generator did not fill (tickets, products, quotes, ...)
still lists, searches and batch-reads as empty, describes its default properties and, for tickets, its
default support pipeline. Types that hold records are the ones in `store.OBJECT_TYPE_CODES`; anything
added there later (e.g. leads) is served from the store with no change here.
"""

from __future__ import annotations

from dataclasses import dataclass

from onefunnel.portal import store
from onefunnel.portal.gen_leads import ASSOCIATION_TYPE_IDS as _GENERATOR_ASSOCIATION_TYPE_IDS
from onefunnel.portal.gen_leads import LEADS, LEADS_CODE


@dataclass(frozen=True)
class ObjectType:
    name: str  # plural path name, e.g. "line_items"
    type_id: str  # HubSpot objectTypeId, e.g. "0-8"
    singular: str  # as in v3 association type strings ("line_item_to_deal")
    created: str  # the create-date property: createdate or hs_createdate
    modified: str  # the last-modified property
    defaults: tuple[str, ...]  # properties a list/get answer carries when none are requested
    extra: tuple[tuple[str, str, str], ...] = ()  # (name, type, fieldType) beyond the common ones
    aliases: tuple[str, ...] = ()


def _t(
    name: str,
    type_id: str,
    singular: str,
    *,
    created: str = "hs_createdate",
    modified: str = "hs_lastmodifieddate",
    defaults: tuple[str, ...] = (),
    extra: tuple[tuple[str, str, str], ...] = (),
    aliases: tuple[str, ...] = (),
) -> ObjectType:
    base = tuple(sorted({created, modified, "hs_object_id", *defaults}))
    return ObjectType(name, type_id, singular, created, modified, base, extra, aliases)


_S, _DT, _N, _E = ("string", "text"), ("datetime", "date"), ("number", "number"), ("enumeration", "select")

# objectTypeIds from HubSpot's object definitions (developers.hubspot.com/docs/api-reference/2026-03/crm/
# objects/*/object-definition); defaults from each type's "Retrieve" reference page.
STANDARD_TYPES: tuple[ObjectType, ...] = (
    _t(
        "contacts",
        "0-1",
        "contact",
        created="createdate",
        modified="lastmodifieddate",
        defaults=("email", "firstname", "lastname"),
    ),
    _t("companies", "0-2", "company", created="createdate", defaults=("domain", "name")),
    _t(
        "deals",
        "0-3",
        "deal",
        created="createdate",
        defaults=("amount", "closedate", "dealname", "dealstage", "pipeline"),
    ),
    _t(
        "tickets",
        "0-5",
        "ticket",
        created="createdate",
        defaults=(
            "content",
            "hs_pipeline",
            "hs_pipeline_stage",
            "hs_ticket_category",
            "hs_ticket_priority",
            "subject",
        ),
        extra=(
            ("subject", *_S),
            ("content", *_S),
            ("hs_pipeline", *_E),
            ("hs_pipeline_stage", *_E),
            ("hs_ticket_category", *_E),
            ("hs_ticket_priority", *_E),
            ("hubspot_owner_id", *_E),
        ),
    ),
    _t(
        "products",
        "0-7",
        "product",
        created="createdate",
        defaults=("description", "name", "price"),
        extra=(("name", *_S), ("description", *_S), ("price", *_N), ("hs_sku", *_S)),
    ),
    _t(
        "line_items",
        "0-8",
        "line_item",
        created="createdate",
        defaults=("amount", "name", "price", "quantity"),
        extra=(("name", *_S), ("price", *_N), ("quantity", *_N), ("amount", *_N), ("hs_product_id", *_S)),
        aliases=("lineitems", "lineitem"),
    ),
    _t(
        "quotes",
        "0-14",
        "quote",
        defaults=("hs_expiration_date", "hs_public_url_key", "hs_status", "hs_title"),
        extra=(
            ("hs_title", *_S),
            ("hs_expiration_date", *_DT),
            ("hs_status", *_E),
            ("hs_public_url_key", *_S),
        ),
    ),
    _t(
        "leads",
        "0-136",
        "lead",
        defaults=("hs_lead_name", "hs_pipeline", "hs_pipeline_stage"),
        extra=(
            ("hs_lead_name", *_S),
            ("hs_pipeline", *_E),
            ("hs_pipeline_stage", *_E),
            ("hubspot_owner_id", *_E),
        ),
    ),
    _t("calls", "0-48", "call", defaults=("hs_call_title", "hs_timestamp")),
    _t("emails", "0-49", "email", defaults=("hs_email_subject", "hs_timestamp")),
    _t("meetings", "0-47", "meeting", defaults=("hs_meeting_title", "hs_timestamp")),
    _t("notes", "0-46", "note", defaults=("hs_timestamp",)),
    _t("tasks", "0-27", "task", defaults=("hs_task_subject", "hs_timestamp")),
    _t(
        "communications",
        "0-18",
        "communication",
        defaults=("hs_communication_body", "hs_communication_channel_type", "hs_timestamp"),
        extra=(
            ("hs_communication_channel_type", *_E),
            ("hs_communication_body", *_S),
            ("hs_timestamp", *_DT),
        ),
    ),
    _t(
        "postal_mail",
        "0-116",
        "postal_mail",
        defaults=("hs_postal_mail_body", "hs_timestamp"),
        extra=(("hs_postal_mail_body", *_S), ("hs_timestamp", *_DT)),
        aliases=("postal_mails",),
    ),
    _t("feedback_submissions", "0-19", "feedback_submission", defaults=("hs_content", "hs_survey_type")),
    _t("invoices", "0-53", "invoice", defaults=("hs_currency", "hs_invoice_status", "hs_number")),
    _t("orders", "0-123", "order", defaults=("hs_order_name", "hs_total_price")),
    _t("carts", "0-142", "cart", defaults=("hs_cart_name", "hs_total_price")),
    _t("goal_targets", "0-74", "goal_target", defaults=("hs_goal_name",)),
)
BY_NAME: dict[str, ObjectType] = {spec.name: spec for spec in STANDARD_TYPES}

ALIASES: dict[str, str] = {}
for _spec in STANDARD_TYPES:
    for _alias in (_spec.name, _spec.singular, _spec.type_id, *_spec.aliases):
        ALIASES[_alias] = _spec.name


def canonical(name: str) -> str | None:
    """The plural type name for any spelling HubSpot accepts in a path (plural, singular, 0-N id)."""
    found = ALIASES.get(name)
    return found if found is not None else ALIASES.get(name.lower())


# Codes of the types a portal file may hold: the store's, plus leads under the generator's convention
# (gen_leads: code 9 unless store.OBJECT_TYPE_CODES names one). Leads stay out of store.OBJECT_TYPE_CODES
# so the default portal's generation report and manifest keep their shape; a portal without leads
# simply has no rows of that code, and leads answer as an empty standard type.
STORED_TYPE_CODES: dict[str, int] = {
    **store.OBJECT_TYPE_CODES,
    LEADS: store.OBJECT_TYPE_CODES.get(LEADS, LEADS_CODE),
}
# HUBSPOT_DEFINED association type ids (default, primary) of every stored pair, leads' included.
ASSOCIATION_TYPE_IDS: dict[tuple[str, str], tuple[int, int | None]] = {
    **_GENERATOR_ASSOCIATION_TYPE_IDS,
    **store.ASSOCIATION_TYPE_IDS,
}


def type_code(name: str) -> int | None:
    """The store's code for a type that can hold records; None for a standard type the portal never fills."""
    return STORED_TYPE_CODES.get(name)


def singular(name: str) -> str:
    return BY_NAME[name].singular if name in BY_NAME else store.SINGULAR.get(name, name)


_GROUP_FOR = {
    "contacts": "contactinformation",
    "companies": "companyinformation",
    "deals": "dealinformation",
    "tickets": "ticketinformation",
    "products": "productinformation",
    "line_items": "lineiteminformation",
    "quotes": "quoteinformation",
    "leads": "lead_information",
}


def default_definitions(name: str, created_at: str) -> list[dict]:
    """HubSpot's built-in property definitions for a type the portal stores none for."""
    spec = BY_NAME[name]
    group = _GROUP_FOR.get(name, f"{spec.singular}information")
    calculated = {"hs_object_id", spec.modified}
    fields: dict[str, tuple[str, str]] = {
        spec.created: _DT,
        spec.modified: _DT,
        "hs_object_id": _N,
        "hs_createdate": _DT,
    }
    if spec.created == "createdate":
        fields["createdate"] = _DT
    for field_name, prop_type, field_type in spec.extra:
        fields[field_name] = (prop_type, field_type)
    for field_name in spec.defaults:
        fields.setdefault(field_name, _S)
    bodies = []
    for order, (field_name, (prop_type, field_type)) in enumerate(sorted(fields.items())):
        bodies.append(
            {
                "name": field_name,
                "label": field_name.removeprefix("hs_").replace("_", " ").capitalize(),
                "type": prop_type,
                "fieldType": field_type,
                "groupName": group,
                "description": "",
                "options": [],
                "displayOrder": order,
                "calculated": field_name in calculated,
                "externalOptions": False,
                "hasUniqueValue": field_name == "hs_object_id",
                "hidden": False,
                "hubspotDefined": True,
                "modificationMetadata": {
                    "archivable": False,
                    "readOnlyDefinition": True,
                    "readOnlyValue": field_name in calculated,
                },
                "formField": False,
                "createdAt": created_at,
                "updatedAt": created_at,
                "archived": False,
            }
        )
    return bodies


def default_pipelines(name: str, created_at: str) -> list[dict]:
    """HubSpot's built-in pipelines for a type the portal stores none for: tickets have one."""
    if name != "tickets":
        return []
    stages = (("1", "New", "OPEN"), ("2", "Waiting on contact", "OPEN"), ("3", "Waiting on us", "OPEN"))
    stages += (("4", "Closed", "CLOSED"),)
    return [
        {
            "id": "0",
            "label": "Support Pipeline",
            "displayOrder": 0,
            "createdAt": created_at,
            "updatedAt": created_at,
            "archived": False,
            "stages": [
                {
                    "id": stage_id,
                    "label": label,
                    "displayOrder": order,
                    "metadata": {"ticketState": state, "isClosed": str(state == "CLOSED").lower()},
                    "createdAt": created_at,
                    "updatedAt": created_at,
                    "archived": False,
                    "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                }
                for order, (stage_id, label, state) in enumerate(stages)
            ],
        }
    ]
