"""The warehouse checkpoint catches marts that break the funnel's invariants or stop adding up — as a
faulty dbt model would leave them — and such a build is never published."""

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
    "cohort_grows": (
        "update marts.funnel_cohort_monthly set contacts_reached = contacts_reached + 1000 "
        "where funnel_cohort_id = (select min(funnel_cohort_id) from marts.funnel_cohort_monthly "
        "where cohort_stage_key = 'lead' and stage_key = 'customer')",
        "warehouse.cohorts.reached_never_grows",
        "funnel_cohort_id=lead-",
    ),
    "rate_above_one": (
        "update marts.sla_sales_monthly set pct_within_sla = 1.5 "
        "where month_start = (select max(month_start) from marts.sla_sales_monthly)",
        "warehouse.rates.within_zero_and_one",
        "column=pct_within_sla",
    ),
    "missing_month": (
        "delete from marts.deals_monthly where month_start = "
        "(select min(month_start) + interval 1 month from marts.deals_monthly)",
        "warehouse.months.no_missing_months",
        "relation=deals_monthly",
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
