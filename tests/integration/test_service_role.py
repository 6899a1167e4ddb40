"""The service's PostgreSQL role may only INSERT and SELECT the events (README, "Tamper evidence").

An owner role creates the tables and migrates; the service role, granted SELECT on the events, INSERT on the columns
the service writes (never notification_id: the position always comes from the sequence), SELECT and INSERT on the
snapshots and USAGE on the id sequence, runs commands (writers serialise on an advisory lock, not the table lock that
would need UPDATE), cannot change or delete a stored event even if the trigger were off, and cannot choose a position.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

from store.postgres_recorder import BinaryInsertApplicationRecorder
from store.settings import Settings
from store.opening import open_ledger, pg_connect
from projections.runner import close_projections, open_projections
from ledger import ids
from tests.conftest import settings_for
from tests.support.scenario import World
from writer.unit_of_work_scope import unit_of_work

GRANTS = (  # as README, "Tamper evidence"
    "GRANT USAGE ON SCHEMA {schema} TO {role}",
    "GRANT SELECT ON {schema}.voucherledger_events TO {role}",
    "GRANT INSERT (originator_id, originator_version, topic, state) ON {schema}.voucherledger_events TO {role}",
    "GRANT SELECT, INSERT ON {schema}.voucherledger_snapshots TO {role}",
    "GRANT USAGE ON SEQUENCE {schema}.voucherledger_events_notification_id_seq TO {role}",
)
# A table-wide INSERT covers every column, notification_id included: migration 0014 narrows it to GRANTS' columns.
WIDE_GRANTS = (
    "GRANT USAGE ON SCHEMA {schema} TO {role}",
    "GRANT SELECT, INSERT ON {schema}.voucherledger_events, {schema}.voucherledger_snapshots TO {role}",
    "GRANT USAGE ON SEQUENCE {schema}.voucherledger_events_notification_id_seq TO {role}",
)


@contextmanager
def service_role(owner: Settings, grants: tuple[str, ...]) -> Iterator[tuple[Settings, dict[str, sql.Identifier]]]:
    """A login role with these grants, and the settings the service runs with as that role; dropped afterwards."""
    role = f"vl_service_{uuid.uuid4().hex[:8]}"
    names = {"schema": sql.Identifier(owner.postgres_schema), "role": sql.Identifier(role)}
    with pg_connect(owner) as conn:
        conn.execute(sql.SQL("CREATE ROLE {role} LOGIN").format(**names))
        for grant in grants:
            conn.execute(sql.SQL(grant).format(**names))
    try:
        yield owner.model_copy(update={"postgres_user": role, "create_tables": False}), names
    finally:
        with pg_connect(owner) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {role}").format(**names))
            conn.execute(sql.SQL("DROP ROLE {role}").format(**names))


def insert_at_chosen_position(service: Settings, names: dict[str, sql.Identifier], position: int) -> None:
    """What a forger with the service's credentials would try: a copy of a stored event at a position of their own."""
    with pg_connect(service) as conn:
        conn.execute(sql.SQL(
            "INSERT INTO {schema}.voucherledger_events (originator_id, originator_version, topic, state, "
            "notification_id) SELECT originator_id, originator_version + 1000, topic, state, %s "
            "FROM {schema}.voucherledger_events ORDER BY notification_id LIMIT 1").format(**names), (position,))


@pytest.mark.postgres
def test_a_role_with_insert_and_select_only_runs_commands_and_cannot_alter_events(request, tmp_path):
    owner = settings_for("postgres", request, tmp_path)
    open_ledger(owner).close()  # the owner creates the tables, the trigger and the read models
    close_projections(open_projections(owner))
    with service_role(owner, GRANTS) as (service, names):
        app = open_ledger(service)
        try:
            world = World.with_year(app, 2019)  # catalogue, quotas, a whitelisted provider, a voucher, a claim
            voucher = world.issue(world.eligible_enterprise())
            world.claim(voucher.voucher_id, world.provider(), eligible_fee_fen=1_000_000)
            assert app.recorder.max_notification_id() > 10
            # More than one insert message holds (ONE_MESSAGE_MAX_EVENTS): the library's own INSERT names its columns.
            with unit_of_work(app) as uow:
                for i in range(BinaryInsertApplicationRecorder.ONE_MESSAGE_MAX_EVENTS + 1):
                    app.set_carrier_rates(world.by(), year=2020, rates={"CHINA_TELECOM": f"0.{300 + i}"})
                assert len(uow.unflushed_events(ids.carrier_rates_id(2020))) > app.recorder.ONE_MESSAGE_MAX_EVENTS
        finally:
            app.close()
        with pg_connect(service) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("UPDATE {schema}.voucherledger_events SET topic = topic").format(**names))
        with pg_connect(service) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("DELETE FROM {schema}.voucherledger_events").format(**names))
        for position in (0, 10**9):  # outside the chain, or ahead of the sequence
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                insert_at_chosen_position(service, names, position)


@pytest.mark.postgres
def test_migration_0014_narrows_a_table_wide_insert_grant(request, tmp_path):
    """A role granted INSERT on the whole table could choose a position; once the owner migrates, it cannot, and
    the service still works as that role."""
    owner = settings_for("postgres", request, tmp_path)
    open_ledger(owner).close()
    with service_role(owner, WIDE_GRANTS) as (service, names):
        app = open_ledger(service)
        try:
            World.with_year(app, 2019)
        finally:
            app.close()
        close_projections(open_projections(owner))  # `voucher-ledger migrate`, as the owner
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            insert_at_chosen_position(service, names, 10**9)
        app = open_ledger(service)
        try:
            world = World.with_year(app, 2020)
            world.claim(world.issue(world.eligible_enterprise()).voucher_id, world.provider(), eligible_fee_fen=1_000)
        finally:
            app.close()
