"""The generated funnel carries the signal the metrics look for (metrics.md), measured from the data alone."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from onefunnel.portal import model, store
from onefunnel.portal.gen_time import DAY_MS, HOUR_MS, parse_iso
from onefunnel.portal.generate import generate_portal

AS_OF = datetime(2025, 11, 15, tzinfo=UTC)
BURST = 2_000
STAGES = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist")
CALL, EMAIL, MEETING = 4, 5, 6


@dataclass
class Portal:
    """What a warehouse would load: active contacts, companies, deals, engagements, owners, history."""

    path: Path
    meta: dict
    contacts: dict[int, dict]
    created: dict[int, int]
    companies: dict[int, dict]
    deals: dict[int, dict]
    engagements: dict[int, tuple[int, dict]]
    contact_engagements: dict[int, list[int]]
    deal_contacts: dict[int, list[int]]
    owner_history: dict[int, list[dict]]
    owners: dict[str, dict]

    def reached(self, cid: int, stage: str) -> bool:
        later = STAGES[STAGES.index(stage) :]
        return any(self.contacts[cid].get(f"hs_lifecyclestage_{s}_date") for s in later)

    def fit(self, cid: int) -> float:
        p = self.contacts[cid]
        comp = self.companies.get(int(p["associatedcompanyid"])) if p.get("associatedcompanyid") else None
        employees = int(comp["numberofemployees"]) if comp else None
        return model.fit_score(p.get("hs_seniority"), employees, comp["industry"] if comp else None)

    def mqls(self) -> list[int]:
        return [cid for cid in self.contacts if self.reached(cid, "marketingqualifiedlead")]

    def sql_rate(self, cids: list[int]) -> float:
        return sum(self.reached(c, "salesqualifiedlead") for c in cids) / max(len(cids), 1)

    def first_owner(self, cid: int) -> tuple[str, int] | None:
        hist = self.owner_history.get(cid)
        return (hist[-1]["value"], parse_iso(hist[-1]["timestamp"])) if hist else None

    def first_sales_touch(self, cid: int, since: int) -> int | None:
        """metrics.md: a call, outbound email or meeting by a sales-team owner, at or after the MQL date."""
        sales = set(orjson.loads(self.meta["sales_teams"]))
        times = []
        for eid in self.contact_engagements.get(cid, []):
            if eid not in self.engagements:  # deleted activities do not count
                continue
            code, props = self.engagements[eid]
            if (
                code not in (CALL, EMAIL, MEETING)
                or self.owners[props["hubspot_owner_id"]]["team"] not in sales
            ):
                continue
            if code == EMAIL and props.get("hs_email_direction") != "EMAIL":
                continue
            ts = parse_iso(props["hs_timestamp"])
            if ts >= since:
                times.append(ts)
        return min(times) if times else None


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Portal:
    portal_dir = tmp_path_factory.mktemp("realism")
    generate_portal(portal_dir, size="demo", seed=42, as_of=AS_OF, contacts=6_000, burst_size=BURST)
    conn = store.connect(portal_dir, read_only=True)
    try:
        meta = dict(conn.execute("select key, value from meta"))
        objects = defaultdict(dict)
        created = {}
        for oid, code, created_at, blob in conn.execute(
            "select id, type, created_at, properties from objects where archived = 0 and merged_into is null"
        ):
            objects[code][oid] = orjson.loads(blob)
            created[oid] = created_at
        contact_engagements = defaultdict(list)
        for cid, eid in conn.execute(
            "select from_id, to_id from associations where from_type = 1 and to_type >= 4"
        ):
            contact_engagements[cid].append(eid)
        deal_contacts = defaultdict(list)
        for did, cid in conn.execute(
            "select from_id, to_id from associations where from_type = 3 and to_type = 1"
        ):
            deal_contacts[did].append(cid)
        owner_history = {
            oid: orjson.loads(h)
            for oid, h in conn.execute(
                "select object_id, history from property_history where property = 'hubspot_owner_id'"
            )
        }
    finally:
        conn.close()
    engagements = {eid: (code, props) for code in range(4, 9) for eid, props in objects[code].items()}
    return Portal(
        portal_dir,
        meta,
        objects[1],
        created,
        objects[2],
        objects[3],
        engagements,
        contact_engagements,
        deal_contacts,
        owner_history,
        orjson.loads(meta["owner_profiles"]),
    )


# ---------------------------------------------------------------- lead quality


@pytest.mark.integration
def test_mql_to_sql_differs_by_source(portal: Portal) -> None:
    # GIVEN the MQLs grouped by original source
    by_source = defaultdict(list)
    for cid in portal.mqls():
        by_source[portal.contacts[cid]["hs_analytics_source"]].append(cid)
    rate = {s: portal.sql_rate(c) for s, c in by_source.items()}
    # THEN referrals and paid search convert clearly better than paid social
    assert min(len(by_source[s]) for s in ("REFERRALS", "PAID_SEARCH", "PAID_SOCIAL")) >= 80
    assert rate["REFERRALS"] > rate["PAID_SOCIAL"] + 0.15
    assert rate["PAID_SEARCH"] > rate["PAID_SOCIAL"] + 0.12


@pytest.mark.integration
def test_mql_to_sql_rises_with_fit(portal: Portal) -> None:
    # GIVEN MQLs ranked by fit (seniority x company size x industry against the ideal profile)
    ranked = sorted(portal.mqls(), key=portal.fit)
    quarter = len(ranked) // 4
    # THEN the top fit quartile converts far better than the bottom one
    assert portal.sql_rate(ranked[-quarter:]) > portal.sql_rate(ranked[:quarter]) + 0.25


@pytest.mark.integration
def test_students_rarely_become_sqls(portal: Portal) -> None:
    # GIVEN MQLs by persona
    by_persona = defaultdict(list)
    for cid in portal.mqls():
        by_persona[portal.contacts[cid]["hs_persona"]].append(cid)
    # THEN the Student/Researcher persona converts least, the Executive Sponsor most
    rates = {p: portal.sql_rate(c) for p, c in by_persona.items()}
    assert min(rates, key=rates.get) == "persona_4"
    assert max(rates, key=rates.get) == "persona_2"


@pytest.mark.integration
def test_a_grade_from_fit_and_engagement_predicts_conversion(portal: Portal) -> None:
    # GIVEN a simple grade: fit plus engagement (page views, form submissions, email clicks)
    def grade(cid: int) -> float:
        p = portal.contacts[cid]
        engagement = (
            min(int(p.get("hs_analytics_num_page_views") or 0), 30) / 30
            + min(int(p.get("num_conversion_events") or 0), 4) / 4
            + min(int(p.get("hs_email_click") or 0), 3) / 3
        )
        return portal.fit(cid) + 0.15 * engagement

    ranked = sorted(portal.mqls(), key=grade)
    quarter = len(ranked) // 4
    # THEN grade A (top quarter) converts much better than grade D (bottom quarter)
    assert portal.sql_rate(ranked[-quarter:]) > 2 * portal.sql_rate(ranked[:quarter])


# ---------------------------------------------------------------- rep follow-up


def speed_by_rep(portal: Portal) -> dict[str, list[float]]:
    speeds: dict[str, list[float]] = defaultdict(list)
    for cid in portal.mqls():
        first = portal.first_owner(cid)
        mql = portal.contacts[cid].get("hs_lifecyclestage_marketingqualifiedlead_date")
        if first is None or mql is None:
            continue
        owner, assigned = first
        start = max(parse_iso(mql), assigned)
        touch = portal.first_sales_touch(cid, parse_iso(mql))
        if touch is not None:
            speeds[owner].append((touch - start) / HOUR_MS)
    return speeds


@pytest.mark.integration
def test_reps_differ_in_speed_to_lead(portal: Portal) -> None:
    # GIVEN the median speed to lead of each rep with enough touched MQLs
    medians = {o: statistics.median(s) for o, s in speed_by_rep(portal).items() if len(s) >= 25}
    assert len(medians) >= 5
    # THEN the slowest rep is several times slower than the fastest, and the profiles say why
    fastest, slowest = min(medians, key=medians.get), max(medians, key=medians.get)
    assert medians[slowest] > 5 * medians[fastest]
    assert medians[fastest] < 12
    assert medians[slowest] > 36
    profiles = portal.owners
    assert profiles[fastest]["median_speed_to_lead_hours"] < profiles[slowest]["median_speed_to_lead_hours"]


@pytest.mark.integration
def test_cherry_picking_reps_touch_high_fit_leads_more(portal: Portal) -> None:
    # GIVEN touch rates of high-fit and low-fit MQLs per first owner
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"high": [0, 0], "low": [0, 0]})
    for cid in portal.mqls():
        first = portal.first_owner(cid)
        mql = portal.contacts[cid].get("hs_lifecyclestage_marketingqualifiedlead_date")
        if first is None or mql is None:
            continue
        fit = portal.fit(cid)
        bucket = "high" if fit >= model.CHERRY_HIGH_FIT else ("low" if fit < model.CHERRY_LOW_FIT else None)
        if bucket:
            counts[first[0]][bucket][0] += 1
            counts[first[0]][bucket][1] += portal.first_sales_touch(cid, parse_iso(mql)) is not None

    def index(owner: str) -> float:
        c = counts[owner]
        return c["high"][1] / max(c["high"][0], 1) - c["low"][1] / max(c["low"][0], 1)

    eligible = [o for o in counts if min(counts[o]["high"][0], counts[o]["low"][0]) >= 15]
    pickers = [o for o in eligible if portal.owners[o]["cherry_picking"]]
    fair = [o for o in eligible if not portal.owners[o]["cherry_picking"]]
    # THEN the cherry-picking index is large for the profiled cherry-pickers and near 0 for the others
    assert pickers
    assert fair
    assert min(index(o) for o in pickers) > 0.25
    assert statistics.mean(index(o) for o in fair) < 0.1


@pytest.mark.integration
def test_owner_assignment_and_unassigned_mqls(portal: Portal) -> None:
    # GIVEN inbound MQLs (not created by a rep)
    inbound = [c for c in portal.mqls() if portal.contacts[c]["hs_analytics_source"] != "OFFLINE"]
    unassigned = [c for c in inbound if not portal.contacts[c].get("hubspot_owner_id")]
    # THEN owners are assigned at or after the MQL date, and some MQLs never get one
    for cid in inbound:
        first = portal.first_owner(cid)
        mql = portal.contacts[cid]["hs_lifecyclestage_marketingqualifiedlead_date"]
        if first is not None and not portal.contacts[cid].get("hs_merged_object_ids"):
            assert first[1] >= parse_iso(mql)
    assert 0.02 < len(unassigned) / len(inbound) < 0.2


@pytest.mark.integration
def test_marketing_users_log_activities_that_are_not_sales_touches(portal: Portal) -> None:
    # GIVEN engagements by owner team
    teams = defaultdict(int)
    for _code, props in portal.engagements.values():
        teams[portal.owners[props["hubspot_owner_id"]]["team"]] += 1
    # THEN sales teams log most, marketing some
    assert teams["SDR"] > teams["Marketing"] > 0
    assert teams["Account Executives"] > 0


# ---------------------------------------------------------------- funnel shape


@pytest.mark.integration
def test_funnel_has_skips_disqualifications_and_stuck_subscribers(portal: Portal) -> None:
    contacts = portal.contacts.values()
    # GIVEN the contacts' stage dates and statuses
    straight_to_mql = [
        p
        for p in contacts
        if p.get("hs_lifecyclestage_marketingqualifiedlead_date") and not p.get("hs_lifecyclestage_lead_date")
    ]
    straight_to_sql = [
        p
        for p in contacts
        if p.get("hs_lifecyclestage_salesqualifiedlead_date")
        and not p.get("hs_lifecyclestage_marketingqualifiedlead_date")
    ]
    disqualified = [
        p for p in contacts if p.get("hs_lead_status") == "UNQUALIFIED" or p.get("lifecyclestage") == "other"
    ]
    subscribers = [p for p in contacts if p.get("lifecyclestage") == "subscriber"]
    # THEN every such path exists, in plausible proportions
    n = len(portal.contacts)
    assert straight_to_mql
    assert straight_to_sql
    assert 0.03 < len(disqualified) / n < 0.3
    assert 0.02 < len(subscribers) / n < 0.2
    reached = [sum(portal.reached(c, s) for c in portal.contacts) for s in STAGES[:5]]
    assert reached == sorted(reached, reverse=True)
    assert reached[4] > 0


@pytest.mark.integration
def test_arrivals_grow_with_fewer_on_weekends(portal: Portal) -> None:
    # GIVEN contact creation times
    times = [portal.created[c] for c in portal.contacts]
    weekend = sum(((t // DAY_MS) + 3) % 7 >= 5 for t in times)
    start = int(portal.meta["start_ms"])
    first_half = sum(t < start + 365 * DAY_MS for t in times)
    # THEN weekends see far fewer new contacts per day, and the second year more than the first
    assert weekend / 2 < 0.6 * (len(times) - weekend) / 5
    assert len(times) - first_half > 1.2 * first_half


@pytest.mark.integration
def test_deals_in_two_pipelines_won_and_lost(portal: Portal) -> None:
    # GIVEN the deals by pipeline and stage
    stages = defaultdict(set)
    for d in portal.deals.values():
        stages[d["pipeline"]].add(d["dealstage"])
    # THEN both pipelines have won and lost deals, and the sales pipeline has open ones
    assert len(stages) >= 2
    assert {"closedwon", "closedlost"} <= stages["default"]
    assert stages["default"] - {
        "closedwon",
        "closedlost",
    }
    other = next(p for p in stages if p != "default")
    assert len(stages[other]) >= 2
    assert {d["deal_currency_code"] for d in portal.deals.values()} >= {"USD", "EUR"}


@pytest.mark.integration
def test_some_deals_are_marketing_influenced(portal: Portal) -> None:
    # GIVEN deals and their contacts' first conversion (form submission) dates
    influenced = 0
    for did, deal in portal.deals.items():
        first = [
            portal.contacts[c].get("first_conversion_date")
            for c in portal.deal_contacts.get(did, [])
            if c in portal.contacts
        ]
        if any(f and f < deal["createdate"] for f in first):
            influenced += 1
    # THEN many, but not all, deals had a marketing interaction before they were created
    assert 0.3 < influenced / len(portal.deals) < 0.99


# ---------------------------------------------------------------- extraction edge cases


@pytest.mark.integration
def test_burst_custom_properties_deletions_and_merges(portal: Portal) -> None:
    conn = store.connect(portal.path, read_only=True)
    try:
        # GIVEN the portal file
        (burst,) = conn.execute(
            "select count(*) from objects where type = 1 and updated_at = ?",
            (orjson.loads(portal.meta["burst"])["timestamp_ms"],),
        ).fetchone()
        custom = conn.execute(
            "select count(*) from property_definitions where object_type = 'contacts' and "
            "json_extract(body, '$.hubspotDefined') = 0"
        ).fetchone()[0]
        archived = dict(conn.execute("select type, count(*) from objects where archived = 1 group by type"))
        merged = conn.execute("select id, merged_into from objects where merged_into is not null").fetchall()
        survivors = {
            oid: orjson.loads(p)
            for oid, p in conn.execute(
                "select id, properties from objects "
                "where json_extract(properties, '$.hs_merged_object_ids') is not null"
            )
        }
    finally:
        conn.close()
    # THEN the same-timestamp burst has the configured size
    assert burst == BURST
    # AND there are at least 50 custom contact properties
    assert custom >= 50
    # AND contacts and deals were deleted, contacts merged into survivors that list them
    assert archived.get(1, 0) > 0
    assert archived.get(3, 0) > 0
    assert merged
    assert all(str(loser) in survivors[winner]["hs_merged_object_ids"].split(";") for loser, winner in merged)
