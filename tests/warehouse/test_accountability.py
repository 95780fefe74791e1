"""Month close: the frozen "reported" numbers survive later builds exactly, and restatements carry their
cause - late data, deleted records, a definitions change."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq
import pytest
import yaml
from landing_fixture import LandingBuilder, query, random_landing

from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE
from onefunnel.warehouse import build_warehouse, freeze_month

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MONTH = "2025-06"


def _digest(folder) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.rglob("*.parquet"))
    }


def _accountability(warehouse, metric: str) -> tuple:
    return query(
        warehouse,
        """
        select reported_value, current_value, restatement, is_definition_changed, restatement_causes
        from marts.monthly_accountability where month_start = date '2025-06-01' and metric_key = ?""",
        [metric],
    )[0]


def _causes(warehouse, metric: str) -> dict[str, float]:
    return dict(
        query(
            warehouse,
            """
        select cause, restatement from marts.metric_restatements
        where month_start = date '2025-06-01' and metric_key = ?""",
            [metric],
        )
    )


def test_frozen_month_is_kept_exactly_and_restatements_name_their_cause(tmp_path):
    # GIVEN a warehouse built from a landing zone and June frozen at month close
    landing = tmp_path / "landing"
    portal = random_landing(landing, contacts=200, seed=5)
    warehouse = tmp_path / "warehouse.duckdb"
    accountability = tmp_path / "accountability"
    build_warehouse(landing, warehouse, accountability_dir=accountability, freeze_due=False, run_tests=False)
    assert freeze_month(MONTH, warehouse, accountability)
    frozen_files = _digest(accountability)
    reported = pq.read_table(accountability / "reported_metrics" / f"month={MONTH}.parquet").to_pylist()
    reported_mqls = next(row["metric_value"] for row in reported if row["metric_key"] == "stage_entered__mql")
    june_mqls = [
        row[0]
        for row in query(
            warehouse,
            """
        select contact_id from marts.fct_contact_stages
        where stage_key = 'mql' and entered_month = date '2025-06-01' order by contact_id""",
        )
    ]
    assert reported_mqls == len(june_mqls) > 0

    # WHEN late data arrives after the freeze: two June MQLs nobody had extracted yet, one June MQL deleted
    builder = LandingBuilder(landing)
    late_moment = portal.as_of + timedelta(days=1)
    for offset, contact_id in enumerate((1_900_001, 1_900_002)):
        june = datetime(2025, 6, 10 + offset, 15, tzinfo=UTC)
        builder.contact(
            contact_id,
            june,
            late_moment,
            lifecyclestage="marketingqualifiedlead",
            hs_lifecyclestage_lead_date=june,
            hs_lifecyclestage_marketingqualifiedlead_date=june,
            hs_analytics_source="PAID_SEARCH",
        )
    builder.add(
        "contacts",
        june_mqls[0],
        datetime(2025, 6, 1, tzinfo=UTC),
        late_moment,
        archived=True,
        archived_at=late_moment,
    )
    builder.flush(extracted_at=datetime.now(UTC) + timedelta(seconds=1))
    build_warehouse(landing, warehouse, accountability_dir=accountability, freeze_due=False, run_tests=False)

    # THEN the reported value is exactly what was frozen, the current one moved, and the causes say why
    reported_value, current_value, restatement, definition_changed, causes = _accountability(
        warehouse, "stage_entered__mql"
    )
    assert reported_value == reported_mqls
    assert current_value == reported_mqls + 1
    assert restatement == 1
    assert not definition_changed
    assert _causes(warehouse, "stage_entered__mql") == {"late_data": 2.0, "deleted_records": -1.0}
    assert causes == "deleted_records, late_data"

    # WHEN the definitions change (a 1-hour SLA instead of 24) and the warehouse is rebuilt
    definitions = yaml.safe_load(DEFAULT_DEFINITIONS_FILE.read_text())
    definitions["sla"]["first_touch_hours"] = 1
    changed = tmp_path / "definitions.yml"
    changed.write_text(yaml.safe_dump(definitions))
    result = build_warehouse(
        landing, warehouse, changed, accountability_dir=accountability, freeze_due=False, run_tests=False
    )

    # THEN the build was a full refresh, the SLA numbers are restated as a definition change
    assert result.full_refresh
    reported_within, current_within, _, definition_changed, _ = _accountability(warehouse, "mqls_within_sla")
    assert definition_changed
    assert current_within < reported_within
    assert "definition_change" in _causes(warehouse, "mqls_within_sla")
    # AND the frozen files were never touched, and freezing June again is refused
    assert _digest(accountability) == frozen_files
    assert not freeze_month(MONTH, warehouse, accountability)
