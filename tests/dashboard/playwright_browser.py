"""Playwright driving Debian's Chromium (never a downloaded browser) for the dashboard's browser tests, and
the steps they share: wait for a Streamlit run to finish, sign in through the local OIDC provider.

`chromium` (module fixture) skips, naming the binary, when Chromium is missing; each test opens its own
context (own cookies), closed after the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from oidc_provider import OidcUser

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
# The script run has finished and nothing is left loading.
READY = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (!document.querySelector('[data-testid="stMainBlockContainer"]')) return false;
  return !document.querySelector('[data-testid="stSkeleton"]');
}"""


def chromium_binary() -> str | None:
    configured = os.environ.get("ONEFUNNEL_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    binary = chromium_binary()
    if binary is None:
        pytest.skip(
            "Chromium not found: install Debian's chromium (make system-packages) or set ONEFUNNEL_CHROMIUM"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium) -> Iterator[object]:
    context = chromium.new_context(viewport={"width": 1440, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()


# The page is drawn: the run has finished, the title is there, nothing is loading and every chart has drawn.
PAGE_DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (!document.querySelector('[data-testid="stMainBlockContainer"] h1')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  return charts.every(chart => chart.querySelector('canvas, svg'));
}"""
PAGE_HEIGHT = """() => Math.max(...['stMain', 'stAppViewContainer', 'stMainBlockContainer'].map(id => {
  const element = document.querySelector(`[data-testid="${id}"]`);
  return element ? element.scrollHeight : 0; }))"""
ERROR_BOXES = '[data-testid="stException"], [data-testid="stAlertContentError"]'
ERROR_WORDS = ("Traceback", "Error:", "Exception", "KeyError", "NameError", "StreamlitAPIException")
WIDTH = 1440


def open_drawn(page, url: str) -> str:
    """Open `url`, wait until the page is drawn, check it shows no error and its data's as-of line; returns
    the main block's text."""
    page.goto(url)
    page.wait_for_function(PAGE_DRAWN, timeout=120_000)
    assert page.locator(ERROR_BOXES).all_inner_texts() == []
    text = main_text(page)
    assert "Data as of" in text
    assert not [word for word in ERROR_WORDS if word in text], text[:2000]
    return text


def full_page_screenshot(page, path: Path, max_height: int = 8000) -> Path:
    """The whole page as a PNG at `path` (Streamlit scrolls inside its main block, so the viewport is made as
    tall as the page first)."""
    height = int(page.evaluate(PAGE_HEIGHT))
    page.set_viewport_size({"width": WIDTH, "height": min(max(height + 80, 900), max_height)})
    page.wait_for_function(PAGE_DRAWN, timeout=60_000)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_ready(page, timeout_ms: float = 120_000) -> None:
    page.wait_for_function(READY, timeout=timeout_ms)


def main_text(page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"]').inner_text()


def sign_in(page, dashboard_url: str, provider_url: str, user: OidcUser) -> None:
    """From the dashboard's sign-in page through the provider's authorization page, as `user`, and back."""
    page.goto(dashboard_url)
    wait_ready(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{provider_url}/**", timeout=60_000)
    page.get_by_role("button", name=user.sub, exact=True).click()
    page.wait_for_url(f"{dashboard_url}**", timeout=60_000)
    wait_ready(page)


def sign_out(page, dashboard_url: str, provider_url: str) -> None:
    """Click the sidebar's Sign out; the dashboard ends the provider's session too (its end-session page,
    confirmed here) and comes back."""
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider_url}/**", timeout=60_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{dashboard_url}**", timeout=60_000)
    wait_ready(page)
