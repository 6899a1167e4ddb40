"""A rebuild loads without secondary indexes and builds them again at the end (projections/bulk_load.py), on both
stores: afterwards every index is back with its own definition, and a rebuild that dies half-way leaves a record
that the next ``restore_indexes`` acts on — on PostgreSQL several tables at a time."""

from __future__ import annotations

import pytest

from projections import runner
from projections.bulk_load import _secondary_indexes, restore_indexes
from projections.runner import PROJECTIONS, close_projections, open_projections, rebuild
from simulator import simulate


class Injected(RuntimeError):
    pass


@pytest.fixture
def simulated(ledger):
    simulate(ledger, events=1_500, seed=5)
    return ledger


def _indexes(view) -> set[tuple[str, str]]:
    tables = [table for projection in PROJECTIONS.values() for table in projection.tables]
    return set(_secondary_indexes(view, tables))


def test_a_rebuild_ends_with_every_secondary_index_back_as_it_was(simulated, store_settings):
    projections = open_projections(store_settings)
    try:
        view = projections[0].view
        before = _indexes(view)
        assert len(before) >= 10  # the projections' query indexes: a rebuild that lost them would leave few
        rebuild(simulated, projections)
        assert _indexes(view) == before
        assert view.fetchall("SELECT name FROM vl_dropped_indexes") == []
    finally:
        close_projections(projections)


def test_a_rebuild_that_dies_leaves_its_indexes_recorded_and_the_next_restore_builds_them_all(
        simulated, store_settings, monkeypatch):
    projections = open_projections(store_settings)
    try:
        view = projections[0].view
        before = _indexes(view)

        def dying(*args, **kwargs):
            raise Injected("the rebuild's process dies while loading")

        monkeypatch.setattr(runner, "catch_up", dying)
        monkeypatch.setattr("projections.bulk_load.restore_indexes", lambda *a, **k: 0)  # it died: nothing restored
        with pytest.raises(Injected):
            rebuild(simulated, projections)
        monkeypatch.undo()
        assert _indexes(view) == set()  # loading without them
        recorded = {name for (name,) in view.fetchall("SELECT name FROM vl_dropped_indexes")}
        assert recorded == {name for name, _ in before}

        assert restore_indexes(view, at_once=2) == len(before)  # several tables at a time on PostgreSQL
        assert _indexes(view) == before
        assert view.fetchall("SELECT name FROM vl_dropped_indexes") == []
        assert restore_indexes(view, at_once=2) == 0
    finally:
        close_projections(projections)
