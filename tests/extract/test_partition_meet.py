"""The meeting point of a partitioned full pass (list ascending + search descending): no gap, also when
resumed from committed positions that lag the runtime ones."""

from __future__ import annotations

from onefunnel.hubspot.streams import Meet


def page(*ids: int) -> list[dict]:
    return [{"id": str(i)} for i in ids]


def test_chains_meet_when_list_reaches_the_search_low():
    meet = Meet(1000, {"after": None, "done": False}, {"low_id": None, "done": False})
    meet.list_page(page(1, 2, 3), complete=False)
    assert not meet.met()
    meet.search_page(page(10, 9, 8), exhausted=False, above=3)
    assert meet.search_bounds() == (8, 3)
    assert not meet.met()
    meet.list_page(page(4, 5, 6, 7), complete=False)
    assert meet.met()  # every id <= 7 by the list, every id >= 8 by search


def test_exhausted_search_holds_everything_above_the_list():
    meet = Meet(10, {}, {})
    meet.list_page(page(1, 2), complete=False)
    assert meet.search_page(page(9, 5), exhausted=True, above=2)[1] == 3
    assert meet.met()


def test_out_of_order_list_never_stops_at_the_meeting_point():
    meet = Meet(10, {}, {})
    meet.list_page(page(5, 6), complete=False)
    meet.list_page(page(3, 4), complete=False)  # not ascending: the order cannot be trusted
    meet.search_page(page(7), exhausted=False, above=0)
    assert meet.search_bounds() == (7, 0)  # search no longer relies on the list's position either
    assert not meet.met()
    meet.list_page(page(8), complete=True)  # only the list's own end completes the pass
    assert meet.met()


def test_resume_from_committed_positions_behind_the_runtime_meeting():
    # The list was marked done at the meeting point (high 500), but search had committed only down to 800:
    # the resumed search must continue down to 501, not stop because the list pass is done.
    meet = Meet(
        1000,
        {"after": "x", "high_id": 500, "ordered": True, "complete": False, "done": True},
        {"low_id": 800, "done": False},
    )
    assert not meet.met()
    assert meet.search_bounds() == (800, 500)
    meet.search_page(page(799, 650), exhausted=False, above=500)
    assert not meet.met()
    meet.search_page(page(600, 501), exhausted=True, above=500)
    assert meet.met()


def test_no_id_is_landed_by_both_chains_when_they_overlap_in_flight():
    # GIVEN a search request sent when the list stood at 3, and the list landing 4..7 meanwhile
    meet = Meet(1000, {}, {})
    landed: list[int] = []
    kept, _high, _ordered = meet.list_page(page(1, 2, 3), complete=False)
    landed += [int(r["id"]) for r in kept]
    kept, _high, _ordered = meet.list_page(page(4, 5, 6, 7), complete=False)
    landed += [int(r["id"]) for r in kept]
    # WHEN the in-flight search answers with ids down to 5, and the list's next page overlaps search's claim
    kept, low = meet.search_page(page(10, 9, 8, 7, 6, 5), exhausted=False, above=3)
    landed += [int(r["id"]) for r in kept]
    kept, _high, _ordered = meet.list_page(page(8, 9), complete=False)
    landed += [int(r["id"]) for r in kept]
    # THEN every id is landed exactly once and the chains have met
    assert low == 8
    assert sorted(landed) == list(range(1, 11))
    assert meet.met()
