"""Each defect of the catalogue, injected into a copy of a published good run, is caught by its named
check with a message that names the bad record, blocks publishing, and leaves the last good snapshot
serving byte for byte.

The pipeline stops where the DAG does: extraction, then the landing checkpoint, which fails before dbt runs.
"""

from __future__ import annotations

import pytest
from quality_helpers import PublishedBase, file_digest
from quality_pipeline import DataDir, check, extract, publish

from onefunnel.publish.serving import read_run_metadata
from onefunnel.publish.snapshot import PublishRefused
from onefunnel.quality.defects import DEFECTS, inject_defect
from onefunnel.quality.severity import CheckStatus, RunStatus, Severity

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BLOCKING = sorted(name for name in DEFECTS if name != "late_data")


def clues(name: str, details: dict) -> list[str]:
    """What the failure message must show for a person to find the bad record."""
    record = f"id={details.get('id')}"
    return {
        "duplicate_id": [f"id={details.get('id')}", "object=contacts"],
        "null_id": ["id=null", "object=contacts"],
        "negative_amount": [record, "amount=-5000"],
        "won_without_close_date": [record, "closedate=null", "outcome=won"],
        "unknown_lifecycle_stage": [record, "lifecyclestage=zombie"],
        "stage_date_before_create": [record, "property=hs_lifecyclestage_lead_date"],
        "future_date": [record, "property=hs_lifecyclestage_customer_date"],
        "association_to_missing_record": ["deals->contacts", f"{details.get('id')}->{details.get('to_id')}"],
        "missing_owner": [record, f"owner_id={details.get('hubspot_owner_id')}"],
        "empty_extraction": ["object=deals", "records_this_run=0", "records_before="],
        "half_rows_dropped": ["object=contacts", "ratio=0.", "records_now="],
        "stale_data": ["age_hours=72"],
        "unknown_deal_stage": [record, "dealstage=stage_that_was_deleted"],
        "failed_extraction": ["ok=False", "HTTP 503"],
    }[name]


def test_the_catalogue_covers_the_twelve_required_defects():
    required = {
        "duplicate_id",
        "null_id",
        "negative_amount",
        "won_without_close_date",
        "unknown_lifecycle_stage",
        "stage_date_before_create",
        "future_date",
        "association_to_missing_record",
        "missing_owner",
        "empty_extraction",
        "half_rows_dropped",
        "stale_data",
    }
    assert required <= set(BLOCKING)


@pytest.mark.parametrize("name", BLOCKING)
def test_defect_is_caught_blocks_publishing_and_keeps_the_last_snapshot(
    name: str, published_base: PublishedBase, base_copy: DataDir
):
    # GIVEN a copy of a run that passed the gate and is serving
    data = base_copy
    assert file_digest(data.serving) == published_base.serving_digest
    # WHEN the defect arrives (through the portal and the next extraction, or in the landing zone)
    injected = inject_defect(name, portal_dir=data.portal, landing_dir=data.landing)
    if injected.defect.extraction is not None:
        extract(data, mode=injected.defect.extraction.mode, objects=injected.defect.extraction.objects)
    # AND the gate runs its landing checkpoint (before dbt, as the DAG does)
    summary = check(data, ["landing"])

    # THEN the named check fails, critically, with a message that leads to the bad record
    result = summary.check(injected.defect.check)
    assert result.status is CheckStatus.FAILED, result.message
    assert result.severity is Severity.CRITICAL
    for clue in clues(name, injected.details):
        assert clue in result.message, f"{clue!r} missing from: {result.message}"
    assert summary.status is RunStatus.FAILED
    # AND publishing is refused, naming the failed check
    with pytest.raises(PublishRefused) as refused:
        publish(data)
    assert injected.defect.check in str(refused.value)
    # AND the previous snapshot keeps serving, unchanged to the byte, with the last good run id
    assert file_digest(data.serving) == published_base.serving_digest
    assert read_run_metadata(data.serving)["run_id"] == published_base.run_id
    assert not list(data.serving.parent.glob(".*.tmp")), "a temporary snapshot was left behind"


def test_a_warning_publishes_with_a_visible_notice(published_base: PublishedBase, base_copy: DataDir):
    # GIVEN a copy of a published run whose newest extraction is 30 hours old (a daily run was missed)
    data = base_copy
    injected = inject_defect("late_data", landing_dir=data.landing)
    # WHEN the whole gate runs (the warehouse still matches that extraction)
    summary = check(data)
    # THEN only the warning fails, the run is publishable, and the snapshot carries the notice
    result = summary.check(injected.defect.check)
    assert result.status is CheckStatus.FAILED
    assert result.severity is Severity.WARNING
    assert summary.status is RunStatus.WARNING, [check.message for check in summary.blocking]
    published = publish(data)
    metadata = read_run_metadata(data.serving)
    assert metadata["run_id"] == published.run_id == summary.run_id != published_base.run_id
    assert metadata["quality_status"] == "warning"
    assert any(injected.defect.check in warning for warning in metadata["warnings"])
    assert "age_hours=30" in result.message
