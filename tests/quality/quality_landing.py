"""A small landing zone written with the extractor's own writer, for the quality tests that need no portal.

`write_landing(landing_dir)` lands one complete ("full") extraction run of a tiny, valid portal: owners,
one deal pipeline, property definitions with options, contacts with lifecycle stage dates, companies,
deals (open, won, lost), one engagement of each type, and associations. Every landing-level check passes on
it; tests then change one thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from onefunnel.landing import layout
from onefunnel.landing.writer import Landing, association_table, crm_records_table, document_table

LIFECYCLE = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
LEAD_STATUS = ("NEW", "OPEN", "IN_PROGRESS", "UNQUALIFIED")
SOURCES = ("ORGANIC_SEARCH", "PAID_SEARCH", "OFFLINE", "EMAIL_MARKETING")
STAGES = (
    ("appointmentscheduled", 0.2, False),
    ("qualifiedtobuy", 0.4, False),
    ("closedwon", 1.0, True),
    ("closedlost", 0.0, True),
)
ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class FixtureRun:
    landing_dir: Path
    run_id: str
    started_at: datetime
    ids: dict[str, list[str]] = field(default_factory=dict)
    owners: list[str] = field(default_factory=list)


def _property(name: str, options: tuple[str, ...] = (), prop_type: str = "string") -> dict:
    return {
        "name": name,
        "label": name,
        "type": "enumeration" if options else prop_type,
        "fieldType": "select" if options else "text",
        "groupName": "info",
        "hidden": False,
        "options": [
            {"label": value.title(), "value": value, "displayOrder": i, "hidden": False}
            for i, value in enumerate(options)
        ],
        "calculated": False,
        "hubspotDefined": True,
        "archived": False,
    }


def write_landing(
    landing_dir: Path,
    *,
    contacts: int = 20,
    started_at: datetime | None = None,
    run_id: str | None = None,
) -> FixtureRun:
    """Land one complete extraction run; returns the run id and the ids per object."""
    landing_dir = Path(landing_dir)
    started_at = started_at or datetime.now(UTC) - timedelta(minutes=5)
    run_id = run_id or layout.new_run_id(started_at)
    run = FixtureRun(landing_dir, run_id, started_at)
    landing = Landing(landing_dir, run_id)
    extracted = started_at + timedelta(minutes=1)
    base = started_at - timedelta(days=120)

    owners = [
        {
            "id": "101",
            "email": "sdr@example.com",
            "firstName": "Sam",
            "lastName": "Dee",
            "archived": False,
            "teams": [{"id": "1", "name": "SDR", "primary": True}],
        },
        {
            "id": "102",
            "email": "ae@example.com",
            "firstName": "Ana",
            "lastName": "Eve",
            "archived": False,
            "teams": [{"id": "2", "name": "Account Executives", "primary": True}],
        },
        {
            "id": "103",
            "email": "gone@example.com",
            "firstName": "Old",
            "lastName": "Rep",
            "archived": True,
            "teams": [],
        },
    ]
    run.owners = [owner["id"] for owner in owners]
    landing.write("owners", document_table(owners, extracted, run_id))
    pipeline = {
        "id": "default",
        "label": "Sales",
        "displayOrder": 0,
        "archived": False,
        "stages": [
            {
                "id": stage,
                "label": stage,
                "displayOrder": i,
                "archived": False,
                "metadata": {"isClosed": str(closed).lower(), "probability": str(probability)},
            }
            for i, (stage, probability, closed) in enumerate(STAGES)
        ],
    }
    landing.write("pipelines", document_table([pipeline], extracted, run_id, object_type="deals"))
    stages = [{"pipeline_id": "default", **stage} for stage in pipeline["stages"]]
    landing.write("pipeline_stages", document_table(stages, extracted, run_id, object_type="deals"))
    definitions = {
        "contacts": [
            _property("lifecyclestage", LIFECYCLE),
            _property("hs_lead_status", LEAD_STATUS),
            _property("hs_analytics_source", SOURCES),
            _property("email"),
        ],
        "deals": [
            _property("amount", prop_type="number"),
            _property("dealstage", tuple(s[0] for s in STAGES)),
        ],
    }
    landing.write(
        "property_definitions",
        document_table(
            [{**d, "object_type": obj} for obj, defs in definitions.items() for d in defs], extracted, run_id
        ),
    )

    next_id = 1000

    def new_id() -> str:
        nonlocal next_id
        next_id += 1
        return str(next_id)

    # contacts: stage dates never before creation, progressing along the funnel
    contact_records = []
    stage_props = [f"hs_lifecyclestage_{value}_date" for value in LIFECYCLE[:6]]
    for index in range(contacts):
        created = base + timedelta(days=index * 3, hours=index)
        stage = LIFECYCLE[1 + index % 5]
        reached = LIFECYCLE.index(stage)
        props = {
            "hs_object_id": None,
            "createdate": iso(created),
            "lastmodifieddate": iso(created + timedelta(days=2)),
            "email": f"person{index}@example.com",
            "lifecyclestage": stage,
            "hs_lead_status": LEAD_STATUS[index % 3],
            "hs_analytics_source": SOURCES[index % len(SOURCES)],
            "hubspot_owner_id": run.owners[index % 2],
        }
        for position, name in enumerate(stage_props):
            value = LIFECYCLE[position]
            props[name] = (
                iso(created + timedelta(days=max(0, position - 1))) if 1 <= position <= reached else None
            )
            if value == "subscriber":
                props[name] = None
        contact_id = new_id()
        props["hs_object_id"] = contact_id
        contact_records.append(
            {
                "id": contact_id,
                "createdAt": iso(created),
                "updatedAt": props["lastmodifieddate"],
                "archived": False,
                "properties": props,
            }
        )
    contact_names = list(contact_records[0]["properties"])
    landing.write("contacts", crm_records_table(contact_records, contact_names, extracted, run_id)[0])
    run.ids["contacts"] = [record["id"] for record in contact_records]

    company_records = []
    for index in range(3):
        created = base + timedelta(days=index)
        company_id = new_id()
        company_records.append(
            {
                "id": company_id,
                "createdAt": iso(created),
                "updatedAt": iso(created),
                "archived": False,
                "properties": {
                    "hs_object_id": company_id,
                    "name": f"Company {index}",
                    "createdate": iso(created),
                    "hs_lastmodifieddate": iso(created),
                    "hubspot_owner_id": "102",
                },
            }
        )
    landing.write(
        "companies",
        crm_records_table(company_records, list(company_records[0]["properties"]), extracted, run_id)[0],
    )
    run.ids["companies"] = [record["id"] for record in company_records]

    deal_records = []
    for index in range(6):
        created = base + timedelta(days=10 + index * 7)
        stage, _, closed = STAGES[index % len(STAGES)]
        deal_id = new_id()
        props = {
            "hs_object_id": deal_id,
            "dealname": f"Deal {index}",
            "amount": str(1000 * (index + 1)),
            "pipeline": "default",
            "dealstage": stage,
            "createdate": iso(created),
            "hs_lastmodifieddate": iso(created + timedelta(days=1)),
            "closedate": iso(created + timedelta(days=30)) if closed or index % 2 else None,
            "hubspot_owner_id": "102",
        }
        deal_records.append(
            {
                "id": deal_id,
                "createdAt": iso(created),
                "updatedAt": props["hs_lastmodifieddate"],
                "archived": False,
                "properties": props,
            }
        )
    landing.write(
        "deals", crm_records_table(deal_records, list(deal_records[0]["properties"]), extracted, run_id)[0]
    )
    run.ids["deals"] = [record["id"] for record in deal_records]

    for engagement in ENGAGEMENTS:
        records = []
        for index in range(2):
            created = base + timedelta(days=20 + index)
            engagement_id = new_id()
            records.append(
                {
                    "id": engagement_id,
                    "createdAt": iso(created),
                    "updatedAt": iso(created),
                    "archived": False,
                    "properties": {
                        "hs_object_id": engagement_id,
                        "hs_timestamp": iso(created),
                        "hs_createdate": iso(created),
                        "hs_lastmodifieddate": iso(created),
                        "hubspot_owner_id": "101",
                    },
                }
            )
        landing.write(
            engagement, crm_records_table(records, list(records[0]["properties"]), extracted, run_id)[0]
        )
        run.ids[engagement] = [record["id"] for record in records]
        landing.write(
            f"associations_{engagement}_contacts",
            association_table(
                [
                    (record["id"], run.ids["contacts"][i], [{"category": "HUBSPOT_DEFINED", "typeId": 194}])
                    for i, record in enumerate(records)
                ],
                extracted,
                run_id,
            ),
        )

    landing.write(
        "associations_deals_contacts",
        association_table(
            [
                (deal, run.ids["contacts"][i], [{"category": "HUBSPOT_DEFINED", "typeId": 3}])
                for i, deal in enumerate(run.ids["deals"])
            ]
            + [(run.ids["deals"][-1], None, None)],
            extracted,
            run_id,
        ),
    )
    landing.write(
        "associations_contacts_companies",
        association_table(
            [
                (contact, run.ids["companies"][i % 3], [{"category": "HUBSPOT_DEFINED", "typeId": 279}])
                for i, contact in enumerate(run.ids["contacts"])
            ],
            extracted,
            run_id,
        ),
    )

    objects = {
        name: {"mode": "full", "records": len(ids), "archived": 0, "status": "done"}
        for name, ids in run.ids.items()
    }
    objects.update(
        {
            name: {"mode": "snapshot", "records": count, "archived": 0, "status": "done"}
            for name, count in (("owners", 3), ("pipelines", 1), ("properties", 6))
        }
    )
    write_manifest(landing_dir, run_id, started_at, objects, landing)
    return run


def write_manifest(
    landing_dir: Path,
    run_id: str,
    started_at: datetime,
    objects: dict,
    landing: Landing | None,
    *,
    ok: bool = True,
    error: str | None = None,
) -> Path:
    report = {
        "run_id": run_id,
        "ok": ok,
        "started_at": started_at.isoformat(),
        "duration_s": 1.0,
        "error": error,
        "objects": objects,
        "totals": {},
        "drift": {},
        "budget": {},
        "landing_dir": str(landing_dir),
        "state_dir": "",
        "parts": landing.parts if landing else {},
        "rows": landing.rows if landing else {},
    }
    path = Path(landing_dir) / layout.RUNS_DIR / f"{run_id}.json"
    layout.atomic_write_bytes(path, orjson.dumps(report, option=orjson.OPT_INDENT_2))
    return path
