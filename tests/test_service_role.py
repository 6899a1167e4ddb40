"""The service's PostgreSQL role may only INSERT and SELECT the events (README, "Tamper evidence").

An owner role creates the tables and migrates; the service role, granted SELECT and INSERT on the event and snapshot
tables and USAGE on the id sequence, runs commands (writers serialise on an advisory lock, not the table lock that
would need UPDATE) and cannot change or delete a stored event even if the trigger were off.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql

from api.settings import Settings
from api.store import open_ledger, pg_connect
from projections.runner import close_projections, open_projections
from tests.conftest import settings_for
from tests.scenario import World

GRANTS = (
    "GRANT USAGE ON SCHEMA {schema} TO {role}",
    "GRANT SELECT, INSERT ON {schema}.voucherledger_events, {schema}.voucherledger_snapshots TO {role}",
    "GRANT USAGE ON SEQUENCE {schema}.voucherledger_events_notification_id_seq TO {role}",
)


@pytest.mark.postgres
def test_a_role_with_insert_and_select_only_runs_commands_and_cannot_alter_events(request, tmp_path):
    owner = settings_for("postgres", request, tmp_path)
    open_ledger(owner).close()  # the owner creates the tables, the trigger and the read models
    close_projections(open_projections(owner))
    role = f"vl_service_{uuid.uuid4().hex[:8]}"
    names = {"schema": sql.Identifier(owner.postgres_schema), "role": sql.Identifier(role)}
    with pg_connect(owner) as conn:
        conn.execute(sql.SQL("CREATE ROLE {role} LOGIN").format(**names))
        for grant in GRANTS:
            conn.execute(sql.SQL(grant).format(**names))
    service: Settings = owner.model_copy(update={"postgres_user": role, "create_tables": False})
    try:
        app = open_ledger(service)
        try:
            world = World.with_year(app, 2019)  # catalogue, quotas, a whitelisted provider, a voucher, a claim
            voucher = world.issue(world.eligible_enterprise())
            world.claim(voucher.voucher_id, world.provider(), eligible_fee_fen=1_000_000)
            assert app.recorder.max_notification_id() > 10
        finally:
            app.close()
        with pg_connect(service) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("UPDATE {schema}.voucherledger_events SET topic = topic").format(**names))
        with pg_connect(service) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("DELETE FROM {schema}.voucherledger_events").format(**names))
    finally:
        with pg_connect(owner) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {role}").format(**names))
            conn.execute(sql.SQL("DROP ROLE {role}").format(**names))
