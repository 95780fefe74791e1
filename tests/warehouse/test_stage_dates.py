"""Stage dates from every source (issue 13 item 11, issue 14 custom lifecycle stages): a contact's date for a
lifecycle stage comes from HubSpot's stage date property, else its "date entered" property, else the
lifecyclestage history, else (no stage date at all) its create date - each recorded, fallbacks counted for
the Data health page - on a landing zone whose other contacts have no "date entered" columns at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from landing_fixture import (
    CUSTOM_STAGE_VALUE,
    RandomPortal,
    StageDateContacts,
    land_stage_date_sources,
    query,
    random_landing,
)

from onefunnel.warehouse import BuildResult, build_warehouse

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


@dataclass
class StageDatesBuild:
    portal: RandomPortal
    contacts: StageDateContacts
    result: BuildResult
    path: Path

    def stages(self, contact_id: int) -> dict[str, tuple[datetime, str]]:
        rows = query(
            self.path,
            "select stage_key, entered_at, date_source from marts.fct_contact_stages where contact_id = ?",
            [str(contact_id)],
        )
        return {stage: (entered_at, source) for stage, entered_at, source in rows}


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


@pytest.fixture(scope="module")
def stage_dates_build(tmp_path_factory) -> StageDatesBuild:
    work = tmp_path_factory.mktemp("stage_dates")
    portal = random_landing(work / "landing", contacts=60, seed=3)
    contacts = land_stage_date_sources(portal)
    # a portal with a custom MQL lifecycle stage (numeric internal value) beside the default one
    definitions = (REPO / "definitions.yml").read_text()
    default_mql = "lifecycle_stages: [marketingqualifiedlead]"
    assert default_mql in definitions
    custom = work / "definitions.yml"
    custom.write_text(
        definitions.replace(
            default_mql, f'lifecycle_stages: [marketingqualifiedlead, "{CUSTOM_STAGE_VALUE}"]'
        )
    )
    path = work / "warehouse" / "warehouse.duckdb"
    result = build_warehouse(portal.landing_dir, path, definitions_path=custom, freeze_due=False)
    return StageDatesBuild(portal, contacts, result, path)


def test_build_without_date_entered_columns_for_most_contacts_passes_every_test(stage_dates_build):
    # GIVEN a landing zone where only two contacts carry hs_v2_date_entered_* columns WHEN built THEN every
    # model and test passed, the independent recount of the period funnel (reconcile_period_counts) included
    statuses = stage_dates_build.result.statuses
    assert not {
        node: status for node, status in statuses.items() if status not in ("success", "pass", "no-op")
    }
    assert any("reconcile_period_counts" in node for node in statuses)


def test_contact_dated_only_by_history_is_counted_at_the_history_dates(stage_dates_build):
    # GIVEN a contact imported into MQL without date properties, whose lifecycle history says lead then MQL
    contacts = stage_dates_build.contacts
    # THEN it is a lead and an MQL at the history dates, marked history (a fallback)
    assert stage_dates_build.stages(contacts.history_only) == {
        "lead": (_naive(contacts.history_lead_at), "history"),
        "mql": (_naive(contacts.history_mql_at), "history"),
    }
    assert query(
        stage_dates_build.path,
        "select is_stage_date_fallback, mql_date_source from marts.fct_leads where contact_id = ?",
        [str(contacts.history_only)],
    ) == [(True, "history")]


def test_contact_without_dates_or_history_takes_its_create_date_for_its_current_stage(stage_dates_build):
    # GIVEN a contact imported into SQL with neither date properties nor history (the switch is on)
    contacts = stage_dates_build.contacts
    at = _naive(contacts.create_date_at)
    # THEN it reached lead, MQL and SQL at its create date, marked create_date
    assert stage_dates_build.stages(contacts.create_date_only) == {
        "lead": (at, "create_date"),
        "mql": (at, "create_date"),
        "sql": (at, "create_date"),
    }


def test_date_entered_property_dates_default_and_custom_numeric_stages(stage_dates_build):
    # GIVEN an MQL dated only by hs_v2_date_entered_marketingqualifiedlead, and a contact in the custom stage
    # "1234567" (mapped to MQL) dated only by hs_v2_date_entered_1234567
    contacts = stage_dates_build.contacts
    # THEN both are leads and MQLs at those dates, marked date_entered_property (not a fallback)
    for contact_id, at in (
        (contacts.date_entered_only, contacts.date_entered_at),
        (contacts.custom_stage, contacts.custom_stage_at),
    ):
        assert stage_dates_build.stages(contact_id) == {
            "lead": (_naive(at), "date_entered_property"),
            "mql": (_naive(at), "date_entered_property"),
        }, contact_id
        assert query(
            stage_dates_build.path,
            "select is_stage_date_fallback from marts.fct_leads where contact_id = ?",
            [str(contact_id)],
        ) == [(False,)]


def test_data_health_mart_counts_contacts_and_stage_entries_on_fallback_dates(stage_dates_build):
    # GIVEN the built warehouse WHEN stage_date_sources is read
    rows = {
        (stage, source): contacts
        for stage, source, contacts in query(
            stage_dates_build.path, "select stage_key, date_source, contacts from marts.stage_date_sources"
        )
    }
    # THEN every lead is counted once under any_stage, by the weakest source of its dates
    assert (
        sum(n for (stage, _), n in rows.items() if stage == "any_stage")
        == query(stage_dates_build.path, "select count(*) from marts.fct_leads")[0][0]
    )
    fallback_leads = query(
        stage_dates_build.path,
        "select count(*) filter (where is_stage_date_fallback), "
        "count(*) filter (where is_stage_date_from_create_date) from marts.fct_leads",
    )[0]
    assert rows[("any_stage", "history")] + rows[("any_stage", "create_date")] == fallback_leads[0] >= 2
    assert rows[("any_stage", "create_date")] == fallback_leads[1] >= 1
    # AND per stage the entries by source add up to the stage's entries (MQLs on a fallback: at least 2)
    mql_entries = query(
        stage_dates_build.path,
        "select date_source, count(*) from marts.fct_contact_stages where stage_key = 'mql' group by 1",
    )
    assert {source: n for source, n in mql_entries} == {
        source: n for (stage, source), n in rows.items() if stage == "mql" and n
    }
    assert rows[("mql", "history")] + rows[("mql", "create_date")] >= 2
