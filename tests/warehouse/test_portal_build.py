"""The warehouse on real extracted data: a tiny synthetic portal generated, served on 127.0.0.1 and
extracted by the real extractor, then `dbt build` (models, data tests, unit tests) and mart checks against
the portal's ground truth and an independent query over the landing files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

from onefunnel.definitions import load_definitions
from onefunnel.warehouse import build_warehouse, check_freshness
from onefunnel.warehouse.reference import period_funnel

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("onefunnel.portal.generate") is None,
        reason="the synthetic portal generator is not available",
    ),
]

TOKEN = "pat-na1-warehouse-test-token"


def _extract_tiny_portal(base: Path) -> Path:
    from onefunnel.hubspot.client import Credentials
    from onefunnel.hubspot.runner import ExtractOptions, run_extraction
    from onefunnel.portal.generate import generate_portal
    from onefunnel.portal.server import PortalServer, ServerOptions

    generate_portal(base / "portal", size="tiny", seed=42)
    server = PortalServer(base / "portal", ServerOptions.fast(TOKEN), host="127.0.0.1", port=0).start()
    try:
        summary = run_extraction(
            ExtractOptions(landing_dir=base / "landing", state_dir=base / "state", tier=None),
            credentials=Credentials(TOKEN, server.url, "test"),
        )
    finally:
        server.stop()
    assert summary.ok
    return base / "landing"


@pytest.fixture(scope="module")
def portal_warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("tiny_portal")
    landing = _extract_tiny_portal(base)
    result = build_warehouse(landing, base / "warehouse.duckdb", freeze_due=False)
    return base, landing, result


def _query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_dbt_build_passes_on_an_extracted_tiny_portal(portal_warehouse):
    # GIVEN a tiny portal extracted by the real extractor WHEN the warehouse is built
    _base, _landing, result = portal_warehouse
    # THEN every model, data test and unit test passed
    failed = {
        node: status for node, status in result.statuses.items() if status not in ("success", "pass", "no-op")
    }
    assert not failed
    assert result.models_built >= 60
    assert result.tests_passed >= 180  # data tests (a key's unique + not null is one test) and unit tests


def test_live_contacts_match_the_portal_ground_truth(portal_warehouse):
    # GIVEN the portal's manifest (ids alive now, merged-away ones excluded)
    from onefunnel.portal.manifest import build_manifest

    base, _landing, _result = portal_warehouse
    active = build_manifest(base / "portal")["objects"]["contacts"]["active"]["count"]
    # WHEN live contacts are counted in the audit table THEN they are exactly the portal's
    assert _query(
        base / "warehouse.duckdb",
        "select count(*) from marts.dim_contact_status where contact_status = 'live'",
    ) == [(active,)]


def test_marts_agree_with_an_independent_query_and_carry_every_bucket(portal_warehouse):
    base, landing, _result = portal_warehouse
    warehouse = base / "warehouse.duckdb"
    # GIVEN the hand-written single query over the landing files WHEN compared with the period mart
    expected = period_funnel(landing, load_definitions())
    actual = _query(
        warehouse,
        "select month_start, stage_key, contacts_entered from marts.funnel_period_monthly "
        "where contacts_entered > 0 order by month_start, stage_key",
    )
    # THEN they agree month by month
    assert actual == expected
    # AND the synthetic portal's behaviours show up: every SLA bucket, grades that rank SQL conversion
    buckets = {row[0] for row in _query(warehouse, "select distinct sla_status from marts.fct_leads")}
    assert {"within_sla", "breached", "untouched", "unassigned"} <= buckets
    rates = dict(
        _query(
            warehouse,
            """
        select lead_grade, avg(case when sql_at is not null then 1.0 else 0.0 end)
        from marts.fct_leads where mql_at is not null group by lead_grade""",
        )
    )
    assert rates["A"] > rates["D"]


def test_a_fresh_extraction_passes_the_source_freshness_checks(portal_warehouse):
    # GIVEN a landing zone extracted just now WHEN dbt checks source freshness THEN every source is fresh
    base, landing, _result = portal_warehouse
    statuses = check_freshness(landing, base / "warehouse.duckdb")
    assert statuses
    assert set(statuses.values()) == {"pass"}
