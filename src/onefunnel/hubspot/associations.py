"""Associations of the ids a stream extracted, via the associations batch read (date-versioned or v4,
paths.py; <= 1,000 ids per call, paging per input; the answer has the same shape in every version).

Every input id lands at least one row: one per associated record, or a single row with a null to_id when
it has none, so the warehouse can replace a record's associations with its newest extraction.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from onefunnel.hubspot import settings
from onefunnel.hubspot.endpoints import HubSpotApi
from onefunnel.hubspot.ratebudget import PRIORITY_SIDE
from onefunnel.hubspot.retry import CallStats
from onefunnel.landing.writer import association_table


def dataset_name(from_type: str, to_type: str) -> str:
    return f"associations_{from_type}_{to_type}"


def fetch_associations(
    api: HubSpotApi,
    from_type: str,
    to_type: str,
    ids: list[str],
    extracted_at: datetime,
    run_id: str,
    stats: CallStats | None = None,
    priority: tuple = PRIORITY_SIDE,
) -> pa.Table | None:
    if not ids:
        return None
    rows: list[tuple[str, str | None, object]] = []
    seen_from: set[str] = set()
    for start in range(0, len(ids), settings.ASSOCIATION_BATCH_LIMIT):
        inputs: list[dict] = [{"id": str(i)} for i in ids[start : start + settings.ASSOCIATION_BATCH_LIMIT]]
        while inputs:
            answer = api.associations(from_type, to_type, inputs, priority=priority, stats=stats)
            follow_up: list[dict] = []
            for result in answer.get("results") or ():
                from_id = str((result.get("from") or {}).get("id"))
                seen_from.add(from_id)
                for target in result.get("to") or ():
                    rows.append((from_id, str(target.get("toObjectId")), target.get("associationTypes")))
                after = ((result.get("paging") or {}).get("next") or {}).get("after")
                if after:
                    follow_up.append({"id": from_id, "after": after})
            inputs = follow_up
    for object_id in ids:
        if str(object_id) not in seen_from:
            rows.append((str(object_id), None, None))
    return association_table(rows, extracted_at, run_id)
