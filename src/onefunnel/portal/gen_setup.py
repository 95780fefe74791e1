"""Portal-wide fixtures of the simulation: owners and their behaviour, campaigns, deal pipelines.

`SimContext` bundles them with the clock so a block simulation (in this process or a worker)
needs nothing else. Everything is derived from the seed, so it can be rebuilt by `advance`.
"""

from __future__ import annotations

import bisect
import random
import uuid
from dataclasses import dataclass, field

from onefunnel.portal import gen_names, model
from onefunnel.portal.gen_lifecycle import LifecycleProfile
from onefunnel.portal.gen_time import DAY_MS, HOUR_MS, WorkCalendar, iso, iso_date
from onefunnel.portal.properties_catalog import CustomProp

# pipeline id -> [(stage id, label, probability, is_closed)]
DEFAULT_PIPELINE = "default"
DEFAULT_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled", 0.2, False),
    ("qualifiedtobuy", "Qualified To Buy", 0.4, False),
    ("presentationscheduled", "Presentation Scheduled", 0.6, False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", 0.8, False),
    ("contractsent", "Contract Sent", 0.9, False),
    ("closedwon", "Closed Won", 1.0, True),
    ("closedlost", "Closed Lost", 0.0, True),
)
EXPANSION_PIPELINE = "75849301"
EXPANSION_STAGES = (
    ("75849302", "Discovery", 0.2, False),
    ("75849303", "Proposal", 0.5, False),
    ("75849304", "Negotiation", 0.8, False),
    ("75849305", "Closed Won", 1.0, True),
    ("75849306", "Closed Lost", 0.0, True),
)
PIPELINES = {
    DEFAULT_PIPELINE: ("Sales Pipeline", DEFAULT_STAGES),
    EXPANSION_PIPELINE: ("Expansion Pipeline", EXPANSION_STAGES),
}

TEAM_IDS = {
    "Marketing": "110001",
    "SDR": "110002",
    "Account Executives": "110003",
    "Customer Success": "110004",
}


@dataclass
class Owner:
    id: int
    user_id: int
    first: str
    last: str
    team: str
    created_ms: int
    left_ms: int | None
    archetype: model.RepArchetype | None
    time_zone: str
    work_start: float
    work_end: float
    calendar: WorkCalendar | None = None

    @property
    def email(self) -> str:
        return f"{self.first.lower()}.{self.last.lower()}@acme-example.com"

    def body(self) -> dict:
        archived = self.left_ms is not None
        return {
            "id": str(self.id),
            "email": self.email,
            "firstName": self.first,
            "lastName": self.last,
            "userId": None if archived else self.user_id,
            "userIdIncludingInactive": self.user_id,
            "type": "PERSON",
            "createdAt": iso(self.created_ms),
            "updatedAt": iso(self.left_ms if archived else self.created_ms),
            "archived": archived,
            "teams": [{"id": TEAM_IDS[self.team], "name": self.team, "primary": True}],
        }

    def profile(self) -> dict:
        a = self.archetype
        return {
            "name": f"{self.first} {self.last}",
            "team": self.team,
            "user_id": self.user_id,
            "time_zone": self.time_zone,
            "work_start_hour": self.work_start,
            "work_end_hour": self.work_end,
            "archetype": a.name if a else None,
            "median_speed_to_lead_hours": a.median_hours if a else None,
            "untouched_share": a.untouched_share if a else None,
            "cherry_picking": a.cherry_picking if a else False,
            "active_from": iso(self.created_ms),
            "archived_at": iso(self.left_ms) if self.left_ms is not None else None,
        }


class EpochIndex:
    """Which items are active at a moment, for items with [start, end) lives (owners, campaigns)."""

    def __init__(self, items: list, spans: list[tuple[int, int]]) -> None:
        cuts = sorted({t for span in spans for t in span})
        self.cuts = cuts
        self.active: list[tuple] = []
        for i in range(len(cuts) + 1):
            probe = cuts[i - 1] if i > 0 else (cuts[0] - 1 if cuts else 0)
            self.active.append(tuple(it for it, (s, e) in zip(items, spans, strict=True) if s <= probe < e))

    def at(self, ms: int) -> tuple:
        return self.active[bisect.bisect_right(self.cuts, ms)]


@dataclass
class Campaign:
    id: str
    name: str
    kind: str  # which sources it drives
    start_ms: int
    end_ms: int
    owner_id: int
    budget: int
    created_ms: int

    def body(self, clock_ms: int) -> dict:
        if self.start_ms > clock_ms:
            status = "planned"
        elif self.end_ms < clock_ms:
            status = "completed"
        else:
            status = "active"
        return {
            "id": self.id,
            "createdAt": iso(self.created_ms),
            "updatedAt": iso(min(max(self.created_ms, min(self.end_ms, clock_ms)), clock_ms)),
            "properties": {
                "hs_name": self.name,
                "hs_start_date": iso_date(self.start_ms),
                "hs_end_date": iso_date(self.end_ms),
                "hs_campaign_status": status,
                "hs_utm": self.name.lower().replace(" ", "-").replace(":", ""),
                "hs_owner": str(self.owner_id),
                "hs_budget_items_sum_amount": str(self.budget),
                "hs_currency_code": model.HOME_CURRENCY,
            },
        }


@dataclass
class SimContext:
    seed: int
    clock_ms: int
    start_ms: int
    horizon_ms: int  # events after this are not simulated
    tz: str
    owners: list[Owner]
    campaigns: list[Campaign]
    custom: list[CustomProp]
    burst_ms: int | None = None  # the month-end workflow moment (generation only)
    burst_delta_ms: int = 0
    # non-default lifecycle stages (gen_lifecycle); None = HubSpot's defaults, the simulation as written
    lifecycle: LifecycleProfile | None = None
    team_index: dict[str, EpochIndex] = field(default_factory=dict)
    campaign_index: EpochIndex | None = None

    def index(self) -> None:
        for team in model.TEAM_NAMES:
            members = [o for o in self.owners if o.team == team]
            spans = [(o.created_ms, o.left_ms if o.left_ms is not None else 2**62) for o in members]
            self.team_index[team] = EpochIndex(members, spans)
        self.campaign_index = EpochIndex(self.campaigns, [(c.start_ms, c.end_ms) for c in self.campaigns])

    def active(self, team: str, ms: int) -> tuple:
        found = self.team_index[team].at(ms)
        if found:
            return found
        members = [o for o in self.owners if o.team == team]  # nobody hired yet: the earliest hire
        return (min(members, key=lambda o: o.created_ms),)

    def campaigns_at(self, ms: int) -> tuple:
        assert self.campaign_index is not None
        return self.campaign_index.at(ms)


TEAM_SIZES = {  # size -> (marketing, sdr, ae, customer success, archived sdr, archived ae)
    "tiny": (1, 3, 2, 1, 1, 1),
    "demo": (5, 10, 9, 3, 1, 1),
    "large": (12, 60, 50, 20, 4, 4),
}


def build_owners(size: str, seed: int, start_ms: int, clock_ms: int, horizon_ms: int, tz: str) -> list[Owner]:
    rng = random.Random(f"{seed}:owners")
    mkt, sdr, ae, cs, arch_sdr, arch_ae = TEAM_SIZES[size]
    period = clock_ms - start_ms
    owners: list[Owner] = []
    used: set[tuple[str, str]] = set()
    next_id = 51_000_000 + rng.randrange(1_000_000)
    next_user = 7_100_000 + rng.randrange(100_000)
    plan = (
        [("Marketing", None)] * mkt
        + [("SDR", None)] * sdr
        + [("SDR", "left")] * arch_sdr
        + [("Account Executives", None)] * ae
        + [("Account Executives", "left")] * arch_ae
        + [("Customer Success", None)] * cs
    )
    team_counter: dict[str, int] = {}
    for team, fate in plan:
        while True:
            name = (rng.choice(gen_names.FIRST_NAMES), rng.choice(gen_names.LAST_NAMES).replace(" ", ""))
            if name not in used:
                used.add(name)
                break
        k = team_counter.get(team, 0)
        team_counter[team] = k + 1
        created = start_ms - rng.randint(60, 400) * DAY_MS
        left = None
        if fate == "left":
            left = start_ms + int(period * rng.uniform(0.35, 0.85))
        elif team in model.SALES_TEAMS and k >= 2 and rng.random() < 0.3:
            created = start_ms + int(period * rng.uniform(0.1, 0.6))  # hired during the period
        archetype = None
        if team in model.SALES_TEAMS:
            offset = 0 if team == "SDR" else 3
            archetype = model.REP_ARCHETYPES[(k + offset) % len(model.REP_ARCHETYPES)]
        zone = model.REP_TIME_ZONES[rng.randrange(len(model.REP_TIME_ZONES))] if k else "America/New_York"
        if team == "SDR" and archetype is not None and archetype.median_hours < 4:
            zone = "America/New_York"  # the fast reps sit where the leads are
        start_h = rng.choice((8.0, 8.5, 9.0))
        owner = Owner(
            id=next_id,
            user_id=next_user,
            first=name[0],
            last=name[1],
            team=team,
            created_ms=created,
            left_ms=left,
            archetype=archetype,
            time_zone=zone,
            work_start=start_h,
            work_end=start_h + rng.choice((8.5, 9.0, 9.5)),
        )
        owner.calendar = WorkCalendar(zone, owner.work_start, owner.work_end, created, horizon_ms)
        owners.append(owner)
        next_id += rng.randint(1, 40_000)
        next_user += rng.randint(1, 5_000)
    return owners


_CAMPAIGN_THEMES = (
    ("Webinar: Pipeline Analytics", "EMAIL_MARKETING"),
    ("LinkedIn Ads: RevOps Leaders", "PAID_SOCIAL"),
    ("Google Ads: Funnel Reporting", "PAID_SEARCH"),
    ("Ebook: The Funnel Playbook", "OTHER_CAMPAIGNS"),
    ("SaaStr booth", "OFFLINE"),
    ("Newsletter", "EMAIL_MARKETING"),
    ("Partner co-marketing", "OTHER_CAMPAIGNS"),
    ("Facebook Ads: Data Teams", "PAID_SOCIAL"),
    ("Product launch", "SOCIAL_MEDIA"),
    ("Benchmark report", "ORGANIC_SEARCH"),
    ("Customer roundtable", "EMAIL_MARKETING"),
    ("Podcast sponsorship", "OTHER_CAMPAIGNS"),
)
CAMPAIGN_COUNTS = {"tiny": 12, "demo": 30, "large": 40}


def build_campaigns(
    size: str, seed: int, start_ms: int, clock_ms: int, owners: list[Owner]
) -> list[Campaign]:
    rng = random.Random(f"{seed}:campaigns")
    marketing = [o for o in owners if o.team == "Marketing"]
    n = CAMPAIGN_COUNTS[size]
    span = clock_ms + 120 * DAY_MS - (start_ms - 60 * DAY_MS)
    out = []
    for i in range(n):
        theme, kind = _CAMPAIGN_THEMES[i % len(_CAMPAIGN_THEMES)]
        begin = start_ms - 60 * DAY_MS + int(span * (i + rng.random()) / n)
        begin -= begin % DAY_MS
        end = begin + rng.randint(30, 100) * DAY_MS
        quarter = (int(iso_date(begin)[5:7]) - 1) // 3 + 1
        name = f"{iso_date(begin)[:4]}-Q{quarter} {theme}"
        cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        out.append(
            Campaign(
                cid,
                name,
                kind,
                begin,
                end,
                rng.choice(marketing).id,
                rng.randint(2, 60) * 1000,
                begin - rng.randint(5, 40) * DAY_MS,
            )
        )
    return out


def pipeline_bodies(created_ms: int) -> list[tuple[str, int, dict]]:
    """(pipeline id, display order, body) for /crm/v3/pipelines/deals."""
    out = []
    for order, (pid, (label, stages)) in enumerate(PIPELINES.items()):
        body = {
            "id": pid,
            "label": label,
            "displayOrder": order,
            "archived": False,
            "createdAt": iso(created_ms + order * HOUR_MS),
            "updatedAt": iso(created_ms + order * HOUR_MS),
            "stages": [
                {
                    "id": sid,
                    "label": slabel,
                    "displayOrder": i,
                    "archived": False,
                    "createdAt": iso(created_ms + order * HOUR_MS),
                    "updatedAt": iso(created_ms + order * HOUR_MS),
                    "metadata": {"isClosed": "true" if closed else "false", "probability": str(float(prob))},
                    "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                }
                for i, (sid, slabel, prob, closed) in enumerate(stages)
            ],
        }
        out.append((pid, order, body))
    return out


def pipeline_stage_lists() -> dict[str, list[tuple[str, str]]]:
    return {pid: [(sid, label) for sid, label, _p, _c in stages] for pid, (_l, stages) in PIPELINES.items()}
