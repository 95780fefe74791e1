"""The running dashboard in headless Chromium: every page opens, shows its title and "Data as of", no error
text, and a screenshot of each is saved under test-artifacts/dashboard/ (git-ignored); a link with filters
reproduces its view; a tile opens its records, downloads them and links to HubSpot.

Playwright (from PyPI) drives Debian's `chromium` (the `page` fixture of playwright_browser.py, made available
to every dashboard test by conftest.py; no browser is downloaded); skipped, naming the package, when Chromium
is missing.
"""

from __future__ import annotations

import csv
import re

import pytest
from dashboard_apptest import PAGES, REPO_ROOT
from dashboard_server import DashboardServer
from playwright_browser import PAGE_DRAWN, full_page_screenshot, main_text, open_drawn

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

ARTIFACTS = REPO_ROOT / "test-artifacts" / "dashboard"


@pytest.fixture(scope="module")
def server(published, tmp_path_factory):
    log = tmp_path_factory.mktemp("dashboard-server") / "streamlit.log"
    running = DashboardServer(published.serving, published.quality).start(log)
    yield running
    running.stop()


def open_and_wait(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(PAGE_DRAWN, timeout=120_000)


def url_of(server: DashboardServer, name: str) -> str:
    return server.url + ("" if name == "funnel" else name)


def selected(page, label: str) -> str:
    """The value a sidebar select box shows (its input carries it)."""
    return page.locator(f'[data-testid="stSelectbox"] input[aria-label="{label}"]').input_value()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_without_error_text_and_is_captured(page, server, name):
    # WHEN the page is opened in the browser
    # THEN it has drawn, with no exception box, no error alert, no error words, and its data's as-of line
    open_drawn(page, url_of(server, name))
    # AND a full-length screenshot is kept as a test artifact
    shot = full_page_screenshot(page, ARTIFACTS / f"{name}.png")
    assert shot.stat().st_size > 10_000


def test_a_link_with_filters_reproduces_the_view(page, server):
    # GIVEN a link that carries a team filter and a trend range
    open_and_wait(page, server.url + "?team=Marketing-sourced&range=6+months")
    # THEN the page opens filtered, and says so
    text = main_text(page)
    assert "Filtered to Marketing-sourced" in text
    assert "Trends — 6 months" in text
    assert selected(page, "Team") == "Marketing-sourced"
    # AND moving to another page keeps the filter in the URL
    page.locator('[data-testid="stSidebarNavLink"][href$="/sla"]').click()
    page.wait_for_url(re.compile(r".*/sla(\?.*)?$"), timeout=60_000)
    page.wait_for_function(PAGE_DRAWN, timeout=120_000)
    assert "team=Marketing-sourced" in page.evaluate("location.search")
    assert "Filtered to Marketing-sourced" in main_text(page)
    assert selected(page, "Team") == "Marketing-sourced"


# ----------------------------------------------------------------------------- drill-down
PORTAL_ID, UI_DOMAIN = "24681357", "app-eu1.hubspot.com"
DRILL_GRID = '.st-key-drill-section [data-testid="stDataFrame"]'
# Record links open with window.open (the grid's link cells): recorded instead, so HubSpot is never loaded.
RECORD_OPENED_LINKS = """() => { window.__opened = [];
  window.open = (url) => { window.__opened.push(String(url)); return null; }; }"""


@pytest.fixture(scope="module")
def eu_server(published, tmp_path_factory):
    """The dashboard of a portal in HubSpot's EU data centre (portal id and UI domain configured)."""
    log = tmp_path_factory.mktemp("dashboard-eu-server") / "streamlit.log"
    env = {"ONEFUNNEL_HUBSPOT_PORTAL_ID": PORTAL_ID, "ONEFUNNEL_HUBSPOT_UI_DOMAIN": UI_DOMAIN}
    running = DashboardServer(published.serving, published.quality, env=env).start(log)
    yield running
    running.stop()


def tile_value(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )
    return tile.locator('[data-testid="stMetricValue"]').first.inner_text()


def _click_first_link_cell(page) -> list[str]:
    """Click along the grid's first row until a link cell opens its URL (the grid is a canvas)."""
    grid = page.locator(DRILL_GRID)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    row_y = box["y"] + 35 + 17  # header row, then the middle of the first record's row
    for x in range(int(box["x"]) + 10, int(box["x"] + box["width"]) - 10, 25):
        page.mouse.click(x, row_y)
        opened = page.evaluate("window.__opened")
        if opened:
            return opened
    return []


def test_a_tile_opens_its_records_downloads_them_and_links_to_hubspot(page, eu_server):
    # GIVEN the funnel page of an EU portal
    open_and_wait(page, eu_server.url)
    mqls = int(tile_value(page, "MQLs").replace(",", ""))
    assert mqls > 0, "the tiny portal has MQLs in its latest full month"
    # WHEN the MQLs tile's Records button is clicked
    page.locator(".st-key-drill-MQLs button").first.click()
    first_cell = page.locator(f'{DRILL_GRID} table [data-testid="glide-cell-1-0"]')
    first_cell.wait_for(state="attached", timeout=60_000)  # the grid's accessible (hidden) table is drawn
    page.wait_for_function(PAGE_DRAWN, timeout=60_000)
    # THEN its records are listed: as many as the tile says, each with its HubSpot link on app-eu1
    rows = int(page.locator(f"{DRILL_GRID} table").get_attribute("aria-rowcount"))
    assert rows - 1 == mqls  # the header is a row of the grid too
    text = main_text(page)
    assert f"{mqls:,} records behind MQLs" in text or (mqls == 1 and "1 record behind MQLs" in text)
    first_link = first_cell.inner_text()
    link_pattern = rf"https://{re.escape(UI_DOMAIN)}/contacts/{PORTAL_ID}/record/0-1/\d+"
    assert re.fullmatch(link_pattern, first_link)
    # WHEN the CSV is downloaded
    with page.expect_download(timeout=60_000) as download:
        page.locator(".st-key-drill-download button").first.click()
    saved = download.value.path()
    # THEN the file holds the same records, with their links
    assert download.value.suggested_filename.startswith("mqls-")
    with open(saved, newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == mqls
    assert all(re.fullmatch(link_pattern, record["HubSpot link"]) for record in records)
    # WHEN a record's link is followed  THEN it opens that record on the portal's data centre (not loaded)
    page.evaluate(RECORD_OPENED_LINKS)
    assert _click_first_link_cell(page) == [first_link]
