"""The running dashboard in headless Chromium: every page opens, shows its title and "Data as of", no error
text, and a screenshot of each is saved under test-artifacts/dashboard/ (git-ignored).

Needs Debian's `chromium` (apt-get install -y chromium); skipped with that reason when it is missing.
Chromium is driven over the DevTools protocol with the standard library (dashboard_cdp.py).
"""

from __future__ import annotations

import time

import pytest
from dashboard_apptest import PAGES, REPO_ROOT
from dashboard_cdp import Chromium, find_chromium
from dashboard_server import DashboardServer

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

ARTIFACTS = REPO_ROOT / "test-artifacts" / "dashboard"
WIDTH = 1440
# The page has finished running, its title is drawn, no placeholder is left and every chart has drawn.
READY = """(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (!document.querySelector('[data-testid="stMainBlockContainer"] h1')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  return charts.every(chart => chart.querySelector('canvas, svg'));
})()"""
PAGE_HEIGHT = """Math.max(...['stMain', 'stAppViewContainer', 'stMainBlockContainer'].map(id => {
  const element = document.querySelector(`[data-testid="${id}"]`);
  return element ? element.scrollHeight : 0; }))"""
ERRORS = """[...document.querySelectorAll(
  '[data-testid="stException"], [data-testid="stAlertContentError"]')].map(element => element.innerText)"""
MAIN_TEXT = """document.querySelector('[data-testid="stMainBlockContainer"]').innerText"""
# The value a sidebar select box shows (its input carries it; LABEL is the box's label).
SELECTED = """[...document.querySelectorAll('[data-testid="stSelectbox"] input')]
  .find(input => input.getAttribute('aria-label') === 'LABEL').value"""
ERROR_WORDS = ("Traceback", "Error:", "Exception", "KeyError", "NameError", "StreamlitAPIException")


@pytest.fixture(scope="module")
def chromium_binary() -> str:
    binary = find_chromium()
    if binary is None:
        pytest.skip(
            "headless Chromium not found: install Debian's chromium (apt-get install -y chromium) "
            "or set ONEFUNNEL_CHROMIUM to a Chromium binary"
        )
    return binary


@pytest.fixture(scope="module")
def server(published, tmp_path_factory):
    log = tmp_path_factory.mktemp("dashboard-server") / "streamlit.log"
    running = DashboardServer(published.serving, published.quality).start(log)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser(chromium_binary):
    with Chromium.launch(chromium_binary, width=WIDTH, height=1000) as chromium:
        yield chromium


def open_and_wait(browser: Chromium, url: str) -> None:
    browser.resize(WIDTH, 1000)
    browser.navigate(url)
    time.sleep(0.3)  # let the navigation replace the previous page before polling for readiness
    browser.wait_for(READY, timeout=120)


def url_of(server: DashboardServer, page: str) -> str:
    return server.url + ("" if page == "funnel" else page)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_error_text_and_is_captured(browser, server, page):
    # WHEN the page is opened in the browser
    open_and_wait(browser, url_of(server, page))
    # THEN it has drawn, with no exception box, no error alert and no error words
    assert browser.evaluate(ERRORS) == []
    text = browser.evaluate(MAIN_TEXT)
    assert "Data as of" in text
    assert not [word for word in ERROR_WORDS if word in text], text[:2000]
    # AND a full-length screenshot is kept as a test artifact
    height = int(browser.evaluate(PAGE_HEIGHT))
    browser.resize(WIDTH, min(max(height + 80, 900), 8000))
    time.sleep(0.5)  # layout after the resize
    browser.wait_for(READY, timeout=60)
    shot = browser.screenshot(ARTIFACTS / f"{page}.png")
    assert shot.stat().st_size > 10_000


def test_a_link_with_filters_reproduces_the_view(browser, server):
    # GIVEN a link that carries a team filter and a trend range
    open_and_wait(browser, server.url + "?team=Marketing-sourced&range=6+months")
    # THEN the page opens filtered, and says so
    text = browser.evaluate(MAIN_TEXT)
    assert "Filtered to Marketing-sourced" in text
    assert "Trends — 6 months" in text
    assert browser.evaluate(SELECTED.replace("LABEL", "Team")) == "Marketing-sourced"
    # AND moving to another page keeps the filter in the URL
    browser.evaluate("""document.querySelector('[data-testid="stSidebarNavLink"][href$="/sla"]').click()""")
    browser.wait_for("""location.pathname.endsWith('/sla')""", timeout=60)
    browser.wait_for(READY, timeout=120)
    assert "team=Marketing-sourced" in browser.evaluate("location.search")
    assert "Filtered to Marketing-sourced" in browser.evaluate(MAIN_TEXT)
    assert browser.evaluate(SELECTED.replace("LABEL", "Team")) == "Marketing-sourced"


# ----------------------------------------------------------------------------- drill-down
PORTAL_ID, UI_DOMAIN = "24681357", "app-eu1.hubspot.com"
TILE_VALUE = """[...document.querySelectorAll('[data-testid="stMetric"]')]
  .find(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === 'LABEL')
  .querySelector('[data-testid="stMetricValue"]').innerText"""
DRILL_GRID = """.st-key-drill-section [data-testid="stDataFrame"]"""
# Record links open with window.open (the grid's link cells): recorded instead, so HubSpot is never loaded.
RECORD_OPENED_LINKS = """window.__opened = [];
  window.open = (url) => { window.__opened.push(String(url)); return null; };"""


@pytest.fixture(scope="module")
def eu_server(published, tmp_path_factory):
    """The dashboard of a portal in HubSpot's EU data centre (portal id and UI domain configured)."""
    log = tmp_path_factory.mktemp("dashboard-eu-server") / "streamlit.log"
    env = {"ONEFUNNEL_HUBSPOT_PORTAL_ID": PORTAL_ID, "ONEFUNNEL_HUBSPOT_UI_DOMAIN": UI_DOMAIN}
    running = DashboardServer(published.serving, published.quality, env=env).start(log)
    yield running
    running.stop()


def _click_first_link_cell(browser: Chromium) -> list[str]:
    """Click along the grid's first row until a link cell opens its URL (the grid is a canvas)."""
    import json

    browser.evaluate(f"document.querySelector('{DRILL_GRID}').scrollIntoView({{block: 'center'}})")
    time.sleep(0.3)
    box = json.loads(
        browser.evaluate(f"JSON.stringify(document.querySelector('{DRILL_GRID}').getBoundingClientRect())")
    )
    row_y = box["top"] + 35 + 17  # header row, then the middle of the first record's row
    for x in range(int(box["left"]) + 10, int(box["right"]) - 10, 25):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            browser.call("Input.dispatchMouseEvent", type=kind, x=x, y=row_y, button="left", clickCount=1)
        time.sleep(0.1)
        opened = browser.evaluate("window.__opened")
        if opened:
            return opened
    return []


def test_a_tile_opens_its_records_downloads_them_and_links_to_hubspot(browser, eu_server, tmp_path):
    import csv
    import re

    # GIVEN the funnel page of an EU portal
    open_and_wait(browser, eu_server.url)
    mqls = int(browser.evaluate(TILE_VALUE.replace("LABEL", "MQLs")).replace(",", ""))
    assert mqls > 0, "the tiny portal has MQLs in its latest full month"
    # WHEN the MQLs tile's Records button is clicked
    browser.wait_for("!!document.querySelector('.st-key-drill-MQLs button')", timeout=30)
    browser.evaluate("""document.querySelector('.st-key-drill-MQLs button').click()""")
    first_cell = f"document.querySelector('{DRILL_GRID} table [data-testid=\"glide-cell-1-0\"]')"
    browser.wait_for(f"!!{first_cell}", timeout=60)  # the grid's accessible table is drawn
    browser.wait_for(READY, timeout=60)
    # THEN its records are listed: as many as the tile says, each with its HubSpot link on app-eu1
    rows = int(
        browser.evaluate(f"document.querySelector('{DRILL_GRID} table').getAttribute('aria-rowcount')")
    )
    assert rows - 1 == mqls  # the header is a row of the grid too
    text = browser.evaluate(MAIN_TEXT)
    assert f"{mqls:,} records behind MQLs" in text or (mqls == 1 and "1 record behind MQLs" in text)
    first_link = browser.evaluate(
        f"document.querySelector('{DRILL_GRID} [data-testid=\"glide-cell-1-0\"]').innerText"
    )
    link_pattern = rf"https://{re.escape(UI_DOMAIN)}/contacts/{PORTAL_ID}/record/0-1/\d+"
    assert re.fullmatch(link_pattern, first_link)
    # WHEN the CSV is downloaded
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.call("Page.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))
    browser.evaluate("""document.querySelector('.st-key-drill-download button').click()""")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(downloads.glob("*.csv")):
        time.sleep(0.25)  # readiness wait for the file, not a timing assertion
    files = list(downloads.glob("*.csv"))
    # THEN the file holds the same records, with their links
    assert [file.name.startswith("mqls-") for file in files] == [True]
    with files[0].open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == mqls
    assert all(re.fullmatch(link_pattern, record["HubSpot link"]) for record in records)
    # WHEN a record's link is followed  THEN it opens that record on the portal's data centre (not loaded)
    browser.evaluate(RECORD_OPENED_LINKS)
    assert _click_first_link_cell(browser) == [first_link]
