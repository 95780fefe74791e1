"""Landing-zone data for the warehouse tests, written exactly as the extractor writes it.

`LandingBuilder` collects HubSpot-shaped records (CRM objects, property history, associations, owners,
pipelines, campaigns) and `flush()` lands them as one extraction run through the extractor's own writer
(`onefunnel.landing.writer`), so the layout, column names and types are the real ones:
`<landing>/<dataset>/run_id=<run_id>/part-00000.parquet`, values as strings in `properties__<name>`.

`random_landing()` makes a small, deterministic, realistic portal's landing (owners in sales and marketing
teams, a funnel with skipped stages, disqualifications, merges, deletions, deals, engagements) over two
runs, for end-to-end builds, reconciliation tests and benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from onefunnel.hubspot.associations import dataset_name
from onefunnel.landing.layout import RUNS_DIR, atomic_write_bytes
from onefunnel.landing.writer import (
    Landing,
    association_table,
    crm_records_table,
    document_table,
    history_table,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

LIFECYCLE_VALUES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
# The properties the extractor requests (a subset of a real portal's): every landed part carries them all.
PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": (
        "hs_object_id",
        "createdate",
        "lastmodifieddate",
        "email",
        "firstname",
        "lastname",
        "jobtitle",
        "hs_seniority",
        "hs_persona",
        "associatedcompanyid",
        "lifecyclestage",
        "hs_lead_status",
        "hubspot_owner_id",
        "hubspot_owner_assigneddate",
        "hs_created_by_user_id",
        "hs_analytics_source",
        "hs_analytics_source_data_1",
        "hs_latest_source",
        "hs_latest_source_data_1",
        "hs_analytics_num_page_views",
        "hs_analytics_first_visit_timestamp",
        "hs_analytics_last_visit_timestamp",
        "hs_analytics_first_touch_converting_campaign",
        "hs_analytics_last_touch_converting_campaign",
        "num_conversion_events",
        "first_conversion_date",
        "recent_conversion_date",
        "hs_email_click",
        "hs_email_first_click_date",
        "hs_email_last_click_date",
        "hs_merged_object_ids",
        *(f"hs_lifecyclestage_{value}_date" for value in LIFECYCLE_VALUES),
    ),
    "companies": (
        "hs_object_id",
        "createdate",
        "hs_lastmodifieddate",
        "name",
        "domain",
        "industry",
        "numberofemployees",
        "hubspot_owner_id",
    ),
    "deals": (
        "hs_object_id",
        "createdate",
        "hs_lastmodifieddate",
        "dealname",
        "pipeline",
        "dealstage",
        "amount",
        "amount_in_home_currency",
        "deal_currency_code",
        "closedate",
        "closed_lost_reason",
        "hubspot_owner_id",
        "dealtype",
    ),
    "calls": (
        "hs_object_id",
        "hs_createdate",
        "hs_lastmodifieddate",
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_call_direction",
        "hs_call_status",
    ),
    "emails": (
        "hs_object_id",
        "hs_createdate",
        "hs_lastmodifieddate",
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_email_direction",
        "hs_email_status",
    ),
    "meetings": (
        "hs_object_id",
        "hs_createdate",
        "hs_lastmodifieddate",
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_meeting_outcome",
    ),
    "notes": ("hs_object_id", "hs_createdate", "hs_lastmodifieddate", "hs_timestamp", "hubspot_owner_id"),
    "tasks": (
        "hs_object_id",
        "hs_createdate",
        "hs_lastmodifieddate",
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_task_status",
        "hs_task_type",
    ),
}
ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")
DEFAULT_PIPELINE_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled", 0.2, False),
    ("qualifiedtobuy", "Qualified To Buy", 0.4, False),
    ("contractsent", "Contract Sent", 0.9, False),
    ("closedwon", "Closed Won", 1.0, True),
    ("closedlost", "Closed Lost", 0.0, True),
)


def query(path: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    """Rows of a query on a built warehouse, opened read-only."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def iso(moment: datetime | None) -> str | None:
    """HubSpot's timestamp text: ISO-8601 UTC with milliseconds and Z."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class LandingBuilder:
    """Collects one run's records; `flush()` writes them as run `run_id` and starts the next run."""

    landing_dir: Path
    records: dict[str, list[dict]] = field(default_factory=dict)
    history: dict[str, list[dict]] = field(default_factory=dict)
    associations: dict[tuple[str, str], list[tuple[str, str | None]]] = field(default_factory=dict)
    owners: list[dict] = field(default_factory=list)
    pipelines: list[dict] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)

    # ---------------------------------------------------------------- CRM records
    def add(
        self,
        object_type: str,
        object_id: int | str,
        created: datetime,
        updated: datetime | None = None,
        *,
        archived: bool = False,
        archived_at: datetime | None = None,
        **properties: object,
    ) -> dict:
        updated = updated or created
        created_prop = "createdate" if object_type in ("contacts", "companies", "deals") else "hs_createdate"
        modified_prop = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        props = {"hs_object_id": str(object_id), created_prop: iso(created), modified_prop: iso(updated)}
        props.update({name: _text(value) for name, value in properties.items()})
        record = {
            "id": str(object_id),
            "createdAt": iso(created),
            "updatedAt": iso(updated),
            "archived": archived,
            "archivedAt": iso(archived_at) if archived else None,
            "properties": props,
        }
        self.records.setdefault(object_type, []).append(record)
        return record

    def contact(self, contact_id: int, created: datetime, updated: datetime | None = None, **props) -> dict:
        return self.add("contacts", contact_id, created, updated, **props)

    def deal(self, deal_id: int, created: datetime, updated: datetime | None = None, **props) -> dict:
        props.setdefault("pipeline", "default")
        return self.add("deals", deal_id, created, updated, **props)

    def engagement(
        self,
        object_type: str,
        engagement_id: int,
        at: datetime,
        owner_id: int | None,
        *,
        contact_ids: Iterable[int] = (),
        **props,
    ) -> dict:
        record = self.add(
            object_type, engagement_id, at, at, hs_timestamp=at, hubspot_owner_id=owner_id, **props
        )
        for contact_id in contact_ids:
            self.associate(object_type, "contacts", engagement_id, contact_id)
        return record

    def add_history(
        self,
        object_type: str,
        object_id: int,
        prop: str,
        value: object,
        at: datetime,
        source_type: str = "CRM_UI",
        updated_by: int | None = None,
    ) -> None:
        """One historic value; records with history are grouped per id at flush (newest first, as HubSpot)."""
        entry = {
            "value": "" if value is None else _text(value),
            "timestamp": iso(at),
            "sourceType": source_type,
        }
        if updated_by is not None:
            entry["updatedByUserId"] = updated_by
        self.history.setdefault(object_type, []).append({"id": str(object_id), "prop": prop, "entry": entry})

    def associate(self, from_type: str, to_type: str, from_id: int, to_id: int | None) -> None:
        self.associations.setdefault((from_type, to_type), []).append(
            (str(from_id), None if to_id is None else str(to_id))
        )

    # ---------------------------------------------------------------- reference data
    def owner(
        self,
        owner_id: int,
        user_id: int,
        teams: Iterable[str],
        *,
        first: str = "Rep",
        last: str | None = None,
        archived: bool = False,
        created: datetime | None = None,
    ) -> None:
        created = created or utc(2023, 1, 1)
        teams = list(teams)
        self.owners.append(
            {
                "id": str(owner_id),
                "email": f"rep{owner_id}@acme-example.com",
                "firstName": first,
                "lastName": last or str(owner_id),
                "userId": None if archived else user_id,
                "userIdIncludingInactive": user_id,
                "type": "PERSON",
                "createdAt": iso(created),
                "updatedAt": iso(created),
                "archived": archived,
                "teams": [
                    {"id": str(110000 + i), "name": name, "primary": i == 0} for i, name in enumerate(teams)
                ],
            }
        )

    def pipeline(
        self,
        pipeline_id: str = "default",
        label: str = "Sales Pipeline",
        stages: Iterable[tuple[str, str, float, bool]] = DEFAULT_PIPELINE_STAGES,
    ) -> None:
        created = iso(utc(2023, 1, 1))
        self.pipelines.append(
            {
                "id": pipeline_id,
                "label": label,
                "displayOrder": len(self.pipelines),
                "archived": False,
                "createdAt": created,
                "updatedAt": created,
                "stages": [
                    {
                        "id": stage_id,
                        "label": stage_label,
                        "displayOrder": order,
                        "archived": False,
                        "createdAt": created,
                        "updatedAt": created,
                        "metadata": {
                            "isClosed": "true" if closed else "false",
                            "probability": str(float(probability)),
                        },
                    }
                    for order, (stage_id, stage_label, probability, closed) in enumerate(stages)
                ],
            }
        )

    def campaign(self, campaign_id: str, name: str, start: datetime, end: datetime) -> None:
        self.campaigns.append(
            {
                "id": campaign_id,
                "createdAt": iso(start - 10 * DAY),
                "updatedAt": iso(start),
                "properties": {
                    "hs_name": name,
                    "hs_start_date": start.date().isoformat(),
                    "hs_end_date": end.date().isoformat(),
                    "hs_utm": name.lower().replace(" ", "-"),
                },
            }
        )

    # ---------------------------------------------------------------- writing
    def flush(
        self, run_id: str | None = None, extracted_at: datetime | None = None, *, finished: bool = True
    ) -> str:
        """Land everything collected as one run (reference data as a complete snapshot), then clear it."""
        extracted_at = extracted_at or datetime.now(UTC)
        run_id = (
            run_id
            or extracted_at.strftime("%Y%m%dT%H%M%S")
            + f"{extracted_at.microsecond // 1000:03d}Z-fx{len(self.runs):04d}"
        )
        landing = Landing(self.landing_dir, run_id)
        for object_type, records in self.records.items():
            names = list(PROPERTIES.get(object_type, ()))
            for record in records:
                names.extend(name for name in record["properties"] if name not in names)
            table, _unexpected = crm_records_table(records, names, extracted_at, run_id)
            landing.write(object_type, table)
        for object_type, rows in self.history.items():
            grouped: dict[str, dict] = {}
            for row in rows:
                record = grouped.setdefault(row["id"], {"id": row["id"], "propertiesWithHistory": {}})
                record["propertiesWithHistory"].setdefault(row["prop"], []).append(row["entry"])
            for record in grouped.values():
                for versions in record["propertiesWithHistory"].values():
                    versions.sort(key=lambda entry: entry["timestamp"], reverse=True)
            landing.write(
                f"{object_type}_property_history", history_table(grouped.values(), extracted_at, run_id)
            )
        for (from_type, to_type), pairs in self.associations.items():
            by_from: dict[str, list[str | None]] = {}
            for from_id, to_id in pairs:
                by_from.setdefault(from_id, []).append(to_id)
            rows = []
            for from_id, to_ids in by_from.items():
                real = [to_id for to_id in to_ids if to_id is not None]
                if real:
                    rows.extend(
                        (from_id, to_id, [{"category": "HUBSPOT_DEFINED", "typeId": 1}]) for to_id in real
                    )
                else:
                    rows.append((from_id, None, None))
            landing.write(dataset_name(from_type, to_type), association_table(rows, extracted_at, run_id))
        if self.owners:
            landing.write("owners", document_table(self.owners, extracted_at, run_id))
            teams = [{"owner_id": owner["id"], **team} for owner in self.owners for team in owner["teams"]]
            if teams:
                landing.write("owner_teams", document_table(teams, extracted_at, run_id))
        if self.pipelines:
            landing.write(
                "pipelines", document_table(self.pipelines, extracted_at, run_id, object_type="deals")
            )
            stages = [{"pipeline_id": p["id"], **stage} for p in self.pipelines for stage in p["stages"]]
            landing.write(
                "pipeline_stages", document_table(stages, extracted_at, run_id, object_type="deals")
            )
        if self.campaigns:
            landing.write("campaigns", document_table(self.campaigns, extracted_at, run_id))
        if finished:
            # the extractor writes the run manifest last: without it the warehouse treats a run as landing
            atomic_write_bytes(
                self.landing_dir / RUNS_DIR / f"{run_id}.json",
                orjson.dumps({"run_id": run_id, "ok": True, "parts": landing.parts, "rows": landing.rows}),
            )
        self.runs.append(run_id)
        self.records, self.history, self.associations = {}, {}, {}
        return run_id


# ---------------------------------------------------------------------------------------------------------
# A small random portal

SALES_TEAMS = ("SDR", "Account Executives")
SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "DIRECT_TRAFFIC",
    "REFERRALS",
    "SOCIAL_MEDIA",
    "PAID_SOCIAL",
    "EMAIL_MARKETING",
    "OTHER_CAMPAIGNS",
    "OFFLINE",
)
SENIORITIES = ("executive", "vp", "director", "manager", "individual_contributor", "student")
INDUSTRIES = ("COMPUTER_SOFTWARE", "FINANCIAL_SERVICES", "RETAIL", "HIGHER_EDUCATION", "INSURANCE")
FUNNEL = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")


@dataclass
class RandomPortal:
    """What `random_landing` wrote, so tests can find interesting ids (and land more runs: `land_changes`)."""

    landing_dir: Path
    runs: list[str]
    start: datetime
    as_of: datetime
    contact_ids: list[int]
    merged_away: dict[int, int]  # merged-away id -> survivor id
    archived_contacts: set[int]
    archived_deals: set[int]
    builder: LandingBuilder | None = None
    contacts: dict[int, tuple[datetime, dict]] = field(default_factory=dict)  # id -> (created, properties)
    deals: dict[int, tuple[datetime, dict, int]] = field(
        default_factory=dict
    )  # id -> (created, props, contact)
    engagements: dict[int, tuple[str, datetime, int, int]] = field(
        default_factory=dict
    )  # kind, at, owner, contact
    companies: list[int] = field(default_factory=list)
    sales_owners: list[int] = field(default_factory=list)
    marketing_owners: list[int] = field(default_factory=list)
    next_id: int = 40_000_001


def _reference_data(
    builder: LandingBuilder, rng: random.Random, start: datetime
) -> tuple[list[int], list[int], list[str]]:
    sales, marketing = [], []
    next_owner, next_user = 51_000_100, 7_100_100
    for team, count in (("Marketing", 2), ("SDR", 3), ("Account Executives", 2), ("Customer Success", 1)):
        for _ in range(count):
            builder.owner(next_owner, next_user, [team], created=start - 200 * DAY)
            (sales if team in SALES_TEAMS else marketing if team == "Marketing" else []).append(next_owner)
            next_owner += rng.randint(1, 999)
            next_user += rng.randint(1, 99)
    builder.pipeline()
    builder.pipeline(
        "75849301",
        "Expansion Pipeline",
        (
            ("75849302", "Discovery", 0.2, False),
            ("75849305", "Closed Won", 1.0, True),
            ("75849306", "Closed Lost", 0.0, True),
        ),
    )
    campaigns = []
    for number in range(6):
        campaign_id = f"00000000-0000-4000-8000-{number:012d}"
        builder.campaign(
            campaign_id, f"Campaign {number}", start + number * 60 * DAY, start + (number * 60 + 45) * DAY
        )
        campaigns.append(campaign_id)
    return sales, marketing, campaigns


def random_landing(
    landing_dir: Path,
    contacts: int = 300,
    seed: int = 7,
    start: datetime | None = None,
    months: int = 12,
) -> RandomPortal:
    """A deterministic small portal landed in two runs: a full run, then an incremental one with changes."""
    rng = random.Random(seed)
    start = start or utc(2025, 1, 1)
    as_of = start + months * 30 * DAY
    builder = LandingBuilder(Path(landing_dir))
    sales, marketing, campaigns = _reference_data(builder, rng, start)
    all_users = {owner["id"]: owner["userIdIncludingInactive"] for owner in builder.owners}
    sales_users = [all_users[str(o)] for o in sales]
    marketing_users = [all_users[str(o)] for o in marketing]

    companies = []
    for company_id in range(9_000_001, 9_000_001 + max(contacts // 4, 5)):
        builder.add(
            "companies",
            company_id,
            start - 30 * DAY,
            industry=rng.choice(INDUSTRIES),
            numberofemployees=rng.choice((5, 40, 120, 600, 4000)),
            name=f"Company {company_id}",
        )
        companies.append(company_id)

    contact_rows: dict[int, dict] = {}
    created_at: dict[int, datetime] = {}
    engagements: dict[int, tuple[str, datetime, int, int]] = {}
    deals: dict[int, tuple[datetime, dict, int]] = {}
    next_engagement = 30_000_001
    next_deal = 20_000_001
    deals_of: list[tuple[int, list[int]]] = []
    archived_deals: set[int] = set()
    for n in range(contacts):
        contact_id = 1_000_001 + n
        created = start + timedelta(seconds=rng.randint(0, int((as_of - start - 20 * DAY).total_seconds())))
        source = rng.choice(SOURCES)
        props: dict[str, object] = {
            "email": f"person{n}@example.com",
            "hs_seniority": rng.choice(SENIORITIES),
            "hs_persona": rng.choice(("persona_1", "persona_2", "persona_3", "persona_4")),
            "associatedcompanyid": rng.choice(companies) if rng.random() < 0.9 else None,
            "hs_analytics_source": source,
            "hs_latest_source": rng.choice(SOURCES),
            "hs_created_by_user_id": (
                rng.choice(sales_users + marketing_users) if source == "OFFLINE" else None
            ),
            "hs_analytics_num_page_views": rng.randint(0, 40),
            "hs_analytics_first_visit_timestamp": created - DAY,
            "hs_analytics_last_visit_timestamp": created + rng.randint(0, 30) * DAY,
        }
        if rng.random() < 0.5:
            props.update(
                num_conversion_events=rng.randint(1, 4),
                first_conversion_date=created,
                recent_conversion_date=created + rng.randint(0, 20) * DAY,
                hs_analytics_first_touch_converting_campaign=rng.choice(campaigns),
            )
        if rng.random() < 0.3:
            props.update(
                hs_email_click=rng.randint(1, 3),
                hs_email_first_click_date=created + rng.randint(1, 9) * DAY,
                hs_email_last_click_date=created + rng.randint(10, 40) * DAY,
            )
        # the funnel: how far this contact gets, with an occasional skipped stage
        depth = 0
        while depth < len(FUNNEL) - 1 and rng.random() < (0.55, 0.45, 0.5, 0.4)[depth]:
            depth += 1
        moment = created
        stage = "lead"
        for level in range(depth + 1):
            value = FUNNEL[level]
            if level > 0:
                moment += timedelta(hours=rng.randint(2, 24 * 20))
            if moment > as_of:
                break
            if level == 1 and rng.random() < 0.15:
                continue  # skipped MQL
            props[f"hs_lifecyclestage_{value}_date"] = moment
            stage = value
        props["lifecyclestage"] = stage
        mql_at = props.get("hs_lifecyclestage_marketingqualifiedlead_date") or props.get(
            "hs_lifecyclestage_salesqualifiedlead_date"
        )
        if depth >= 1 and isinstance(mql_at, datetime):
            if rng.random() < 0.9:
                owner = rng.choice(sales)
                assigned = mql_at + (
                    timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.2 else timedelta(0)
                )
                props["hubspot_owner_id"] = owner
                props["hubspot_owner_assigneddate"] = assigned
                builder.add_history("contacts", contact_id, "hubspot_owner_id", owner, assigned)
                if rng.random() < 0.85:
                    touch = assigned + timedelta(minutes=rng.randint(5, 60 * 60))
                    kind = rng.choice(("calls", "emails", "meetings"))
                    extra = (
                        {"hs_email_direction": "EMAIL"}
                        if kind == "emails"
                        else ({"hs_call_direction": "OUTBOUND"} if kind == "calls" else {})
                    )
                    if touch < as_of:
                        builder.engagement(
                            kind, next_engagement, touch, owner, contact_ids=[contact_id], **extra
                        )
                        engagements[next_engagement] = (kind, touch, owner, contact_id)
                        next_engagement += 1
            if stage == "marketingqualifiedlead" and rng.random() < 0.3:
                props["hs_lead_status"] = "UNQUALIFIED"
                builder.add_history("contacts", contact_id, "hs_lead_status", "UNQUALIFIED", mql_at + 3 * DAY)
        builder.add_history("contacts", contact_id, "lifecyclestage", stage, moment)
        # marketing touches that are not sales touches: inbound emails, marketing-owned calls
        if rng.random() < 0.2:
            builder.engagement(
                "emails",
                next_engagement,
                created + 2 * HOUR,
                rng.choice(sales),
                contact_ids=[contact_id],
                hs_email_direction="INCOMING_EMAIL",
            )
            next_engagement += 1
        if rng.random() < 0.1:
            builder.engagement(
                "notes", next_engagement, created + 3 * HOUR, rng.choice(marketing), contact_ids=[contact_id]
            )
            next_engagement += 1
        builder.contact(contact_id, created, max(created, moment), **props)
        contact_rows[contact_id] = props
        created_at[contact_id] = created
        if depth >= 3:
            deal_id = next_deal
            next_deal += 1
            deal_created = props.get("hs_lifecyclestage_opportunity_date") or moment
            outcome = rng.random()
            close = deal_created + rng.randint(5, 90) * DAY
            dealstage = (
                "qualifiedtobuy" if close > as_of else ("closedwon" if outcome < 0.5 else "closedlost")
            )
            amount = rng.choice((5000, 12000, 25000, 60000))
            deal_props = {
                "dealstage": dealstage,
                "amount": amount,
                "amount_in_home_currency": amount,
                "deal_currency_code": "USD",
                "closedate": close,
                "closed_lost_reason": "Budget" if dealstage == "closedlost" else None,
                "hubspot_owner_id": rng.choice(sales),
                "dealtype": "newbusiness",
            }
            builder.deal(deal_id, deal_created, min(close, as_of), **deal_props)
            builder.associate("deals", "contacts", deal_id, contact_id)
            deals[deal_id] = (deal_created, deal_props, contact_id)
            deals_of.append((deal_id, [contact_id]))
            if rng.random() < 0.05:
                builder.deal(
                    deal_id + 500_000,
                    deal_created,
                    deal_created + DAY,
                    archived=True,
                    archived_at=deal_created + DAY,
                    dealstage="closedwon",
                    amount=amount,
                    amount_in_home_currency=amount,
                    closedate=close,
                )
                archived_deals.add(deal_id + 500_000)
    run_1 = builder.flush(extracted_at=as_of - 10 * DAY)

    # second run: merges, deletions, late updates
    ids = list(contact_rows)
    merged_away: dict[int, int] = {}
    archived_contacts: set[int] = set()
    for _ in range(max(contacts // 50, 2)):
        survivor, loser = rng.sample(ids, 2)
        if survivor in merged_away or loser in merged_away or loser in merged_away.values():
            continue
        merged_away[loser] = survivor
        props = dict(contact_rows[survivor])
        props["hs_merged_object_ids"] = ";".join(str(i) for i, s in merged_away.items() if s == survivor)
        builder.contact(survivor, created_at[survivor], as_of - 5 * DAY, **props)
    for contact_id in rng.sample(
        [i for i in ids if i not in merged_away and i not in merged_away.values()], max(contacts // 60, 2)
    ):
        archived_contacts.add(contact_id)
        builder.add(
            "contacts",
            contact_id,
            created_at[contact_id],
            as_of - 4 * DAY,
            archived=True,
            archived_at=as_of - 4 * DAY,
            **contact_rows[contact_id],
        )
    run_2 = builder.flush(extracted_at=as_of - 2 * DAY)
    for survivor in set(merged_away.values()):
        contact_rows[survivor] = {
            **contact_rows[survivor],
            "hs_merged_object_ids": ";".join(str(i) for i, s in merged_away.items() if s == survivor),
        }
    return RandomPortal(
        Path(landing_dir),
        [run_1, run_2],
        start,
        as_of,
        ids,
        merged_away,
        archived_contacts,
        archived_deals,
        builder=builder,
        contacts={contact_id: (created_at[contact_id], contact_rows[contact_id]) for contact_id in ids},
        deals=deals,
        engagements=engagements,
        companies=companies,
        sales_owners=sales,
        marketing_owners=marketing,
    )


def land_changes(portal: RandomPortal, day: int, seed: int = 1, *, reference_change: bool = False) -> str:
    """One more extraction run, `day` days after the portal's as-of date, with the changes an incremental
    build must follow: stage moves, owner reassignments, disqualifications, new contacts with touches and
    deals, a touch moved to another contact, a deleted touch, a new merge (of a contact with touches or a
    deal) and a merge chain, a deleted contact, a deal moved out of closed-won, a deleted deal, a deal moved
    to another contact, a company change. `reference_change` also moves a sales rep to a non-sales team and
    renames a campaign (reference snapshots that every contact and deal depends on)."""
    builder = portal.builder
    assert builder is not None, "land_changes needs a portal from random_landing"
    rng = random.Random(seed)
    now = portal.as_of + day * DAY
    gone = set(portal.merged_away) | portal.archived_contacts
    live = [i for i in portal.contact_ids if i not in gone]
    survivors = set(portal.merged_away.values())
    plain = [i for i in live if i not in survivors]

    def reland(contact_id: int, updated: datetime, **changes: object) -> None:
        created, props = portal.contacts[contact_id]
        props = {**props, **changes}
        portal.contacts[contact_id] = (created, props)
        builder.contact(contact_id, created, updated, **props)

    def stage_of(contact_id: int) -> str:
        return portal.contacts[contact_id][1].get("lifecyclestage", "lead")

    # stage moves: the next lifecycle stage, dated today
    for contact_id in rng.sample([i for i in plain if stage_of(i) in FUNNEL[:3]], 4):
        value = FUNNEL[FUNNEL.index(stage_of(contact_id)) + 1]
        moved = now - rng.randint(1, 20) * HOUR
        reland(contact_id, moved, lifecyclestage=value, **{f"hs_lifecyclestage_{value}_date": moved})
        builder.add_history("contacts", contact_id, "lifecyclestage", value, moved)
        plain.remove(contact_id)
    # owner reassignments of owned MQLs
    owned = [i for i in plain if portal.contacts[i][1].get("hubspot_owner_id") and stage_of(i) != "lead"]
    for contact_id in rng.sample(owned, 3):
        current = portal.contacts[contact_id][1]["hubspot_owner_id"]
        owner = rng.choice([o for o in portal.sales_owners if o != current])
        assigned = now - rng.randint(1, 20) * HOUR
        reland(contact_id, assigned, hubspot_owner_id=owner, hubspot_owner_assigneddate=assigned)
        builder.add_history("contacts", contact_id, "hubspot_owner_id", owner, assigned)
        plain.remove(contact_id)
    # disqualifications
    for contact_id in rng.sample([i for i in plain if stage_of(i) == "marketingqualifiedlead"], 2):
        at = now - rng.randint(1, 20) * HOUR
        reland(contact_id, at, hs_lead_status="UNQUALIFIED")
        builder.add_history("contacts", contact_id, "hs_lead_status", "UNQUALIFIED", at)
        plain.remove(contact_id)
    # new contacts, MQLs today, touched (or not) by their owner, one with a deal
    first_new = max(portal.contacts) + 1
    for n in range(4):
        contact_id = first_new + n
        created = now - (30 + n) * HOUR
        mql = created + 2 * HOUR
        owner = rng.choice(portal.sales_owners)
        props = {
            "email": f"new{contact_id}@example.com",
            "hs_analytics_source": rng.choice(SOURCES),
            "hs_seniority": rng.choice(SENIORITIES),
            "associatedcompanyid": rng.choice(portal.companies),
            "lifecyclestage": "marketingqualifiedlead",
            "hs_lifecyclestage_lead_date": created,
            "hs_lifecyclestage_marketingqualifiedlead_date": mql,
            "hubspot_owner_id": owner,
            "hubspot_owner_assigneddate": mql,
            "hs_analytics_last_visit_timestamp": mql,
        }
        portal.contacts[contact_id] = (created, props)
        portal.contact_ids.append(contact_id)
        builder.contact(contact_id, created, mql, **props)
        builder.add_history("contacts", contact_id, "hubspot_owner_id", owner, mql)
        if n % 2 == 0:
            portal.next_id += 1
            builder.engagement(
                "calls",
                portal.next_id,
                mql + HOUR,
                owner,
                contact_ids=[contact_id],
                hs_call_direction="OUTBOUND",
            )
            portal.engagements[portal.next_id] = ("calls", mql + HOUR, owner, contact_id)
        if n == 1:
            portal.next_id += 1
            deal_props = {
                "dealstage": "appointmentscheduled",
                "amount": 8000,
                "amount_in_home_currency": 8000,
                "closedate": now + 30 * DAY,
                "hubspot_owner_id": owner,
            }
            builder.deal(portal.next_id, mql, mql, **deal_props)
            builder.associate("deals", "contacts", portal.next_id, contact_id)
            portal.deals[portal.next_id] = (mql, deal_props, contact_id)
    # a touch for an MQL that had none yet
    untouched = [
        i
        for i in plain
        if portal.contacts[i][1].get("hubspot_owner_id")
        and not any(e[3] == i for e in portal.engagements.values())
    ]
    if untouched:
        contact_id = rng.choice(untouched)
        owner = portal.contacts[contact_id][1]["hubspot_owner_id"]
        portal.next_id += 1
        builder.engagement("meetings", portal.next_id, now - 3 * HOUR, owner, contact_ids=[contact_id])
        portal.engagements[portal.next_id] = ("meetings", now - 3 * HOUR, owner, contact_id)
    # a touch moved to another contact, and a touch deleted
    touches = [e for e, (_, _, _, c) in portal.engagements.items() if c in plain]
    moved, deleted = rng.sample(touches, 2)
    kind, at, owner, _ = portal.engagements[moved]
    target = rng.choice([i for i in plain if i != portal.engagements[moved][3]])
    direction = {"calls": {"hs_call_direction": "OUTBOUND"}, "emails": {"hs_email_direction": "EMAIL"}}
    builder.engagement(kind, moved, at, owner, contact_ids=[target], **direction.get(kind, {}))
    portal.engagements[moved] = (kind, at, owner, target)
    kind, at, owner, _ = portal.engagements[deleted]
    builder.add(
        kind,
        deleted,
        at,
        now - HOUR,
        archived=True,
        archived_at=now - HOUR,
        hs_timestamp=at,
        hubspot_owner_id=owner,
    )
    del portal.engagements[deleted]
    # a new merge (of a contact with touches or a deal) and a merge chain (a survivor merged into another)
    with_activity = [
        i
        for i in plain
        if any(e[3] == i for e in portal.engagements.values())
        or any(d[2] == i for d in portal.deals.values())
    ]
    loser = rng.choice(with_activity)
    survivor = rng.choice([i for i in plain if i != loser])
    listed = portal.contacts[survivor][1].get("hs_merged_object_ids")
    reland(survivor, now - 2 * HOUR, hs_merged_object_ids=";".join(filter(None, [listed, str(loser)])))
    portal.merged_away[loser] = survivor
    if survivors:
        chained = rng.choice(sorted(survivors))
        head = rng.choice([i for i in plain if i not in (loser, survivor)])
        reland(head, now - HOUR, hs_merged_object_ids=str(chained))
        portal.merged_away[chained] = head
    # a deleted contact
    deleted_contact = rng.choice([i for i in plain if i not in (loser, survivor)])
    created, props = portal.contacts[deleted_contact]
    builder.add(
        "contacts", deleted_contact, created, now - HOUR, archived=True, archived_at=now - HOUR, **props
    )
    portal.archived_contacts.add(deleted_contact)
    # deals: moved out of closed-won, deleted, moved to another contact
    live_deals = {d: v for d, v in portal.deals.items() if d not in portal.archived_deals}
    won = [d for d, (_, props, _) in live_deals.items() if props.get("dealstage") == "closedwon"]
    if won:
        deal_id = rng.choice(won)
        created, props, contact_id = live_deals.pop(deal_id)
        props = {**props, "dealstage": "contractsent"}
        builder.deal(deal_id, created, now - HOUR, **props)
        portal.deals[deal_id] = (created, props, contact_id)
    deal_id = rng.choice(sorted(live_deals))
    created, props, contact_id = live_deals.pop(deal_id)
    builder.deal(deal_id, created, now - HOUR, archived=True, archived_at=now - HOUR, **props)
    portal.archived_deals.add(deal_id)
    deal_id = rng.choice(sorted(live_deals))
    created, props, contact_id = live_deals.pop(deal_id)
    target = rng.choice(plain)
    builder.deal(deal_id, created, now - HOUR, **props)
    builder.associate("deals", "contacts", deal_id, target)
    portal.deals[deal_id] = (created, props, target)
    # a company grows into another size band and industry
    builder.add(
        "companies",
        rng.choice(portal.companies),
        portal.start - 30 * DAY,
        now - HOUR,
        industry="COMPUTER_SOFTWARE",
        numberofemployees=5000,
    )
    if reference_change:
        rep = next(o for o in builder.owners if o["teams"] and o["teams"][0]["name"] in SALES_TEAMS)
        rep["teams"] = [{"id": "110009", "name": "Customer Success", "primary": True}]
        builder.campaigns[0]["properties"]["hs_name"] = "Campaign 0 (renamed)"
    run_id = builder.flush(extracted_at=now)
    portal.runs.append(run_id)
    return run_id


# ---------------------------------------------------------------------------------------------------------
# Stage dates from every source (issue 13 item 11, issue 14: custom lifecycle stages)

CUSTOM_STAGE_VALUE = "1234567"  # a custom lifecycle stage's internal value, as HubSpot numbers them


@dataclass
class StageDateContacts:
    """Contacts whose stage dates each come from one source, and the dates they should get."""

    history_only: int  # imported into MQL: no date properties, lifecyclestage history lead -> MQL
    history_lead_at: datetime
    history_mql_at: datetime
    create_date_only: int  # imported into SQL: no date properties, no history
    create_date_at: datetime
    date_entered_only: int  # MQL dated only by hs_v2_date_entered_marketingqualifiedlead
    date_entered_at: datetime
    custom_stage: int  # in the custom stage CUSTOM_STAGE_VALUE, dated only by hs_v2_date_entered_<value>
    custom_stage_at: datetime


def land_stage_date_sources(portal: RandomPortal, first_id: int = 1_800_001) -> StageDateContacts:
    """One more run with a contact per stage-date source: lifecycle history only, create date only, HubSpot's
    "date entered" property only, and a custom numeric lifecycle stage with its "date entered" property (the
    definitions must map CUSTOM_STAGE_VALUE to a funnel stage for that one to count)."""
    builder = portal.builder
    assert builder is not None, "land_stage_date_sources needs a portal from random_landing"
    base = portal.as_of - 60 * DAY
    ids = [first_id + n for n in range(4)]
    contacts = StageDateContacts(
        history_only=ids[0],
        history_lead_at=base + 2 * DAY,
        history_mql_at=base + 9 * DAY,
        create_date_only=ids[1],
        create_date_at=base + 3 * DAY,
        date_entered_only=ids[2],
        date_entered_at=base + 5 * DAY,
        custom_stage=ids[3],
        custom_stage_at=base + 7 * DAY,
    )
    common = {"hs_analytics_source": "OFFLINE", "hs_seniority": "manager"}
    builder.contact(
        contacts.history_only, base, base + 10 * DAY, lifecyclestage="marketingqualifiedlead", **common
    )
    builder.add_history("contacts", contacts.history_only, "lifecyclestage", "lead", contacts.history_lead_at)
    builder.add_history(
        "contacts", contacts.history_only, "lifecyclestage", "marketingqualifiedlead", contacts.history_mql_at
    )
    builder.contact(
        contacts.create_date_only,
        contacts.create_date_at,
        base + 10 * DAY,
        lifecyclestage="salesqualifiedlead",
        **common,
    )
    builder.contact(
        contacts.date_entered_only,
        base,
        base + 10 * DAY,
        lifecyclestage="marketingqualifiedlead",
        hs_v2_date_entered_marketingqualifiedlead=contacts.date_entered_at,
        **common,
    )
    builder.contact(
        contacts.custom_stage,
        base,
        base + 10 * DAY,
        lifecyclestage=CUSTOM_STAGE_VALUE,
        **{f"hs_v2_date_entered_{CUSTOM_STAGE_VALUE}": contacts.custom_stage_at},
        **common,
    )
    portal.contact_ids.extend(ids)
    portal.runs.append(builder.flush(extracted_at=portal.as_of))
    return contacts
