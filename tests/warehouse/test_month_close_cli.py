"""`onefunnel month-close`: freezes the months whose close day has passed, once; refuses open months."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from onefunnel.warehouse.cli import month_close

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_month_close_freezes_due_months_once_and_refuses_open_ones(built_warehouse, tmp_path):
    # GIVEN the fixture's warehouse (data as of late December 2025) and an empty accountability folder
    arguments = ["--warehouse", str(built_warehouse.path), "--accountability-dir", str(tmp_path)]
    # WHEN month close runs THEN every month up to November (closed on 5 December) is frozen
    first = CliRunner().invoke(month_close, arguments)
    assert first.exit_code == 0, first.output
    frozen = sorted(path.stem.removeprefix("month=") for path in (tmp_path / "reported_metrics").iterdir())
    assert frozen[-1] == "2025-11"
    assert "2025-12" not in frozen
    # AND running it again freezes nothing more
    again = CliRunner().invoke(month_close, arguments)
    assert again.exit_code == 0
    assert "no month is due" in again.output
    # AND December, still open, is refused unless forced
    early = CliRunner().invoke(month_close, [*arguments, "--month", "2025-12"])
    assert early.exit_code == 2
    assert "not closed yet" in early.output
