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
