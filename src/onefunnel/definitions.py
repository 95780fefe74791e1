"""The shared funnel definitions: load `definitions.yml`, validate it, and give it a version.

Both teams own one YAML file. Validation is strict (unknown keys are errors) so a typo can never
silently fall back to a default, and every error names the offending key. The version is a hash of
the validated content, so comments and formatting do not change it but any rule change does.
"""

from __future__ import annotations

import hashlib
import json
import os
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from onefunnel.config import REPO_ROOT

DEFAULT_DEFINITIONS_FILE = REPO_ROOT / "definitions.yml"

PositiveInt = Annotated[int, Field(gt=0)]
Share = Annotated[float, Field(ge=0, le=1)]
Points = Annotated[float, Field(ge=0, le=100)]
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


class Stage(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    lifecycle_stages: list[str] = Field(min_length=1)


class Disqualification(_Strict):
    lifecycle_stages: list[str] = []
    lead_statuses: list[str] = []


class StageDates(_Strict):
    """Where stage dates come from for contacts HubSpot gives none (typically imported contacts)."""

    # A contact with no stage date from any stage property nor from its lifecyclestage history takes its
    # create date for the stage it is in; such contacts are flagged (metrics.md, "No stage date at all").
    create_date_fallback: bool


class Sla(_Strict):
    first_touch_hours: Annotated[float, Field(gt=0)]
    mql_to_sql_window_days: PositiveInt
    mql_to_sql_target_rate: Share
    # An untouched owned MQL older than this many days counts as an "aging" lead in rep follow-up.
    untouched_aging_days: PositiveInt


class SalesTouch(_Strict):
    engagement_types: list[Literal["calls", "emails", "meetings", "notes", "tasks"]] = Field(min_length=1)
    email_directions: list[str] = ["EMAIL"]


class Teams(_Strict):
    sales: list[str] = Field(min_length=1)
    marketing: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _teams_do_not_overlap(self) -> Teams:
        shared = sorted(set(self.sales) & set(self.marketing))
        if shared:
            raise ValueError(f"team(s) {shared} are listed as both sales and marketing")
        return self


class Influence(_Strict):
    interactions: list[Literal["form_submission", "marketing_email_click", "campaign_membership"]]
    lookback_days: PositiveInt


class CompanySizeBand(_Strict):
    min_employees: Annotated[int, Field(ge=0)]
    points: Points


class FitScore(_Strict):
    seniority: dict[str, Points]
    company_size: list[CompanySizeBand] = Field(min_length=1)
    target_industries: list[str]
    target_industry_points: Points


class EngagementScore(_Strict):
    page_view_points: Points
    page_view_cap: Points
    form_submission_points: Points
    form_submission_cap: Points
    email_click_points: Points


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
        return self


class MonthlyTarget(_Strict):
    """`default` applies to every month; other keys are months written YYYY-MM."""

    model_config = ConfigDict(extra="allow", frozen=True)
    default: Annotated[float, Field(ge=0)]

    @model_validator(mode="after")
    def _month_keys_are_months(self) -> MonthlyTarget:
        for key, value in (self.model_extra or {}).items():
            if not (len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit()):
                raise ValueError(f"target month {key!r} must be written YYYY-MM")
            if not 1 <= int(key[5:]) <= 12:
                raise ValueError(f"target month {key!r} has no month {key[5:]}")
            if not isinstance(value, int | float) or value < 0:
                raise ValueError(f"target for {key} must be a non-negative number, got {value!r}")
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


class Definitions(_Strict):
    time_zone: str
    fiscal_year_start_month: Annotated[int, Field(ge=1, le=12)]
    month_close_day: Annotated[int, Field(ge=1, le=28)]
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
    conversion_windows_days: dict[str, PositiveInt]
    deal_pipelines: Literal["all"] | list[str]
    targets: dict[TeamName, dict[Literal[TARGET_METRICS], MonthlyTarget]]  # type: ignore[valid-type]
    audiences: Audiences

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

    @property
    def version(self) -> str:
        """Content hash of the validated rules: the version every published number records."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def definitions_path() -> Path:
    return Path(os.environ.get("ONEFUNNEL_DEFINITIONS", DEFAULT_DEFINITIONS_FILE))


def load_definitions(path: Path | None = None) -> Definitions:
    """Read and validate the definitions file; raise DefinitionsError naming the file and the bad key."""
    import yaml

    path = Path(path) if path is not None else definitions_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionsError(f"definitions file not found: {path}") from None
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
        raise DefinitionsError(f"{path.name} is invalid:\n  " + "\n  ".join(problems)) from None
