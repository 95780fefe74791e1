"""Lifecycle-stage profiles of the synthetic portal: HubSpot's default stages, or a customised set.

Since 2022 HubSpot portals can rename, remove and add lifecycle stages. A renamed default stage keeps its
internal value (only the label changes); an added stage gets a numeric internal value; a removed stage is
gone from the `lifecyclestage` options. HubSpot keeps `hs_lifecyclestage_<value>_date` for default stages
only; its "date entered" / "date exited" properties (`hs_v2_date_entered_<value>`,
`hs_v2_date_exited_<value>`) cover every stage, custom ones included. The `lifecyclestage` property
history is the record of last resort.

The simulation (gen_sim) always plays the same funnel with HubSpot's default values. A non-default
profile rewrites a block's lifecycle events afterwards (`LifecycleProfile.rewrite`) and adds its extra
stages where the simulation offers a hook (the sales-accepted stage at a rep's first touch of an MQL),
so the default profile's portal stays byte-identical and a custom portal holds the same people, deals
and activities with other stage values. Everything it adds is derived from record ids (hashes), never
from the simulation's random stream.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from onefunnel.portal import model

Event = tuple  # (ts, seq, kind, object_id, data) as in gen_engine

CONTACT, COMPANY = 1, 2
DAY_MS = 86_400_000
DEFAULT_PROFILE = "default"
DATE_ENTERED = "hs_v2_date_entered_"
DATE_EXITED = "hs_v2_date_exited_"


def default_date_property(value: str) -> str:
    return f"hs_lifecyclestage_{value}_date"


@dataclass(frozen=True)
class LifecycleStage:
    value: str  # internal value (what the API returns); a custom stage's is a number
    label: str  # what users see in HubSpot
    rank: float  # forward order of automatic updates; `other` (a side exit) ranks lowest
    custom: bool = False  # added by the portal (no hs_lifecyclestage_<value>_date property)


@dataclass(frozen=True)
class LifecycleProfile:
    """A portal's lifecycle stages and how the simulated funnel maps onto them."""

    name: str
    description: str
    stages: tuple[LifecycleStage, ...]  # in the portal's display order
    # default value the simulation writes -> the value this portal uses instead (a removed stage)
    replaces: dict[str, str] = field(default_factory=dict)
    # stage set when a rep first touches an MQL (between MQL and SQL); None: no such stage
    sales_accepted: str | None = None
    # percent of contacts whose stage date properties are all empty (history only); see rewrite()
    history_only_percent: int = 0
    # the portal uses HubSpot's Leads object (gen_leads): a lead for each contact a rep takes on
    leads: bool = False

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(stage.value for stage in self.stages)

    @property
    def custom_values(self) -> tuple[str, ...]:
        return tuple(stage.value for stage in self.stages if stage.custom)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(value for value, _label in model.LIFECYCLE_STAGES if value not in self.values)

    def options(self) -> tuple[tuple[str, str], ...]:
        """The `lifecyclestage` property's options, (value, label), as the properties API lists them."""
        return tuple((stage.value, stage.label) for stage in self.stages)

    def date_properties(self, value: str, when: str) -> dict[str, str]:
        """Stage date properties HubSpot writes when a record enters `value` at `when`."""
        stage = self._stage(value)
        dates = {f"{DATE_ENTERED}{value}": when}
        if not stage.custom:
            dates[default_date_property(value)] = when
        return dates

    def is_history_only(self, contact_id: int) -> bool:
        """Contacts whose stage dates live only in the lifecyclestage property history (a hash of the id)."""
        if not self.history_only_percent:
            return False
        digest = hashlib.sha256(f"history-only:{contact_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % 100 < self.history_only_percent

    def _stage(self, value: str) -> LifecycleStage:
        for stage in self.stages:
            if stage.value == value:
                return stage
        raise KeyError(f"lifecycle stage {value!r} is not in profile {self.name!r}")

    # ------------------------------------------------------------ rewriting simulated events

    def rewrite(self, events: list[Event], history_only: set[int]) -> list[Event]:
        """The block's events with this profile's stage values and date properties.

        Lifecycle changes of contacts and companies get the profile's value (`replaces`) and its date
        properties (`date_properties`); contacts in `history_only` (created by an import) get none at all,
        so only their `lifecyclestage` property history dates their stages. Date-exited properties are
        written by the engine when a record leaves a stage (it alone knows the stage left).
        """
        out = []
        for ev in events:
            ts, seq, kind, oid, data = ev
            if kind == "c" and data[0] in (CONTACT, COMPANY) and data[1].get("lifecyclestage"):
                props = self._rewrite_props(dict(data[1]), oid in history_only)
                src = data[2]
                if oid in history_only:  # came in by a list import that wrote the stage, never its dates
                    src = ("IMPORT", f"import:{ts // DAY_MS}", src[2])
                ev = (ts, seq, kind, oid, (data[0], props, src, data[3]))
            elif kind == "u":
                set_props, raise_, rset, src = data
                if raise_ is not None and raise_[0] == "lifecyclestage":
                    value = self.replaces.get(raise_[1], raise_[1])
                    when = next(iter((rset or {}).values()), None)
                    dates = None if oid in history_only or when is None else self.date_properties(value, when)
                    set_props = self._strip(set_props, oid in history_only)
                    ev = (ts, seq, kind, oid, (set_props, ("lifecyclestage", value), dates, src))
                elif set_props and "lifecyclestage" in set_props:
                    props = self._rewrite_props(dict(set_props), oid in history_only)
                    ev = (ts, seq, kind, oid, (props, raise_, rset, src))
            out.append(ev)
        return out

    def _rewrite_props(self, props: dict, history_only: bool) -> dict:
        value = props["lifecyclestage"]
        when = props.pop(default_date_property(value), None)
        value = self.replaces.get(value, value)
        props["lifecyclestage"] = value
        if when is not None and not history_only:
            props.update(self.date_properties(value, when))
        return props

    @staticmethod
    def _strip(props: dict | None, history_only: bool) -> dict | None:
        if not props or not history_only:
            return props
        return {k: v for k, v in props.items() if not _is_stage_date(k)} or None


def _is_stage_date(name: str) -> bool:
    return name.startswith((DATE_ENTERED, DATE_EXITED)) or (
        name.startswith("hs_lifecyclestage_") and name.endswith("_date")
    )


# A B2B portal's customised stages (the `custom-stages` profile). Its RevOps team renamed the default
# stages, added "Sales Accepted Lead" (sales accepts an MQL at the first rep touch) between MQL and SQL,
# and replaced HubSpot's "Opportunity" by its own "Open Deal" stage (set when a deal is created), so the
# sales funnel goes SQL -> a custom stage -> Customer. definitions.custom-stages.yml maps this portal.
SALES_ACCEPTED_LEAD = "1034567"
OPEN_DEAL = "1034568"
CUSTOM_STAGES = LifecycleProfile(
    name="custom-stages",
    description=(
        "renamed default stages, 'opportunity' removed, two custom stages with numeric values "
        f"({SALES_ACCEPTED_LEAD} Sales Accepted Lead, {OPEN_DEAL} Open Deal), 3% of contacts dated only "
        "by the lifecyclestage history, a Leads record for each contact a rep took on"
    ),
    stages=(
        LifecycleStage("subscriber", "Newsletter Subscriber", 0),
        LifecycleStage("lead", "Inquiry", 1),
        LifecycleStage("marketingqualifiedlead", "Marketing Qualified Lead (MQL)", 2),
        LifecycleStage(SALES_ACCEPTED_LEAD, "Sales Accepted Lead (SAL)", 2.5, custom=True),
        LifecycleStage("salesqualifiedlead", "Sales Qualified Lead (SQL)", 3),
        LifecycleStage(OPEN_DEAL, "Open Deal", 4, custom=True),
        LifecycleStage("customer", "Customer", 5),
        LifecycleStage("evangelist", "Advocate", 6),
        LifecycleStage("other", "Disqualified", -1),
    ),
    replaces={"opportunity": OPEN_DEAL},
    sales_accepted=SALES_ACCEPTED_LEAD,
    history_only_percent=3,
    leads=True,
)

PROFILES: dict[str, LifecycleProfile | None] = {DEFAULT_PROFILE: None, CUSTOM_STAGES.name: CUSTOM_STAGES}

# Forward order of every stage value any profile uses (the engine raises lifecyclestage by it).
STAGE_RANK: dict[str, float] = {
    **model.STAGE_RANK,
    **{s.value: s.rank for p in PROFILES.values() if p for s in p.stages if s.custom},
}


def profile_named(name: str | None) -> LifecycleProfile | None:
    """The profile called `name` (None for HubSpot's default stages); ValueError names the choices."""
    if name is None or name == DEFAULT_PROFILE:
        return None
    if name not in PROFILES:
        raise ValueError(f"unknown portal profile {name!r}; choose one of {', '.join(PROFILES)}")
    return PROFILES[name]
