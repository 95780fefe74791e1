"""The issue 19 pages (Deal pipeline, Attribution, Accounts) on the real published snapshot, through
Streamlit's AppTest: each opens without an exception, and its tiles are the snapshot's own numbers, counted
here from the published marts and the deal facts."""

from __future__ import annotations

import dashboard_truth as truth
import pytest
from dashboard_apptest import metrics, texts
from dashboards.lib.filters import add_months

from onefunnel import formatting

pytestmark = [pytest.mark.integration]


def _opened(real_app, page: str):
    """The page opened on the snapshot, after checking it ran without exceptions or errors."""
    app = real_app(page)
    assert not app.exception, [exception.value for exception in app.exception]
    assert not app.error, [error.value for error in app.error]
    assert "Data as of" in texts(app)
    return app


def test_deal_pipeline_tiles_are_the_snapshots_coverage_and_open_deals(real_app, published):
    path = published.serving
    # GIVEN the coverage of the as-of month and the biggest pipeline's open and stalled deals
    month_start, coverage, weighted = truth.rows(
        path,
        "select period_start, coverage, weighted_coverage from marts.pipeline_coverage "
        "where period_type = 'month'",
    )[0]
    pipeline, open_now, stalled_now = truth.rows(
        path,
        """select pipeline_id, sum(deals_open_now), sum(deals_stalled_now) from marts.deal_stage_funnel
           group by pipeline_id order by max(deals_reached) desc, pipeline_id limit 1""",
    )[0]
    (open_deals,) = truth.rows(
        path,
        "select count(*) from marts.fct_deal_stage_spells where is_current and not is_closed_stage "
        "and pipeline_id = ?",
        [pipeline],
    )[0]
    # WHEN the Deal pipeline page opens (without exceptions or errors)
    shown = metrics(_opened(real_app, "deal_pipeline"))
    # THEN its tiles are those numbers (open deals counted from the stays too)
    label = formatting.short_month(month_start)
    assert shown[f"Coverage, {label}"] == (f"{coverage:.2f}x" if coverage < 1 else f"{coverage:.1f}x")
    assert shown[f"Weighted, {label}"] == (f"{weighted:.2f}x" if weighted < 1 else f"{weighted:.1f}x")
    assert shown["Open deals now"] == formatting.count(open_now) == formatting.count(open_deals)
    assert shown["Stalled deals"] == formatting.count(stalled_now)


def test_attribution_gives_out_the_ranges_whole_pipeline_under_the_agreed_model(real_app, published):
    path = published.serving
    # GIVEN the default range (12 months to the latest full month) and the deals created in it
    month = truth.default_month(path)
    (created,) = truth.rows(
        path,
        "select coalesce(sum(amount), 0) from marts.fct_deals where created_month between ? and ?",
        [add_months(month, -11), month],
    )[0]
    # WHEN the Attribution page opens
    app = _opened(real_app, "attribution")
    # THEN its pipeline tile is exactly that pipeline, given out by the agreed model
    assert metrics(app)["Pipeline created"] == formatting.money(created, compact=True)
    assert "(agreed)" in texts(app)


def test_accounts_tiles_are_the_snapshots_month(real_app, published):
    path = published.serving
    # GIVEN the latest full month's MQL accounts and new business and expansion revenue
    month = truth.default_month(path)
    revenue = dict(
        truth.rows(
            path,
            "select revenue_type, revenue_won from marts.account_revenue_monthly where month_start = ?",
            [month],
        )
    )
    (mql_accounts,) = truth.rows(
        path,
        "select accounts_entered from marts.account_funnel_monthly "
        "where month_start = ? and stage_key = 'mql'",
        [month],
    )[0]
    # WHEN the Accounts page opens
    shown = metrics(_opened(real_app, "accounts"))
    # THEN its tiles are those numbers
    assert shown["MQL accounts"] == formatting.count(mql_accounts)
    assert shown["New business revenue"] == formatting.money(revenue.get("new_business", 0), compact=True)
    assert shown["Expansion revenue"] == formatting.money(revenue.get("expansion", 0), compact=True)
