"""A large landing zone for the warehouse benchmark, generated column-wise (numpy + pyarrow) in the exact
layout the extractor writes (`<landing>/<dataset>/run_id=<run_id>/part-NNNNN.parquet`, HubSpot's string
values in `properties__<name>` columns), at the scale of the `large` portal: ~1M contacts, ~200k deals,
~5M engagements. `advance_one_day` lands a second, incremental run: the records one day of portal activity
creates or changes.

Used when no extracted `large` portal is at hand (generating and extracting one takes far longer than the
build being measured).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onefunnel.landing.writer import EXTRACTED_AT_TYPE, Landing, document_table

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
SOURCES = np.array(
    [
        "ORGANIC_SEARCH",
        "PAID_SEARCH",
        "DIRECT_TRAFFIC",
        "REFERRALS",
        "SOCIAL_MEDIA",
        "PAID_SOCIAL",
        "EMAIL_MARKETING",
        "OTHER_CAMPAIGNS",
        "OFFLINE",
    ]
)
SENIORITIES = np.array(["executive", "vp", "director", "manager", "individual_contributor", "student"])
STAGES = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")
DEAL_STAGES = np.array(["appointmentscheduled", "qualifiedtobuy", "contractsent", "closedwon", "closedlost"])


def _iso(ms: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    stamps = pa.array(ms.astype("int64"), type=pa.timestamp("ms", tz="UTC"))
    text = pc.strftime(stamps, format="%Y-%m-%dT%H:%M:%SZ", locale="C")
    if valid is not None:
        text = pc.if_else(pa.array(valid), text, pa.scalar(None, pa.string()))
    return text


def _text(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    array = pa.array(values.astype(str))
    if valid is not None:
        array = pc.if_else(pa.array(valid), array, pa.scalar(None, pa.string()))
    return array


def _crm_table(
    ids: np.ndarray,
    created: np.ndarray,
    updated: np.ndarray,
    archived: np.ndarray,
    extracted_at: datetime,
    run_id: str,
    properties: dict[str, pa.Array],
) -> pa.Table:
    n = len(ids)
    columns = {
        "id": _text(ids),
        "createdAt": _iso(created),
        "updatedAt": _iso(updated),
        "archived": pa.array(archived, type=pa.bool_()),
        "archivedAt": pc.if_else(pa.array(archived), _iso(updated), pa.scalar(None, pa.string())),
        "_extracted_at": pa.array([extracted_at] * n, type=EXTRACTED_AT_TYPE),
        "_run_id": pa.array([run_id] * n, type=pa.string()),
    }
    columns.update({f"properties__{name}": values for name, values in properties.items()})
    return pa.table(columns)


def _write(landing: Landing, dataset: str, table: pa.Table, chunk: int = 250_000) -> None:
    for start in range(0, table.num_rows, chunk):
        landing.write(dataset, table.slice(start, chunk))


@dataclass
class LargeLanding:
    landing_dir: Path
    contacts: int
    deals: int
    engagements: int
    runs: list[str]
    start_ms: int
    clock_ms: int


def _reference(
    landing: Landing, extracted_at: datetime, run_id: str, start_ms: int
) -> tuple[np.ndarray, np.ndarray]:
    owners, teams = [], []
    sales, marketing = [], []
    owner_id, user_id = 51_000_000, 7_100_000
    for team, count in (("Marketing", 12), ("SDR", 60), ("Account Executives", 50), ("Customer Success", 20)):
        for _ in range(count):
            owners.append(
                {
                    "id": str(owner_id),
                    "email": f"rep{owner_id}@acme-example.com",
                    "firstName": "Rep",
                    "lastName": str(owner_id),
                    "userId": user_id,
                    "userIdIncludingInactive": user_id,
                    "type": "PERSON",
                    "archived": False,
                    "createdAt": "2023-01-01T00:00:00.000Z",
                    "updatedAt": "2023-01-01T00:00:00.000Z",
                    "teams": [{"id": "1", "name": team, "primary": True}],
                }
            )
            teams.append({"owner_id": str(owner_id), "id": "1", "name": team, "primary": True})
            (sales if team in ("SDR", "Account Executives") else marketing).append(owner_id)
            owner_id += 17
            user_id += 3
    landing.write("owners", document_table(owners, extracted_at, run_id))
    landing.write("owner_teams", document_table(teams, extracted_at, run_id))
    stages = [
        ("appointmentscheduled", 0.2, False),
        ("qualifiedtobuy", 0.4, False),
        ("contractsent", 0.9, False),
        ("closedwon", 1.0, True),
        ("closedlost", 0.0, True),
    ]
    pipeline = {
        "id": "default",
        "label": "Sales Pipeline",
        "displayOrder": 0,
        "archived": False,
        "stages": [
            {
                "id": sid,
                "label": sid,
                "displayOrder": i,
                "archived": False,
                "metadata": {"isClosed": "true" if closed else "false", "probability": str(p)},
            }
            for i, (sid, p, closed) in enumerate(stages)
        ],
    }
    landing.write("pipelines", document_table([pipeline], extracted_at, run_id, object_type="deals"))
    landing.write(
        "pipeline_stages",
        document_table(
            [{"pipeline_id": "default", **stage} for stage in pipeline["stages"]],
            extracted_at,
            run_id,
            object_type="deals",
        ),
    )
    campaigns = [
        {
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "createdAt": "2024-01-01T00:00:00.000Z",
            "updatedAt": "2024-01-01T00:00:00.000Z",
            "properties": {"hs_name": f"Campaign {i}"},
        }
        for i in range(40)
    ]
    landing.write("campaigns", document_table(campaigns, extracted_at, run_id))
    return np.array(sales), np.array(marketing)


def _contacts(rng, ids, start_ms, clock_ms, sales, extracted_at, run_id, updated_floor_ms=None):
    """Contact records and their owner / lead-status history as tables."""
    n = len(ids)
    created = (
        rng.integers(start_ms, clock_ms - DAY_MS, n)
        if updated_floor_ms is None
        else rng.integers(updated_floor_ms, clock_ms, n)
    )
    depth = np.zeros(n, dtype=int)
    for level, probability in enumerate((0.55, 0.45, 0.5, 0.4)):
        advance = (depth == level) & (rng.random(n) < probability)
        depth[advance] += 1
    moment = created.copy()
    properties: dict[str, pa.Array] = {}
    dates = {}
    for level, stage in enumerate(STAGES):
        if level:
            moment = moment + rng.integers(2 * HOUR_MS, 20 * DAY_MS, n)
        has = (depth >= level) & (moment < clock_ms)
        if level == 1:
            has &= rng.random(n) >= 0.12  # straight to SQL: MQL skipped
        dates[stage] = (moment.copy(), has)
        properties[f"hs_lifecyclestage_{stage}_date"] = _iso(moment, has)
    reached = np.full(n, "lead", dtype=object)
    last = created.copy()
    for stage in STAGES:
        stage_moment, has = dates[stage]
        reached[has] = stage
        last = np.where(has, stage_moment, last)
    mql_ms, mql_has = dates["marketingqualifiedlead"]
    sql_ms, sql_has = dates["salesqualifiedlead"]
    mql_at = np.where(mql_has, mql_ms, np.where(sql_has, sql_ms, 0))
    is_mql = mql_at > 0
    owned = is_mql & (rng.random(n) < 0.93)
    owner = rng.choice(sales, n)
    assigned = mql_at + np.where(rng.random(n) < 0.15, rng.integers(HOUR_MS, 3 * DAY_MS, n), 0)
    unqualified = (reached == "marketingqualifiedlead") & (rng.random(n) < 0.25)
    source = rng.choice(SOURCES, n)
    properties.update(
        {
            "createdate": _iso(created),
            "lastmodifieddate": _iso(np.maximum(last, created)),
            "lifecyclestage": _text(reached),
            "hs_lead_status": pc.if_else(pa.array(unqualified), pa.scalar("UNQUALIFIED"), pa.scalar("OPEN")),
            "hubspot_owner_id": _text(owner, owned),
            "hubspot_owner_assigneddate": _iso(assigned, owned),
            "hs_analytics_source": _text(source),
            "hs_latest_source": _text(rng.choice(SOURCES, n)),
            "hs_seniority": _text(rng.choice(SENIORITIES, n)),
            "hs_persona": _text(
                rng.choice(np.array(["persona_1", "persona_2", "persona_3", "persona_4"]), n)
            ),
            "hs_analytics_num_page_views": _text(rng.integers(0, 60, n)),
            "hs_analytics_first_visit_timestamp": _iso(created - DAY_MS),
            "hs_analytics_last_visit_timestamp": _iso(created + rng.integers(0, 30 * DAY_MS, n)),
            "num_conversion_events": _text(rng.integers(0, 4, n)),
            "first_conversion_date": _iso(created),
            "recent_conversion_date": _iso(created + rng.integers(0, 20 * DAY_MS, n)),
            "hs_merged_object_ids": pa.nulls(n, pa.string()),
            **{
                f"hs_lifecyclestage_{stage}_date": pa.nulls(n, pa.string())
                for stage in ("subscriber", "evangelist", "other")
            },
        }
    )
    updated = np.maximum(np.maximum(last, created), np.where(owned, assigned, 0))
    table = _crm_table(ids, created, updated, np.zeros(n, dtype=bool), extracted_at, run_id, properties)
    history_ids = np.concatenate([ids[owned], ids[unqualified]])
    history = pa.table(
        {
            "object_id": _text(history_ids),
            "property": pa.array(
                ["hubspot_owner_id"] * int(owned.sum()) + ["hs_lead_status"] * int(unqualified.sum())
            ),
            "value": pa.concat_arrays(
                [_text(owner[owned]), pa.array(["UNQUALIFIED"] * int(unqualified.sum()), type=pa.string())]
            ),
            "timestamp": pa.concat_arrays([_iso(assigned[owned]), _iso(mql_at[unqualified] + 3 * DAY_MS)]),
            "sourceType": pa.array(["CRM_UI"] * len(history_ids)),
            "_extracted_at": pa.array([extracted_at] * len(history_ids), type=EXTRACTED_AT_TYPE),
            "_run_id": pa.array([run_id] * len(history_ids)),
        }
    )
    return table, history, mql_at, owned, owner, created


def _engagements(
    rng,
    landing,
    first_id,
    contact_ids,
    contact_created,
    mql_at,
    owned,
    owner,
    sales,
    marketing,
    clock_ms,
    per_type,
    extracted_at,
    run_id,
):
    next_id = first_id
    for kind in ENGAGEMENTS:
        pick = rng.integers(0, len(contact_ids), per_type)
        ids = np.arange(next_id, next_id + per_type)
        next_id += per_type
        touches = owned[pick] & (rng.random(per_type) < 0.7)
        at = np.where(
            touches,
            np.maximum(mql_at[pick], contact_created[pick]) + rng.integers(0, 3 * DAY_MS, per_type),
            contact_created[pick] + rng.integers(0, 60 * DAY_MS, per_type),
        )
        at = np.minimum(at, clock_ms - 1)
        who = np.where(touches, owner[pick], rng.choice(np.concatenate([sales, marketing]), per_type))
        properties = {"hs_timestamp": _iso(at), "hubspot_owner_id": _text(who), "hs_createdate": _iso(at)}
        if kind == "emails":
            properties["hs_email_direction"] = _text(
                np.where(rng.random(per_type) < 0.8, "EMAIL", "INCOMING_EMAIL")
            )
        if kind == "calls":
            properties["hs_call_direction"] = _text(np.full(per_type, "OUTBOUND"))
        _write(
            landing,
            kind,
            _crm_table(ids, at, at, np.zeros(per_type, dtype=bool), extracted_at, run_id, properties),
        )
        associations = pa.table(
            {
                "from_id": _text(ids),
                "to_id": _text(contact_ids[pick]),
                "association_types": pa.array(['[{"category":"HUBSPOT_DEFINED","typeId":1}]'] * per_type),
                "_extracted_at": pa.array([extracted_at] * per_type, type=EXTRACTED_AT_TYPE),
                "_run_id": pa.array([run_id] * per_type),
            }
        )
        _write(landing, f"associations_{kind}_contacts", associations)
    return next_id


def _deals(
    rng, landing, first_id, count, contact_ids, contact_created, clock_ms, sales, extracted_at, run_id
):
    ids = np.arange(first_id, first_id + count)
    pick = rng.integers(0, len(contact_ids), count)
    created = np.minimum(contact_created[pick] + rng.integers(DAY_MS, 40 * DAY_MS, count), clock_ms - 1)
    close = created + rng.integers(5 * DAY_MS, 120 * DAY_MS, count)
    stage = np.where(
        close > clock_ms,
        rng.choice(DEAL_STAGES[:3], count),
        np.where(rng.random(count) < 0.45, "closedwon", "closedlost"),
    )
    amount = rng.choice(np.array([5000, 12000, 25000, 60000]), count)
    archived = rng.random(count) < 0.02
    properties = {
        "createdate": _iso(created),
        "pipeline": _text(np.full(count, "default")),
        "dealstage": _text(stage),
        "amount": _text(amount),
        "amount_in_home_currency": _text(amount),
        "deal_currency_code": _text(np.full(count, "USD")),
        "closedate": _iso(close),
        "hubspot_owner_id": _text(rng.choice(sales, count)),
    }
    updated = np.minimum(np.maximum(created, close), clock_ms)
    _write(landing, "deals", _crm_table(ids, created, updated, archived, extracted_at, run_id, properties))
    associations = pa.table(
        {
            "from_id": _text(ids),
            "to_id": _text(contact_ids[pick]),
            "association_types": pa.array(['[{"category":"HUBSPOT_DEFINED","typeId":3}]'] * count),
            "_extracted_at": pa.array([extracted_at] * count, type=EXTRACTED_AT_TYPE),
            "_run_id": pa.array([run_id] * count),
        }
    )
    _write(landing, "associations_deals_contacts", associations)


def _finish_run(landing: Landing) -> None:
    """The run manifest the extractor writes last (the warehouse reads a run as complete once it exists)."""
    import orjson

    from onefunnel.landing.layout import RUNS_DIR, atomic_write_bytes

    atomic_write_bytes(
        landing.landing_dir / RUNS_DIR / f"{landing.run_id}.json",
        orjson.dumps({"run_id": landing.run_id, "ok": True, "parts": landing.parts, "rows": landing.rows}),
    )


def large_landing(
    landing_dir: Path,
    contacts: int = 1_000_000,
    seed: int = 42,
    clock: datetime = datetime(2026, 11, 1, tzinfo=UTC),
) -> LargeLanding:
    """One full extraction run of a `large`-sized portal (24 months of history)."""
    rng = np.random.default_rng(seed)
    clock_ms = int(clock.timestamp() * 1000)
    start_ms = clock_ms - 730 * DAY_MS
    extracted_at = clock + timedelta(hours=1)
    run_id = extracted_at.strftime("%Y%m%dT%H%M%S000Z") + "-bench0"
    landing = Landing(Path(landing_dir), run_id)
    sales, marketing = _reference(landing, extracted_at, run_id, start_ms)
    ids = np.arange(1_000_001, 1_000_001 + contacts)
    table, history, mql_at, owned, owner, created = _contacts(
        rng, ids, start_ms, clock_ms, sales, extracted_at, run_id
    )
    _write(landing, "contacts", table)
    _write(landing, "contacts_property_history", history)
    engagements = contacts * 5
    _engagements(
        rng,
        landing,
        30_000_001,
        ids,
        created,
        mql_at,
        owned,
        owner,
        sales,
        marketing,
        clock_ms,
        engagements // len(ENGAGEMENTS),
        extracted_at,
        run_id,
    )
    deals = contacts // 5
    _deals(rng, landing, 20_000_001, deals, ids, created, clock_ms, sales, extracted_at, run_id)
    _finish_run(landing)
    return LargeLanding(Path(landing_dir), contacts, deals, engagements, [run_id], start_ms, clock_ms)


def advance_one_day(large: LargeLanding, seed: int = 43) -> str:
    """A second run as one day of portal activity lands it: new contacts, engagements and deals of the day,
    plus a share of existing contacts that changed (progressed) that day."""
    rng = np.random.default_rng(seed)
    clock_ms = large.clock_ms + DAY_MS
    extracted_at = datetime.fromtimestamp(clock_ms / 1000, tz=UTC) + timedelta(hours=1)
    run_id = extracted_at.strftime("%Y%m%dT%H%M%S000Z") + "-bench1"
    landing = Landing(large.landing_dir, run_id)
    sales, marketing = _reference(landing, extracted_at, run_id, large.start_ms)
    new = max(large.contacts // 700, 10)
    changed = rng.choice(
        np.arange(1_000_001, 1_000_001 + large.contacts), max(large.contacts // 300, 10), replace=False
    )
    ids = np.concatenate([np.arange(1_000_001 + large.contacts, 1_000_001 + large.contacts + new), changed])
    table, history, mql_at, owned, owner, created = _contacts(
        rng, ids, large.start_ms, clock_ms, sales, extracted_at, run_id, updated_floor_ms=large.clock_ms
    )
    _write(landing, "contacts", table)
    _write(landing, "contacts_property_history", history)
    _engagements(
        rng,
        landing,
        90_000_001,
        ids,
        created,
        mql_at,
        owned,
        owner,
        sales,
        marketing,
        clock_ms,
        max(large.engagements // 700 // len(ENGAGEMENTS), 10),
        extracted_at,
        run_id,
    )
    _deals(
        rng,
        landing,
        29_000_001,
        max(large.deals // 700, 5),
        ids,
        created,
        clock_ms,
        sales,
        extracted_at,
        run_id,
    )
    _finish_run(landing)
    large.runs.append(run_id)
    large.clock_ms = clock_ms
    return run_id
