"""The hand-written yardsticks of bench/bench_freshness.py give the pipeline's answers on a small portal: the
one-pass DuckDB check reaches the gate's verdict check by check (clean, and with defects in the landing zone),
the plain copy holds the published snapshot's tables row for row. (The third, the period funnel from the
landing files, onefunnel.warehouse.reference, is compared with the marts in tests/warehouse.)"""

from __future__ import annotations

import sys
from datetime import datetime

import pytest
from quality_helpers import PublishedBase
from quality_pipeline import DataDir, check

from onefunnel.config import REPO_ROOT
from onefunnel.definitions import load_definitions
from onefunnel.publish.serving import open_serving_readonly
from onefunnel.publish.snapshot import table_checksum
from onefunnel.quality.defects import inject_defect
from onefunnel.quality.severity import CheckStatus

pytestmark = [pytest.mark.integration, pytest.mark.slow]

if str(REPO_ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "bench"))

from reference_check import NOT_COVERED, reference_check  # noqa: E402
from reference_copy import plain_copy  # noqa: E402


def _reference(data: DataDir, now: datetime, warehouse: bool = True) -> dict[str, int]:
    definitions = load_definitions()
    known = {value for stage in definitions.stages for value in stage.lifecycle_stages}
    known |= set(definitions.not_in_funnel) | set(definitions.disqualification.lifecycle_stages)
    return reference_check(
        data.landing, data.warehouse if warehouse else None, now, sorted(known), definitions.version
    )


def _verdicts(summary, names) -> dict[str, bool]:
    return {name: summary.check(name).status is not CheckStatus.PASSED for name in names}


def test_the_one_pass_check_reaches_the_gates_verdict_on_every_check(published_base: PublishedBase):
    # GIVEN the pipeline's gate run on a tiny portal (everything passed)
    summary = published_base.summary
    # WHEN the hand-written check runs on the same landing zone and warehouse, at the same time
    found = _reference(published_base.data, datetime.fromisoformat(summary.started_at))
    # THEN it covers every check of the gate but the few it names, and breaks exactly where the gate fails
    gate = {c.name for c in summary.checks}
    assert sorted(gate - set(found) - set(NOT_COVERED)) == []
    assert {name: n > 0 for name, n in found.items()} == _verdicts(summary, found)


@pytest.mark.parametrize("defect", ["duplicate_id", "null_id"])
def test_the_one_pass_check_fails_the_checks_the_gate_fails_on_a_defect(defect: str, base_copy: DataDir):
    # GIVEN a defect in the landing zone of a copy of the published pipeline
    inject_defect(defect, landing_dir=base_copy.landing)
    # WHEN the gate's landing checkpoint and the hand-written check run at the same time
    summary = check(base_copy, ["landing"])
    found = _reference(base_copy, datetime.fromisoformat(summary.started_at), warehouse=False)
    # THEN they agree on every landing check (the defect's check included)
    assert {name: n > 0 for name, n in found.items()} == _verdicts(summary, found)
    assert any(n > 0 for n in found.values())


def test_the_plain_copy_holds_the_published_tables(published_base: PublishedBase, tmp_path):
    # GIVEN the published snapshot of the pipeline
    with open_serving_readonly(published_base.data.serving) as con:
        published = {
            f"{schema}.{name}": (rows, checksum)
            for schema, name, rows, checksum in con.execute("select * from serving_meta.tables").fetchall()
        }
    # WHEN the warehouse's published models are copied plainly
    target = tmp_path / "copy.duckdb"
    rows = plain_copy(published_base.data.warehouse, target)
    # THEN the copy holds the same tables with the same content
    import duckdb

    with duckdb.connect(str(target), read_only=True) as con:
        copied = {key: table_checksum(con, ".".join(f'"{part}"' for part in key.split("."))) for key in rows}
    assert copied == published
