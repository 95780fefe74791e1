"""The warehouse checkpoint catches marts that break its rules or stop adding up — as a faulty dbt model
would leave them — and such a build is never published. (Cohort monotonicity and missing months are dbt tests
of every build: a build failing them is refused by warehouse.build.completed, test_publish_integrity.py.)"""

from __future__ import annotations

import duckdb
import pytest
from quality_helpers import PublishedBase, file_digest
from quality_pipeline import DataDir, check, publish

from onefunnel.publish.serving import read_run_metadata
from onefunnel.publish.snapshot import PublishRefused
from onefunnel.quality.severity import CheckStatus, RunStatus

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# fault -> (SQL that a faulty model would have produced, the check that must fail, a clue in its message)
FAULTS = {
    "negative_deal_amount": (
        "update marts.fct_deals set amount = -1 where deal_id = (select min(deal_id) from marts.fct_deals)",
        "warehouse.fct_deals.amount_non_negative",
        "amount=-1",
    ),
    "rate_above_one": (
        "update marts.sla_sales_monthly set pct_within_sla = 1.5 "
        "where month_start = (select max(month_start) from marts.sla_sales_monthly)",
        "warehouse.rates.within_zero_and_one",
        "column=pct_within_sla",
    ),
    "won_deal_without_close_date": (
        "update marts.fct_deals set closed_at = null "
        "where deal_id = (select min(deal_id) from marts.fct_deals where is_won)",
        "warehouse.fct_deals.won_deal_has_close_date",
        "closed_at=null",
    ),
    "mart_lost_a_deal": (
        "delete from marts.fct_deals where deal_id = (select min(deal_id) from marts.fct_deals)",
        "warehouse.reconciliation.marts_match_staging",
        "metric=live deals: fct_deals vs staging",
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_faulty_mart_is_caught_and_not_published(
    fault: str, published_base: PublishedBase, base_copy: DataDir
):
    # GIVEN a copy of a published run whose warehouse a faulty model then changed
    data = base_copy
    statement, check_name, clue = FAULTS[fault]
    with duckdb.connect(str(data.warehouse)) as con:
        con.execute(statement)
    # WHEN the whole gate runs
    summary = check(data)
    # THEN the named check fails with a message that points at the broken rows
    result = summary.check(check_name)
    assert result.status is CheckStatus.FAILED, result.message
    assert clue in result.message, result.message
    assert summary.status is RunStatus.FAILED
    # AND the build is not published: the last good snapshot keeps serving
    with pytest.raises(PublishRefused, match=check_name.replace(".", r"\.")):
        publish(data)
    assert file_digest(data.serving) == published_base.serving_digest
    assert read_run_metadata(data.serving)["run_id"] == published_base.run_id
