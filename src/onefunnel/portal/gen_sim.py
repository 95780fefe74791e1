"""Timeline simulation of one block of the portal: companies, their contacts, deals and activities.

A block is a set of persons (with creation times) grouped into companies. Each person's whole
life is simulated at once (funnel progression, rep follow-up, deals, merges, deletions) and
written as engine events (see gen_engine). Blocks share nothing but the SimContext, so they can
run in any order or in parallel and still give the same portal.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from zoneinfo import ZoneInfo

import numpy as np

from onefunnel.portal import gen_leads, gen_lifecycle, gen_names, model
from onefunnel.portal.gen_engine import Event, seq_base
from onefunnel.portal.gen_setup import (
    DEFAULT_PIPELINE,
    EXPANSION_PIPELINE,
    PIPELINES,
    Owner,
    SimContext,
)
from onefunnel.portal.gen_time import DAY_MS, HOUR_MS, MINUTE_MS, iso, iso_date, lognormal_ms, utc_offset_ms
from onefunnel.portal.properties_catalog import BURST_DATE_PROPERTY, BURST_PROPERTY, CustomProp

CONTACT, COMPANY, DEAL, CALL, EMAIL, MEETING, NOTE, TASK = 1, 2, 3, 4, 5, 6, 7, 8
ID_TYPE_SPAN = 10**11  # ids of type t live in [(t-1) * span, t * span): unique across types
BLOCK_STRIDE = 10**7  # each block (and each advance) owns a fresh id range per type

# HubSpot's default call outcome ids (hs_call_disposition)
DISPOSITIONS = {
    "connected": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
    "no_answer": "73a0d17f-1163-4015-bdd5-ec830791da20",
    "left_voicemail": "b2cf5968-551e-4856-9783-52b3da59a7d0",
    "busy": "9d9162e7-6cf3-4944-bf63-4dff82258764",
    "wrong_number": "17b47fee-58de-441e-a44c-c6300d46f273",
}
_TERRITORY_BY_COUNTRY = {
    "United States": "NA-East",
    "Canada": "NA-Central",
    "United Kingdom": "EMEA-North",
    "Germany": "EMEA-North",
    "France": "EMEA-South",
    "Netherlands": "EMEA-North",
    "Australia": "APAC",
    "India": "APAC",
    "Sweden": "EMEA-North",
    "Brazil": "LATAM",
}
BURST_WORKFLOW_ID = "workflow:48213377"


def id_base(type_code: int, block: int) -> int:
    return (type_code - 1) * ID_TYPE_SPAN + block * BLOCK_STRIDE


def block_seed(seed: int, *parts: int) -> int:
    return int(np.random.SeedSequence([seed, *parts]).generate_state(2, dtype=np.uint64)[0])


@dataclass
class BlockSpec:
    index: int
    arrivals: list[int]  # persons' creation times, sorted
    window_start: int  # nothing of this block happens at or before this moment
    burst: frozenset[int] = frozenset()  # positions (in arrivals) of persons touched by the month-end burst
    existing_companies: list[dict] = field(default_factory=list)  # advance: companies new persons may join
    p_existing_company: float = 0.0


def _cum(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    keys = list(weights)
    return keys, list(accumulate(weights[k] for k in keys))


_SOURCES = _cum(model.INBOUND_SOURCE_MIX)
_SENIORITY = _cum(model.SENIORITY_MIX)
_SENIORITY_NO_COMPANY = _cum({**model.SENIORITY_MIX, "student": 0.45})
_INDUSTRY = _cum({k: v[0] for k, v in model.INDUSTRIES.items()})
_COUNTRY = _cum({k: v[0] for k, v in gen_names.COUNTRIES.items()})
_PERSONA = {sen: _cum(w) for sen, w in model.PERSONA_BY_SENIORITY.items()}
_SIZE = _cum({f"{lo}-{hi}": w for lo, hi, w in model.COMPANY_SIZES})
_CURRENCY = _cum({code: share for code, share, _ in model.CURRENCIES})
_RATE = {code: rate for code, _, rate in model.CURRENCIES}
_LEGAL = ("Legitimate interest – prospect/lead", "Freely given consent from contact", "Not applicable")


_HOURS_CUM = list(accumulate(model.HOUR_WEIGHTS))


def _pick_hour(r: random.Random) -> int:
    return bisect_right(_HOURS_CUM, r.random() * _HOURS_CUM[-1])


def _pick(r: random.Random, table: tuple[list[str], list[float]]) -> str:
    keys, cum = table
    return keys[bisect_right(cum, r.random() * cum[-1])]


# random.Random's choice/randint are several times slower than these; they run millions of times.
def _choice(r: random.Random, seq):
    return seq[int(r.random() * len(seq))]


def _randint(r: random.Random, a: int, b: int) -> int:
    return a + int(r.random() * (b - a + 1))


def _poisson(r: random.Random, lam: float) -> int:
    """Knuth's Poisson sampler: fast for the small means used here, and driven by the block's own RNG."""
    if lam <= 0:
        return 0
    limit = math.exp(-min(lam, 30.0))
    k, p = 0, r.random()
    while p > limit:
        k += 1
        p *= r.random()
    return k


def _money(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


_POSTAL_CODE_CHARACTERS = {"#": "0123456789", "%": "123456789", "@": "ABEHJLNPRTXY"}
_CONTACTS_WITHOUT_POSTAL_CODE_PERCENT = 15  # real CRMs lack a postal code for part of their contacts


def postal_code(contact_id: int, country: str) -> str | None:
    """A plausible postal code for a contact in `country` (gen_names.POSTAL_CODE_FORMATS), or None for about
    15% of contacts. Derived from a hash of the contact id and country instead of the block's RNG, so that
    every other generated value stays what it was before contacts had postal codes."""
    templates = gen_names.POSTAL_CODE_FORMATS.get(country)
    if not templates:
        return None
    number = int.from_bytes(hashlib.sha256(f"{contact_id}:{country}".encode()).digest(), "big")
    number, percent = divmod(number, 100)
    if percent < _CONTACTS_WITHOUT_POSTAL_CODE_PERCENT:
        return None
    number, pick = divmod(number, len(templates))
    characters = []
    for placeholder in templates[pick]:
        choices = _POSTAL_CODE_CHARACTERS.get(placeholder)
        if choices is None:
            characters.append(placeholder)
        else:
            number, index = divmod(number, len(choices))
            characters.append(choices[index])
    return "".join(characters)


class BlockSim:
    """Writes the events of one block; `run` returns them unsorted."""

    def __init__(self, ctx: SimContext, spec: BlockSpec) -> None:
        self.ctx = ctx
        self.spec = spec
        self.r = random.Random(block_seed(ctx.seed, 10, spec.index))
        self.events: list[Event] = []
        self.seq = seq_base(spec.index)
        self.next_id = {t: id_base(t, spec.index) for t in range(1, 9)}
        self.next_id[gen_leads.LEADS_CODE] = id_base(gen_leads.LEADS_CODE, spec.index)
        self.emails: set[str] = set()
        self.dense = [cp for cp in ctx.custom if cp.density > 0 and cp.name != BURST_PROPERTY]
        self.sparse = [
            cp
            for cp in ctx.custom
            if cp.density == 0 and cp.name not in (BURST_PROPERTY, BURST_DATE_PROPERTY)
        ]
        self.sparse_rate = min(6.0, 0.02 * len(self.sparse))
        self.marketing = [o for o in ctx.owners if o.team == "Marketing"]
        self._zone = ZoneInfo(ctx.tz)
        self._offsets: dict[int, int] = {}
        self.history_only: set[int] = set()  # contacts dated only by their lifecyclestage history

    # ------------------------------------------------------------ plumbing

    def new_id(self, type_code: int) -> int:
        self.next_id[type_code] += 1
        return self.next_id[type_code]

    def ev(self, ts: int, kind: str, oid: int, data: object, into: list[Event] | None = None) -> None:
        self.seq += 1
        (self.events if into is None else into).append((ts, self.seq, kind, oid, data))

    def lognormal(self, key: str) -> int:
        median, sigma = model.LAG_DAYS[key]
        return lognormal_ms(self.r, median, sigma)

    # ------------------------------------------------------------ block

    def run(self) -> list[Event]:
        r = self.r
        spec = self.spec
        n = len(spec.arrivals)
        company_of: list[dict | None] = [None] * n
        order = list(range(n))
        r.shuffle(order)
        pending_group: list[int] = []
        groups: list[list[int]] = []
        for pos in order:
            if r.random() < model.CONTACTS_WITHOUT_COMPANY:
                continue
            if spec.existing_companies and r.random() < spec.p_existing_company:
                company_of[pos] = _choice(r, spec.existing_companies)
                continue
            if not pending_group:
                target = min(40, int(r.paretovariate(1.25)))
                pending_group.append(target)
                groups.append([])
            groups[-1].append(pos)
            if len(groups[-1]) >= pending_group[-1]:
                pending_group.clear()
        new_companies: list[dict] = []
        for members in groups:
            comp = {"members": sorted(members), "existing": False}
            for pos in members:
                company_of[pos] = comp
            new_companies.append(comp)
        # companies are created (in creation order) just before their first contact
        new_companies.sort(key=lambda c: spec.arrivals[c["members"][0]])
        for comp in new_companies:
            first = spec.arrivals[comp["members"][0]]
            created = max(first - _randint(r, 1_000, 5_000), spec.window_start + 1)
            self.make_company(comp, created)
        for pos in range(n):
            self.sim_person(spec.arrivals[pos], company_of[pos], pos in spec.burst)
        for comp in new_companies:
            self.finish_company(comp)
        horizon = self.ctx.horizon_ms
        events = [ev for ev in self.events if ev[0] <= horizon]
        if self.ctx.lifecycle is not None:
            events = self.ctx.lifecycle.rewrite(events, self.history_only)
        return events

    # ------------------------------------------------------------ companies

    def make_company(self, comp: dict, created: int) -> None:
        r = self.r
        cid = self.new_id(COMPANY)
        prefix, core = _choice(r, gen_names.COMPANY_PREFIXES), _choice(r, gen_names.COMPANY_CORES)
        suffix = _choice(r, gen_names.COMPANY_SUFFIXES)
        name = f"{prefix} {core}" + (f" {suffix}" if suffix else "")
        domain = f"{prefix}{core}".lower() + "." + _choice(r, gen_names.TLDS)
        industry = _pick(r, _INDUSTRY)
        lo, hi = (int(x) for x in _pick(r, _SIZE).split("-"))
        employees = int(math.exp(r.uniform(math.log(lo), math.log(hi))))
        country = _pick(r, _COUNTRY)
        _w, cities, phone_prefix = gen_names.COUNTRIES[country]
        city = _choice(r, cities)
        tier = "tier_1" if employees > 1000 else ("tier_2" if employees > 200 else "tier_3")
        props = {
            "name": name,
            "domain": domain,
            "website": f"https://www.{domain}",
            "industry": industry,
            "numberofemployees": str(employees),
            "annualrevenue": str(employees * _randint(r, 60, 300) * 1000),
            "country": country,
            "city": city,
            "phone": f"{phone_prefix} {_randint(r, 200, 999)} {_randint(r, 1000000, 9999999)}",
            "acme_account_tier": tier,
        }
        comp.update(
            id=cid,
            name=name,
            domain=domain,
            industry=industry,
            employees=employees,
            country=country,
            city=city,
            owner=None,
            created=created,
            max_rank=-2,
            last_ts=created,
            deals=0,
        )
        self.ev(created, "c", cid, (COMPANY, props, ("CRM_UI", "company-auto-create", None), []))
        if r.random() < 0.4:  # an enrichment integration refreshes the firmographics later
            t = created + _randint(r, 5, 500) * DAY_MS + _randint(r, 0, DAY_MS)
            new_emp = max(2, int(employees * r.uniform(0.85, 1.2)))
            self.ev(
                t,
                "u",
                cid,
                (
                    {
                        "numberofemployees": str(new_emp),
                        "annualrevenue": str(new_emp * _randint(r, 60, 300) * 1000),
                    },
                    None,
                    None,
                    ("INTEGRATION", "enrichment", None),
                ),
            )

    def finish_company(self, comp: dict) -> None:
        if comp["deals"] == 0 and comp["max_rank"] < 3 and self.r.random() < model.P_ARCHIVE_COMPANY:
            t = comp["last_ts"] + _randint(self.r, 10, 300) * DAY_MS
            self.ev(t, "a", comp["id"], ("CRM_UI", None, None))

    def company_stage(self, comp: dict | None, ts: int, stage: str, into: list[Event]) -> None:
        if comp is None:
            return
        comp["max_rank"] = max(comp["max_rank"], gen_lifecycle.STAGE_RANK[stage])
        comp["last_ts"] = max(comp["last_ts"], ts)
        self.ev(
            ts,
            "u",
            comp["id"],
            (
                None,
                ("lifecyclestage", stage),
                {f"hs_lifecyclestage_{stage}_date": iso(ts)},
                ("AUTOMATION_PLATFORM", "lifecycle-sync", None),
            ),
            into,
        )

    # ------------------------------------------------------------ people

    def unique_email(self, local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        k = 2
        while email in self.emails:
            email = f"{local}{k}@{domain}"
            k += 1
        self.emails.add(email)
        return email

    def custom_value(self, cp: CustomProp, created: int) -> str:
        r = self.r
        if cp.type == "enumeration":
            if cp.field_type == "checkbox":
                return ";".join(sorted(r.sample(cp.options, _randint(r, 1, min(2, len(cp.options))))))
            return _choice(r, cp.options)
        if cp.type == "bool":
            return _choice(r, ("true", "false"))
        if cp.type == "number":
            return str(_randint(r, 1, 500))
        if cp.type == "datetime":
            return iso(created - _randint(r, 0, 400 * DAY_MS))
        if cp.type == "date":
            return iso_date(created + _randint(r, -300, 300) * DAY_MS)
        return f"{cp.name.removeprefix('acme_')}-{_randint(r, 1000, 9999)}"

    def owner_at(self, timeline: list[tuple[int, Owner]], ts: int) -> Owner:
        owner = timeline[0][1]
        for start, o in timeline:
            if start <= ts:
                owner = o
        if owner.left_ms is not None and ts >= owner.left_ms:
            return self.successor(owner, ts)
        return owner

    def successor(self, owner: Owner, ts: int) -> Owner:
        team = owner.team
        pool = [o for o in self.ctx.active(team, ts) if o.left_ms is None or o.left_ms > ts]
        if not pool:
            pool = [o for o in self.ctx.owners if o.team == team and o.left_ms is None]
        return pool[owner.id % len(pool)]

    def pick_rep(self, team: str, ts: int) -> Owner:
        return _choice(self.r, self.ctx.active(team, ts))

    def sim_person(self, created: int, comp: dict | None, burst: bool) -> None:
        r, ctx = self.r, self.ctx
        cid = self.new_id(CONTACT)
        cev: list[Event] = []  # this person's own events (and the company changes they cause)
        first = _choice(r, gen_names.FIRST_NAMES)
        last = _choice(r, gen_names.LAST_NAMES)
        seniority = _pick(r, _SENIORITY if comp else _SENIORITY_NO_COMPANY)
        persona = _pick(r, _PERSONA[seniority])
        fit = model.fit_score(
            seniority, comp["employees"] if comp else None, comp["industry"] if comp else None
        )
        intent = r.gauss(0.0, 1.0)
        local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        domain = comp["domain"] if comp else _choice(r, gen_names.FREE_EMAIL_DOMAINS)
        country = comp["country"] if comp else _pick(r, _COUNTRY)
        _w, cities, phone_prefix = gen_names.COUNTRIES[country]

        creator: Owner | None = None
        owner: Owner | None = None
        if comp is not None and r.random() < model.P_OFFLINE:
            source = "OFFLINE"
            if r.random() < model.P_OFFLINE_BY_SALES:
                creator = self.pick_rep(_choice(r, model.SALES_TEAMS), created)
                owner = creator
                if not burst:
                    assert creator.calendar is not None
                    created = creator.calendar.snap(created, _randint(r, 0, 90 * MINUTE_MS))
            else:
                creator = _choice(r, self.marketing)
        else:
            source = _pick(r, _SOURCES)
        if comp is not None:
            comp["last_ts"] = max(comp["last_ts"], created)
        latest = source if r.random() < 0.7 else _pick(r, _SOURCES)
        campaign = None
        if r.random() < model.CAMPAIGN_SOURCES[source]:
            active = ctx.campaigns_at(created)
            matching = [c for c in active if c.kind == source] or list(active)
            campaign = _choice(r, matching) if matching else None

        if source == "OFFLINE":
            stage0 = "lead"
        elif r.random() < (
            model.P_SUBSCRIBER_EMAIL if source == "EMAIL_MARKETING" else model.P_SUBSCRIBER_OTHER
        ):
            stage0 = "subscriber"
        elif r.random() < model.P_DIRECT_MQL:
            stage0 = "marketingqualifiedlead"
        else:
            stage0 = "lead"
        form = source != "OFFLINE" and (stage0 != "lead" or r.random() < 0.75)
        if stage0 == "subscriber":
            form_name = "Newsletter signup"
        elif stage0 == "marketingqualifiedlead":
            form_name = "Demo request"
        else:
            form_name = _choice(r, gen_names.FORM_NAMES[2:])
        page_views = 1 + int(r.expovariate(1.0 / (3.0 + 2.0 * max(intent, 0.0))))
        visits = 1 + page_views // 3
        conversions = 1 if form else 0

        props: dict[str, str | None] = {
            "email": self.unique_email(local, domain),
            "firstname": first,
            "lastname": last,
            "jobtitle": _choice(r, gen_names.JOB_TITLES[seniority]),
            "hs_seniority": seniority,
            "hs_persona": persona,
            "country": country,
            "city": _choice(r, cities),
            "hs_analytics_source": source,
            "hs_analytics_source_data_1": _choice(r, model.SOURCE_DATA_1[source]),
            "hs_latest_source": latest,
            "hs_latest_source_data_1": _choice(r, model.SOURCE_DATA_1[latest]),
            "lifecyclestage": stage0,
            f"hs_lifecyclestage_{stage0}_date": iso(created),
            "hs_analytics_num_page_views": str(page_views),
            "hs_analytics_num_visits": str(visits),
            "hs_analytics_first_visit_timestamp": iso(
                created - (_randint(r, 0, 30 * DAY_MS) if source != "OFFLINE" else 0)
            ),
            "hs_analytics_last_visit_timestamp": iso(created),
            "hs_email_optout": "false",
            "hs_legal_basis": _choice(r, _LEGAL),
        }
        zip_code = postal_code(cid, country)
        if zip_code is not None:  # HubSpot leaves a property without a value out
            props["zip"] = zip_code
        if r.random() < 0.65:
            props["phone"] = f"{phone_prefix} {_randint(r, 200, 999)} {_randint(r, 1000000, 9999999)}"
        if comp is not None:
            props["company"] = comp["name"]
            props["associatedcompanyid"] = str(comp["id"])
        if form:
            props.update(
                num_conversion_events="1",
                first_conversion_date=iso(created),
                first_conversion_event_name=form_name,
                recent_conversion_date=iso(created),
                recent_conversion_event_name=form_name,
            )
        else:
            props["num_conversion_events"] = "0"
        if campaign is not None:
            props["hs_analytics_first_touch_converting_campaign"] = campaign.id
            props["hs_analytics_last_touch_converting_campaign"] = campaign.id
        if creator is not None:
            props["hs_created_by_user_id"] = str(creator.user_id)
        if owner is not None:
            props["hubspot_owner_id"] = str(owner.id)
            props["hubspot_owner_assigneddate"] = iso(created)
        if stage0 != "subscriber" and source != "OFFLINE" and r.random() < 0.6:
            props["hs_lead_status"] = "NEW"
        if r.random() < 0.6:
            props[BURST_PROPERTY] = _TERRITORY_BY_COUNTRY.get(country, "NA-West")
        for cp in self.dense:
            if r.random() < cp.density:
                props[cp.name] = self.custom_value(cp, created)
        if self.sparse:
            k = _poisson(r, self.sparse_rate)
            for cp in r.sample(self.sparse, min(k, len(self.sparse))):
                props[cp.name] = self.custom_value(cp, created)
        if source == "OFFLINE":
            src = (
                ("CRM_UI", None, creator.user_id)
                if owner is not None
                else ("IMPORT", f"import:{created // DAY_MS}", creator.user_id if creator else None)
            )
        elif form:
            src = ("FORM", f"form:{gen_names.FORM_NAMES.index(form_name) + 1001}", None)
        else:
            src = ("ANALYTICS", "tracking", None)
        assocs = [(COMPANY, comp["id"], 1)] if comp is not None else []
        self.ev(created, "c", cid, (CONTACT, props, src, assocs), cev)
        self.company_stage(comp, created, stage0, cev)

        owners_tl: list[tuple[int, Owner]] = [(created, owner)] if owner is not None else []

        def stage(ts: int, value: str, extra: dict | None = None, source_: tuple = src) -> None:
            self.ev(
                ts,
                "u",
                cid,
                (extra, ("lifecyclestage", value), {f"hs_lifecyclestage_{value}_date": iso(ts)}, source_),
                cev,
            )
            self.company_stage(comp, ts, value, cev)

        def set_props(ts: int, values: dict, source_: tuple) -> None:
            self.ev(ts, "u", cid, (values, None, None, source_), cev)

        handover: list = []  # the pending hand-over of a leaving owner: [event, timeline entry]

        def plan_handover(ts: int, rep: Owner) -> None:
            if rep.left_ms is not None and rep.left_ms > ts:  # the rep leaves: a manager hands the lead over
                t2 = rep.left_ms + _randint(r, HOUR_MS, 5 * DAY_MS)
                nxt = self.successor(rep, t2)
                set_props(
                    t2,
                    {"hubspot_owner_id": str(nxt.id), "hubspot_owner_assigneddate": iso(t2)},
                    ("CRM_UI", None, None),
                )
                owners_tl.append((t2, nxt))
                handover[:] = [cev[-1], owners_tl[-1]]

        def assign(ts: int, rep: Owner, source_: tuple, status: str | None = None) -> None:
            if handover and handover[1][0] > ts:  # reassigned before the planned hand-over: cancel it
                cev.remove(handover[0])
                owners_tl.remove(handover[1])
                handover.clear()
            values = {"hubspot_owner_id": str(rep.id), "hubspot_owner_assigneddate": iso(ts)}
            if status:
                values["hs_lead_status"] = status
            set_props(ts, values, source_)
            owners_tl.append((ts, rep))
            plan_handover(ts, rep)

        if owner is not None:
            plan_handover(created, owner)

        # --- web activity, email clicks, ordinary edits (independent of the funnel)
        self.web_activity(cid, created, intent, page_views, visits, set_props)
        self.ordinary_updates(cid, created, owner, set_props)

        # --- funnel
        t = created
        reached_lead = stage0 != "subscriber"
        mql_t: int | None = created if stage0 == "marketingqualifiedlead" else None
        if stage0 == "subscriber" and r.random() < model.P_SUBSCRIBER_TO_LEAD * (1 + 0.3 * max(intent, 0)):
            t = self.office_time(created + self.lognormal("subscriber_to_lead"), created)
            conversions += 1
            stage(
                t,
                "lead",
                {
                    "num_conversion_events": str(conversions),
                    "recent_conversion_date": iso(t),
                    "recent_conversion_event_name": _choice(r, gen_names.FORM_NAMES[2:]),
                },
                ("FORM", "form:lead-magnet", None),
            )
            reached_lead = True

        sql_t: int | None = None
        first_touch: int | None = None
        worked: dict = {}  # a rep took the contact on: when, who, first touch, outcome (for the Leads object)
        straight_sql = owner is not None and r.random() < model.P_OFFLINE_STRAIGHT_SQL
        if (
            reached_lead
            and mql_t is None
            and not straight_sql
            and r.random() < model.p_lead_to_mql(fit, intent, source)
        ):
            mql_t = self.office_time(t + self.lognormal("lead_to_mql"), t)
            conversions += 1
            values = {
                "num_conversion_events": str(conversions),
                "recent_conversion_date": iso(mql_t),
                "recent_conversion_event_name": _choice(
                    r, ("Demo request", "Contact sales", "Pricing page form", "Free trial signup")
                ),
            }
            if "first_conversion_date" not in props:
                values["first_conversion_date"] = iso(mql_t)
                values["first_conversion_event_name"] = values["recent_conversion_event_name"]
            camp = ctx.campaigns_at(mql_t)
            if camp and r.random() < 0.5:
                values["hs_analytics_last_touch_converting_campaign"] = _choice(r, camp).id
            stage(mql_t, "marketingqualifiedlead", values, ("FORM", "form:mql", None))

        if straight_sql:
            assert owner is not None
            touch_t = created + self.lognormal("attempt_gap")
            rep = self.owner_at(owners_tl, touch_t)
            touch_t = self.snap(rep, touch_t)
            self.call(touch_t, rep, cid, None, connected=True, intent=intent, fit=fit)
            sql_t = self.snap(rep, touch_t + self.lognormal("touch_to_sql"))
            first_touch = touch_t
            worked = {"at": created, "rep": owner, "touch": touch_t, "connected": True}
        elif mql_t is not None:
            base_t = mql_t
            if owner is None:
                u = r.random()
                if u >= model.P_ASSIGN_NEVER:
                    if u < model.P_ASSIGN_NEVER + model.P_ASSIGN_LATE:
                        assign_t = mql_t + lognormal_ms(
                            r,
                            model.LAG_DAYS["assign_late_hours"][0] / 24,
                            model.LAG_DAYS["assign_late_hours"][1],
                        )
                    else:
                        assign_t = mql_t + _randint(r, 1_000, 120_000)
                    rep = self.pick_rep("SDR" if r.random() < 0.85 else "Account Executives", assign_t)
                    assign(assign_t, rep, ("AUTOMATION_PLATFORM", "rotation", None), "OPEN")
                    owner = rep
                    base_t = assign_t
            if owner is not None:
                first_touch, connected, last_t = self.touch_sequence(cid, base_t, owners_tl, fit, intent)
                worked = {"at": base_t, "rep": self.owner_at(owners_tl, base_t), "touch": first_touch}
                worked["connected"] = connected
                if first_touch is not None:
                    rep = self.owner_at(owners_tl, first_touch)
                    set_props(
                        first_touch + _randint(r, 1_000, 60_000),
                        {"hs_lead_status": "CONNECTED" if connected else "ATTEMPTED_TO_CONTACT"},
                        ("CRM_UI", None, rep.user_id),
                    )
                    accepted = ctx.lifecycle.sales_accepted if ctx.lifecycle is not None else None
                    if accepted is not None:  # sales accepts the MQL at its first touch (no random draw)
                        stage(first_touch, accepted, None, ("CRM_UI", None, rep.user_id))
                    fast = first_touch - base_t <= 24 * HOUR_MS
                    if r.random() < model.p_mql_to_sql(fit, intent, source, persona, fast):
                        sql_t = self.snap(rep, max(first_touch, last_t) + self.lognormal("touch_to_sql"))
                    else:
                        u = r.random()
                        who = self.owner_at(owners_tl, last_t)
                        dq_t = self.snap(who, last_t + self.lognormal("touch_to_disqualify"))
                        if u < 0.55:
                            worked["disqualified"] = dq_t
                            set_props(dq_t, {"hs_lead_status": "UNQUALIFIED"}, ("CRM_UI", None, who.user_id))
                            if r.random() < 0.35:
                                set_props(
                                    dq_t + 1_000,
                                    {
                                        "lifecyclestage": "other",
                                        "hs_lifecyclestage_other_date": iso(dq_t + 1_000),
                                    },
                                    ("CRM_UI", None, who.user_id),
                                )
                        elif u < 0.8:
                            set_props(dq_t, {"hs_lead_status": "BAD_TIMING"}, ("CRM_UI", None, who.user_id))

        if sql_t is not None:
            rep = self.owner_at(owners_tl, sql_t) if owners_tl else self.pick_rep("SDR", sql_t)
            stage(
                sql_t, "salesqualifiedlead", {"hs_lead_status": "IN_PROGRESS"}, ("CRM_UI", None, rep.user_id)
            )
            if r.random() < model.p_sql_to_opp(fit, source):
                deal_t = sql_t + self.lognormal("sql_to_opp")
                ae = self.pick_rep("Account Executives", deal_t)
                deal_t = self.snap(ae, deal_t)
                others = []
                if comp is not None and not comp["existing"]:
                    others = [m for m in comp.get("member_ids", []) if m[1] < deal_t and m[0] != cid]
                extra = [m[0] for m in others if r.random() < 0.4][:2]
                won, close_t = self.sim_deal(
                    deal_t, [cid, *extra], comp, ae, DEFAULT_PIPELINE, fit, source, persona
                )
                stage(
                    deal_t + _randint(r, 1_000, 10_000),
                    "opportunity",
                    {"hs_lead_status": "OPEN_DEAL"},
                    ("DEALS", "deal-create", None),
                )
                if r.random() < 0.5:
                    assign(deal_t + 20_000, ae, ("CRM_UI", None, ae.user_id))
                if won:
                    stage(close_t + _randint(r, 1_000, 10_000), "customer", None, ("DEALS", "deal-won", None))
                    if r.random() < model.P_EVANGELIST:
                        stage(
                            close_t + self.lognormal("customer_to_evangelist"),
                            "evangelist",
                            None,
                            ("CRM_UI", None, None),
                        )
                    self.expansions(close_t, cid, comp, ae)
            elif r.random() < 0.5:
                rep = self.owner_at(owners_tl, sql_t) if owners_tl else rep
                set_props(
                    self.snap(rep, sql_t + self.lognormal("touch_to_disqualify")),
                    {"hs_lead_status": _choice(r, ("BAD_TIMING", "UNQUALIFIED"))},
                    ("CRM_UI", None, rep.user_id),
                )

        for _ in range(_poisson(r, 0.5)):
            self.marketing_touch(cid, created, intent)

        if comp is not None and not comp["existing"]:
            comp.setdefault("member_ids", []).append((cid, created))

        # --- a duplicate record of the same person, merged into this one later
        if comp is not None and r.random() < model.P_DUPLICATE:
            dup_id, merge_t = self.sim_duplicate(first, last, created)
            self.ev(merge_t, "m", cid, (dup_id, ("CRM_UI", None, self.pick_rep("SDR", merge_t).user_id)), cev)

        # --- deletion of junk that never reached MQL
        if mql_t is None and sql_t is None and not burst and r.random() < model.P_ARCHIVE_CONTACT:
            last_own = max(ev[0] for ev in cev)
            self.ev(last_own + _randint(r, 1, 250) * DAY_MS, "a", cid, ("CRM_UI", None, None), cev)

        if worked and ctx.lifecycle is not None and ctx.lifecycle.leads:
            self.lead(cid, f"{first} {last}", worked, sql_t, cev)
        if burst:
            self.apply_burst(cid, country, cev)
        if (
            ctx.lifecycle is not None
            and ctx.lifecycle.is_history_only(cid)
            and not any(ev[2] == "m" for ev in cev)  # a merge would bring the duplicate's dates along
        ):
            self.history_only.add(cid)
        self.events.extend(cev)

    def lead(self, cid: int, name: str, worked: dict, sql_t: int | None, cev: list[Event]) -> None:
        """The Leads record of a contact a rep took on (profiles with leads only; no random draws)."""
        rep: Owner = worked["rep"]
        lead_id = self.new_id(gen_leads.LEADS_CODE)
        for ts, kind, oid, data in gen_leads.lead_events(
            lead_id,
            cid,
            name,
            created=worked["at"],
            owner_id=rep.id,
            user_id=rep.user_id,
            first_touch=worked["touch"],
            connected=worked.get("connected", False),
            qualified=sql_t,
            disqualified=worked.get("disqualified"),
        ):
            self.ev(ts, kind, oid, data, cev)

    def apply_burst(self, cid: int, country: str, cev: list[Event]) -> None:
        """The month-end workflow re-maps territories; its write is the contact's last change by the clock."""
        tb, delta = self.ctx.burst_ms, self.ctx.burst_delta_ms
        assert tb is not None
        for i, ev in enumerate(cev):
            if ev[0] > tb:  # what this person did after the workflow run happens later instead
                cev[i] = (ev[0] + delta, *ev[1:])
        territory = _TERRITORY_BY_COUNTRY.get(country, "NA-West")
        if territory == "NA-East":
            territory = "NA-East" if self.r.random() < 0.5 else "NA-Central"
        self.ev(
            tb,
            "u",
            cid,
            (
                {BURST_PROPERTY: territory, BURST_DATE_PROPERTY: iso(tb)},
                None,
                None,
                ("AUTOMATION_PLATFORM", BURST_WORKFLOW_ID, None),
            ),
            cev,
        )

    def office_time(self, ts: int, not_before: int) -> int:
        """Move a contact-driven moment (a form fill) into office hours of the portal's zone, same day.

        Lags are drawn in continuous time; without this, MQLs would arrive evenly around the clock.
        """
        r = self.r
        day = (ts + self.tz_offset(ts // DAY_MS)) // DAY_MS
        weekday = (day + 3) % 7
        if weekday >= 5 and r.random() < 0.65:
            day += 7 - weekday
        off = self.tz_offset(day)
        out = day * DAY_MS - off + _pick_hour(r) * HOUR_MS + _randint(r, 0, HOUR_MS - 1)
        while out <= not_before:
            out += DAY_MS
        return out

    def tz_offset(self, day: int) -> int:
        off = self._offsets.get(day)
        if off is None:
            off = utc_offset_ms(self._zone, day)
            self._offsets[day] = off
        return off

    def snap(self, owner: Owner, ts: int) -> int:
        assert owner.calendar is not None
        return owner.calendar.snap(ts, _randint(self.r, 0, 40 * MINUTE_MS))

    # ------------------------------------------------------------ marketing-side activity

    def web_activity(
        self, cid: int, created: int, intent: float, page_views: int, visits: int, set_props
    ) -> None:
        r = self.r
        n = _poisson(r, 1.0 + 1.5 * max(intent, 0.0))
        times = sorted(created + int(r.expovariate(1.0 / (40 * DAY_MS))) for _ in range(n))
        for t in times:
            page_views += 1 + int(r.expovariate(0.4))
            visits += 1
            values = {
                "hs_analytics_num_page_views": str(page_views),
                "hs_analytics_num_visits": str(visits),
                "hs_analytics_last_visit_timestamp": iso(t),
            }
            if r.random() < 0.3:
                src = _pick(r, _SOURCES)
                values["hs_latest_source"] = src
                values["hs_latest_source_data_1"] = _choice(r, model.SOURCE_DATA_1[src])
            set_props(t, values, ("ANALYTICS", "tracking", None))
        n_clicks = _poisson(r, 0.4 + 0.8 * max(intent, 0.0))
        clicks = sorted(created + int(r.expovariate(1.0 / (60 * DAY_MS))) for _ in range(n_clicks))
        for i, t in enumerate(clicks):
            values = {
                "hs_email_click": str(i + 1),
                "hs_email_open": str(2 * (i + 1) + _randint(r, 0, 3)),
                "hs_email_last_click_date": iso(t),
            }
            if i == 0:
                values["hs_email_first_click_date"] = iso(t)
            set_props(t, values, ("EMAIL", "marketing-email", None))

    def ordinary_updates(self, cid: int, created: int, owner: Owner | None, set_props) -> None:
        r = self.r
        u = r.random()
        n = 0 if u < 0.5 else (1 if u < 0.85 else 2)
        for _ in range(n):
            t = created + _randint(r, 1, 540) * DAY_MS + _randint(r, 0, DAY_MS)
            kind = r.random()
            user = owner.user_id if owner is not None else None
            if kind < 0.3:
                sen = _pick(r, _SENIORITY)
                set_props(t, {"jobtitle": _choice(r, gen_names.JOB_TITLES[sen])}, ("CRM_UI", None, user))
            elif kind < 0.5:
                set_props(
                    t,
                    {"phone": f"+1 {_randint(r, 200, 999)} {_randint(r, 1000000, 9999999)}"},
                    ("CRM_UI", None, user),
                )
            elif kind < 0.6:
                set_props(t, {"hs_email_optout": "true"}, ("EMAIL", "unsubscribe", None))
            elif self.dense:
                cp = _choice(r, self.dense)
                set_props(t, {cp.name: self.custom_value(cp, t)}, ("IMPORT", f"import:{t // DAY_MS}", user))

    def marketing_touch(self, cid: int, created: int, intent: float) -> None:
        r = self.r
        t = created + _randint(r, 0, 120) * DAY_MS + _randint(r, 0, DAY_MS)
        owner = _choice(r, self.marketing)
        if r.random() < 0.5:
            self.engagement(
                NOTE,
                t,
                t + _randint(r, 1_000, 60_000),
                owner,
                cid,
                None,
                {"hs_note_body": _choice(r, gen_names.MARKETING_NOTE_BODIES)},
            )
        else:
            self.engagement(
                EMAIL,
                t,
                t + _randint(r, 1_000, 60_000),
                owner,
                cid,
                None,
                {
                    "hs_email_direction": "EMAIL",
                    "hs_email_status": "SENT",
                    "hs_email_subject": _choice(r, gen_names.MARKETING_EMAIL_SUBJECTS),
                },
            )

    def sim_duplicate(self, first: str, last: str, created: int) -> tuple[int, int]:
        """A second record of the person (personal address, another form); returns (its id, merge time)."""
        r = self.r
        did = self.new_id(CONTACT)
        t = created + _randint(r, 10, 300) * DAY_MS + _randint(r, 0, DAY_MS)
        source = _pick(r, _SOURCES)
        u = r.random()
        stage0 = "lead" if u < 0.7 else ("subscriber" if u < 0.9 else "marketingqualifiedlead")
        local = f"{first}.{last}".lower().replace("'", "").replace(" ", "") + str(_randint(r, 1, 99))
        props = {
            "email": self.unique_email(local, _choice(r, gen_names.FREE_EMAIL_DOMAINS)),
            "firstname": first,
            "lastname": last,
            "hs_analytics_source": source,
            "hs_analytics_source_data_1": _choice(r, model.SOURCE_DATA_1[source]),
            "hs_latest_source": source,
            "hs_latest_source_data_1": _choice(r, model.SOURCE_DATA_1[source]),
            "lifecyclestage": stage0,
            f"hs_lifecyclestage_{stage0}_date": iso(t),
            "hs_analytics_num_page_views": str(_randint(r, 1, 6)),
            "hs_analytics_num_visits": "1",
            "num_conversion_events": "1",
            "first_conversion_date": iso(t),
            "first_conversion_event_name": "Ebook: The Funnel Playbook",
            "recent_conversion_date": iso(t),
            "recent_conversion_event_name": "Ebook: The Funnel Playbook",
            "hs_email_optout": "false",
        }
        self.ev(t, "c", did, (CONTACT, props, ("FORM", "form:ebook", None), []))
        merge_t = t + lognormal_ms(r, 4.0, 1.0) + 60_000
        if r.random() < 0.3:
            note_t = t + _randint(r, HOUR_MS, 2 * DAY_MS)
            if note_t < merge_t:
                self.engagement(
                    NOTE,
                    note_t,
                    note_t + 5_000,
                    _choice(r, self.marketing),
                    did,
                    None,
                    {"hs_note_body": _choice(r, gen_names.MARKETING_NOTE_BODIES)},
                )
        return did, merge_t

    # ------------------------------------------------------------ sales activity

    def engagement(
        self, etype: int, ts: int, created: int, owner: Owner, contact: int, deal: int | None, props: dict
    ) -> int:
        eid = self.new_id(etype)
        props["hs_timestamp"] = iso(ts)
        props["hubspot_owner_id"] = str(owner.id)
        assocs = [(CONTACT, contact, 0)]
        if deal is not None:
            assocs.append((DEAL, deal, 0))
        self.ev(created, "c", eid, (etype, props, ("CRM_UI", None, owner.user_id), assocs))
        return eid

    def call(
        self,
        ts: int,
        owner: Owner,
        contact: int,
        deal: int | None,
        *,
        connected: bool,
        intent: float,
        fit: float,
        inbound: bool = False,
    ) -> int:
        r = self.r
        if connected:
            duration = _randint(r, 3, 40) * 60_000 + _randint(r, 0, 59_999)
            status, disposition = "COMPLETED", DISPOSITIONS["connected"]
        else:
            duration = _choice(r, (0, 0, _randint(r, 10_000, 40_000)))
            status = _choice(r, ("NO_ANSWER", "NO_ANSWER", "BUSY", "COMPLETED"))
            disposition = (
                DISPOSITIONS["left_voicemail"]
                if status == "COMPLETED"
                else DISPOSITIONS["busy" if status == "BUSY" else "no_answer"]
            )
        props = {
            "hs_call_direction": "INBOUND" if inbound else "OUTBOUND",
            "hs_call_status": status,
            "hs_call_duration": str(duration),
            "hs_call_title": _choice(r, ("Intro call", "Follow-up call", "Discovery call", "Call")),
            "hs_call_disposition": disposition,
        }
        return self.engagement(
            CALL, ts, ts + duration + _randint(r, 5_000, 180_000), owner, contact, deal, props
        )

    def outbound_email(self, ts: int, owner: Owner, contact: int, deal: int | None) -> int:
        r = self.r
        status = "SENT" if r.random() < 0.97 else "BOUNCED"
        return self.engagement(
            EMAIL,
            ts,
            ts + _randint(r, 1_000, 30_000),
            owner,
            contact,
            deal,
            {
                "hs_email_direction": "EMAIL",
                "hs_email_status": status,
                "hs_email_subject": _choice(r, gen_names.EMAIL_SUBJECTS_OUT),
            },
        )

    def meeting(self, booked: int, owner: Owner, contact: int, deal: int | None) -> int:
        r = self.r
        start = self.snap(owner, booked + _randint(r, 1, 6) * DAY_MS)
        end = start + _choice(r, (30, 45, 60)) * MINUTE_MS
        mid = self.engagement(
            MEETING,
            start,
            booked + _randint(r, 1_000, 120_000),
            owner,
            contact,
            deal,
            {
                "hs_meeting_title": _choice(r, gen_names.MEETING_TITLES),
                "hs_meeting_start_time": iso(start),
                "hs_meeting_end_time": iso(end),
                "hs_meeting_outcome": "SCHEDULED",
            },
        )
        u = r.random()
        outcome = "COMPLETED" if u < 0.8 else ("NO_SHOW" if u < 0.92 else "RESCHEDULED")
        self.ev(
            end + _randint(r, 60_000, 4 * HOUR_MS),
            "u",
            mid,
            ({"hs_meeting_outcome": outcome}, None, None, ("CRM_UI", None, owner.user_id)),
        )
        return mid

    def task(
        self,
        created: int,
        due: int,
        owner: Owner,
        contact: int,
        deal: int | None,
        subject: str,
        done_at: int | None,
    ) -> int:
        r = self.r
        tid = self.engagement(
            TASK,
            due,
            created,
            owner,
            contact,
            deal,
            {
                "hs_task_subject": subject,
                "hs_task_status": "NOT_STARTED",
                "hs_task_type": _choice(r, ("CALL", "EMAIL", "TODO")),
                "hs_task_priority": _choice(r, ("NONE", "LOW", "MEDIUM", "HIGH")),
            },
        )
        if done_at is not None and done_at > created:
            self.ev(
                done_at,
                "u",
                tid,
                (
                    {"hs_task_status": "COMPLETED", "hs_task_completion_date": iso(done_at)},
                    None,
                    None,
                    ("CRM_UI", None, owner.user_id),
                ),
            )
            if r.random() < model.P_ARCHIVE_TASK:
                self.ev(done_at + _randint(r, 1, 30) * DAY_MS, "a", tid, ("CRM_UI", None, owner.user_id))
        return tid

    def touch_sequence(
        self, cid: int, base_t: int, owners_tl: list[tuple[int, Owner]], fit: float, intent: float
    ) -> tuple[int | None, bool, int]:
        """The rep's follow-up of a new MQL; returns (first touch, connected, last activity)."""
        r = self.r
        rep = self.owner_at(owners_tl, base_t)
        arch = rep.archetype or model.REP_ARCHETYPES[3]
        untouched, speed = arch.untouched_share, arch.median_hours
        if arch.cherry_picking:
            if fit >= model.CHERRY_HIGH_FIT:
                speed *= model.CHERRY_HIGH_SPEEDUP
                untouched *= 0.3
            elif fit < model.CHERRY_LOW_FIT:
                untouched = max(untouched, model.CHERRY_LOW_UNTOUCHED)
                speed *= model.CHERRY_LOW_SLOWDOWN
        touched = r.random() >= untouched
        t = base_t + int(speed * HOUR_MS * math.exp(0.8 * r.gauss(0.0, 1.0)))
        rep = self.owner_at(owners_tl, t)
        t = self.snap(rep, t)
        if r.random() < 0.5:  # the rotation workflow drops a reminder task (a task is not a touch)
            self.task(
                base_t + _randint(r, 1_000, 60_000),
                base_t + DAY_MS,
                rep,
                cid,
                None,
                "Follow up with new MQL",
                t if touched else None,
            )
        if not touched:
            return None, False, base_t
        first = t
        connected = False
        attempts = 3 + min(int(r.expovariate(1 / 3.5)), 12)
        p_connect = model.sigmoid(-1.0 + 0.5 * intent + (0.5 if fit > 0.6 else 0.0))
        for i in range(attempts):
            if i:
                t = self.snap(rep, t + self.lognormal("attempt_gap"))
                rep = self.owner_at(owners_tl, t)
            if r.random() < (0.6 if i == 0 else 0.5):
                conn = r.random() < p_connect
                self.call(t, rep, cid, None, connected=conn, intent=intent, fit=fit)
                if conn:
                    connected = True
                    end = t + 20 * MINUTE_MS
                    if r.random() < 0.5:
                        self.engagement(
                            NOTE,
                            end,
                            end + _randint(r, 1_000, 600_000),
                            rep,
                            cid,
                            None,
                            {"hs_note_body": _choice(r, gen_names.NOTE_BODIES)},
                        )
                    if r.random() < 0.55:
                        self.meeting(end, rep, cid, None)
                    for _ in range(_randint(r, 1, 3)):  # recap and resources after the conversation
                        t = self.snap(rep, t + self.lognormal("attempt_gap"))
                        self.outbound_email(t, rep, cid, None)
                    break
            else:
                self.outbound_email(t, rep, cid, None)
                if r.random() < 0.15 + 0.05 * max(intent, 0.0):
                    reply = t + _randint(r, HOUR_MS, 2 * DAY_MS)
                    self.engagement(
                        EMAIL,
                        reply,
                        reply + _randint(r, 1_000, 60_000),
                        rep,
                        cid,
                        None,
                        {
                            "hs_email_direction": "INCOMING_EMAIL",
                            "hs_email_status": "SENT",
                            "hs_email_subject": _choice(r, gen_names.EMAIL_SUBJECTS_IN),
                        },
                    )
                    connected = True
                    t = reply
                    break
        return first, connected, t

    # ------------------------------------------------------------ deals

    def sim_deal(
        self,
        t0: int,
        contacts: list[int],
        comp: dict | None,
        owner: Owner,
        pipeline: str,
        fit: float,
        source: str,
        persona: str,
        *,
        expansion: bool = False,
    ) -> tuple[bool, int]:
        """One deal from creation to close; returns (won, close time)."""
        r = self.r
        did = self.new_id(DEAL)
        stages = PIPELINES[pipeline][1]
        open_stages = [s for s in stages if not s[3]]
        won_stage = next(s for s in stages if s[3] and s[2] == 1.0)
        lost_stage = next(s for s in stages if s[3] and s[2] == 0.0)
        if expansion:
            won = r.random() < model.P_EXPANSION_WIN
            start = 0
            cycle = lognormal_ms(r, 30.0, 0.5)
        else:
            won = r.random() < model.p_win(fit, source, persona)
            start = 0 if r.random() < 0.8 else 1
            cycle = self.lognormal("deal_cycle")
        if won:
            path = list(open_stages[start:])
            if len(path) > 3 and r.random() < 0.3:
                del path[_randint(r, 1, len(path) - 2)]  # reps skip a stage now and then
            final = won_stage
        else:
            k = _randint(r, start, len(open_stages) - 1)
            path = list(open_stages[start : k + 1])
            final = lost_stage
            cycle = int(cycle * r.uniform(0.4, 1.0))
        close_t = self.snap(owner, t0 + cycle)
        cuts = [0.0, *sorted(r.random() for _ in range(len(path) - 1))]  # uneven time in each stage
        steps = [(s, t0 + int(cycle * f)) for s, f in zip(path, cuts, strict=True)]
        code = _pick(r, _CURRENCY)
        employees = comp["employees"] if comp else 20
        median = model.EXPANSION_AMOUNT_MEDIAN if expansion else model.DEAL_AMOUNT_MEDIAN
        amount = (
            median
            * min(max((employees / 200) ** 0.35, 0.4), 3.0)
            * math.exp(model.DEAL_AMOUNT_SIGMA * r.gauss(0, 1))
        )
        amount = round(amount / _RATE[code], -1) if code != "USD" else round(amount, -1)
        cname = comp["name"] if comp else "Self-serve"
        expected_close = t0 + lognormal_ms(r, 45.0, 0.3)
        props = {
            "dealname": f"{cname} - {'Expansion' if expansion else 'New Business'}",
            "pipeline": pipeline,
            "dealstage": path[0][0],
            "amount": _money(amount),
            "amount_in_home_currency": _money(amount * _RATE[code]),
            "deal_currency_code": code,
            "closedate": iso(expected_close - expected_close % DAY_MS),
            "hubspot_owner_id": str(owner.id),
            "dealtype": "existingbusiness" if expansion else "newbusiness",
            "hs_is_closed": "false",
            "hs_is_closed_won": "false",
            "hs_deal_stage_probability": str(path[0][2]),
            "hs_priority": _choice(r, ("low", "medium", "high")),
            "acme_product_line": _choice(r, ("core", "analytics_plus", "enterprise")),
            f"hs_v2_date_entered_{path[0][0]}": iso(t0),
        }
        assocs = [(CONTACT, c, 0) for c in contacts]
        if comp is not None:
            assocs.append((COMPANY, comp["id"], 1))
            comp["deals"] += 1
            if comp["owner"] is None and not expansion:
                comp["owner"] = owner.id
                self.ev(
                    t0 + 30_000,
                    "u",
                    comp["id"],
                    ({"hubspot_owner_id": str(owner.id)}, None, None, ("CRM_UI", None, owner.user_id)),
                )
        src = ("CRM_UI", None, owner.user_id)
        self.ev(t0, "c", did, (DEAL, props, src, assocs))
        deal_owner = [(t0, owner)]
        if owner.left_ms is not None and t0 < owner.left_ms < close_t:
            t2 = owner.left_ms + _randint(r, HOUR_MS, 5 * DAY_MS)
            nxt = self.successor(owner, t2)
            self.ev(t2, "u", did, ({"hubspot_owner_id": str(nxt.id)}, None, None, ("CRM_UI", None, None)))
            deal_owner.append((t2, nxt))
        prev, prev_t = path[0], t0
        for s, ts in [*steps[1:], (final, close_t)]:
            values = {
                "dealstage": s[0],
                f"hs_v2_date_entered_{s[0]}": iso(ts),
                f"hs_v2_date_exited_{prev[0]}": iso(ts),
                f"hs_v2_latest_time_in_{prev[0]}": str(ts - prev_t),
                "hs_deal_stage_probability": str(s[2]),
            }
            who = self.owner_at(deal_owner, ts)
            if s is final:
                values.update(
                    closedate=iso(ts), hs_is_closed="true", hs_is_closed_won="true" if won else "false"
                )
                if won and r.random() < 0.3:
                    amount = round(amount * r.uniform(0.85, 1.15), -1)
                    values.update(amount=_money(amount), amount_in_home_currency=_money(amount * _RATE[code]))
                if not won:
                    values["closed_lost_reason"] = _choice(r, gen_names.CLOSED_LOST_REASONS)
            self.ev(ts, "u", did, (values, None, None, ("CRM_UI", None, who.user_id)))
            prev, prev_t = s, ts
        # the AE works the deal: calls, emails, meetings, notes, tasks between creation and close
        n = 3 + _poisson(r, 4.0 if expansion else 12.0)
        primary = contacts[0]
        for _ in range(n):
            t = t0 + _randint(r, 0, max(cycle, 1))
            who = self.owner_at(deal_owner, t)
            t = self.snap(who, t)
            u = r.random()
            if u < 0.3:
                self.call(t, who, primary, did, connected=r.random() < 0.6, intent=0.0, fit=fit)
            elif u < 0.62:
                self.outbound_email(t, who, primary, did)
            elif u < 0.78:
                self.meeting(t, who, primary, did)
            elif u < 0.9:
                self.engagement(
                    NOTE,
                    t,
                    t + _randint(r, 1_000, 300_000),
                    who,
                    primary,
                    did,
                    {"hs_note_body": _choice(r, gen_names.NOTE_BODIES)},
                )
            else:
                due = t + _randint(r, 1, 5) * DAY_MS
                self.task(
                    t,
                    due,
                    who,
                    primary,
                    did,
                    _choice(r, gen_names.TASK_SUBJECTS),
                    due + _randint(r, -DAY_MS, DAY_MS) if r.random() < 0.8 else None,
                )
        if r.random() < model.P_ARCHIVE_DEAL:
            self.ev(close_t + _randint(r, 1, 60) * DAY_MS, "a", did, ("CRM_UI", None, owner.user_id))
        if r.random() < model.P_DUPLICATE_DEAL:  # entered twice by mistake; the copy is deleted soon after
            dup = self.new_id(DEAL)
            t_dup = t0 + _randint(r, 60_000, 2 * HOUR_MS)
            copy = {k: v for k, v in props.items() if not k.startswith("hs_v2_date_entered_")}
            copy[f"hs_v2_date_entered_{path[0][0]}"] = iso(t_dup)
            self.ev(t_dup, "c", dup, (DEAL, copy, src, assocs))
            self.ev(t_dup + _randint(r, HOUR_MS, 3 * DAY_MS), "a", dup, src)
        return won, close_t

    def expansions(self, won_t: int, cid: int, comp: dict | None, ae: Owner) -> None:
        if comp is None:
            return
        r = self.r
        n = _poisson(r, model.EXPANSION_RATE)
        t = won_t
        for _ in range(n):
            t = t + self.lognormal("expansion_after_won")
            if t > self.ctx.horizon_ms:
                return
            owner = (
                self.pick_rep("Customer Success", t)
                if r.random() < 0.6
                else (ae if ae.left_ms is None or ae.left_ms > t else self.successor(ae, t))
            )
            t = self.snap(owner, t)
            self.sim_deal(
                t, [cid], comp, owner, EXPANSION_PIPELINE, 0.7, "OFFLINE", "persona_2", expansion=True
            )
