"""Landing writer (atomic parts, raw strings, union_by_name), state store and the warehouse-style reader."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from onefunnel.landing import layout
from onefunnel.landing.reader import current_ids
from onefunnel.landing.state import StateLockedError, StateStore
from onefunnel.landing.writer import Landing, crm_records_table

pytestmark = pytest.mark.unit
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def record(object_id: int, updated: str, archived: bool = False, **props) -> dict:
    return {
        "id": str(object_id),
        "createdAt": "2024-01-01T00:00:00.000Z",
        "updatedAt": updated,
        "archived": archived,
        "properties": {"hs_object_id": str(object_id), **props},
    }


def test_parts_are_atomic_and_new_properties_just_appear(tmp_path):
    # GIVEN two runs, the second with a property the first did not have
    first = Landing(tmp_path, "run1")
    table, _ = crm_records_table(
        [record(1, "2024-01-02T00:00:00.000Z", amount="10.50")], ["hs_object_id", "amount"], NOW, "run1"
    )
    first.write("deals", table)
    second = Landing(tmp_path, "run2")
    table, _ = crm_records_table(
        [record(2, "2024-01-03T00:00:00.000Z", amount="7", new_prop="x")],
        ["hs_object_id", "amount", "new_prop"],
        NOW,
        "run2",
    )
    second.write("deals", table)
    # WHEN dbt-duckdb reads the dataset with union_by_name
    rows = (
        duckdb.connect()
        .execute(
            f"select id, properties__amount, properties__new_prop, _run_id "
            f"from read_parquet('{layout.dataset_glob(tmp_path, 'deals')}', union_by_name = true) order by id"
        )
        .fetchall()
    )
    # THEN values are the raw strings HubSpot sent, and the new column is null for the old part
    assert rows == [("1", "10.50", None, "run1"), ("2", "7", "x", "run2")]
    # AND no temporary file is left behind, and parts follow the documented layout
    assert not list(tmp_path.rglob("*.tmp"))
    assert (tmp_path / "deals" / "run_id=run1" / "part-00000.parquet").exists()


def test_unrequested_property_in_data_is_kept_and_reported():
    # GIVEN a record carrying a property the run did not request
    table, unexpected = crm_records_table([record(1, "x", surprise="!")], ["hs_object_id"], NOW, "r")
    # THEN it is landed and reported
    assert unexpected == {"surprise"}
    assert "properties__surprise" in table.column_names


def test_reader_takes_newest_extraction_and_redirects_merges(tmp_path):
    # GIVEN contact 1 active then archived, contact 3 merged into 2
    landing = Landing(tmp_path, "a")
    t1, _ = crm_records_table(
        [record(1, "2024-01-01"), record(3, "2024-01-01")],
        ["hs_object_id"],
        datetime(2025, 1, 1, tzinfo=UTC),
        "a",
    )
    landing.write("contacts", t1)
    later = Landing(tmp_path, "b")
    t2, _ = crm_records_table(
        [record(1, "2024-02-01", archived=True), record(2, "2024-02-01", hs_merged_object_ids="3")],
        ["hs_object_id", "hs_merged_object_ids"],
        datetime(2025, 2, 1, tzinfo=UTC),
        "b",
    )
    later.write("contacts", t2)
    # WHEN read back
    active, archived = current_ids(tmp_path, "contacts")
    # THEN 1 is archived, 3 redirected to 2
    assert active == {2}
    assert archived == {1}


def test_state_updates_are_atomic_files_and_the_lock_is_exclusive(tmp_path):
    # GIVEN a state store
    store = StateStore(tmp_path / "state")
    with store.exclusive():
        # WHEN a checkpoint is saved
        store.update("contacts", lambda s: s.__setitem__("checkpoint", {"after": "abc"}))
        # THEN a fresh reader sees it and no temporary file remains
        assert StateStore(tmp_path / "state").load("contacts")["checkpoint"] == {"after": "abc"}
        assert not list((tmp_path / "state").glob(".*.tmp"))
        # AND a second run cannot take the lock
        with pytest.raises(StateLockedError), StateStore(tmp_path / "state").exclusive():
            pass
