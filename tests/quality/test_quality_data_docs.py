"""Data Docs: `check` renders Great Expectations' HTML site into a known folder (<quality>/data_docs/), plus
latest.html, a self-contained page of the last run that links to GX's validation pages of that run."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from quality_helpers import PublishedBase
from quality_pipeline import DataDir, check

from onefunnel.quality.defects import inject_defect
from onefunnel.quality.gx_engine import docs_index, latest_page

pytestmark = [pytest.mark.integration, pytest.mark.slow]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href") and not values["href"].startswith(("http", "#", "mailto")):
            self.links.append(values["href"].split("#")[0])
        if tag == "script":
            self.scripts.append(values.get("src") or "inline")


def _parse(page: Path) -> _Page:
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_data_docs_show_the_last_run_with_its_failures(published_base: PublishedBase, base_copy: DataDir):
    # GIVEN a published good run whose Data Docs exist, then an extraction that is 72 hours old
    data = base_copy
    assert published_base.summary.data_docs == str(latest_page(published_base.data.quality))
    injected = inject_defect("stale_data", landing_dir=data.landing)
    # WHEN the landing checkpoint runs with Data Docs
    summary = check(data, ["landing"], build_docs=True)
    # THEN latest.html is a self-contained HTML page (no scripts) about this run, its failure first
    latest = latest_page(data.quality)
    assert summary.data_docs == str(latest)
    page = _parse(latest)
    html = latest.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert page.scripts == []
    assert f"Quality run <code>{summary.run_id}</code>" in html
    assert html.index(injected.defect.check) < html.index("landing.records.id_not_null")
    # AND every local link opens a file: GX's index and this run's GX validation pages
    targets = [latest.parent / link for link in page.links]
    assert docs_index(data.quality) in targets
    assert all(target.exists() for target in targets), [str(t) for t in targets if not t.exists()]
    this_run = [target for target in targets if summary.run_id in str(target)]
    assert len(this_run) >= 10
    # AND GX's validation page of the failed table names the check, with its severity, as failed
    failed_page = next(target for target in this_run if "/landing_run/freshness/" in str(target))
    content = failed_page.read_text(encoding="utf-8")
    assert f"[critical] {injected.defect.check}" in content
    assert "Failed" in content or "failed" in content
    # AND GX's own index lists this run's results and links only to pages that exist
    index_html = docs_index(data.quality).read_text(encoding="utf-8")
    assert summary.run_id in index_html
    assert all((latest.parent / link).exists() for link in _parse(docs_index(data.quality)).links)
