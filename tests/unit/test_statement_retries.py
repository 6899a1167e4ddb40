"""The library's ten statement retries are replaced in the ledger's own recorder classes, not by patching the
library's: every library method that carries them has a budgeted override, and the library's classes keep theirs."""

from eventsourcing import postgres

from projections.view import PostgresView
from store.postgres_recorder import BinaryInsertApplicationRecorder, LedgerPostgresFactory
from store.retries import BUDGETED, within_budget


def _retried_methods(cls: type) -> set[str]:
    """Every method of the class, its own or inherited, that carries the library's retry decorator."""
    return {name for name in dir(cls) if hasattr(getattr(cls, name), "__wrapped__")}


def test_every_library_retried_method_has_a_budgeted_override() -> None:
    for library_class, ours in BUDGETED.items():
        assert issubclass(ours, library_class)
        for name in _retried_methods(library_class):
            replaced = getattr(ours, name)
            assert replaced is not getattr(library_class, name), f"{ours.__name__}.{name} keeps the library's retries"
            assert replaced.__wrapped__ is getattr(library_class, name).__wrapped__


def test_the_library_classes_are_left_as_they_are() -> None:
    for library_class in BUDGETED:
        for name in _retried_methods(library_class):
            assert getattr(library_class, name).__module__ == "eventsourcing.postgres"
            assert getattr(library_class, name).__qualname__.startswith("Postgres")


def test_the_ledger_records_and_tracks_through_the_budgeted_classes() -> None:
    assert issubclass(BinaryInsertApplicationRecorder, BUDGETED[postgres.PostgresApplicationRecorder])
    assert LedgerPostgresFactory.aggregate_recorder_class is BUDGETED[postgres.PostgresAggregateRecorder]
    assert LedgerPostgresFactory.tracking_recorder_class is BUDGETED[postgres.PostgresTrackingRecorder]
    assert issubclass(PostgresView, BUDGETED[postgres.PostgresTrackingRecorder])


def test_a_failing_statement_is_retried_only_within_the_budget(monkeypatch) -> None:
    from eventsourcing.persistence import OperationalError

    from store import retries

    calls = []

    def failing() -> None:
        calls.append(1)
        raise OperationalError("server closed the connection")

    monkeypatch.setitem(retries._budget, "total_s", 0.5)
    monkeypatch.setitem(retries._budget, "attempt_s", 0.1)
    try:
        within_budget(failing)()
    except OperationalError:
        pass
    else:  # pragma: no cover - the statement never succeeds
        raise AssertionError("the error was swallowed")
    # retried (a stale connection is replaced), but no more often than the 0.05 s waits fit in 0.9 × 0.5 s; the
    # library's decorator would have made 10 attempts
    assert 2 <= len(calls) < 10
