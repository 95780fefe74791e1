"""Month-close bookkeeping: when a month closes, and that a frozen file is never replaced."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from onefunnel.definitions import load_definitions
from onefunnel.warehouse.freeze import _write_once, close_date

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("month", "expected"),
    [("2025-06", date(2025, 7, 5)), ("2025-12", date(2026, 1, 5)), ("2026-01", date(2026, 2, 5))],
)
def test_a_month_closes_on_the_close_day_of_the_next_month(month, expected):
    # GIVEN month_close_day 5 WHEN the close date is asked THEN it is the 5th of the following month
    assert close_date(month, load_definitions()) == expected


def test_a_frozen_file_is_never_replaced(tmp_path):
    # GIVEN a month frozen once
    path = tmp_path / "reported_metrics" / "month=2025-06.parquet"
    assert _write_once(path, pa.table({"metric_value": [1.0]}))
    original = path.read_bytes()
    # WHEN it is frozen again with other numbers THEN the second write is refused and the file is unchanged
    assert not _write_once(path, pa.table({"metric_value": [2.0]}))
    assert path.read_bytes() == original
    assert not list(path.parent.glob(".*tmp"))
