"""The shared funnel definitions: load `definitions.yml`, validate it, and give it a version.

Both teams own one YAML file. Validation is strict so an edit can never silently mean something else:
unknown keys, a key written twice (YAML would keep the last), booleans or quoted text where a number
belongs, numbers out of their sensible range and rules that contradict each other are all errors, and
every error names the offending key. The version is a hash of the validated content, so comments and
formatting do not change it but any rule change does.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from onefunnel.config import REPO_ROOT

DEFAULT_DEFINITIONS_FILE = REPO_ROOT / "definitions.yml"

# The largest values that still mean something: an SLA of more than 90 days is not a speed-to-lead
# agreement, and a window or lookback beyond ten years reaches before any HubSpot portal's data.
MAX_SLA_HOURS = 24 * 90
MAX_DAYS = 3650


def _a_number(value: object) -> object:
    """YAML reads `true`, `yes` and `on` as booleans, which Python counts as 1, and `"24"` as text that
    pydantic would quietly convert: a rule is a number only when it is written as one."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not the boolean {str(value).lower()}")
    if isinstance(value, str):
        raise ValueError(f"must be a number written without quotes, not the text {value!r}")
    return value


_Number = BeforeValidator(_a_number)
PositiveInt = Annotated[int, _Number, Field(gt=0)]
Count = Annotated[int, _Number, Field(ge=0)]
Days = Annotated[int, _Number, Field(ge=1, le=MAX_DAYS)]
Hours = Annotated[float, _Number, Field(gt=0, le=MAX_SLA_HOURS, allow_inf_nan=False)]
Share = Annotated[float, _Number, Field(ge=0, le=1, allow_inf_nan=False)]
Points = Annotated[float, _Number, Field(ge=0, le=100, allow_inf_nan=False)]
Amount = Annotated[float, _Number, Field(ge=0, allow_inf_nan=False)]
TeamName = Literal["sales", "marketing"]
TARGET_METRICS = ("mqls", "sqls", "sourced_pipeline", "closed_won_revenue")
REQUIRED_STAGE_KEYS = ("mql", "sql")
AudienceFormatName = Literal["linkedin", "meta", "google", "csv"]
# HubSpot internal property names (they become SQL column names, so nothing else is allowed).
PropertyName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=100)]


class DefinitionsError(ValueError):
    """The definitions file is missing, unreadable or breaks a rule; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _repeated(values: list) -> list:
    """The values that occur more than once, in first-seen order."""
    seen: set = set()
    return list(dict.fromkeys(value for value in values if value in seen or seen.add(value)))


class Stage(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    lifecycle_stages: list[str] = Field(min_length=1)

    @field_validator("lifecycle_stages")
    @classmethod
    def _each_value_once(cls, values: list[str]) -> list[str]:
        repeated = _repeated(values)
        if repeated:
            raise ValueError(f"lifecycle stage(s) {repeated} are listed twice")
        return values


class Disqualification(_Strict):
    lifecycle_stages: list[str] = []
    lead_statuses: list[str] = []


class StageDates(_Strict):
    """Where stage dates come from for contacts HubSpot gives none (typically imported contacts)."""

    # A contact with no stage date from any stage property nor from its lifecyclestage history takes its
    # create date for the stage it is in; such contacts are flagged (metrics.md, "No stage date at all").
    create_date_fallback: bool


class Sla(_Strict):
    first_touch_hours: Hours
    mql_to_sql_window_days: Days
    mql_to_sql_target_rate: Share
    # An untouched owned MQL older than this many days counts as an "aging" lead in rep follow-up.
    untouched_aging_days: Days

    @model_validator(mode="after")
    def _aging_comes_after_the_sla(self) -> Sla:
        # An MQL still inside its first-touch SLA is not late, so it cannot already be an aging lead.
        if self.untouched_aging_days * 24 < self.first_touch_hours:
            raise ValueError(
                f"untouched_aging_days ({self.untouched_aging_days} days) is shorter than first_touch_hours "
                f"({self.first_touch_hours:g} hours): a lead would be aging before its SLA runs out"
            )
        return self


class SalesTouch(_Strict):
    engagement_types: list[Literal["calls", "emails", "meetings", "notes", "tasks"]] = Field(min_length=1)
    email_directions: list[str] = ["EMAIL"]


class Teams(_Strict):
    sales: list[str] = Field(min_length=1)
    marketing: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _teams_do_not_overlap(self) -> Teams:
        for side in ("sales", "marketing"):
            repeated = _repeated(getattr(self, side))
            if repeated:
                raise ValueError(f"team(s) {repeated} are listed twice in {side}")
        shared = sorted(set(self.sales) & set(self.marketing))
        if shared:
            raise ValueError(f"team(s) {shared} are listed as both sales and marketing")
        return self


class Influence(_Strict):
    interactions: list[Literal["form_submission", "marketing_email_click", "campaign_membership"]]
    lookback_days: Days


class CompanySizeBand(_Strict):
    min_employees: Count
    points: Points


class FitScore(_Strict):
    seniority: dict[str, Points]
    company_size: list[CompanySizeBand] = Field(min_length=1)
    target_industries: list[str]
    target_industry_points: Points

    @field_validator("company_size")
    @classmethod
    def _one_band_per_size(cls, bands: list[CompanySizeBand]) -> list[CompanySizeBand]:
        repeated = _repeated([band.min_employees for band in bands])
        if repeated:
            raise ValueError(f"min_employees {repeated} appear in two bands: which points apply is undecided")
        return bands

    def highest_score(self) -> float:
        """The best fit score a contact can get (the warehouse caps the sum at 100)."""
        best = (
            max(self.seniority.values(), default=0)
            + max(band.points for band in self.company_size)
            + (self.target_industry_points if self.target_industries else 0)
        )
        return min(100.0, best)


class EngagementScore(_Strict):
    page_view_points: Points
    page_view_cap: Points
    form_submission_points: Points
    form_submission_cap: Points
    email_click_points: Points

    @model_validator(mode="after")
    def _caps_hold_at_least_one_event(self) -> EngagementScore:
        for activity in ("page_view", "form_submission"):
            points, cap = getattr(self, f"{activity}_points"), getattr(self, f"{activity}_cap")
            if cap < points:
                raise ValueError(
                    f"{activity}_cap ({cap:g}) is below {activity}_points ({points:g}): "
                    f"a single {activity.replace('_', ' ')} would already exceed its cap"
                )
        return self

    def highest_score(self) -> float:
        """The best engagement score a contact can get (email clicks are uncapped; the sum caps at 100)."""
        if self.email_click_points > 0:
            return 100.0
        page_views = self.page_view_cap if self.page_view_points > 0 else 0
        forms = self.form_submission_cap if self.form_submission_points > 0 else 0
        return min(100.0, page_views + forms)


class GradeBand(_Strict):
    grade: str = Field(pattern=r"^[A-Z]$")
    min_fit: Points
    min_engagement: Points


class CherryPicking(_Strict):
    """Which grades count as high and low for the cherry-picking index (touch rate high - touch rate low)."""

    high_grades: list[str] = Field(min_length=1)
    low_grades: list[str] = Field(min_length=1)


class LeadGrade(_Strict):
    fit: FitScore
    engagement: EngagementScore
    grades: list[GradeBand] = Field(min_length=2)
    cherry_picking: CherryPicking

    @field_validator("grades")
    @classmethod
    def _last_grade_catches_everyone(cls, grades: list[GradeBand]) -> list[GradeBand]:
        if grades[-1].min_fit != 0 or grades[-1].min_engagement != 0:
            raise ValueError("the last grade needs min_fit 0 and min_engagement 0 so every lead gets one")
        return grades

    @field_validator("grades")
    @classmethod
    def _every_grade_reachable_by_order(cls, grades: list[GradeBand]) -> list[GradeBand]:
        # A lead gets the first band whose minimums both hold: a band asking at least as much as an
        # earlier one on both scores is never reached.
        for position, band in enumerate(grades):
            for earlier in grades[:position]:
                if earlier.min_fit <= band.min_fit and earlier.min_engagement <= band.min_engagement:
                    raise ValueError(
                        f"grade {band.grade} (min_fit {band.min_fit:g}, min_engagement "
                        f"{band.min_engagement:g}) can never be given: the earlier grade {earlier.grade} "
                        f"asks no more (min_fit {earlier.min_fit:g}, min_engagement "
                        f"{earlier.min_engagement:g}); order grades from the strictest down"
                    )
        return grades

    @model_validator(mode="after")
    def _grades_reachable_by_score(self) -> LeadGrade:
        best_fit, best_engagement = self.fit.highest_score(), self.engagement.highest_score()
        for band in self.grades:
            if band.min_fit > best_fit or band.min_engagement > best_engagement:
                raise ValueError(
                    f"grade {band.grade} can never be given: it needs min_fit {band.min_fit:g} and "
                    f"min_engagement {band.min_engagement:g}, but the scores reach at most fit "
                    f"{best_fit:g} and engagement {best_engagement:g}"
                )
        return self

    @model_validator(mode="after")
    def _cherry_picking_grades_exist(self) -> LeadGrade:
        known = [band.grade for band in self.grades]
        if len(set(known)) != len(known):
            raise ValueError(f"grades must be unique, got {known}")
        picking = self.cherry_picking
        unknown = sorted((set(picking.high_grades) | set(picking.low_grades)) - set(known))
        if unknown:
            raise ValueError(f"cherry_picking names grade(s) {unknown} that are not in grades {known}")
        both = sorted(set(picking.high_grades) & set(picking.low_grades))
        if both:
            raise ValueError(f"cherry_picking lists grade(s) {both} as both high and low")
        # The index is touch rate of high minus low grades: a "high" grade ranked below a "low" one
        # turns its sign around.
        lowest_high = max(known.index(grade) for grade in picking.high_grades)
        highest_low = min(known.index(grade) for grade in picking.low_grades)
        if lowest_high > highest_low:
            raise ValueError(
                f"cherry_picking high grade {known[lowest_high]} ranks below low grade {known[highest_low]} "
                f"in grades {known}: every high grade must come before every low grade"
            )
        return self


class MonthlyTarget(_Strict):
    """`default` applies to every month; other keys are months written YYYY-MM."""

    model_config = ConfigDict(extra="allow", frozen=True)
    default: Amount

    @model_validator(mode="after")
    def _month_keys_are_months(self) -> MonthlyTarget:
        for key, value in (self.model_extra or {}).items():
            if not (len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit()):
                raise ValueError(f"target month {key!r} must be written YYYY-MM")
            if not 1 <= int(key[5:]) <= 12:
                raise ValueError(f"target month {key!r} has no month {key[5:]}")
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ValueError(f"target for {key} must be a finite number >= 0, got {value!r}")
        return self

    def for_month(self, month: str) -> float:
        return float((self.model_extra or {}).get(month, self.default))


class AudienceConsent(_Strict):
    """Which HubSpot properties carry consent, and which legal bases allow processing for ads."""

    # A HubSpot boolean property: "true" = the contact unsubscribed from all email.
    email_opt_out_property: PropertyName
    # A HubSpot (multi-select, ";"-separated) property naming the legal basis for processing.
    legal_basis_property: PropertyName
    # False for portals that do not record a legal basis (outside GDPR scope): the basis is not checked.
    require_lawful_basis: bool
    lawful_bases: list[Annotated[str, Field(min_length=1)]]

    @model_validator(mode="after")
    def _lawful_bases_listed_when_required(self) -> AudienceConsent:
        if self.require_lawful_basis and not self.lawful_bases:
            raise ValueError("lawful_bases must list at least one value when require_lawful_basis is true")
        return self


class AudienceFormatRule(_Strict):
    # Fewer prospects than this and the rep's file in this format is withheld (not written).
    min_audience_size: PositiveInt


class Audiences(_Strict):
    """Prospect audiences (issue 8): each sales rep's working prospects as ad-platform audience files."""

    # A contact owned by a sales rep is a working prospect with one of these lead statuses ...
    prospecting_lead_statuses: list[str]
    # ... or when it is associated with an open deal.
    include_open_deal_contacts: bool
    # Contacts in these lifecycle stages are customers already: never in an audience.
    excluded_lifecycle_stages: list[str]
    consent: AudienceConsent
    # No ad-platform file with fewer prospects than this, whatever the platform accepts: a tiny audience
    # lets an ad single people out.
    privacy_floor: PositiveInt
    # The formats produced, each with its minimum audience size; formats left out are not produced.
    formats: dict[AudienceFormatName, AudienceFormatRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _some_contact_can_qualify(self) -> Audiences:
        if not self.prospecting_lead_statuses and not self.include_open_deal_contacts:
            raise ValueError(
                "no contact could ever be a working prospect: list prospecting_lead_statuses or set "
                "include_open_deal_contacts: true"
            )
        return self


ATTRIBUTION_MODELS = ("first_touch", "last_touch", "linear", "w_shaped")
AttributionModel = Literal["first_touch", "last_touch", "linear", "w_shaped"]
# HubSpot pipeline ids (they go into SQL as string literals, so nothing but ids is allowed).
PipelineId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class DealStages(_Strict):
    """The deal-stage funnel and velocity (marts.deal_stage_funnel, marts.fct_deal_stage_spells)."""

    # An open deal that has not changed stage for this many days is stalled ...
    stalled_after_days: Days = 30
    # ... unless its pipeline (HubSpot pipeline id) has its own number here.
    stalled_after_days_by_pipeline: dict[PipelineId, Days] = {}


class WShapedWeights(_Strict):
    """W-shaped credit: shares of a deal for its first touch, the touch that created the lead and the touch
    nearest the opportunity's creation; `other_touches` is spread evenly over every other touch."""

    first_touch: Share
    lead_creation: Share
    opportunity_creation: Share
    other_touches: Share

    @model_validator(mode="after")
    def _shares_make_one_deal(self) -> WShapedWeights:
        total = self.first_touch + self.lead_creation + self.opportunity_creation + self.other_touches
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ValueError(
                f"the four shares add up to {total:g}, not 1: a deal's credits must add up to its amount"
            )
        if self.first_touch + self.lead_creation + self.opportunity_creation == 0:
            raise ValueError("first_touch, lead_creation and opportunity_creation cannot all be 0")
        return self


class Attribution(_Strict):
    """Multi-touch credit of pipeline and won revenue (marts.fct_attribution_credits, attribution_monthly)."""

    # The model both teams agreed to read; every model is computed side by side, this one is the headline.
    model: AttributionModel = "w_shaped"
    # A contact's touches count for a deal when they happened at most this many days before its creation.
    lookback_days: Days = 365
    # Which marketing interactions are touches (besides the creation of each associated contact).
    touch_interactions: list[Literal["form_submission", "marketing_email_click"]] = [
        "form_submission",
        "marketing_email_click",
    ]
    w_shaped: WShapedWeights = WShapedWeights(
        first_touch=0.3, lead_creation=0.3, opportunity_creation=0.3, other_touches=0.1
    )

    @field_validator("touch_interactions")
    @classmethod
    def _each_interaction_once(cls, values: list[str]) -> list[str]:
        repeated = _repeated(values)
        if repeated:
            raise ValueError(f"interaction(s) {repeated} are listed twice")
        return values


class Accounts(_Strict):
    """The account (company) view (marts.fct_accounts, account_funnel_monthly, account_revenue_monthly)."""

    # How a won deal is told apart as expansion: `prior_won_deal` = its account already had a deal won
    # before it closed; `deal_type` = HubSpot's dealtype is existingbusiness.
    expansion_rule: Literal["prior_won_deal", "deal_type"] = "prior_won_deal"


class PipelineCoverage(_Strict):
    """Open pipeline against the revenue target still to win (marts.pipeline_coverage)."""

    # Whose closed_won_revenue target the coverage is measured against.
    target_team: TeamName = "sales"
    # Which open deals count: those whose close date falls in the rest of the period, or every open deal.
    open_deals: Literal["closing_in_period", "all_open"] = "closing_in_period"
    # Coverage (open pipeline / revenue still to win) both teams consider healthy, e.g. 3 = three times.
    healthy_coverage: Annotated[float, _Number, Field(gt=0, le=100, allow_inf_nan=False)] = 3.0


class Definitions(_Strict):
    time_zone: str
    fiscal_year_start_month: Annotated[int, _Number, Field(ge=1, le=12)]
    month_close_day: Annotated[int, _Number, Field(ge=1, le=28)]
    home_currency: str = Field(pattern=r"^[A-Z]{3}$")
    stages: list[Stage] = Field(min_length=2)
    not_in_funnel: list[str] = []
    stage_dates: StageDates = StageDates(create_date_fallback=True)
    disqualification: Disqualification
    sla: Sla
    sales_touch: SalesTouch
    teams: Teams
    source_team: dict[str, TeamName]
    source_team_default: TeamName
    # Sources whose team is the team of the HubSpot user who created the contact (e.g. OFFLINE: a rep
    # typing a contact in is sales-sourced, a marketer importing an event list is marketing-sourced);
    # when the creator is in neither team, `source_team` applies.
    source_team_from_creator: list[str] = []
    influence: Influence
    lead_grade: LeadGrade
    # One window per consecutive pair of stages, keyed "<stage>_to_<next stage>".
    conversion_windows_days: dict[str, Days]
    deal_pipelines: Literal["all"] | list[str]
    targets: dict[TeamName, dict[Literal[TARGET_METRICS], MonthlyTarget]]  # type: ignore[valid-type]
    audiences: Audiences
    deal_stages: DealStages = DealStages()
    attribution: Attribution = Attribution()
    accounts: Accounts = Accounts()
    pipeline_coverage: PipelineCoverage = PipelineCoverage()

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like America/New_York)"
            ) from None
        return value

    @model_validator(mode="after")
    def _stages_are_distinct(self) -> Definitions:
        keys = [stage.key for stage in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError(f"stage keys must be unique, got {keys}")
        seen: dict[str, str] = {}
        for stage in self.stages:
            for lifecycle in stage.lifecycle_stages:
                if lifecycle in seen:
                    raise ValueError(
                        f"lifecycle stage {lifecycle!r} is mapped to both {seen[lifecycle]!r} "
                        f"and {stage.key!r}"
                    )
                seen[lifecycle] = stage.key
        # A lifecycle value means one thing: reaching a stage, being outside the funnel, or disqualification.
        others = {
            "not_in_funnel": self.not_in_funnel,
            "disqualification.lifecycle_stages": self.disqualification.lifecycle_stages,
        }
        for other_list, values in others.items():
            both = [value for value in dict.fromkeys(values) if value in seen]
            if both:
                raise ValueError(
                    f"lifecycle stage(s) {both} are both in funnel stage(s) "
                    f"{sorted({seen[value] for value in both})} and in {other_list}"
                )
        # The SLA, the targets and the semantic layer speak of MQLs and SQLs: those stages must exist.
        missing = [key for key in REQUIRED_STAGE_KEYS if key not in keys]
        if missing:
            raise ValueError(f"stages must include the stage key(s) {missing} (the SLA and targets use them)")
        return self

    @model_validator(mode="after")
    def _windows_cover_every_step(self) -> Definitions:
        keys = [stage.key for stage in self.stages]
        expected = [f"{first}_to_{second}" for first, second in pairwise(keys)]
        missing = [pair for pair in expected if pair not in self.conversion_windows_days]
        unknown = [pair for pair in self.conversion_windows_days if pair not in expected]
        if missing or unknown:
            raise ValueError(
                "conversion_windows_days needs exactly one window per consecutive stage pair "
                f"{expected}; missing {missing}, unknown {unknown}"
            )
        return self

    @model_validator(mode="after")
    def _audience_exclusions_are_known_stages(self) -> Definitions:
        # A misspelt exclusion ("custmer") would silently put customers into ad audiences.
        known = {value for stage in self.stages for value in stage.lifecycle_stages}
        known |= set(self.not_in_funnel) | set(self.disqualification.lifecycle_stages)
        unknown = [value for value in self.audiences.excluded_lifecycle_stages if value not in known]
        if unknown:
            raise ValueError(
                f"audiences.excluded_lifecycle_stages names {unknown}, which no stage, not_in_funnel or "
                "disqualification.lifecycle_stages lists"
            )
        return self

    @model_validator(mode="after")
    def _coverage_has_a_revenue_target(self) -> Definitions:
        team = self.pipeline_coverage.target_team
        if "closed_won_revenue" not in self.targets.get(team, {}):
            raise ValueError(
                f"pipeline_coverage.target_team is {team!r}, but targets.{team} has no closed_won_revenue "
                "target to measure the open pipeline against"
            )
        return self

    @model_validator(mode="after")
    def _stalled_overrides_name_counted_pipelines(self) -> Definitions:
        # An override for a pipeline that does not count would silently never apply.
        if self.deal_pipelines == "all":
            return self
        unknown = sorted(set(self.deal_stages.stalled_after_days_by_pipeline) - set(self.deal_pipelines))
        if unknown:
            raise ValueError(
                f"deal_stages.stalled_after_days_by_pipeline names pipeline(s) {unknown} that deal_pipelines "
                f"does not count ({self.deal_pipelines})"
            )
        return self

    @property
    def version(self) -> str:
        """Content hash of the validated rules: the version every published number records."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def definitions_path() -> Path:
    return Path(os.environ.get("ONEFUNNEL_DEFINITIONS", DEFAULT_DEFINITIONS_FILE))


class _DuplicateKey(Exception):
    def __init__(self, key_path: str, first_line: int, second_line: int) -> None:
        super().__init__(key_path)
        self.key_path, self.first_line, self.second_line = key_path, first_line, second_line


@cache
def _strict_loader() -> type:
    """A yaml.SafeLoader that refuses a mapping key written twice (PyYAML silently keeps the last one,
    so a second `sla:` block further down would replace the agreed SLA without anyone noticing)."""
    import yaml

    merge_tag = "tag:yaml.org,2002:merge"

    class StrictLoader(yaml.SafeLoader):
        def get_single_data(self):
            node = self.get_single_node()
            if node is None:
                return None
            self._key_paths: dict[int, str] = {}
            self._index_key_paths(node, "")
            return self.construct_document(node)

        def _index_key_paths(self, node, path: str) -> None:
            # The dotted path of every mapping (as in the validation errors: stages.1.lifecycle_stages).
            if id(node) in self._key_paths:
                return  # an alias: indexed where its anchor was written
            self._key_paths[id(node)] = path
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                    self._index_key_paths(value_node, f"{path}.{name}" if path else str(name))
            elif isinstance(node, yaml.SequenceNode):
                for position, item in enumerate(node.value):
                    self._index_key_paths(item, f"{path}.{position}" if path else str(position))

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                first_lines: dict = {}
                for key_node, _ in node.value:
                    if key_node.tag == merge_tag:
                        continue  # `<<: *defaults` merges; keys written here override it by design
                    key = self.construct_object(key_node, deep=True)
                    line = key_node.start_mark.line + 1
                    try:
                        first_line = first_lines.get(key)
                    except TypeError:
                        continue  # an unhashable key: SafeLoader reports it
                    if first_line is not None:
                        parent = getattr(self, "_key_paths", {}).get(id(node), "")
                        raise _DuplicateKey(f"{parent}.{key}" if parent else str(key), first_line, line)
                    first_lines[key] = line
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def load_definitions(path: Path | None = None) -> Definitions:
    """Read and validate the definitions file; raise DefinitionsError naming the file and the bad key."""
    import yaml

    path = Path(path) if path is not None else definitions_path()
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_strict_loader())  # noqa: S506 - a SafeLoader
    except FileNotFoundError:
        raise DefinitionsError(f"definitions file not found: {path}") from None
    except _DuplicateKey as duplicate:
        raise DefinitionsError(
            f"{path.name}: duplicate key {duplicate.key_path} at lines {duplicate.first_line} and "
            f"{duplicate.second_line} (YAML would silently keep the last one; write each key once)"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", error)
        raise DefinitionsError(f"{path.name}: not valid YAML{where}: {problem}") from None
    if not isinstance(raw, dict):
        raise DefinitionsError(f"{path.name}: expected a mapping of keys at the top level")
    try:
        return Definitions.model_validate(raw)
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            key = ".".join(str(part) for part in issue["loc"]) or "(top level)"
            message = issue["msg"].removeprefix("Value error, ")
            problems.append(f"{key}: {message}")
        # One problem, one line (a task log or a quality note shows it whole); several, one line each.
        listed = problems[0] if len(problems) == 1 else "\n  " + "\n  ".join(problems)
        raise DefinitionsError(f"{path.name} is invalid: {listed}") from None
