"""Data health says how many numbers rest on a fallback stage date (issue 13 item 11, metrics.md: imported
contacts without stage dates are dated from the lifecycle history, else their create date, and counted)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import snapshot_fixture as fixture
from dashboard_apptest import metrics, open_page, point_at, texts

pytestmark = pytest.mark.integration

SOURCES = ("stage_property", "date_entered_property", "history", "create_date")


def _rows(counts: dict[tuple[str, str, int], dict[str, int]]) -> list[dict]:
    rows = []
    for (stage_key, stage_label, stage_order), by_source in counts.items():
        total = sum(by_source.values())
        for order, source in enumerate(SOURCES, start=1):
            contacts = by_source.get(source, 0)
            rows.append(
                {
                    "stage_date_source_id": f"{stage_key}-{source}",
                    "stage_key": stage_key,
                    "date_source": source,
                    "stage_label": stage_label,
                    "stage_order": stage_order,
                    "source_order": order,
                    "is_fallback": source in ("history", "create_date"),
                    "contacts": contacts,
                    "stage_contacts": total,
                    "contacts_share": contacts / total if total else None,
                    "definitions_version": fixture.DEFINITIONS_VERSION,
                }
            )
    return rows


def _open_data_health(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[dict]):
    # a few quiet months, so the page has a snapshot with data to show
    months = fixture.quiet_rows(date(2026, 5, 1), date(2026, 10, 1))
    serving = fixture.build_snapshot(
        tmp_path / "serving" / "serving.duckdb", rows={**months, "stage_date_sources": rows}
    )
    quality = tmp_path / "quality"
    quality.mkdir()
    point_at(monkeypatch, serving, quality)
    return open_page("data_health")


def test_data_health_counts_leads_and_mqls_resting_on_a_fallback_stage_date(tmp_path, monkeypatch):
    # GIVEN a snapshot whose stage_date_sources mart says 7 of 100 leads and 5 MQL entries rest on a fallback
    rows = _rows(
        {
            ("any_stage", "Any stage (contacts)", 0): {
                "stage_property": 90,
                "date_entered_property": 3,
                "history": 5,
                "create_date": 2,
            },
            ("lead", "Lead", 1): {"stage_property": 93, "history": 5, "create_date": 2},
            ("mql", "MQL", 2): {
                "stage_property": 40,
                "date_entered_property": 3,
                "history": 4,
                "create_date": 1,
            },
        }
    )
    # WHEN the Data health page opens
    app = _open_data_health(tmp_path, monkeypatch, rows)
    assert not app.exception, [exception.value for exception in app.exception]
    # THEN it shows the leads and the MQL entries on a fallback date, and the split by source per stage
    shown = metrics(app)
    assert shown["Leads on a fallback date"] == "7"
    assert shown["MQLs on a fallback date"] == "5"
    assert "5 by lifecycle history, 2 by create date" in texts(app)
    table = next(frame.value for frame in app.dataframe if "Stage" in frame.value.columns)
    mql = table.set_index("Stage").loc["MQL"]
    assert (
        mql["Stage date property"],
        mql["Lifecycle history (fallback)"],
        mql["Create date (fallback)"],
    ) == (
        40,
        4,
        1,
    )


def test_data_health_without_stage_date_sources_says_so_in_words(tmp_path, monkeypatch):
    # GIVEN a snapshot whose stage_date_sources mart is empty (nothing counted)
    app = _open_data_health(tmp_path, monkeypatch, [])
    # THEN the page renders and says so in a sentence
    assert not app.exception, [exception.value for exception in app.exception]
    assert "does not say where its stage dates come from" in texts(app)
