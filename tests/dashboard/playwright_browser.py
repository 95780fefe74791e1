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
