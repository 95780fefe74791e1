"""The issue 19 pages in headless Chromium (Playwright driving Debian's chromium, never a downloaded
browser) on the published snapshot: each opens without error text, shows numbers that are the snapshot's own,
and is saved as a full-page screenshot under docs/screenshots/ for the README and leadership."""

from __future__ import annotations

import pytest
from dashboard_apptest import REPO_ROOT
from dashboard_server import DashboardServer
from dashboard_truth import rows
from playwright_browser import full_page_screenshot, open_drawn

# A dashboard server and three full-page renders: about 45 s beyond the shared published snapshot.
pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow, pytest.mark.scale]

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
TILE_VALUE = """(label) => [...document.querySelectorAll('[data-testid="stMetric"]')]
  .find(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === label)
  .querySelector('[data-testid="stMetricValue"]').innerText"""


@pytest.fixture(scope="module")
def server(published, tmp_path_factory):
    log = tmp_path_factory.mktemp("new-pages-server") / "streamlit.log"
    running = DashboardServer(published.serving, published.quality).start(log)
    yield running
    running.stop()


def _screenshot(page, name: str) -> None:
    path = full_page_screenshot(page, SCREENSHOTS / f"{name}.png", max_height=6000)
    assert path.stat().st_size > 20_000


def test_deal_pipeline_page_shows_the_snapshots_funnel_and_coverage(page, server, published):
    # GIVEN the published snapshot's biggest pipeline and its open and stalled deals now
    ((label, open_now, stalled_now),) = rows(
        published.serving,
        """select pipeline_label, sum(deals_open_now), sum(deals_stalled_now) from marts.deal_stage_funnel
           where pipeline_id = (select pipeline_id from marts.deal_stage_funnel
                                group by pipeline_id order by max(deals_reached) desc, pipeline_id limit 1)
           group by pipeline_label""",
    )
    # WHEN the Deal pipeline page is opened
    text = open_drawn(page, server.url + "deal_pipeline")
    # THEN it shows that pipeline's deal stages, its open and stalled deals and both coverage periods
    assert f"Deal stages — {label}" in text
    assert page.evaluate(TILE_VALUE, "Open deals now") == f"{int(open_now):,}"
    assert page.evaluate(TILE_VALUE, "Stalled deals") == f"{int(stalled_now):,}"
    assert "Coverage, " in text
    assert "Weighted, quarter " in text
    _screenshot(page, "deal_pipeline")


def test_attribution_page_shows_the_agreed_model_and_all_four(page, server, published):
    # WHEN the Attribution page is opened
    text = open_drawn(page, server.url + "attribution")
    # THEN the agreed model of the snapshot is the headline and the four models stand side by side
    ((agreed,),) = rows(
        published.serving,
        "select distinct attribution_model from marts.attribution_monthly where is_agreed_model",
    )
    names = {
        "w_shaped": "W-shaped",
        "linear": "Linear",
        "first_touch": "First touch",
        "last_touch": "Last touch",
    }
    assert f"Channel credit, {names[agreed]} (agreed)" in text
    assert "The four models side by side" in text
    _screenshot(page, "attribution")


def test_accounts_page_shows_the_months_accounts_and_revenue(page, server, published):
    from onefunnel import formatting

    # WHEN the Accounts page is opened
    text = open_drawn(page, server.url + "accounts")
    # THEN the month it shows has the snapshot's new business and expansion revenue and MQL accounts
    shown = [
        (month, new_business, expansion)
        for month, new_business, expansion in rows(
            published.serving,
            """select month_start,
                      sum(case when revenue_type = 'new_business' then revenue_won else 0 end),
                      sum(case when revenue_type = 'expansion' then revenue_won else 0 end)
               from marts.account_revenue_monthly group by month_start""",
        )
        if f"\n{formatting.month_label(month)}\n" in f"\n{text}\n"
        or f"\n{formatting.month_label(month)} (to date)\n" in f"\n{text}\n"
    ]
    assert len(shown) == 1, text[:500]
    month, new_business, expansion = shown[0]
    assert page.evaluate(TILE_VALUE, "New business revenue") == formatting.money(new_business, compact=True)
    assert page.evaluate(TILE_VALUE, "Expansion revenue") == formatting.money(expansion, compact=True)
    ((mql_accounts,),) = rows(
        published.serving,
        "select accounts_entered from marts.account_funnel_monthly "
        "where month_start = ? and stage_key = 'mql'",
        [month],
    )
    assert page.evaluate(TILE_VALUE, "MQL accounts") == formatting.count(mql_accounts)
    assert "Accounts by revenue won (all time)" in text
    _screenshot(page, "accounts")
