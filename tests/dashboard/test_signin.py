"""Sign-in, in a real browser: the dashboard served with sign-in turned on (ONEFUNNEL_DASHBOARD_AUTH_*
against a local OIDC provider, allow-list example.com) shows nothing before sign-in, the funnel to an allowed
user (with their e-mail and a sign-out button in the sidebar), and only a refusal to a user of another domain
or with an unverified e-mail. The repo's .streamlit/config.toml is in force: no Deploy button.

Needs Debian's chromium (skipped, naming it, when missing); Playwright drives it, no browser is downloaded.
"""

from __future__ import annotations

import pytest
from dashboard_server import DashboardServer, free_port
from oidc_provider import ALLOWED_USER, FOREIGN_USER, UNVERIFIED_USER, oidc_provider  # noqa: F401 - fixture
from playwright_browser import chromium, main_text, page, sign_in, sign_out, wait_ready  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

NAVIGATION = '[data-testid="stSidebarNav"]'


@pytest.fixture(scope="module")
def server(published, oidc_provider, tmp_path_factory):  # noqa: F811 - the imported fixture
    port = free_port()
    env = oidc_provider.dashboard_env(port, allowed_domains="example.com, example.org")
    log = tmp_path_factory.mktemp("signin-dashboard") / "streamlit.log"
    running = DashboardServer(published.serving, published.quality, port=port, env=env).start(log)
    yield running
    running.stop()


def test_allowed_user_is_sent_to_sign_in_then_sees_the_funnel(page, server, oidc_provider):  # noqa: F811
    # WHEN the dashboard is opened without a session
    page.goto(server.url)
    wait_ready(page)
    # THEN it asks to sign in and shows no page, no number
    page.get_by_role("button", name="Sign in").wait_for()
    assert "Data as of" not in main_text(page)
    assert page.locator(NAVIGATION).count() == 0

    # WHEN an example.com user signs in through the provider
    sign_in(page, server.url, oidc_provider.url, ALLOWED_USER)
    # THEN the funnel is shown, with the user's e-mail and a sign-out button in the sidebar
    page.get_by_role("heading", name="Funnel", level=1).wait_for(timeout=120_000)
    wait_ready(page)
    assert "Data as of" in main_text(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert f"Signed in as {ALLOWED_USER.name} · {ALLOWED_USER.email}" in sidebar.inner_text()
    assert sidebar.get_by_role("button", name="Sign out").is_visible()
    # AND the repo's config is in force: viewer toolbar, no Deploy button
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0

    # WHEN the user signs out (ending the provider's session too)
    sign_out(page, server.url, oidc_provider.url)
    # THEN the dashboard asks to sign in again
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert "Data as of" not in main_text(page)


@pytest.mark.parametrize(
    ("user", "reason"),
    [
        (
            FOREIGN_USER,
            "may not read this dashboard: it is open to @example.com, @example.org addresses only",
        ),
        (UNVERIFIED_USER, "is not verified by the sign-in provider"),
    ],
    ids=["other-domain", "unverified-email"],
)
def test_user_outside_the_allow_list_sees_a_refusal_and_nothing_else(
    page,  # noqa: F811
    server,
    oidc_provider,  # noqa: F811
    user,
    reason,
):
    # WHEN a user the allow-list does not admit signs in
    sign_in(page, server.url, oidc_provider.url, user)
    page.get_by_text(reason).wait_for(timeout=60_000)
    wait_ready(page)
    # THEN the page says why, offers sign-out, and shows no page of the dashboard
    text = main_text(page)
    assert user.email in text
    assert "Data as of" not in text
    assert page.locator(NAVIGATION).count() == 0
    assert page.get_by_role("button", name="Sign out").is_visible()
