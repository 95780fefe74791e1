"""Fixtures of the dashboard tests: one real tiny pipeline run per session (the snapshot most tests read),
hand-built snapshots for edge cases, and AppTest wiring (environment, page switching, reading what a page
shows).
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import dashboard_pipeline as pipeline
import duckdb
import pytest
from dashboard_apptest import Published, RecordedDownloads, open_page, point_at
from dashboard_pipeline import DataDir
from playwright_browser import chromium, page  # noqa: F401 - the browser tests' fixtures, for every file here


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    reuse = os.environ.get("ONEFUNNEL_DASHBOARD_TEST_DATA")
    if reuse:  # for working on the dashboard: a data folder a previous pipeline run published (never written)
        data = DataDir(Path(reuse))
        with duckdb.connect(str(data.serving), read_only=True) as con:
            run_id, frozen = con.execute(
                "select run_id, (select count(*) > 0 from marts.monthly_accountability) from serving_meta.run"
            ).fetchone()
        return Published(data, run_id, frozen=bool(frozen))
    data = DataDir(tmp_path_factory.mktemp("dashboard-pipeline") / "data")
    pipeline.generate(data)
    try:
        result = pipeline.run_once(data, mode="full")
    except RuntimeError as error:
        if "freeze_month" not in str(error):
            raise
        # Month close is the warehouse's step; when it breaks, the dashboard is still tested on the rest and
        # the accountability page on the hand-built snapshot. Say so loudly.
        warnings.warn(
            f"month close failed in the warehouse build; no frozen months: {str(error)[-300:]}", stacklevel=1
        )
        pipeline.build(data, freeze=False)
        summary = pipeline.check(data)
        assert summary.status.publishable, [check.message for check in summary.blocking]
        return Published(data, pipeline.publish(data).run_id, frozen=False)
    return Published(data, result.run_id)


@pytest.fixture
def published_copy(published: Published, tmp_path: Path) -> Published:
    """A private copy of the published snapshot and quality folder (for tests that change them)."""
    root = tmp_path / "data"
    (root / "serving").mkdir(parents=True)
    shutil.copy2(published.serving, root / "serving" / "serving.duckdb")
    shutil.copytree(published.quality, root / "quality")
    return Published(DataDir(root), published.run_id)


@pytest.fixture
def real_app(monkeypatch: pytest.MonkeyPatch, published: Published):
    """An AppTest factory for the real published snapshot: app(page, **query_params)."""
    point_at(monkeypatch, published.serving, published.quality)
    return open_page


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> RecordedDownloads:
    """The bytes of every download button of the AppTest runs of a test (deferred ones when clicked)."""
    return RecordedDownloads().install(monkeypatch)


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """Every test starts with empty st.cache_data caches (a test must not see another's results)."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()
