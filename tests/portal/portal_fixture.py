"""Small hand-made portals for the server tests, written row by row through store.connect().

`PortalWriter` writes single rows (objects, definitions, associations, history, owners, pipelines,
campaigns) so a test can set up any edge case; `build_portal` makes a small deterministic portal with
every object type, archived and merged contacts, ~60 custom contact properties and their history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from onefunnel.portal import store

TOKEN = "pat-na1-test-token"
INSERT_OBJECT = (
    "insert into objects (id, type, created_at, updated_at, archived, archived_at, merged_into, properties)"
    " values (?, ?, ?, ?, ?, ?, ?, ?)"
)
BASE_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
SOURCES = ("DIRECT_TRAFFIC", "EMAIL_MARKETING", "OFFLINE", "ORGANIC_SEARCH", "PAID_SEARCH", "REFERRALS")


def definition_body(
    name: str,
    prop_type: str = "string",
    field_type: str = "text",
    *,
    options: list[str] | None = None,
    archived: bool = False,
    group: str = "contactinformation",
    hubspot_defined: bool = True,
    display_order: int = -1,
) -> dict:
    body = {
        "name": name,
        "label": name.replace("_", " ").title(),
        "type": prop_type,
        "fieldType": field_type,
        "description": "",
        "groupName": group,
        "options": [
            {"label": value.title(), "value": value, "displayOrder": index, "hidden": False}
            for index, value in enumerate(options or [])
        ],
        "displayOrder": display_order,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": False,
        "hidden": False,
        "hubspotDefined": hubspot_defined,
        "formField": False,
        "createdAt": store.iso_ms(BASE_MS - 365 * DAY_MS),
        "updatedAt": store.iso_ms(BASE_MS - 365 * DAY_MS),
        "archived": archived,
    }
    if archived:
        body["archivedAt"] = store.iso_ms(BASE_MS)
    return body


class PortalWriter:
    """Writes portal rows directly; ids are unique across types as the store requires."""

    def __init__(self, portal_dir: Path) -> None:
        self.portal_dir = Path(portal_dir)
        self.conn = store.connect(self.portal_dir)
        store.set_meta(self.conn, "schema_version", store.SCHEMA_VERSION)
        store.set_meta(self.conn, "portal_id", "4242")
        self.next_id = self.conn.execute("select coalesce(max(id), 1000) + 1 from objects").fetchone()[0]

    def __enter__(self) -> PortalWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()

    def commit(self) -> None:
        self.conn.commit()

    def object(
        self,
        object_type: str,
        properties: dict[str, str | None] | None = None,
        *,
        created_at: int = BASE_MS,
        updated_at: int | None = None,
        archived: bool = False,
        archived_at: int | None = None,
        merged_into: int | None = None,
        object_id: int | None = None,
    ) -> int:
        if object_id is None:
            object_id = self.next_id
            self.next_id += 1
        else:
            self.next_id = max(self.next_id, object_id + 1)
        updated_at = created_at if updated_at is None else updated_at
        props = {"hs_object_id": str(object_id)}
        created_name = "createdate" if object_type in ("contacts", "companies", "deals") else "hs_createdate"
        modified_name = store.LAST_MODIFIED_PROPERTY[object_type]
        props[created_name] = store.iso_ms(created_at)
        props[modified_name] = store.iso_ms(updated_at)
        props.update(properties or {})
        self.conn.execute(
            INSERT_OBJECT,
            (
                object_id,
                store.OBJECT_TYPE_CODES[object_type],
                created_at,
                updated_at,
                int(archived),
                archived_at if archived_at is not None else (updated_at if archived else None),
                merged_into,
                orjson.dumps(props),
            ),
        )
        return object_id

    def definition(
        self,
        object_type: str,
        name: str,
        prop_type: str = "string",
        field_type: str = "text",
        **kwargs: object,
    ) -> None:
        body = definition_body(name, prop_type, field_type, **kwargs)
        self.conn.execute(
            "insert or replace into property_definitions (object_type, name, body) values (?, ?, ?)",
            (object_type, name, orjson.dumps(body)),
        )

    def association(
        self, from_type: str, from_id: int, to_type: str, to_id: int, primary: bool = False
    ) -> None:
        """Both directions, as the store keeps them."""
        for a_type, a_id, b_type, b_id in (
            (from_type, from_id, to_type, to_id),
            (to_type, to_id, from_type, from_id),
        ):
            self.conn.execute(
                "insert or replace into associations (from_type, to_type, from_id, to_id, is_primary)"
                " values (?, ?, ?, ?, ?)",
                (store.OBJECT_TYPE_CODES[a_type], store.OBJECT_TYPE_CODES[b_type], a_id, b_id, int(primary)),
            )

    def history(self, object_id: int, name: str, values: list[tuple[str, int]]) -> None:
        """values: (value, epoch ms), newest first."""
        entries = [
            {
                "value": value,
                "timestamp": store.iso_ms(ms),
                "sourceType": "CRM_UI",
                "sourceId": None,
                "updatedByUserId": None,
            }
            for value, ms in values
        ]
        self.conn.execute(
            "insert or replace into property_history (object_id, property, history) values (?, ?, ?)",
            (object_id, name, orjson.dumps(entries)),
        )

    def owner(
        self,
        owner_id: int,
        email: str,
        first: str,
        last: str,
        *,
        archived: bool = False,
        teams: tuple[str, ...] = (),
    ) -> None:
        body = {
            "id": str(owner_id),
            "email": email,
            "firstName": first,
            "lastName": last,
            "type": "PERSON",
            "userId": owner_id + 50_000,
            "userIdIncludingInactive": owner_id + 50_000,
            "createdAt": store.iso_ms(BASE_MS - 100 * DAY_MS),
            "updatedAt": store.iso_ms(BASE_MS - 10 * DAY_MS),
            "archived": archived,
            "teams": [{"id": str(900 + i), "name": name, "primary": i == 0} for i, name in enumerate(teams)],
        }
        self.conn.execute(
            "insert or replace into owners (id, archived, body) values (?, ?, ?)",
            (owner_id, int(archived), orjson.dumps(body)),
        )

    def pipeline(
        self,
        object_type: str,
        pipeline_id: str,
        label: str,
        stages: list[tuple[str, str, float, bool]],
        display_order: int = 0,
    ) -> None:
        """stages: (id, label, probability, is_closed)."""
        stamp = store.iso_ms(BASE_MS - 200 * DAY_MS)
        body = {
            "id": pipeline_id,
            "label": label,
            "displayOrder": display_order,
            "createdAt": stamp,
            "updatedAt": stamp,
            "archived": False,
            "stages": [
                {
                    "id": stage_id,
                    "label": stage_label,
                    "displayOrder": index,
                    "metadata": {"isClosed": str(closed).lower(), "probability": str(probability)},
                    "createdAt": stamp,
                    "updatedAt": stamp,
                    "archived": False,
                    "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                }
                for index, (stage_id, stage_label, probability, closed) in enumerate(stages)
            ],
        }
        self.conn.execute(
            "insert or replace into pipelines (object_type, id, display_order, body) values (?, ?, ?, ?)",
            (object_type, pipeline_id, display_order, orjson.dumps(body)),
        )

    def campaign(self, guid: str, name: str, start: str, seq: int | None = None) -> None:
        body = {
            "id": guid,
            "properties": {"hs_name": name, "hs_start_date": start, "hs_campaign_status": "active"},
            "createdAt": store.iso_ms(BASE_MS),
            "updatedAt": store.iso_ms(BASE_MS),
            "businessUnits": [{"id": 0}],
        }
        self.conn.execute(
            "insert into campaigns (seq, id, body) values (?, ?, ?)", (seq, guid, orjson.dumps(body))
        )


@dataclass
class FixturePortal:
    path: Path
    ids: dict[str, list[int]] = field(default_factory=dict)  # active ids per type, ascending
    archived: dict[str, list[int]] = field(default_factory=dict)
    merged: dict[int, int] = field(default_factory=dict)  # merged-away contact id -> survivor id
    custom_properties: list[str] = field(default_factory=list)
    contact_properties: list[str] = field(default_factory=list)  # every active contact property name
    owners: list[int] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    contact_companies: dict[int, list[int]] = field(default_factory=dict)
    history_contact: int = 0


CONTACT_PROPERTIES = [
    ("email", "string", "text"),
    ("firstname", "string", "text"),
    ("lastname", "string", "text"),
    ("createdate", "datetime", "date"),
    ("lastmodifieddate", "datetime", "date"),
    ("hs_object_id", "number", "number"),
    ("lifecyclestage", "enumeration", "radio"),
    ("hs_lead_status", "enumeration", "radio"),
    ("hs_analytics_source", "enumeration", "select"),
    ("hubspot_owner_id", "enumeration", "select"),
    ("hs_merged_object_ids", "enumeration", "checkbox"),
    ("jobtitle", "string", "text"),
    ("num_employees_band", "number", "number"),
    ("hs_lifecyclestage_lead_date", "datetime", "date"),
    ("hs_lifecyclestage_customer_date", "datetime", "date"),
]


def build_portal(
    portal_dir: Path,
    *,
    contacts: int = 25,
    companies: int = 6,
    deals: int = 8,
    engagements_per_type: int = 4,
    custom_properties: int = 60,
    archived_contacts: int = 3,
    merged_contacts: int = 2,
    seed: int = 7,
) -> FixturePortal:
    """A small, deterministic portal with every object type and the edge cases the server must honour."""
    rng = random.Random(seed)
    portal = FixturePortal(path=Path(portal_dir))
    with PortalWriter(portal_dir) as writer:
        for name, prop_type, field_type in CONTACT_PROPERTIES:
            options = {"lifecyclestage": list(LIFECYCLE_STAGES), "hs_analytics_source": list(SOURCES)}.get(
                name
            )
            writer.definition("contacts", name, prop_type, field_type, options=options)
        for index in range(custom_properties):
            prop_type = ("string", "number", "datetime", "enumeration")[index % 4]
            field_type = {"string": "text", "number": "number", "datetime": "date", "enumeration": "select"}[
                prop_type
            ]
            name = f"custom_{prop_type}_{index:02d}"
            writer.definition(
                "contacts",
                name,
                prop_type,
                field_type,
                hubspot_defined=False,
                options=["alpha", "beta", "gamma"] if prop_type == "enumeration" else None,
            )
            portal.custom_properties.append(name)
        writer.definition("contacts", "old_retired_field", archived=True)
        portal.contact_properties = [name for name, _, _ in CONTACT_PROPERTIES] + portal.custom_properties
        for name, prop_type in (
            ("name", "string"),
            ("domain", "string"),
            ("createdate", "datetime"),
            ("hs_lastmodifieddate", "datetime"),
            ("hs_object_id", "number"),
            ("industry", "enumeration"),
        ):
            writer.definition("companies", name, prop_type)
        for name, prop_type in (
            ("dealname", "string"),
            ("amount", "number"),
            ("dealstage", "enumeration"),
            ("pipeline", "enumeration"),
            ("closedate", "datetime"),
            ("createdate", "datetime"),
            ("hs_lastmodifieddate", "datetime"),
            ("hs_object_id", "number"),
        ):
            writer.definition("deals", name, prop_type)
        for engagement in store.ENGAGEMENT_TYPES:
            for name, prop_type in (
                ("hs_timestamp", "datetime"),
                ("hs_createdate", "datetime"),
                ("hs_lastmodifieddate", "datetime"),
                ("hs_object_id", "number"),
                ("hubspot_owner_id", "enumeration"),
            ):
                writer.definition(engagement, name, prop_type)

        for owner_index in range(3):
            owner_id = 70 + owner_index
            writer.owner(
                owner_id,
                f"owner{owner_index}@example.com",
                f"Owner{owner_index}",
                "Seller",
                teams=("Sales EMEA",) if owner_index else (),
            )
            portal.owners.append(owner_id)
        writer.owner(99, "gone@example.com", "Gone", "Away", archived=True)

        writer.pipeline(
            "deals",
            "default",
            "Sales Pipeline",
            [
                ("appointmentscheduled", "Appointment Scheduled", 0.2, False),
                ("qualifiedtobuy", "Qualified To Buy", 0.4, False),
                ("closedwon", "Closed Won", 1.0, True),
                ("closedlost", "Closed Lost", 0.0, True),
            ],
        )
        writer.pipeline(
            "deals",
            "renewals",
            "Renewals",
            [("renewal_open", "Open", 0.5, False), ("renewal_won", "Won", 1.0, True)],
            display_order=1,
        )

        company_ids = []
        for index in range(companies):
            created = BASE_MS + index * DAY_MS
            company_ids.append(
                writer.object(
                    "companies",
                    {
                        "name": f"Company {index}",
                        "domain": f"company{index}.example.com",
                        "industry": "SOFTWARE",
                    },
                    created_at=created,
                    updated_at=created + HOUR_MS,
                )
            )
        portal.ids["companies"] = company_ids

        contact_ids = []
        for index in range(contacts):
            created = BASE_MS + index * HOUR_MS
            props: dict[str, str | None] = {
                "email": f"person{index}@company{index % companies}.example.com",
                "firstname": f"First{index}",
                "lastname": f"Last{index}",
                "lifecyclestage": LIFECYCLE_STAGES[index % len(LIFECYCLE_STAGES)],
                "hs_analytics_source": SOURCES[index % len(SOURCES)],
                "hubspot_owner_id": str(portal.owners[index % len(portal.owners)]),
                "jobtitle": None if index % 5 == 0 else f"Title {index % 3}",
                "num_employees_band": str(index * 10),
            }
            for name in portal.custom_properties:
                if rng.random() < 0.15:
                    continue  # unset: absent from the blob
                if "_number_" in name:
                    props[name] = str(rng.randint(0, 1000))
                elif "_datetime_" in name:
                    props[name] = store.iso_ms(BASE_MS + rng.randint(0, 90) * DAY_MS)
                elif "_enumeration_" in name:
                    props[name] = rng.choice(["alpha", "beta", "gamma"])
                else:
                    props[name] = f"value {rng.randint(0, 99)} for {name}"
            contact_id = writer.object(
                "contacts", props, created_at=created, updated_at=created + (index % 4) * DAY_MS
            )
            contact_ids.append(contact_id)
            company = company_ids[index % companies]
            writer.association("contacts", contact_id, "companies", company, primary=True)
            portal.contact_companies[contact_id] = [company]
            if index % 7 == 0 and companies > 1:
                other = company_ids[(index + 1) % companies]
                writer.association("contacts", contact_id, "companies", other)
                portal.contact_companies[contact_id].append(other)

        # Merged contacts: the loser row points at the survivor, which lists the loser's id.
        for index in range(min(merged_contacts, len(contact_ids))):
            survivor = contact_ids[index]
            loser = writer.object(
                "contacts",
                {"email": f"duplicate{index}@example.com"},
                created_at=BASE_MS - DAY_MS,
                merged_into=survivor,
            )
            portal.merged[loser] = survivor
            writer.conn.execute(
                "update objects set properties ="
                " json_set(cast(properties as text), '$.hs_merged_object_ids', ?) where id = ?",
                (str(loser), survivor),
            )

        archived_ids = []
        for index in range(archived_contacts):
            created = BASE_MS + (contacts + index) * HOUR_MS
            archived_ids.append(
                writer.object(
                    "contacts",
                    {"email": f"deleted{index}@example.com", "firstname": "Deleted"},
                    created_at=created,
                    updated_at=created + DAY_MS,
                    archived=True,
                    archived_at=created + 2 * DAY_MS,
                )
            )
        portal.archived["contacts"] = archived_ids
        portal.ids["contacts"] = sorted(contact_ids)

        if len(contact_ids) > 1:
            history_contact = contact_ids[1]
            writer.history(
                history_contact,
                "lifecyclestage",
                [(LIFECYCLE_STAGES[1], BASE_MS + 5 * DAY_MS), ("subscriber", BASE_MS + HOUR_MS)],
            )
            writer.history(history_contact, "email", [("person1@company1.example.com", BASE_MS + HOUR_MS)])
            portal.history_contact = history_contact

        deal_ids = []
        for index in range(deals):
            created = BASE_MS + index * DAY_MS
            deal_id = writer.object(
                "deals",
                {
                    "dealname": f"Deal {index}",
                    "amount": str(1000 * (index + 1)),
                    "dealstage": ("appointmentscheduled", "qualifiedtobuy", "closedwon", "closedlost")[
                        index % 4
                    ],
                    "pipeline": "default",
                    "closedate": store.iso_ms(created + 30 * DAY_MS),
                },
                created_at=created,
                updated_at=created + 2 * HOUR_MS,
            )
            deal_ids.append(deal_id)
            writer.association("deals", deal_id, "contacts", contact_ids[index % len(contact_ids)])
            writer.association("deals", deal_id, "companies", company_ids[index % companies], primary=True)
        portal.ids["deals"] = deal_ids

        for engagement in store.ENGAGEMENT_TYPES:
            engagement_ids = []
            for index in range(engagements_per_type):
                created = BASE_MS + index * HOUR_MS
                engagement_id = writer.object(
                    engagement,
                    {"hs_timestamp": store.iso_ms(created), "hubspot_owner_id": str(portal.owners[0])},
                    created_at=created,
                    updated_at=created + HOUR_MS,
                )
                engagement_ids.append(engagement_id)
                writer.association(
                    engagement, engagement_id, "contacts", contact_ids[index % len(contact_ids)]
                )
            portal.ids[engagement] = engagement_ids

        for index in range(5):
            guid = f"7f3c2b1a-0000-4000-8000-{index:012d}"
            writer.campaign(guid, f"Campaign {index}", store.iso_ms(BASE_MS + index * 7 * DAY_MS)[:10])
            portal.campaigns.append(guid)
    return portal


def bulk_contacts(portal_dir: Path, count: int, *, updated_at: int = BASE_MS) -> list[int]:
    """Add `count` contacts all modified at one instant (a bulk import), for the search-cap cases."""
    with PortalWriter(portal_dir) as writer:
        start = writer.conn.execute("select coalesce(max(id), 1000) + 1 from objects").fetchone()[0]
        rows = [
            (
                start + i,
                store.OBJECT_TYPE_CODES["contacts"],
                updated_at,
                updated_at,
                0,
                None,
                None,
                orjson.dumps({"email": f"bulk{i}@example.com", "hs_object_id": str(start + i)}),
            )
            for i in range(count)
        ]
        writer.conn.executemany(
            INSERT_OBJECT,
            rows,
        )
    return [row[0] for row in rows]


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


def raw_request(
    url: str,
    method: str,
    target: str,
    body: bytes | dict | None = None,
    *,
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> RawResponse:
    """One request on a fresh connection, without the SDK: for status codes, headers and raw bodies."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    send_headers = {"Accept": "application/json"}
    if token is not None:
        send_headers["Authorization"] = f"Bearer {token}"
    if isinstance(body, dict):
        body = orjson.dumps(body)
    if body is not None:
        send_headers["Content-Type"] = "application/json"
    send_headers.update(headers or {})
    try:
        conn.request(method, target, body=body, headers=send_headers)
        response = conn.getresponse()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


# --- path families: the same resource under legacy and date-versioned paths ---

FAMILIES = ("legacy", "2026-03", "2026-09")


@dataclass(frozen=True)
class PathFamily:
    """Builds one family's path for each resource, so a scenario is written once and run per family."""

    name: str  # "legacy" or a date version

    @property
    def dated(self) -> bool:
        return self.name != "legacy"

    def _crm(self, api: str, legacy_version: str, rest: str) -> str:
        if self.dated:
            return f"/crm/{api}/{self.name}{rest}"
        return f"/crm/{legacy_version}/{api}{rest}"

    def objects(self, object_type: str, rest: str = "") -> str:
        return self._crm("objects", "v3", f"/{object_type}{rest}")

    def record_associations(self, object_type: str, object_id: object, to_type: str) -> str:
        return self._crm("objects", "v4", f"/{object_type}/{object_id}/associations/{to_type}")

    def associations_batch(self, from_type: str, to_type: str) -> str:
        return self._crm("associations", "v4", f"/{from_type}/{to_type}/batch/read")

    def properties(self, object_type: str, rest: str = "") -> str:
        return self._crm("properties", "v3", f"/{object_type}{rest}")

    def pipelines(self, object_type: str, rest: str = "") -> str:
        return self._crm("pipelines", "v3", f"/{object_type}{rest}")

    def owners(self, rest: str = "") -> str:
        return self._crm("owners", "v3", rest)

    def campaigns(self, rest: str = "") -> str:
        return f"/marketing/campaigns/{self.name}{rest}" if self.dated else f"/marketing/v3/campaigns{rest}"

    def account_details(self) -> str:
        return f"/account-info/{self.name if self.dated else 'v3'}/details"
