"""`onefunnel transform --as-of ...` (issue 13, items 2 and 10): a fixed as-of time builds the same one-row
"now" every model joins, and a sales touch scheduled after it is not a touch yet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from landing_fixture import DAY, HOUR, RandomPortal, iso, query, random_landing

from onefunnel.warehouse import BuildResult, build_warehouse

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MEETING_TONIGHT_CONTACT = 1_900_001
TOUCHED_BEFORE_CONTACT = 1_900_002


@dataclass
class AsOfBuild:
    portal: RandomPortal
    as_of: str
    result: BuildResult
    path: Path


def _land_mqls_around_the_as_of_time(portal: RandomPortal) -> None:
    """Two owned MQLs of the as-of morning: one whose only meeting is booked for that evening, one called
    an hour after becoming an MQL."""
    builder = portal.builder
    owner = portal.sales_owners[0]
    mql = portal.as_of - 3 * HOUR
    for contact_id in (MEETING_TONIGHT_CONTACT, TOUCHED_BEFORE_CONTACT):
        builder.contact(
            contact_id,
            mql - DAY,
            mql,
            email=f"asof{contact_id}@example.com",
            lifecyclestage="marketingqualifiedlead",
            hs_lifecyclestage_lead_date=mql - DAY,
            hs_lifecyclestage_marketingqualifiedlead_date=mql,
            hubspot_owner_id=owner,
            hubspot_owner_assigneddate=mql,
        )
        builder.add_history("contacts", contact_id, "hubspot_owner_id", owner, mql)
        builder.add_history("contacts", contact_id, "lifecyclestage", "marketingqualifiedlead", mql)
    builder.engagement(
        "meetings", 39_000_001, portal.as_of + 6 * HOUR, owner, contact_ids=[MEETING_TONIGHT_CONTACT]
    )
    builder.engagement(
        "calls",
        39_000_002,
        mql + HOUR,
        owner,
        contact_ids=[TOUCHED_BEFORE_CONTACT],
        hs_call_direction="OUTBOUND",
    )
    portal.runs.append(builder.flush(extracted_at=portal.as_of))


@pytest.fixture(scope="module")
def as_of_build(tmp_path_factory) -> AsOfBuild:
    portal = random_landing(tmp_path_factory.mktemp("as_of") / "landing", contacts=60, seed=11)
    _land_mqls_around_the_as_of_time(portal)
    # the README's form: ISO time with a Z
    as_of = iso(portal.as_of).replace(".000Z", "Z")
    path = tmp_path_factory.mktemp("as_of_warehouse") / "warehouse.duckdb"
    result = build_warehouse(portal.landing_dir, path, as_of=as_of, freeze_due=False)
    return AsOfBuild(portal, as_of, result, path)


def test_transform_with_as_of_passes_every_primary_key_test(as_of_build):
    # GIVEN a landing zone WHEN the warehouse is built with --as-of (build_warehouse raised before the fix:
    # int_as_of had two rows, every joined row doubled and the primary-key tests failed)
    statuses = as_of_build.result.statuses
    # THEN every model and test passed, and "now" is one row at the given time
    assert not {
        node: status for node, status in statuses.items() if status not in ("success", "pass", "no-op")
    }
    assert query(
        as_of_build.path, "select strftime(as_of_at, '%Y-%m-%dT%H:%M:%SZ') from intermediate.int_as_of"
    ) == [(as_of_build.as_of,)]
    leads = query(as_of_build.path, "select count(*), count(distinct contact_id) from marts.fct_leads")
    assert leads[0][0] == leads[0][1] > 0


def test_meeting_booked_after_the_as_of_time_is_not_a_touch_yet(as_of_build):
    # GIVEN an owned MQL whose only meeting is booked for the evening after the as-of time, and one called
    # an hour after becoming an MQL
    rows = dict(
        (contact_id, (status, first_touch))
        for contact_id, status, first_touch in query(
            as_of_build.path,
            "select contact_id, sla_status, first_touch_at from marts.fct_leads where contact_id in (?, ?)",
            [str(MEETING_TONIGHT_CONTACT), str(TOUCHED_BEFORE_CONTACT)],
        )
    )
    # THEN the first is untouched (before the fix: within SLA, touched "tonight"), the second within SLA
    assert rows[str(MEETING_TONIGHT_CONTACT)] == ("untouched", None)
    assert rows[str(TOUCHED_BEFORE_CONTACT)][0] == "within_sla"
