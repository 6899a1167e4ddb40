"""Opening the ledger on the configured store (the only place that turns settings into a live application)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from store import connections
from store.appended import on_appended as count_appended
from store.clock import Clock, TrainingClock, service_clock
from store.settings import Settings, get_settings
from ledger.application import VoucherLedger
from ledger.recording import By

log = logging.getLogger("voucher_ledger.store")
SETUP_ACTOR = "system:voucher-ledger"  # who records what every store needs (the default programme, a training mark)


class StoreRefusedError(RuntimeError):
    """This process must not open the store as asked. Raised before anything is recorded on it: a refused open
    changes nothing (the command line prints the message, ``api.cli``)."""


class TrainingStoreRefusedError(StoreRefusedError):
    """A production service was asked to open a store written on a training clock, or to run on one."""


class RealStoreRefusedError(StoreRefusedError):
    """A training clock was asked to open a store that holds real history: events and no training mark.

    Marking it would make it a training store for ever (events are never removed), which a production service then
    never opens: one stray ``VOUCHER_LEDGER_CLOCK`` (the demo prints it to export) would end a live store. A training
    clock marks only a store that holds no events at all, or continues on one already marked."""


def ensure_postgres_schema(settings: Settings) -> None:
    """The library creates tables on first use but not a named schema; create it so a fresh database just works."""
    if settings.store != "postgres" or not settings.postgres_schema or not settings.create_tables:
        return
    with pg_connect(settings) as conn:
        # Looked for first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists,
        # and an owner role given its schema (deploy/postgres/roles.sql) has no such right.
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (settings.postgres_schema,)).fetchone():
            return
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(settings.postgres_schema)))


def pg_connect(settings: Settings, *, application_name: str | None = None, bounded: bool = False) -> psycopg.Connection:
    """A connection of its own, outside the pools; ``bounded``: with this process's statement timeout (a check that a
    hung database must not hold, store/connections.py)."""
    options = connections.connection_options(settings) if bounded else {}
    options["application_name"] = application_name or connections.label(settings)
    return psycopg.connect(
        **options,
        host=settings.postgres_host,
        port=settings.postgres_port,
        dbname=settings.postgres_dbname,
        user=settings.postgres_user,
        password=settings.postgres_password.get_secret_value() or None,
        connect_timeout=settings.postgres_connect_timeout_s,
        autocommit=True,
    )


@contextmanager
def creating_tables(settings: Settings) -> Iterator[None]:
    """Hold PostgreSQL's "voucher-ledger: open" advisory lock for the block: processes starting together (API and
    projection workers) take turns creating tables. The library's table creation re-runs ``CREATE OR REPLACE
    FUNCTION`` and inserts tracking rows, and two at once fail with "tuple concurrently updated"."""
    if settings.store != "postgres":
        yield
        return
    with pg_connect(settings) as conn:  # the session's end releases the lock, whatever happens in the block
        conn.execute("SELECT pg_advisory_lock(hashtext('voucher-ledger: open'))")
        yield


def open_ledger(settings: Settings | None = None, *, clock: Clock | None = None, prepare: bool = True,
                precheck: Callable[[VoucherLedger], None] | None = None,
                on_appended: Callable[[int], None] | None = None) -> VoucherLedger:
    """Build the ledger application on the configured store; tables (and a named schema) are created on first use,
    under :func:`creating_tables`. With ``prepare`` (not for processes that only read), what every store needs is
    recorded at the service clock's time (``clock``, else the settings'): on a training clock, the store's training
    mark; on a store with no programme, the default one (``ledger/default_programme.py``).

    Refused (:class:`StoreRefusedError`) before anything is recorded: ``precheck``'s refusal (the simulator's "an
    empty store"), a training clock on a store with real history (:class:`RealStoreRefusedError`; also for a process
    that only reads, whose answers would be as of a training time on real history), and a production service on a
    training store or clock (:class:`TrainingStoreRefusedError`). ``on_appended(n)``: after each write of this
    ledger commits, with the events it appended (``store/appended.py``), the set-up recorded here included."""
    settings = settings or get_settings()
    clock = clock or service_clock(settings)
    # Openers take turns here on PostgreSQL, so another's set-up cannot slip between the look at the store below
    # and the training mark it allows.
    with creating_tables(settings):
        ensure_postgres_schema(settings)
        ledger = VoucherLedger(env=settings.eventsourcing_env())
        if on_appended is not None:
            count_appended(ledger.recorder, on_appended)
        try:
            if precheck is not None:
                precheck(ledger)
            refuse_clock_for_store(ledger, clock, settings)
            if prepare:
                prepare_store(ledger, clock)
        except BaseException:
            ledger.close()
            raise
    return _checked(ledger)


def refuse_clock_for_store(ledger: VoucherLedger, clock: Clock, settings: Settings) -> None:
    """Raise if ``clock`` may not run on this store: a training clock on real history, a production service on a
    training store or clock. Only reads."""
    marked = ledger.training_mark() is not None
    if settings.production and (marked or clock.training):
        what = "was written on a training clock" if marked else "was to be opened on a training clock"
        raise TrainingStoreRefusedError(
            f"{settings.describe_store()} {what}; a production service (VOUCHER_LEDGER_PRODUCTION) never opens a "
            "training store nor runs on a training clock")
    if clock.training and not marked and holds_events(ledger):
        from_setting = settings.clock is not None and clock.started_at == settings.clock
        which = (f"the training clock VOUCHER_LEDGER_CLOCK={settings.clock.isoformat()}" if from_setting else
                 "a training clock" + (f" (started at {clock.started_at.isoformat()})" if clock.started_at else ""))
        unset = "unset VOUCHER_LEDGER_CLOCK to work on this store on the real clock, or " if from_setting else ""
        raise RealStoreRefusedError(
            f"{settings.describe_store()} holds events recorded on the real clock and no training mark: {which} "
            "would mark it as a training store for ever, and a production service would never open it again. "
            f"Nothing was written. To go on, {unset}use a new store (another VOUCHER_LEDGER_SQLITE_PATH, PostgreSQL "
            "database or VOUCHER_LEDGER_POSTGRES_SCHEMA) for a demo, simulation or rehearsal")


def holds_events(ledger: VoucherLedger) -> bool:
    """Any event at all, the set-up included: a store opened once on the real clock (by `migrate`, `serve` or any
    command) holds its default programme, recorded then, and is most likely a live store just set up; a training
    clock must not make it a training one."""
    return bool(ledger.recorder.select_notifications(1, 1))


def prepare_store(ledger: VoucherLedger, clock: Clock) -> None:
    """Record, once, what every store needs: its training mark (on a training clock) before anything else it writes,
    and the default programme if it has none (a new store, or one written before programmes were data). The caller
    has refused a training clock on a store with real history (:func:`refuse_clock_for_store`), so a mark recorded
    here is the store's first event."""
    mark = ledger.training_mark()
    if (isinstance(clock, TrainingClock) and mark is not None and mark.real_started_at is not None
            and mark.clock_started_at == clock.started_at):
        clock.continue_from(mark.real_started_at)  # one clock for every process on this store, since it started
    by = By(actor=SETUP_ACTOR, at=clock.now())
    real_origin = getattr(clock, "real_origin", None)  # a clock that stands still has none
    if (clock.training and clock.started_at is not None
            and ledger.mark_training(by, clock_started_at=clock.started_at, real_started_at=real_origin)):
        log.warning("this store is now marked as a training store (clock started at %s): a production service "
                    "will never open it", clock.started_at.isoformat())
    if ledger.record_default_programme(by):
        log.info("recorded the default programme on this store")


def _checked(ledger: VoucherLedger) -> VoucherLedger:
    """Look once, at start-up, whether claims must wait for ``derive-evidence-keys`` (ledger.commands.evidence_guard),
    so that the first claim does not pay for it and the operator reads why in the log."""
    try:
        pending = ledger.evidence_keys_pending()
    except BaseException:
        ledger.close()
        raise
    if pending:
        log.warning("claims are refused (EVIDENCE_KEYS_NOT_DERIVED) until `voucher-ledger derive-evidence-keys` has "
                    "run on this store: it holds claims made before invoice and contract keys existed")
    return ledger


def one_reader(settings: Settings) -> Settings:
    """Settings for opening the ledger in a process that only reads its sequence, in one thread: a small pool. The
    library's pool opens its whole minimum size at once, so five workers with the service's pool (20 in the tests)
    plus the service itself ran PostgreSQL out of connections (max 100)."""
    return settings.model_copy(update={"postgres_pool_size": 1, "postgres_max_overflow": 2})
