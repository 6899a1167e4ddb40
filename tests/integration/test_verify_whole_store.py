"""`verify` covers every stored row and every snapshot, on both stores, with or without a digest.

The forgeries here are the ones the hash chain alone walks around: an event at position 0 (outside the chain, yet
loaded by commands), an event written into a gap of the history, a position held twice, a version removed, and a
snapshot that says a quota is unused. Each is named by `verify`; and with ``trust_snapshots`` off a forged snapshot
decides nothing.
"""

from __future__ import annotations

import dataclasses
import json
from contextlib import nullcontext
from typing import Any

import psycopg
import pytest
import typer
from typer.testing import CliRunner

from api.cli import evidence as cli_evidence
from store.settings import Settings, get_settings
from store.opening import open_ledger
from audit.proof import ProofError, make_proof
from audit.source import PG_SNAPSHOTS, PG_TABLE, SQLITE_SNAPSHOTS, EventSource
from audit.verify import INSERTED, SNAPSHOT, VERSION, verify
from ledger import ids
from ledger.errors import ProviderQuotaExhaustedError
from ledger.quotas import ProviderQuota
from tests.support.api_helpers import store_env
from tests.support.scenario import PROVIDER_QUOTA_FEN, World
from tests.integration.test_tamper_evidence import digest_of, history, keys, migrate, superuser  # noqa: F401 (fixtures)
from writer.unit_of_work_scope import unit_of_work

FEE_FEN = 1_000_000  # 10,000 yuan of eligible fees per claim


def quota_of(world: World, provider: Any) -> ProviderQuota:
    return world.app.repository.get(ids.provider_quota_id(provider, world.year))


def claimed_quota(world: World) -> tuple[Any, Any]:
    """A new provider whose quota for the year holds one claim; returns the provider and the claim's receipt."""
    provider = world.provider()
    receipt = world.claim(world.issue(world.eligible_enterprise()).voucher_id, provider, eligible_fee_fen=FEE_FEN)
    return provider, receipt


def insert_raw(db: Any, position: int, stored: Any) -> None:
    """An event row written straight into the table, at a chosen position."""
    oid = stored.originator_id if db.postgres else stored.originator_id.hex
    db.run("INSERT INTO {t} (originator_id, originator_version, topic, state, {pos}) VALUES (?, ?, ?, ?, ?)",
           (oid, stored.originator_version, stored.topic, stored.state, position))


def run_cli_verify(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    env = {**store_env(settings), "COLUMNS": "250"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    app = typer.Typer()
    cli_evidence.register(app)
    try:
        return CliRunner().invoke(app, ["verify", *args], catch_exceptions=False)
    finally:
        get_settings.cache_clear()


# -- a row outside the chain ---------------------------------------------------------------------------------------
def test_a_forged_event_at_position_zero_is_named_by_verify(store_settings, ledger, keys, tmp_path, monkeypatch):
    """The attack: with INSERT alone, a ProviderQuota.Returned at position 0 gave the quota back to commands, while
    the chain and the read models (positions > 0) never saw it. It is written here before migration 0014, whose
    NOT VALID check lets such a store still migrate, so that verify can name the row."""
    world = World.with_year(ledger, 2019)
    provider, receipt = claimed_quota(world)
    quota = quota_of(world, provider)
    quota.give_back(world.by(), ref=receipt.voucher_id, amount_fen=receipt.amount_fen, reason="forged")
    forged = ledger.mapper.to_stored_event(quota.collect_events()[0])
    with superuser(store_settings) as db:
        insert_raw(db, 0, forged)
    migrate(store_settings)
    assert quota_of(world, provider).used_fen == 0  # what commands now believe: the claim's hold is gone
    digest = digest_of(store_settings, keys, tmp_path)  # the digest cannot cover it: it signs positions from 1
    for signed in (None, digest):
        result = verify(EventSource(store_settings), signed)
        assert [(f.kind, f.position, f.originator_id, f.version) for f in result.findings] == [
            (INSERTED, 0, quota.id, quota.version),
            (VERSION, 0, quota.id, quota.version),  # and it stands before the version it follows
        ], [str(f) for f in result.findings]
    monkeypatch.chdir(tmp_path)  # no digest folder here: the command checks the store without one
    checked = run_cli_verify(store_settings, monkeypatch)
    assert checked.exit_code == 1 and "INSERTED at position 0" in checked.output, checked.output
    with pytest.raises(ProofError, match="outside the signed chain"):  # and no proof claims it is covered
        make_proof(EventSource(store_settings), digest, None, 0)


def test_positions_of_zero_or_below_are_refused_by_the_database(store_settings, ledger):
    if store_settings.store != "postgres":
        pytest.skip("SQLite cannot add a CHECK to an existing table; verify names such rows there (test above)")
    migrate(store_settings)
    World.with_year(ledger, 2019)
    [stored] = ledger.recorder.select_events(ids.carrier_rates_id(2019))
    for position in (0, -7):
        with superuser(store_settings) as db, pytest.raises(psycopg.errors.CheckViolation):
            insert_raw(db, position, dataclasses.replace(stored, originator_version=2))
    assert ledger.recorder.select_events(ids.carrier_rates_id(2019)) == [stored]


# -- rows inside the chain's range that the service never wrote -----------------------------------------------------
def revision_copy(db: Any, year: int = 2020) -> Any:
    """The latest event of a year's carrier rates as the next version: what a forger would append."""
    [(oid, version, topic, state)] = db.run(
        "SELECT originator_id, originator_version, topic, state FROM {t} WHERE originator_id = ? "
        "ORDER BY originator_version DESC LIMIT 1",
        (ids.carrier_rates_id(year) if db.postgres else ids.carrier_rates_id(year).hex,))
    return dataclasses.make_dataclass("Row", ["originator_id", "originator_version", "topic", "state"])(
        ids.carrier_rates_id(year), version + 1, topic, bytes(state))


def test_an_event_written_into_a_gap_is_named_with_and_without_a_digest(store_settings, history, keys, tmp_path):
    """The next version of an aggregate, written into a gap of the history before that aggregate's latest events:
    the digest names the row (INSERTED); without one, its version stands before its predecessor (VERSION)."""
    digest = digest_of(store_settings, keys, tmp_path)
    with superuser(store_settings) as db:
        forged = revision_copy(db)
        insert_raw(db, history[0], forged)
    with_digest = verify(EventSource(store_settings), digest)
    assert [(f.kind, f.position, f.originator_id, f.version) for f in with_digest.findings] == [
        (INSERTED, history[0], forged.originator_id, forged.originator_version),
        (VERSION, history[0], forged.originator_id, forged.originator_version),
    ], [str(f) for f in with_digest.findings]
    without = verify(EventSource(store_settings))
    assert [(f.kind, f.position, f.version) for f in without.findings] == [
        (VERSION, history[0], forged.originator_version)]
    assert f"before version {forged.originator_version - 1}'s" in without.findings[0].detail


def test_a_position_held_twice_is_named(store_settings, history, keys, tmp_path):
    if store_settings.store != "postgres":
        pytest.skip("a SQLite rowid cannot be held twice")
    digest = digest_of(store_settings, keys, tmp_path)
    with superuser(store_settings) as db:
        db.run(f'DROP INDEX "{store_settings.postgres_schema}".{PG_TABLE}_notification_id_idx')
        forged = revision_copy(db)
        insert_raw(db, 20, forged)  # beside the event the digest has at position 20
    named = verify(EventSource(store_settings), digest)
    assert [(f.kind, f.position, f.originator_id, f.version) for f in named.findings if f.kind == INSERTED] == [
        (INSERTED, 20, forged.originator_id, forged.originator_version)], [str(f) for f in named.findings]
    assert "another event at this position" in named.first.detail
    without = verify(EventSource(store_settings))  # no record says which of the two is the stranger: one is named
    assert [(f.kind, f.position) for f in without.findings if f.kind == INSERTED] == [(INSERTED, 20)]


def test_a_removed_version_is_named_without_a_digest(store_settings, history):
    oid = ids.carrier_rates_id(2020)
    with superuser(store_settings) as db:
        key = oid if db.postgres else oid.hex
        versions = [v for (v,) in db.run("SELECT originator_version FROM {t} WHERE originator_id = ? "
                                         "ORDER BY originator_version", (key,))]
        assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 3
        db.run("DELETE FROM {t} WHERE originator_id = ? AND originator_version = 2", (key,))
    result = verify(EventSource(store_settings))
    assert [(f.kind, f.originator_id, f.version) for f in result.findings] == [(VERSION, oid, 3)]
    assert "version 2 missing" in result.first.detail


# -- snapshots -------------------------------------------------------------------------------------------------------
def snapshotted_quota(world: World, *, in_memory: bool = False) -> tuple[Any, Any]:
    """A claimed quota revised until its 100th version, where the application snapshots it (``in_memory``: in a unit
    of work, which snapshots its in-memory aggregate, as the simulator does)."""
    app = world.app
    provider, receipt = claimed_quota(world)
    version = quota_of(world, provider).version
    with unit_of_work(app) if in_memory else nullcontext():
        for revision in range(version + 1, 101):
            app.set_provider_quota(world.by(), provider_id=provider, year=world.year,
                                   amount_fen=PROVIDER_QUOTA_FEN + revision)
    assert quota_of(world, provider).version == 100
    return provider, receipt


def test_snapshots_taken_either_way_verify_clean(store_settings, ledger):
    world = World.with_year(ledger, 2019)
    for in_memory in (False, True):
        snapshotted_quota(world, in_memory=in_memory)
    result = verify(EventSource(store_settings))
    assert result.ok and (result.snapshots.aggregates, result.snapshots.snapshots) == (2, 2), result.first


def test_a_forged_snapshot_is_named_by_verify(store_settings, ledger, tmp_path, monkeypatch):
    """The issue's operator edit: used_fen set to 0 in the latest ProviderQuota snapshot row."""
    world = World.with_year(ledger, 2019)
    provider, receipt = snapshotted_quota(world)
    quota_id = ids.provider_quota_id(provider, world.year)
    source = EventSource(store_settings)
    assert source.snapshotted() == [quota_id]
    table = f'"{store_settings.postgres_schema}".{PG_SNAPSHOTS}' if store_settings.store == "postgres" \
        else SQLITE_SNAPSHOTS
    with superuser(store_settings) as db:
        key = quota_id if db.postgres else quota_id.hex
        [(state,)] = db.run(f"SELECT state FROM {table} WHERE originator_id = ? AND originator_version = 100", (key,))
        document = json.loads(bytes(state))
        assert document["state"]["used_fen"] == receipt.amount_fen
        document["state"]["used_fen"] = 0
        db.run(f"UPDATE {table} SET state = ? WHERE originator_id = ?", (json.dumps(document).encode(), key))
    assert quota_of(world, provider).used_fen == 0  # commands trust it
    result = verify(source)
    assert [(f.kind, f.originator_id, f.version) for f in result.findings] == [(SNAPSHOT, quota_id, 100)]
    assert f"used_fen 0 (events: {receipt.amount_fen})" in result.first.detail, result.first.detail
    monkeypatch.chdir(tmp_path)
    checked = run_cli_verify(store_settings, monkeypatch)
    assert checked.exit_code == 1 and "SNAPSHOT" in checked.output and str(quota_id) in checked.output, checked.output


@pytest.mark.parametrize("trust", [True, False], ids=["trusted", "checked"])
def test_without_trust_a_forged_snapshot_lets_no_claim_over_the_quota(store_settings, trust):
    """A snapshot forged with INSERT alone (what the service role may do) says the full quota is unused. Trusted,
    it lets a second claim through beyond the quota; with trust_snapshots=false the events decide and refuse it."""
    settings = store_settings.model_copy(update={"trust_snapshots": trust})
    app = open_ledger(settings)
    try:
        world = World.with_year(app, 2019)
        provider, first = claimed_quota(world)
        app.set_provider_quota(world.by(), provider_id=provider, year=world.year, amount_fen=first.amount_fen)
        quota = quota_of(world, provider)
        assert quota.remaining_fen == 0
        taken = ProviderQuota.Snapshot.take(quota)
        app.snapshots.put([dataclasses.replace(taken, state={**taken.state, "used_fen": 0})])
        voucher = world.issue(world.eligible_enterprise())
        if trust:
            second = world.claim(voucher.voucher_id, provider, eligible_fee_fen=FEE_FEN)
            events = app.events.get(quota.id)
            replayed = None
            for event in events:
                replayed = event.mutate(replayed)
            assert replayed.used_fen == first.amount_fen + second.amount_fen > replayed.amount_fen
        else:
            with pytest.raises(ProviderQuotaExhaustedError):
                world.claim(voucher.voucher_id, provider, eligible_fee_fen=FEE_FEN)
    finally:
        app.close()
    result = verify(EventSource(settings))
    assert [(f.kind, f.originator_id, f.version) for f in result.findings] == [(SNAPSHOT, quota.id, quota.version)]


def test_verify_keeps_the_first_findings_by_position_and_counts_them_all(store_settings, ledger):
    """A forger may write a million rows: verify keeps a screenful, the first by position, and counts the rest."""
    World.with_year(ledger, 2019)
    [stored] = ledger.recorder.select_events(ids.carrier_rates_id(2019))
    with superuser(store_settings) as db:  # not migrated: no CHECK refuses them yet
        for position in range(-30, 0, 3):  # ten rows, each under a version the aggregate never reached
            insert_raw(db, position, dataclasses.replace(stored, originator_version=1000 - position))
    every = verify(EventSource(store_settings))
    first = verify(EventSource(store_settings), max_findings=4)
    assert every.total_findings == first.total_findings == len(every.findings) > 10
    assert first.findings == sorted(every.findings, key=lambda f: f.order)[:4]
    assert [f.position for f in first.findings[:2]] == [-30, -30]  # the row outside the chain, and its version


def test_a_snapshot_of_another_shape_is_named_not_a_crash(store_settings, ledger):
    world = World.with_year(ledger, 2019)
    provider, _ = claimed_quota(world)
    quota = quota_of(world, provider)
    taken = ProviderQuota.Snapshot.take(quota)
    ledger.snapshots.put([dataclasses.replace(taken, state=["not", "a", "quota"])])
    result = verify(EventSource(store_settings))
    assert [(f.kind, f.originator_id, f.version) for f in result.findings] == [(SNAPSHOT, quota.id, quota.version)]
    assert "cannot be compared" in result.first.detail
