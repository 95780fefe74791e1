"""A filtered slice is counted from the fact tables with the marts' own rules: with no filter, every
fact-table query of the dashboard gives exactly the mart it mirrors (on a real tiny pipeline run), and
the team slices add up to the whole."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from dashboards.lib import queries

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EVERYTHING = {"start": date(2000, 1, 1), "end": date(2100, 1, 1)}
NO_SLICE = {"team": None, "owner": None, "source": None, "pipeline": None}
PAIRS = [
    ("PERIOD_MART", "PERIOD_FACTS", ["month_start", "stage_key"]),
    ("DEALS_MART", "DEALS_FACTS", ["month_start"]),
    ("COHORT_MART", "COHORT_FACTS", ["cohort_month", "cohort_stage_key", "stage_key"]),
    ("SLA_SALES_MART", "SLA_SALES_FACTS", ["month_start"]),
    ("REPS_MART", "REPS_FACTS", ["month_start", "owner_id"]),
    ("CREDIT_MART", "CREDIT_FACTS", ["month_start", "attribution", "team", "channel"]),
    ("LEAD_QUALITY_MART", "LEAD_QUALITY_FACTS", ["month_start", "segment_type", "segment_value"]),
    (
        "REASONS_MART",
        "REASONS_FACTS",
        ["month_start", "segment_type", "segment_value", "reason_type", "reason"],
    ),
]


@pytest.fixture(scope="module")
def version(published):
    found, _ = queries.current_version(published.serving)
    assert found is not None
    return found


def _numeric(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype(float).to_numpy()


@pytest.mark.parametrize(("mart", "facts", "keys"), PAIRS, ids=[pair[1] for pair in PAIRS])
def test_fact_query_without_a_slice_equals_its_mart(version, mart, facts, keys):
    # GIVEN the mart and the dashboard's fact-table query that mirrors it
    from_mart = queries.run_query(version, mart, owner=None, **EVERYTHING)
    from_facts = queries.run_query(version, facts, **EVERYTHING, **NO_SLICE)
    # WHEN they are lined up on the mart's grain
    joined = from_mart.merge(from_facts, on=keys, how="outer", suffixes=("_mart", "_facts"), indicator=True)
    # THEN every row the facts give is in the mart, with the same numbers
    assert not (joined["_merge"] == "right_only").any(), joined[joined["_merge"] == "right_only"][keys].head()
    both = joined[joined["_merge"] == "both"]
    assert len(both) > 0
    measures = [column for column in from_facts.columns if column not in keys and column in from_mart.columns]
    for column in measures:
        if not pd.api.types.is_numeric_dtype(from_mart[column]) and not pd.api.types.is_bool_dtype(
            from_mart[column]
        ):
            assert (both[f"{column}_mart"].fillna("") == both[f"{column}_facts"].fillna("")).all(), column
            continue
        assert np.allclose(
            _numeric(both[f"{column}_mart"]), _numeric(both[f"{column}_facts"]), equal_nan=True
        ), column
    # AND rows only the mart has (its month spine) hold nothing
    spine = joined[joined["_merge"] == "left_only"]
    counts = [column for column in measures if column.startswith(("contacts_", "deals_", "mqls", "leads"))]
    for column in counts:
        assert (spine[f"{column}_mart"].fillna(0) == 0).all(), column


def test_team_slices_add_up_to_the_whole(version, published):
    import dashboard_truth as truth

    # GIVEN the period counts of the whole funnel and of each sourcing team
    whole = queries.run_query(version, "PERIOD_MART", **EVERYTHING)["contacts_entered"].sum()
    parts = sum(
        queries.run_query(version, "PERIOD_FACTS", **EVERYTHING, **(NO_SLICE | {"team": team}))[
            "contacts_entered"
        ].sum()
        for team in ("marketing", "sales")
    )
    without_team = truth.value(
        published.serving,
        "select count(*) from marts.fct_contact_stages join marts.fct_leads using (contact_id) "
        "where source_team is null",
    )
    # THEN marketing + sales + contacts without a team = the whole
    assert parts > 0
    assert parts + without_team == whole
