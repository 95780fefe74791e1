"""The hand-written reference query (onefunnel.warehouse.reference) applies the stage-date chain on its own:
per lifecycle value the stage date property, else HubSpot's "date entered" property, else the first
lifecyclestage history entry; the create date only for a contact with no stage date at all, when definitions
`stage_dates.create_date_fallback` is on (metrics.md, "No stage date at all"). It equals
marts.funnel_period_monthly on a landing zone with history-only, create-date-only, date-entered, custom
numeric stage, partly dated, merged and disqualified contacts, with the switch on and off; and it runs on a
landing zone without "date entered" columns or property history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from landing_fixture import (
    CUSTOM_STAGE_VALUE,
    DAY,
    LandingBuilder,
    RandomPortal,
    land_stage_date_sources,
    query,
    random_landing,
    utc,
)

from onefunnel.definitions import Definitions, load_definitions
from onefunnel.warehouse import BuildResult, build_warehouse
from onefunnel.warehouse.reference import period_funnel

REPO = Path(__file__).resolve().parents[2]
DEFAULT_MQL = "lifecycle_stages: [marketingqualifiedlead]"
SWITCH_ON = "create_date_fallback: true"


def _definitions(work: Path, *, fallback: bool, custom_stage: bool = True) -> Path:
    """definitions.yml with the custom MQL stage CUSTOM_STAGE_VALUE and the create-date switch as given."""
    text = (REPO / "definitions.yml").read_text()
    assert DEFAULT_MQL in text
    assert SWITCH_ON in text
    if custom_stage:
        custom = f'lifecycle_stages: [marketingqualifiedlead, "{CUSTOM_STAGE_VALUE}"]'
        text = text.replace(DEFAULT_MQL, custom)
    if not fallback:
        text = text.replace(SWITCH_ON, "create_date_fallback: false")
    path = work / f"definitions-{'on' if fallback else 'off'}{'-custom' if custom_stage else ''}.yml"
    path.write_text(text)
    return path


def _land_more_stage_date_cases(portal: RandomPortal, first_id: int = 1_900_001) -> None:
    """One more run of contacts the chain treats differently from the old rule (any undated current stage
    at its create date): partly dated contacts, a merged pair, a disqualified contact dated by history."""
    builder = portal.builder
    assert builder is not None
    base = portal.as_of - 90 * DAY
    common = {"hs_analytics_source": "OFFLINE", "hs_seniority": "manager"}
    ids = iter(range(first_id, first_id + 100))
    landed: list[int] = []

    def contact(created, **props) -> int:
        contact_id = next(ids)
        builder.contact(contact_id, created, base + 40 * DAY, **common, **props)
        landed.append(contact_id)
        return contact_id

    # a lead date property, in MQL without an MQL date: MQL from the history, not the create date
    partly = contact(base, lifecyclestage="marketingqualifiedlead", hs_lifecyclestage_lead_date=base + DAY)
    builder.add_history("contacts", partly, "lifecyclestage", "lead", base + DAY)
    builder.add_history("contacts", partly, "lifecyclestage", "marketingqualifiedlead", base + 33 * DAY)
    # a lead date property, in SQL without any SQL date: no create date for SQL (it has a stage date)
    contact(base + 2 * DAY, lifecyclestage="salesqualifiedlead", hs_lifecyclestage_lead_date=base + 4 * DAY)
    # stage property beats date entered beats history, per value
    ordered = contact(
        base,
        lifecyclestage="salesqualifiedlead",
        hs_lifecyclestage_lead_date=base + 3 * DAY,
        hs_v2_date_entered_lead=base + DAY,
        hs_v2_date_entered_marketingqualifiedlead=base + 35 * DAY,
    )
    builder.add_history("contacts", ordered, "lifecyclestage", "lead", base)
    builder.add_history("contacts", ordered, "lifecyclestage", "marketingqualifiedlead", base + 30 * DAY)
    builder.add_history("contacts", ordered, "lifecyclestage", "salesqualifiedlead", base + 62 * DAY)
    # "date entered" as epoch milliseconds
    contact(
        base,
        lifecyclestage="marketingqualifiedlead",
        hs_v2_date_entered_marketingqualifiedlead=str(int((base + 31 * DAY).timestamp() * 1000)),
    )
    # imported without dates into a stage that is not a funnel stage, or with an empty lifecycle stage
    contact(base + 5 * DAY, lifecyclestage="subscriber")
    contact(base + 5 * DAY, lifecyclestage="")
    # a merged pair: the survivor undated (imported into SQL), the merged-away contact's history says lead
    survivor, loser = next(ids), next(ids)
    builder.contact(loser, base - 40 * DAY, base, **common, lifecyclestage="lead")
    builder.add_history("contacts", loser, "lifecyclestage", "lead", base - 35 * DAY)
    builder.contact(
        survivor,
        base + 6 * DAY,
        base + 40 * DAY,
        **common,
        lifecyclestage="salesqualifiedlead",
        hs_merged_object_ids=str(loser),
    )
    landed += [survivor, loser]
    # disqualified (moved to `other`) without an `other` date property: cut at the first time history shows
    # it, so the MQL dated after it does not count (the newest change to `other` is later still)
    other = contact(
        base,
        lifecyclestage="other",
        hs_lifecyclestage_lead_date=base + DAY,
        hs_lifecyclestage_marketingqualifiedlead_date=base + 45 * DAY,
    )
    builder.add_history("contacts", other, "lifecyclestage", "other", base + 20 * DAY)
    builder.add_history("contacts", other, "lifecyclestage", "lead", base + 30 * DAY)
    builder.add_history("contacts", other, "lifecyclestage", "other", base + 60 * DAY)
    # undated, imported into the custom stage: its create date when the switch is on
    contact(base + 8 * DAY, lifecyclestage=CUSTOM_STAGE_VALUE)
    # a history-only custom stage contact
    history_custom = contact(base, lifecyclestage=CUSTOM_STAGE_VALUE)
    builder.add_history("contacts", history_custom, "lifecyclestage", CUSTOM_STAGE_VALUE, base + 9 * DAY)
    portal.contact_ids.extend(landed)
    portal.merged_away[loser] = survivor
    portal.runs.append(builder.flush(extracted_at=portal.as_of))


@dataclass
class Landing:
    portal: RandomPortal
    work: Path


@dataclass
class Built:
    definitions: Definitions
    result: BuildResult
    path: Path


@pytest.fixture(scope="module")
def stage_date_landing(tmp_path_factory) -> Landing:
    work = tmp_path_factory.mktemp("reference_stage_dates")
    portal = random_landing(work / "landing", contacts=60, seed=5)
    land_stage_date_sources(portal)
    _land_more_stage_date_cases(portal)
    return Landing(portal, work)


@pytest.fixture(scope="module", params=[True, False], ids=["fallback_on", "fallback_off"])
def built(request, stage_date_landing) -> Built:
    fallback = request.param
    definitions_path = _definitions(stage_date_landing.work, fallback=fallback)
    path = stage_date_landing.work / f"warehouse-{'on' if fallback else 'off'}" / "warehouse.duckdb"
    result = build_warehouse(
        stage_date_landing.portal.landing_dir,
        path,
        definitions_path=definitions_path,
        freeze_due=False,
        run_tests=False,
    )
    return Built(load_definitions(definitions_path), result, path)


@pytest.mark.integration
@pytest.mark.slow
def test_reference_equals_the_period_funnel_mart_on_every_stage_date_source(stage_date_landing, built):
    # GIVEN a landing zone with contacts dated by each source (and partly dated, merged, disqualified ones),
    # built with the create-date fallback on or off
    assert built.definitions.stage_dates.create_date_fallback is (built.path.parent.name == "warehouse-on")
    # WHEN the independent query counts the period funnel from the landing files
    expected = period_funnel(stage_date_landing.portal.landing_dir, built.definitions)
    # THEN every (month, stage) count equals the mart's
    actual = query(
        built.path,
        "select month_start, stage_key, contacts_entered from marts.funnel_period_monthly "
        "where contacts_entered > 0 order by month_start, stage_key",
    )
    assert actual == expected
    assert sum(row[2] for row in actual) > 100


def _tiny_landing(landing_dir: Path) -> None:
    """A landing zone without hs_v2_date_entered_* columns, a custom stage date column or property history."""
    builder = LandingBuilder(landing_dir)
    builder.contact(1, utc(2025, 1, 10), lifecyclestage="lead", hs_lifecyclestage_lead_date=utc(2025, 2, 3))
    builder.contact(2, utc(2025, 3, 10), lifecyclestage="salesqualifiedlead")  # undated, in SQL
    builder.contact(3, utc(2025, 4, 10), lifecyclestage=CUSTOM_STAGE_VALUE)  # undated, in the custom stage
    builder.contact(
        4,
        utc(2025, 1, 20),
        lifecyclestage="marketingqualifiedlead",
        hs_lifecyclestage_lead_date=utc(2025, 5, 3),
    )  # dated, undated current stage: lead only
    builder.flush(extracted_at=utc(2025, 6, 1))


@pytest.mark.unit
@pytest.mark.parametrize("custom_stage", [True, False], ids=["custom_stage", "default_stages"])
def test_reference_runs_without_date_entered_columns_or_property_history(tmp_path, custom_stage):
    # GIVEN a landing zone with neither "date entered" columns nor a property-history dataset
    landing = tmp_path / "landing"
    _tiny_landing(landing)
    assert not list(landing.glob("contacts_property_history/*/*.parquet"))
    on = load_definitions(_definitions(tmp_path, fallback=True, custom_stage=custom_stage))
    off = load_definitions(_definitions(tmp_path, fallback=False, custom_stage=custom_stage))
    lead = [(date(2025, 2, 1), "lead", 1), (date(2025, 5, 1), "lead", 1)]
    # WHEN the reference counts it THEN with the switch on the undated contacts count at their create dates
    # (February 3 and May 3 are in February and May in New York too; March 10 and April 10 likewise)
    custom = [(date(2025, 4, 1), "lead", 1), (date(2025, 4, 1), "mql", 1)] if custom_stage else []
    assert period_funnel(landing, on) == sorted(
        [
            *lead,
            (date(2025, 3, 1), "lead", 1),
            (date(2025, 3, 1), "mql", 1),
            (date(2025, 3, 1), "sql", 1),
            *custom,
        ]
    )
    # AND with it off only the dated contacts count (contact 4's MQL has no date from any source)
    assert period_funnel(landing, off) == lead
