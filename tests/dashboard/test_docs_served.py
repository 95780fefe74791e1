"""Data Docs, the quality report, dbt docs and the monthly pack served by the dashboard, behind its sign-in,
in a real browser: signed in through the local OIDC provider, the Data health page links to them and they open
inside the dashboard, with Data Docs' links between pages and dbt docs' links between models working.

The dbt docs test generates them for real (`dbt docs generate --static`, ~40 s) and the Data Docs walk takes
~30 s, so both are marked `scale` (make test-scale); the sign-in wall, Data Docs and pack check runs always.
Needs Debian's chromium (skipped, naming it, when missing); Playwright drives it, no browser is downloaded.
"""

from __future__ import annotations

import re
import shutil

import pytest
from dashboard_server import DashboardServer, free_port
from oidc_provider import ALLOWED_USER, oidc_provider  # noqa: F401 - fixture
from playwright_browser import chromium, main_text, page, sign_in, wait_ready  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]


def serve(published, serving, oidc_provider, folder):  # noqa: F811
    port = free_port()
    env = oidc_provider.dashboard_env(port, allowed_domains="example.com")
    return DashboardServer(serving, published.quality, port=port, env=env).start(folder / "streamlit.log")


@pytest.fixture(scope="module")
def server(published, oidc_provider, tmp_path_factory):  # noqa: F811
    running = serve(published, published.serving, oidc_provider, tmp_path_factory.mktemp("docs-dashboard"))
    yield running
    running.stop()


def open_docs_from_data_health(page, server, link: str) -> None:  # noqa: F811
    page.goto(server.url + "data_health")
    page.get_by_role("heading", name="Data health", level=1).wait_for(timeout=120_000)
    page.get_by_role("link", name=link, exact=True).click()
    page.get_by_role("heading", name="Docs", level=1).wait_for(timeout=60_000)
    wait_ready(page)


def data_docs_path(page) -> str | None:  # noqa: F811
    """The Data Docs page the viewer shows (its path in the site)."""
    return page.evaluate(
        """() => { const frame = document.querySelector('iframe[title="Data Docs"]');
                   const where = frame && frame.contentDocument.getElementById('where');
                   return where ? where.getAttribute('data-path') : null; }"""
    )


def wait_for_data_docs_page(page, path: str) -> None:  # noqa: F811
    page.wait_for_function(
        """(path) => { const frame = document.querySelector('iframe[title="Data Docs"]');
                       const where = frame && frame.contentDocument.getElementById('where');
                       return where && where.getAttribute('data-path') === path; }""",
        arg=path,
        timeout=30_000,
    )


@pytest.mark.scale  # ~30 s: signs in, then walks four linked pages of the Data Docs
def test_quality_report_opens_from_data_health_and_data_docs_links_work(
    page,  # noqa: F811
    server,
    oidc_provider,  # noqa: F811
    published,
):
    # GIVEN a signed-in colleague
    sign_in(page, server.url, oidc_provider.url, ALLOWED_USER)
    page.get_by_role("heading", name="Funnel", level=1).wait_for(timeout=120_000)

    # WHEN they follow Data health's link to the quality report
    open_docs_from_data_health(page, server, "Quality report")
    # THEN the published run's report is drawn inside the dashboard, at the docs page's address
    assert "doc=data-docs" in page.url
    assert "page=latest.html" in page.url
    wait_for_data_docs_page(page, "latest.html")
    docs_page = page.frame_locator('iframe[title="Data Docs"]').frame_locator("#page")
    assert published.run_id in docs_page.locator("h1").inner_text()

    # WHEN a check's validation link is clicked in the report
    validation = docs_page.locator('a[href^="validations/"]').first
    target = validation.get_attribute("href")
    validation.click()
    # THEN that validation's Data Docs page is shown in the same viewer (not a broken file link)
    wait_for_data_docs_page(page, target)

    # WHEN the validation page's link to its expectation suite is clicked (a path up five folders)
    suite_link = docs_page.locator('a[href*="expectations/"]').first
    href = suite_link.get_attribute("href")
    assert href.startswith("../")
    suite_link.click()
    # THEN the suite's page is shown, resolved as a browser resolves the relative link
    suite = "expectations/" + href.split("expectations/", 1)[1]
    wait_for_data_docs_page(page, suite)
    # AND the suite page's Home link leads back to the overview
    docs_page.get_by_role("link", name="Home").first.click()
    wait_for_data_docs_page(page, "index.html")
    assert "Data Docs" in docs_page.locator("body").inner_text()


def test_docs_are_behind_sign_in_and_data_docs_and_pack_open_from_data_health(
    page,  # noqa: F811
    server,
    oidc_provider,  # noqa: F811
    published,
):
    # GIVEN a browser that has not signed in
    page.goto(server.url + "docs?doc=data-docs&page=latest.html")
    wait_ready(page)
    # THEN the docs page shows nothing but the sign-in
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator('iframe[title="Data Docs"]').count() == 0
    assert "Quality run" not in page.content()

    # WHEN they sign in and open the Data Docs from Data health
    sign_in(page, server.url, oidc_provider.url, ALLOWED_USER)
    page.get_by_role("heading", name="Funnel", level=1).wait_for(timeout=120_000)
    open_docs_from_data_health(page, server, "Data Docs")
    # THEN the Data Docs overview is shown
    wait_for_data_docs_page(page, "index.html")

    # WHEN they open the monthly pack
    open_docs_from_data_health(page, server, "Monthly pack")
    assert "doc=pack" in page.url
    if not published.frozen:
        assert "No month has been frozen yet" in main_text(page)
        return
    # THEN the latest frozen month's printable page is shown, with its downloads
    pack = page.frame_locator('iframe[title="Monthly pack"]').locator("body")
    pack.wait_for(timeout=30_000)
    assert re.search(r"Target|Reported", pack.inner_text())
    assert page.get_by_role("button", name="Printable page").is_visible()


@pytest.mark.scale
def test_dbt_docs_generated_by_the_pipeline_open_and_link_between_models(
    published,
    oidc_provider,  # noqa: F811
    page,  # noqa: F811
    tmp_path,
):
    from onefunnel.warehouse.docs import generate_dbt_docs, publish_dbt_docs, published_dbt_docs_path

    # GIVEN dbt docs generated from a copy of the published run's warehouse and put next to a snapshot copy
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy2(published.data.warehouse, warehouse)
    serving = tmp_path / "serving" / "serving.duckdb"
    serving.parent.mkdir()
    shutil.copy2(published.serving, serving)
    generated = generate_dbt_docs(warehouse, published.data.landing)
    assert publish_dbt_docs(generated.path, serving) == published_dbt_docs_path(serving)
    server = serve(published, serving, oidc_provider, tmp_path)
    try:
        # WHEN a signed-in colleague opens dbt docs from Data health
        sign_in(page, server.url, oidc_provider.url, ALLOWED_USER)
        page.get_by_role("heading", name="Funnel", level=1).wait_for(timeout=120_000)
        open_docs_from_data_health(page, server, "dbt docs")
        # THEN dbt's documentation is drawn inside the dashboard, on its overview
        assert "doc=dbt" in page.url
        docs = page.frame_locator('iframe[title="dbt docs"]')
        docs.get_by_placeholder("Search for models...").wait_for(timeout=60_000)

        # WHEN a model's page is opened (dbt docs' own route) and a link to another model is clicked on it
        frame_hash = (
            """() => document.querySelector('iframe[title="dbt docs"]').contentWindow.location.hash"""
        )
        page.evaluate(
            """() => { document.querySelector('iframe[title="dbt docs"]').contentWindow.location.hash =
                       '#!/model/model.onefunnel.funnel_period_monthly'; }"""
        )
        docs.locator("h1").filter(has_text="funnel_period_monthly").first.wait_for(timeout=30_000)
        other = docs.locator(
            'a[href^="#!/model/model.onefunnel."]:not([href*="funnel_period_monthly"])'
        ).first
        target = other.get_attribute("href")
        other.click()
        # THEN that model's page opens inside the frame, and the dashboard stays on the docs page
        page.wait_for_function(f"() => ({frame_hash})() === {target!r}", timeout=30_000)
        model = target.rsplit(".", 1)[1]
        docs.locator("h1").filter(has_text=model).first.wait_for(timeout=30_000)
        assert page.url.endswith("docs?doc=dbt")
    finally:
        server.stop()
