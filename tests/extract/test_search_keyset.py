"""The incremental search keyset against an in-memory search that behaves like HubSpot's
(GTE / EQ / GT filters, one sort, 200 per page, HTTP 400 past 10,000 results)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from onefunnel.hubspot.errors import RequestError
from onefunnel.hubspot.properties import PropertyPlan
from onefunnel.hubspot.streams import IncrementalSearchStream

pytestmark = pytest.mark.unit


class FakeSearch:
    def __init__(self, records: list[tuple[int, int]]) -> None:
        self.records = records  # (id, lastmodified ms)
        self.requests = 0

    def search(self, object_type, request, *, cursor, stats=None, priority=None):
        self.requests += 1
        rows = self.records
        for f in request["filterGroups"][0]["filters"] if request["filterGroups"] else []:
            value = int(f["value"])
            index = 0 if f["propertyName"] == "hs_object_id" else 1
            op = {"GTE": lambda a, b: a >= b, "EQ": lambda a, b: a == b, "GT": lambda a, b: a > b}[
                f["operator"]
            ]
            rows = [r for r in rows if op(r[index], value)]
        sort = request["sorts"][0]
        key = (lambda r: (r[0],)) if sort["propertyName"] == "hs_object_id" else (lambda r: (r[1], -r[0] % 7))
        rows = sorted(rows, key=key)  # ties in an order unrelated to id, as HubSpot does not promise one
        offset = int(request.get("after") or 0)
        if offset >= 10_000:
            raise RequestError("HTTP 400: paging past 10,000 results", status=400)
        page = rows[offset : offset + request["limit"]]
        answer = {
            "total": len(rows),
            "results": [
                {
                    "id": str(i),
                    "properties": {"lastmodifieddate": str(ts), "hs_object_id": str(i)},
                    "updatedAt": None,
                }
                for i, ts in page
            ],
        }
        if offset + request["limit"] < len(rows):
            answer["paging"] = {"next": {"after": str(offset + request["limit"])}}
        return answer


class CollectingStream(IncrementalSearchStream):
    """The real walk; pages are collected instead of landed."""

    def __init__(self, api, cursor) -> None:
        plan = PropertyPlan("contacts", ["hs_object_id", "lastmodifieddate"], [], [], [], [])
        ctx = SimpleNamespace(
            api=api,
            plans={"contacts": plan},
            stop=threading.Event(),
            associations=False,
            group_records=2000,
            max_pending_groups=2,
        )
        ctx.check_stop = lambda: None
        super().__init__(ctx, "contacts", "incremental", cursor)
        self.landed: list[int] = []
        self.cursors: list[dict] = []

    def add_page(self, records, checkpoint_after, extracted_at):
        self.landed.extend(int(r["id"]) for r in records)
        self.cursors.append(checkpoint_after)


def run(records, cursor=None):
    api = FakeSearch(records)
    stream = CollectingStream(api, cursor or {"ts": 0, "id": None})
    stream.walk()
    return stream, api


def test_15000_records_at_one_timestamp_are_all_extracted_once():
    # GIVEN 1,000 ordinary changes and 15,000 records modified at exactly the same millisecond
    burst_ts = 5_000_000
    records = [(i, 1_000_000 + i) for i in range(1, 1001)] + [(i, burst_ts) for i in range(2000, 17000)]
    records += [(i, burst_ts + 1 + i) for i in range(20000, 20300)]
    # WHEN the incremental keyset walks it
    stream, _api = run(records)
    # THEN every record is landed exactly once and the 10,000 cap was never hit
    assert sorted(stream.landed) == sorted(r[0] for r in records)
    assert len(stream.landed) == len(set(stream.landed))
    # AND the final cursor is past the newest record
    assert stream.cursors[-1] == {"ts": max(ts for _, ts in records) + 1, "id": None}


def test_ties_at_page_boundaries_are_neither_missed_nor_duplicated():
    # GIVEN records whose timestamps repeat in groups of 3 (so page boundaries fall inside ties)
    records = [(i, 1_000 + i // 3) for i in range(1, 1000)]
    # WHEN walked
    stream, _ = run(records)
    # THEN all land once
    assert sorted(stream.landed) == sorted(r[0] for r in records)
    assert len(stream.landed) == len(set(stream.landed))


def test_resume_from_a_mid_burst_checkpoint():
    # GIVEN a checkpoint saved in the middle of draining a burst (ts, last id)
    records = [(i, 7_000) for i in range(1, 501)] + [(i, 8_000) for i in range(600, 610)]
    # WHEN the walk resumes from it
    stream, _ = run(records, {"ts": 7_000, "id": 250})
    # THEN exactly the records after the checkpoint land
    assert sorted(stream.landed) == list(range(251, 501)) + list(range(600, 610))


def test_nothing_changed_costs_one_request_and_keeps_the_cursor():
    # GIVEN no record modified since the watermark
    stream, api = run([(1, 10), (2, 20)], {"ts": 21, "id": None})
    # WHEN walked
    # THEN one search, nothing landed, cursor unchanged
    assert api.requests == 1
    assert stream.landed == []
    assert stream.cursors[-1] == {"ts": 21, "id": None}
