"""deploy/postgres/roles.sql, run as written: an owner that creates and migrates, a service role that may only
SELECT and INSERT the events (never choose a position, change or delete one) and keeps the read models; the grants
are exactly those README ("Operations") lists, and the service runs commands and projections with them."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from projections.runner import catch_up, close_projections, open_projections
from store.opening import open_ledger
from store.settings import Settings
from tests.integration.test_stored_names import PROJECTION_NAMES, READ_MODEL_TABLES, READ_MODEL_VIEWS
from tests.support.follow_workers import worker_env
from tests.support.scenario import World

ROLES_SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgres" / "roles.sql"
EVENT_COLUMNS = {"originator_id", "originator_version", "topic", "state"}
WRITE = {"SELECT", "INSERT", "UPDATE", "DELETE"}


def psql_variables(text: str, values: dict[str, str]) -> str:
    """What ``psql -v name=value`` does to ``:"name"`` (an identifier) and ``:'name'`` (a literal)."""
    text = re.sub(r':"(\w+)"', lambda m: sql.Identifier(values[m[1]]).as_string(None), text)
    return re.sub(r":'(\w+)'", lambda m: sql.Literal(values[m[1]]).as_string(None), text)


def run_step(conninfo: str, text: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(text)


@pytest.mark.postgres
def test_the_deployment_roles_sql_grants_exactly_what_the_readme_says(request):
    url = request.getfixturevalue("postgres_database")
    tag = uuid.uuid4().hex[:8]
    names = {"schema": f"ledger_{tag}", "owner": f"vl_owner_{tag}", "service": f"vl_service_{tag}"}
    step1, step2 = psql_variables(ROLES_SQL.read_text(), names).split("-- step 2")
    as_role = lambda role: Settings(store="postgres", postgres_url=make_conninfo(url, user=role),  # noqa: E731
                                    postgres_schema=names["schema"])
    run_step(url, step1)
    try:
        owner = as_role(names["owner"])
        # `voucher-ledger migrate` as the owner: the event tables, every tracking table, the read models
        migrated = subprocess.run([sys.executable, "-m", "api.cli", "migrate"], env=worker_env(owner),
                                  capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        run_step(url, "-- step 2" + step2)

        service = as_role(names["service"]).model_copy(update={"create_tables": False})
        app = open_ledger(service)
        projections = open_projections(service)
        try:
            world = World.with_year(app, 2019)
            voucher = world.issue(world.eligible_enterprise())
            world.claim(voucher.voucher_id, world.provider(), eligible_fee_fen=1_000_000)
            assert catch_up(app, projections) > 0  # a `follow` worker's work, as the service
        finally:
            close_projections(projections)
            app.close()

        with psycopg.connect(url) as conn:
            tables = dict(conn.execute(
                "SELECT table_name, array_agg(privilege_type::text) FROM information_schema.role_table_grants "
                "WHERE grantee = %s AND table_schema = %s GROUP BY table_name",
                (names["service"], names["schema"])).fetchall())
            columns = conn.execute(
                "SELECT table_name, column_name, privilege_type FROM information_schema.column_privileges "
                "WHERE grantee = %s AND table_schema = %s AND privilege_type <> 'SELECT'",
                (names["service"], names["schema"])).fetchall()
            sequences = conn.execute(
                "SELECT has_sequence_privilege(%s, %s, 'USAGE'), has_sequence_privilege(%s, %s, 'UPDATE')",
                (names["service"], f"{names['schema']}.voucherledger_events_notification_id_seq")*2).fetchone()
        read_models = {t: WRITE for t in READ_MODEL_TABLES if t != "vl_schema_migrations"}
        trackers = {f"{name}_tracking": WRITE for name in PROJECTION_NAMES}
        expected = {"voucherledger_events": {"SELECT"}, "voucherledger_snapshots": {"SELECT", "INSERT"},
                    "vl_schema_migrations": {"SELECT"}, **{v: {"SELECT"} for v in READ_MODEL_VIEWS},
                    **read_models, **trackers}
        assert {t: set(p) for t, p in tables.items()} == expected
        assert {(t, c) for t, c, p in columns if t == "voucherledger_events"} == {
            ("voucherledger_events", c) for c in EVENT_COLUMNS}  # INSERT on those columns, never notification_id
        assert {p for t, c, p in columns if t == "voucherledger_events"} == {"INSERT"}
        assert sequences == (True, False)
        with psycopg.connect(make_conninfo(url, user=names["service"])) as conn, \
                pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("UPDATE {}.voucherledger_events SET topic = topic").format(
                sql.Identifier(names["schema"])))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(names["schema"])))
            for role in (names["service"], names["owner"]):
                conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(role)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
