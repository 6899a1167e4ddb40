"""The PostgreSQL connections of the service (store/connections.py): every pool sized by the settings and named by
process kind, counted where PostgreSQL itself counts them (pg_stat_activity) against the configured sizes; and an API
process's statement timeout, which answers a slow statement 503 ``STATEMENT_TIMEOUT`` instead of hanging.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from projections.read_models import ReadModels
from store.connections import OTHER_VIEW_MAX
from store.opening import open_ledger, pg_connect
from tests.support.api_helpers import START, assert_problem, ok, patched_clock, running_api
from tests.support.served_api import ServedApi, token, until

pytestmark = pytest.mark.postgres
WAIT_S = 60  # a bound for slow shared machines, never a figure an assert depends on
PROJECTIONS = ("money_flows", "whitelist", "audit_trail", "settlement_batches", "journal", "lists")


@pytest.fixture
def pg_settings(request, tmp_path):
    from tests.conftest import settings_for

    return settings_for("postgres", request, tmp_path)


def connections(settings, kind: str) -> Counter:
    """This store's connections of processes of ``kind``, by pool (PostgreSQL's own count)."""
    prefix = f"voucher-ledger {kind} {settings.postgres_schema}:"
    with pg_connect(settings, application_name="connection-count") as conn:
        rows = conn.execute("SELECT application_name FROM pg_stat_activity WHERE application_name LIKE %s",
                            (prefix.replace("_", r"\_") + "%",)).fetchall()
    return Counter(name[len(prefix):] for (name,) in rows)


def test_a_served_api_and_its_workers_hold_no_more_connections_than_configured(pg_settings, tmp_path):
    sizes = {"postgres_pool_size": 2, "postgres_max_overflow": 3, "postgres_query_pool_size": 1,
             "postgres_query_max_overflow": 2}
    settings = pg_settings.model_copy(update=sizes)
    server = ServedApi(settings, tmp_path / "serve.log", workers=True)
    try:
        server.start()
        until(lambda: httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200, f"ready:\n{server.log()}")
        auth = {"Authorization": f"Bearer {token(settings)}"}
        with ThreadPoolExecutor(8) as pool:  # queries at once: the query pool grows, up to its maximum
            answers = list(pool.map(lambda _: httpx.get(f"{server.url}/v1/whitelist", headers=auth, timeout=WAIT_S),
                                    range(24)))
        assert {a.status_code for a in answers} == {200}
        checks = httpx.get(f"{server.url}/readyz", timeout=10).json()["checks"]
        api, workers = connections(settings, "api"), connections(settings, "worker")
    finally:
        server.stop()

    # the API: each pool within the bounds the settings give it, as PostgreSQL counts it and as /readyz says
    ledger, queries = "VoucherLedger", "money_flows"
    assert settings.postgres_pool_size <= api[ledger] <= settings.postgres_pool_size + settings.postgres_max_overflow
    assert 1 <= api[queries] <= 1 + 2
    for name in PROJECTIONS[1:]:
        assert api[name] <= OTHER_VIEW_MAX
    pools = checks["pools"]
    assert (pools["ledger"]["pool_min"], pools["ledger"]["pool_max"]) == (2, 5)
    assert (pools[queries]["pool_min"], pools[queries]["pool_max"]) == (1, 3)
    assert {p: pools[p]["pool_max"] for p in PROJECTIONS[1:]} == dict.fromkeys(PROJECTIONS[1:], OTHER_VIEW_MAX)
    assert pools["ledger"]["pool_size"] == api[ledger] and pools[queries]["pool_size"] == api[queries]
    budget = checks["connection_budget"]
    assert budget["total"] == 5 + 3 + 5 * OTHER_VIEW_MAX + 2
    assert sum(api.values()) <= budget["total"]
    # the workers: each of the six holds a reader of the ledger and its own view (its LISTEN connection is named
    # for /readyz, projections/health.py)
    assert set(workers) <= {"VoucherLedger", *PROJECTIONS}
    assert workers["VoucherLedger"] <= 6 * 2
    assert all(workers[name] <= OTHER_VIEW_MAX for name in PROJECTIONS)


def test_an_api_process_cancels_a_slow_statement_and_answers_503_statement_timeout(pg_settings, monkeypatch):
    settings = pg_settings.model_copy(update={"api_statement_timeout_s": 0.5, "read_models_in_process": True})
    slept = []

    def slow_whitelist(self, *args, **kwargs):
        slept.append(1)
        return self.db.fetchall("SELECT pg_sleep(30)")  # a database that does not answer in time

    with patched_clock(START) as clock, running_api(settings, clock) as api:
        db, ledger = api.client.app.state.backend.read_models.db, api.client.app.state.backend.ledger
        # every pooled connection of the API process carries the timeout (a direct look at the pools)
        assert db.fetchone("SHOW statement_timeout")[0] == "500ms"
        with ledger.recorder.datastore.get_connection() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone()["statement_timeout"] == "500ms"
        monkeypatch.setattr(ReadModels, "whitelist", slow_whitelist)
        started = time.monotonic()
        problem = assert_problem(api.get("/v1/whitelist"), 503, "STATEMENT_TIMEOUT", instance="/v1/whitelist")
        assert slept and time.monotonic() - started < 30  # answered, not held for the statement's 30 s
        assert "took too long" in problem["detail"]
        monkeypatch.undo()
        # one slow statement is not an outage: the next request is served, the store is reachable
        ok(api.get("/v1/whitelist"))
        assert ok(api.client.get("/readyz"))["checks"]["store"]["reachable"] is True
        assert 'voucher_ledger_store_errors_total{kind="statement_timeout"} 1.0' in api.client.get("/metrics").text


def test_the_command_line_has_no_statement_timeout_and_names_its_connections(pg_settings):
    assert pg_settings.process_kind == "cli"
    app = open_ledger(pg_settings)
    read = ReadModels(pg_settings, app)
    try:
        assert read.db.fetchone("SHOW statement_timeout")[0] == "0"
        assert read.db.fetchone("SELECT current_setting('application_name')")[0] == (
            f"voucher-ledger cli {pg_settings.postgres_schema}:money_flows")
        assert read.db.fetchone("SELECT 1 FROM pg_sleep(0.6)")[0] == 1  # not cancelled
    finally:
        read.close()
        app.close()
    with pytest.raises(psycopg.errors.QueryCanceled):  # bounded checks of an API process are cancelled too
        with pg_connect(pg_settings.model_copy(update={"process_kind": "api", "api_statement_timeout_s": 0.2}),
                        bounded=True) as conn:
            conn.execute("SELECT pg_sleep(5)")


def test_a_migration_run_by_an_api_process_is_not_cut_short_by_its_statement_timeout(pg_settings):
    from projections.money_flows import MoneyFlows
    from projections.runner import open_view
    from store.migrations import Migration, apply_migrations
    from store.opening import ensure_postgres_schema

    api = pg_settings.model_copy(update={"process_kind": "api", "api_statement_timeout_s": 0.3})
    ensure_postgres_schema(api)
    view = open_view(api, MoneyFlows, queries=True)
    try:
        with pytest.raises(Exception, match="statement timeout"):  # the view's statements carry the timeout...
            view.fetchone("SELECT 1 FROM pg_sleep(1)")
        slow = Migration(1, "slow", "CREATE TABLE vl_slow AS SELECT 1 AS one FROM pg_sleep(1);\n")
        assert apply_migrations(view, [slow]) == [slow]  # ... but a migration runs as long as it needs
        assert view.fetchone("SELECT one FROM vl_slow")[0] == 1
    finally:
        view.datastore.close()
