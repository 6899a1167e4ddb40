"""The one whitelist rule (ledger/whitelist_status.py), in memory: per area, the result with the latest effective time at
or before t (ties: the one recorded later) decides; the order of recording does not otherwise matter."""

from __future__ import annotations

from itertools import permutations

from ledger.whitelist_status import (
    AreaResult,
    WhitelistStatus,
    changes_to_announce,
    newly_suspended,
    status_at,
    status_in,
    timeline,
)

P, W, S = WhitelistStatus.PENDING_ASSESSMENT, WhitelistStatus.WHITELISTED, WhitelistStatus.SUSPENDED


def results(*specs: tuple[str, bool, int]) -> list[AreaResult]:
    """(area, passed, effective time) in recording order."""
    return [AreaResult(area, passed, effective, order) for order, (area, passed, effective) in enumerate(specs)]


def test_a_pass_recorded_late_before_a_failure_does_not_lift_it_and_the_mirror_suspends_only_until_the_pass():
    pass_late = results(("A", True, 1), ("A", False, 30), ("A", True, 20))
    assert [status_at(pass_late, t) for t in (0, 1, 20, 29, 30, 99)] == [P, W, W, W, S, S]
    assert status_at(pass_late) == S
    fail_late = results(("A", True, 1), ("A", True, 30), ("A", False, 20))
    assert [status_at(fail_late, t) for t in (0, 1, 20, 29, 30, 99)] == [P, W, S, S, W, W]
    assert status_at(fail_late) == W


def test_the_status_depends_on_the_effective_times_not_on_the_recording_order_except_for_ties():
    specs = [("A", True, 1), ("B", False, 5), ("A", False, 8), ("B", True, 12), ("A", True, 15)]
    expected = [P, W, S, S, S, S, W]
    for order in permutations(specs):
        found = results(*order)
        assert [status_at(found, t) for t in (0, 1, 5, 8, 12, 14, 15)] == expected
        assert [status_in(timeline(found), t) for t in (0, 1, 5, 8, 12, 14, 15)] == expected
    assert status_at(results(("A", False, 5), ("A", True, 5)), 5) == W  # the same time: recorded later wins
    assert status_at(results(("A", True, 5), ("A", False, 5)), 5) == S


def test_a_timeline_names_the_failure_that_began_each_suspension():
    changes = timeline(results(("A", True, 1), ("B", False, 5), ("A", False, 8), ("B", True, 12), ("A", True, 15)))
    assert [(c.effective, c.status, c.previous) for c in changes] == [(1, W, P), (5, S, W), (15, W, S)]
    assert (changes[1].cause.area, changes[1].failing_areas) == ("B", ("B",))


def test_announcements_from_the_first_difference_on_make_the_latest_recorded_one_right():
    before = results(("A", True, 1), ("B", False, 20), ("A", True, 10))
    after = [*before, AreaResult("A", False, 5, 3)]  # suspends from 5; 10 lifts A, but B still fails from 20
    announced = changes_to_announce(before, after)
    assert [(c.effective, c.status) for c, _was in announced] == [(5, S), (10, W), (20, S)]
    assert changes_to_announce(before, [*before, AreaResult("A", True, 15, 3)]) == []  # nothing changes
    assert newly_suspended(before, after) == [(5, 10)]
    assert newly_suspended(results(("A", True, 1)), results(("A", True, 1), ("A", False, 4))) == [(4, None)]
