"""AppTest wiring shared by the dashboard tests: where the app is, opening a page as a browser would, and
reading what a page shows (tiles, text, chart data)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from dashboard_pipeline import DataDir

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # `dashboards.lib` is imported from the repository, like the app does
    sys.path.insert(0, str(REPO_ROOT))

APP = REPO_ROOT / "dashboards" / "app.py"
PAGES = ("funnel", "sla", "reps", "sources", "audiences", "accountability", "definitions", "data_health")
FIRST_RUN_TIMEOUT_S = 120  # the first run imports streamlit, altair, duckdb and onefunnel


@dataclass(frozen=True)
class Published:
    """A tiny portal generated, served, extracted, built by dbt, checked and published."""

    data: DataDir
    run_id: str
    frozen: bool = True  # whether the build froze the months whose close day had passed

    @property
    def serving(self) -> Path:
        return self.data.serving

    @property
    def quality(self) -> Path:
        return self.data.quality


def point_at(monkeypatch: pytest.MonkeyPatch, serving: Path, quality: Path) -> None:
    """Make the app (run in this process by AppTest) read this snapshot and quality folder."""
    monkeypatch.setenv("ONEFUNNEL_SERVING_PATH", str(serving))
    monkeypatch.setenv("ONEFUNNEL_QUALITY_DIR", str(quality))
    monkeypatch.delenv("ONEFUNNEL_HUBSPOT_PORTAL_ID", raising=False)
    monkeypatch.delenv("ONEFUNNEL_HUBSPOT_UI_DOMAIN", raising=False)


def open_page(page: str = "funnel", **query_params: str):
    """Open the app at `page` as a browser opening its URL would (the entry point runs, then the page);
    returns the AppTest after that one run."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP), default_timeout=FIRST_RUN_TIMEOUT_S)
    app.query_params.update(query_params)
    if page != "funnel":
        app.switch_page(f"views/{page}.py")
    return app.run()


def metrics(app) -> dict[str, str]:
    """Tile label -> shown value."""
    return {metric.label: metric.value for metric in app.metric}


def texts(app) -> str:
    """Every piece of text the page shows (markdown, captions, alerts, titles), joined."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        parts += [str(element.value) for element in getattr(app, kind)]
    return "\n".join(parts)


def chart_frames(app) -> list:
    """The data behind every chart on the page, as DataFrames (in page order): inline datasets of the spec
    and Arrow datasets alike."""
    import json

    import pandas as pd
    import pyarrow as pa

    frames = []
    for chart in app.get("vega_lite_chart"):
        for values in json.loads(chart.proto.spec).get("datasets", {}).values():
            frames.append(pd.DataFrame(values))
        for dataset in chart.proto.datasets:
            frames.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pandas())
    return frames


class RecordedDownloads:
    """The bytes behind every st.download_button of an AppTest run. A button whose data is a callable (built
    on the click) carries a deferred file id: `of` clicks it as the browser would (the media file manager runs
    the callable), and `clicked` says which files were built."""

    def __init__(self) -> None:
        self.by_url: dict[str, bytes] = {}
        self.managers: list = []
        self.clicked: list[str] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> RecordedDownloads:
        from streamlit.runtime.media_file_manager import MediaFileManager
        from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
        from streamlit.testing.v1 import app_test

        recorded, managers = self.by_url, self.managers

        class Recording(MemoryMediaFileStorage):
            def get_url(self, file_id: str) -> str:
                url = super().get_url(file_id)
                recorded[url] = self.get_file(file_id).content
                return url

        class Remembered(MediaFileManager):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                managers.append(self)

        monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)
        monkeypatch.setattr(app_test, "MediaFileManager", Remembered)
        return self

    def deferred(self, app) -> list[str]:
        """Labels of the buttons whose file is built only when clicked."""
        return [button.label for button in app.get("download_button") if button.proto.deferred_file_id]

    def of(self, app) -> dict[str, bytes]:
        """label -> bytes of each download button on the page (a deferred one is clicked)."""
        got = {}
        for button in app.get("download_button"):
            url = button.proto.url
            if button.proto.deferred_file_id:
                url = self.managers[-1].execute_deferred(button.proto.deferred_file_id)
                self.clicked.append(button.label)
            got[button.label] = self.by_url[url]
        return got
