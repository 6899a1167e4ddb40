"""An outage (retry later: 503, workers back off) told apart from a mistake (500, workers stop and say why)."""

import sqlite3

import psycopg
from eventsourcing.persistence import OperationalError as StoreOperationalError
from psycopg_pool import PoolTimeout

from store.availability import store_unavailable


def wrapped(cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise StoreOperationalError("the library's wrapper") from inner
    except StoreOperationalError as outer:
        return outer


def test_outages_are_unavailable_wherever_they_sit_in_the_chain():
    assert store_unavailable(psycopg.OperationalError("connection refused"))
    assert store_unavailable(wrapped(psycopg.OperationalError("server closed the connection unexpectedly")))
    assert store_unavailable(wrapped(PoolTimeout("couldn't get a connection after 5.00 sec")))
    assert store_unavailable(wrapped(sqlite3.OperationalError("database is locked")))


def test_mistakes_are_not():
    assert not store_unavailable(sqlite3.OperationalError("no such table: vl_balances"))
    assert not store_unavailable(wrapped(sqlite3.OperationalError("near \"SELEC\": syntax error")))
    assert not store_unavailable(StoreOperationalError("the library's own complaint, no driver error behind it"))
    assert not store_unavailable(ValueError("bad"))


def test_a_cancelled_statement_is_neither_an_outage_nor_a_mistake_but_a_timeout():
    from store.availability import statement_timed_out

    # the class (SQLSTATE 57014) decides, whatever language the server writes its message in
    for message in ("canceling statement due to statement timeout", "由于语句执行超时, 正在取消查询"):
        cancelled = wrapped(psycopg.errors.QueryCanceled(message))
        assert statement_timed_out(cancelled) and not store_unavailable(cancelled)
    assert not statement_timed_out(wrapped(psycopg.OperationalError("connection refused")))
