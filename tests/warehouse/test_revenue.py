"""One revenue rule (issue 13, item 12): revenue is the home-currency amount everywhere - in the marts and in
the reconciliation test that checks them - and won deals in another currency without it are a quality
warning that says how many and how much."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from landing_fixture import DAY, RandomPortal, query, random_landing

from onefunnel.quality.runner import CheckOptions, run_checks
from onefunnel.quality.severity import CheckStatus
from onefunnel.warehouse import BuildResult, build_warehouse

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EUR_WITHOUT_HOME_AMOUNT = (29_000_001, 29_000_002)  # 9000 + 4000 EUR, won, no amount_in_home_currency
USD_WITHOUT_HOME_AMOUNT = 29_000_003  # 700 USD, won, HubSpot left amount_in_home_currency empty
CHECK = "warehouse.revenue.won_deals_have_home_currency_amount"


@dataclass
class RevenueBuild:
    portal: RandomPortal
    result: BuildResult
    path: Path


@pytest.fixture(scope="module")
def revenue_build(tmp_path_factory) -> RevenueBuild:
    portal = random_landing(tmp_path_factory.mktemp("revenue") / "landing", contacts=60, seed=5)
    builder = portal.builder
    created = portal.as_of - 40 * DAY
    for deal_id, amount in zip(EUR_WITHOUT_HOME_AMOUNT, (9000, 4000), strict=True):
        builder.deal(
            deal_id,
            created,
            created + 10 * DAY,
            dealstage="closedwon",
            amount=amount,
            deal_currency_code="EUR",
            closedate=created + 10 * DAY,
        )
    builder.deal(
        USD_WITHOUT_HOME_AMOUNT,
        created,
        created + 10 * DAY,
        dealstage="closedwon",
        amount=700,
        deal_currency_code="USD",
        closedate=created + 10 * DAY,
    )
    portal.runs.append(builder.flush(extracted_at=portal.as_of))
    path = tmp_path_factory.mktemp("revenue_warehouse") / "warehouse.duckdb"
    # before the fix this raised: reconcile_closed_won_revenue added the 13000 EUR as USD, the mart counted 0
    result = build_warehouse(portal.landing_dir, path, freeze_due=False)
    return RevenueBuild(portal, result, path)


def test_foreign_deal_without_home_amount_counts_zero_in_marts_and_reconciliation(revenue_build):
    # GIVEN won EUR deals without a home-currency amount and a USD deal whose home amount HubSpot left empty
    # WHEN the warehouse is built THEN the reconciliation test (the same rule as the mart) passed
    statuses = revenue_build.result.statuses
    reconcile = [node for node in statuses if "reconcile_closed_won_revenue" in node]
    assert reconcile
    assert all(statuses[node] == "pass" for node in reconcile)
    # AND the EUR deals count 0 (flagged), the home-currency deal its amount
    rows = query(
        revenue_build.path,
        "select deal_id, amount, amount_in_deal_currency, is_home_amount_missing from marts.fct_deals "
        "where deal_id in (?, ?, ?) order by deal_id",
        [str(i) for i in (*EUR_WITHOUT_HOME_AMOUNT, USD_WITHOUT_HOME_AMOUNT)],
    )
    assert rows == [
        (str(EUR_WITHOUT_HOME_AMOUNT[0]), 0.0, 9000.0, True),
        (str(EUR_WITHOUT_HOME_AMOUNT[1]), 0.0, 4000.0, True),
        (str(USD_WITHOUT_HOME_AMOUNT), 700.0, 700.0, False),
    ]


def test_won_deals_without_home_amount_are_a_warning_naming_count_and_foreign_total(revenue_build, tmp_path):
    # GIVEN the built warehouse WHEN the warehouse checkpoint of the quality gate runs
    summary = run_checks(
        CheckOptions(
            checkpoints=["warehouse"],
            landing_dir=revenue_build.portal.landing_dir,
            warehouse_path=revenue_build.path,
            quality_dir=tmp_path / "quality",
            build_docs=False,
        )
    )
    # THEN the revenue check is a warning (publishable, not critical) naming 2 deals and 13000 EUR
    result = summary.check(CHECK)
    assert result.status is CheckStatus.FAILED
    assert result.severity == "warning"
    assert "deal_currency=EUR" in result.message
    assert "won_deals=2" in result.message
    assert "foreign_amount=13000" in result.message
