"""Tamper evidence, on both stores: a signed digest of a simulated programme, then a superuser (the append-only
trigger switched off) alters, deletes, swaps and inserts stored events, and `verify` names the first one each time.

The history has a gap, as rolled-back inserts leave on PostgreSQL: the gap itself is legitimate, an event written
into it afterwards is not. Digests here use blocks of 256 events so the ~1,250 events span several checkpoints.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.cli import evidence as cli_evidence
from store.settings import Settings, get_settings
from store.opening import ensure_postgres_schema, open_ledger, pg_connect
from simulator.store import open_simulation_store
from audit.digest import Digest, DigestError, generate_keys, load_digest, load_private_key, load_public_key, take_digest
from audit.hash_chain import decode, leaf_hash
from audit.merkle import audit_path, merkle_root, node_hash, root_from_path
from audit.proof import check_proof, make_proof
from audit.source import PG_TABLE, SQLITE_TABLE, EventSource
from audit.verify import ALTERED, BLOCK, INSERTED, MISSING, REORDERED, VERSION, taken_of_another_store, verify
from ledger.application import VoucherLedger
from ledger.recording import By
from projections.runner import PROJECTIONS, close_projections, open_projections
from simulator import simulate
from tests.conftest import settings_for

BLOCK_SIZE = 256
GAP = 3


@pytest.fixture
def history(ledger: VoucherLedger, store_settings: Settings) -> list[int]:
    """A simulated programme, a gap of three positions, then a few more events; returns the gap's positions."""
    migrate(store_settings)  # installs the append-only trigger on PostgreSQL, as `voucher-ledger migrate` does
    simulate(ledger, events=1500, seed=7)
    gap = leave_gap(store_settings, ledger)
    append(ledger, 3)
    return gap


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "auditor.key.pem", tmp_path / "auditor.pub.pem"
    generate_keys(private, public)
    return private, public


def migrate(settings: Settings) -> None:
    close_projections(open_projections(settings, [next(iter(PROJECTIONS))]))


def append(ledger: VoucherLedger, events: int) -> None:
    for i in range(events):  # revising the 2020 carrier rates: one event each
        ledger.set_carrier_rates(By(actor="province:ops", at=datetime(2021, 1, 5, tzinfo=UTC)), year=2020,
                                 rates={"CHINA_TELECOM": f"0.3{i}"})


def leave_gap(settings: Settings, ledger: VoucherLedger) -> list[int]:
    last = ledger.recorder.max_notification_id() or 0
    with superuser(settings) as db:
        if settings.store == "postgres":  # what rolled-back inserts leave: sequence values never committed
            db.run(f"SELECT nextval(pg_get_serial_sequence('{db.table}', 'notification_id')) "
                   f"FROM generate_series(1, {GAP})")
        else:  # SQLite reuses rowids and never leaves a gap: move the last event up to make one
            db.run(f"UPDATE {db.table} SET rowid = rowid + {GAP} WHERE rowid = {last}")
            return list(range(last, last + GAP))
    return list(range(last + 1, last + 1 + GAP))


class Superuser:
    """Raw access to the events table with the append-only trigger off (``?`` placeholders on both stores)."""

    def __init__(self, settings: Settings, conn: Any) -> None:
        self.postgres = settings.store == "postgres"
        self.conn = conn
        schema = settings.postgres_schema or "public"
        self.table = f'"{schema}".{PG_TABLE}' if self.postgres else SQLITE_TABLE
        self.position = "notification_id" if self.postgres else "rowid"

    def run(self, statement: str, params: tuple = ()) -> list[tuple]:
        statement = statement.replace("{t}", self.table).replace("{pos}", self.position)
        cur = self.conn.execute(statement.replace("?", "%s") if self.postgres else statement, params)
        return list(cur.fetchall()) if cur.description else []


@contextmanager
def superuser(settings: Settings) -> Iterator[Superuser]:
    if settings.store == "postgres":
        with pg_connect(settings) as conn:
            conn.execute("SET session_replication_role = replica")  # user triggers off: superuser only
            yield Superuser(settings, conn)
    else:
        import sqlite3

        conn = sqlite3.connect(settings.sqlite_path, isolation_level=None)
        try:
            yield Superuser(settings, conn)
        finally:
            conn.close()


def alter(db: Superuser, position: int) -> None:
    [(state,)] = db.run("SELECT state FROM {t} WHERE {pos} = ?", (position,))
    state = bytes(state)
    db.run("UPDATE {t} SET state = ? WHERE {pos} = ?", (state[:-1] + bytes([state[-1] ^ 1]), position))


def delete(db: Superuser, position: int) -> None:
    db.run("DELETE FROM {t} WHERE {pos} = ?", (position,))


def swap(db: Superuser, p: int, q: int) -> None:
    parked = 2**62  # a free position while the two trade places (positions must be positive)
    db.run("UPDATE {t} SET {pos} = ? WHERE {pos} = ?", (parked, p))
    db.run("UPDATE {t} SET {pos} = ? WHERE {pos} = ?", (p, q))
    db.run("UPDATE {t} SET {pos} = ? WHERE {pos} = ?", (q, parked))


def insert(db: Superuser, position: int, copy_of: int) -> None:
    """A forged event in a gap: a copy of another under a version its aggregate never had."""
    db.run("INSERT INTO {t} (originator_id, originator_version, topic, state, {pos}) "
           "SELECT originator_id, originator_version + 1000, topic, state, ? FROM {t} WHERE {pos} = ?",
           (position, copy_of))


def digest_of(settings: Settings, keys: tuple[Path, Path], tmp_path: Path, name: str = "digest.json") -> Digest:
    return take_digest(EventSource(settings), load_private_key(keys[0]), tmp_path / name, block_size=BLOCK_SIZE)


# -- a digest, and what verify makes of later events ---------------------------------------------------------------
def test_a_fresh_digest_verifies_and_later_events_are_only_not_covered_yet(ledger, store_settings, history, keys,
                                                                          tmp_path):
    digest = digest_of(store_settings, keys, tmp_path)
    assert digest.events == (ledger.recorder.max_notification_id() or 0) - GAP
    assert len(digest.checkpoints) == -(-digest.events // BLOCK_SIZE)
    assert verify(EventSource(store_settings), digest).ok
    append(ledger, 2)
    later = verify(EventSource(store_settings), digest)
    assert later.ok and later.not_covered == 2 and later.checked == digest.events


@pytest.mark.postgres
def test_the_same_history_has_the_same_chain_head_on_both_stores(request, tmp_path):
    """The encoding is PostgreSQL's binary COPY tuple and SQLite rows are packed into the same bytes, so one seeded
    simulation hashes alike on both (the one test here that needs both stores at once)."""
    heads = []
    for store in ("sqlite", "postgres"):
        settings = settings_for(store, request, tmp_path)
        app = open_simulation_store(settings)
        try:
            simulate(app, events=300, seed=11)
        finally:
            app.close()
        result = verify(EventSource(settings))
        heads.append((result.checked, result.head))
    assert heads[0] == heads[1] and heads[0][0] > 200


# -- the four ways of tampering ------------------------------------------------------------------------------------
@pytest.mark.parametrize("tampering", ["altered", "missing", "reordered", "inserted"])
def test_verify_names_the_first_tampered_event(store_settings, history, keys, tmp_path, tampering):
    digest = digest_of(store_settings, keys, tmp_path)
    source = EventSource(store_settings)
    leaves = digest.load_leaves()
    assert leaves is not None
    target = 300  # in the second block
    _, oid, version, _ = leaves[leaves.index_of(target)]
    with superuser(store_settings) as db:
        if tampering == "altered":
            alter(db, target)
        elif tampering == "missing":
            delete(db, target)
        elif tampering == "reordered":  # position 300 now holds the event the digest has at 900
            swap(db, target, 900)
            _, oid, version, _ = leaves[leaves.index_of(900)]
        else:
            target, (_, oid, version, _) = history[1], leaves[leaves.index_of(20)]
            insert(db, target, copy_of=20)
            version += 1000
    result = verify(source, digest)
    first = result.first
    assert not result.ok and first is not None
    assert (first.kind, first.position, first.originator_id, first.version) == (
        tampering.upper(), target, oid, version), str(first)
    against_digest = [f for f in result.findings if f.kind in (ALTERED, MISSING, REORDERED, INSERTED)]
    if tampering == "reordered":  # both ends of the swap are named
        assert [(f.kind, f.position) for f in against_digest] == [(REORDERED, 300), (REORDERED, 900)]
    else:
        assert against_digest == [first], [str(f) for f in result.findings]
    # Anything else named follows from the same change: the tampered aggregates' versions or snapshots.
    assert {f.originator_id for f in result.findings} <= {f.originator_id for f in against_digest}
    if tampering == "inserted":  # a version its aggregate never had, after a gap of 999 versions
        assert [(f.kind, f.version) for f in result.findings if f.kind == VERSION] == [(VERSION, version)]


def test_without_the_leaves_file_tampering_is_still_caught_per_block(store_settings, history, keys, tmp_path):
    digest = digest_of(store_settings, keys, tmp_path)
    leaves_path = digest.leaves_path()
    assert leaves_path is not None
    leaves_path.unlink()
    with superuser(store_settings) as db:
        alter(db, 600)
    result = verify(EventSource(store_settings), digest)
    first = result.first
    assert first is not None and first.kind == BLOCK and first.position == 2 * BLOCK_SIZE + 1 <= 600


def test_postgres_refuses_update_delete_and_truncate_of_stored_events(store_settings):
    if store_settings.store != "postgres":
        pytest.skip("the append-only trigger is PostgreSQL's (SQLite: README, 'Tamper evidence')")
    ensure_postgres_schema(store_settings)  # an empty schema: no events table yet
    migrate(store_settings)  # first: the migration creates the table, the library then finds and uses it
    app = open_ledger(store_settings)
    try:
        set_up = app.recorder.max_notification_id() or 0  # the default programme, recorded as the store opened
        append(app, 2)
    finally:
        app.close()
    source = EventSource(store_settings)
    assert source.append_only() is True
    table = f'"{store_settings.postgres_schema}".{PG_TABLE}'
    for statement in (f"UPDATE {table} SET state = state WHERE notification_id = 1",
                      f"DELETE FROM {table} WHERE notification_id = 2", f"TRUNCATE {table}"):
        with pg_connect(store_settings) as conn, pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
            conn.execute(statement)
    assert source.stats() == (set_up + 2, set_up + 2)


# -- signatures and inclusion proofs --------------------------------------------------------------------------------
def test_a_digest_edited_or_signed_by_another_key_is_refused(store_settings, history, keys, tmp_path):
    digest = digest_of(store_settings, keys, tmp_path)
    trusted = keys[1]
    assert load_digest(digest.path, load_public_key(trusted)).chain_head == digest.chain_head
    document = json.loads(digest.path.read_text())
    document["events"] -= 1  # as if the last event had never been there
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))
    with pytest.raises(DigestError, match="signature does not match"):
        load_digest(edited, load_public_key(trusted))
    other = generate_keys(tmp_path / "other.key.pem", tmp_path / "other.pub.pem")
    forged = take_digest(EventSource(store_settings), load_private_key(tmp_path / "other.key.pem"),
                         tmp_path / "forged.json")
    with pytest.raises(DigestError, match="another key"):
        load_digest(forged.path, load_public_key(trusted))
    assert load_digest(forged.path, other).events == digest.events  # it is a good digest, for whoever trusts that key
    leaves = digest.leaves_path()
    leaves.write_bytes(leaves.read_bytes()[:-1] + b"\x00")
    with pytest.raises(DigestError, match="does not match the signed digest"):
        digest.load_leaves()


def test_an_inclusion_proof_holds_for_a_covered_event_and_fails_for_a_modified_one(store_settings, history, keys,
                                                                                 tmp_path):
    digest = digest_of(store_settings, keys, tmp_path)
    source = EventSource(store_settings)
    proof = make_proof(source, digest, digest.load_leaves(), 700)
    assert check_proof(proof, digest) and proof.block == 699 // BLOCK_SIZE
    assert check_proof(make_proof(source, digest, None, 700), digest)  # built from the store's own block
    forged = proof.from_json(proof.to_json() | {"version": proof.version + 1})
    assert not check_proof(forged, digest)
    with superuser(store_settings) as db:
        alter(db, 700)
    assert not check_proof(make_proof(source, digest, digest.load_leaves(), 700), digest)
    assert check_proof(make_proof(source, digest, digest.load_leaves(), 701), digest)  # its neighbour still holds


# -- the command line ---------------------------------------------------------------------------------------------
def use_store(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the command line at ``settings``' store, as its environment would."""
    env = {"VOUCHER_LEDGER_STORE": settings.store, "VOUCHER_LEDGER_SQLITE_PATH": str(settings.sqlite_path),
           "VOUCHER_LEDGER_POSTGRES_URL": settings.environment().get("VOUCHER_LEDGER_POSTGRES_URL", ""),
           "VOUCHER_LEDGER_POSTGRES_SCHEMA": settings.postgres_schema, "COLUMNS": "200"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()  # the command line reads its settings from the environment set just now


def test_cli_digest_then_verify_passes_and_fails_after_tampering(store_settings, history, tmp_path, monkeypatch):
    use_store(store_settings, monkeypatch)
    app = typer.Typer()  # only these commands: the test does not depend on the rest of `voucher-ledger`
    cli_evidence.register(app)
    runner = CliRunner()
    private, public, out = tmp_path / "k.pem", tmp_path / "p.pem", tmp_path / "d" / "digest-1.json"
    out.parent.mkdir()  # a digest named on the command line goes into a folder that exists

    def cli(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    try:
        monkeypatch.setenv("VOUCHER_LEDGER_AUDITOR_PASSPHRASE", "审计 passphrase 1")  # the key is written encrypted
        assert cli("keygen", "--private-key", str(private), "--public-key", str(public)).exit_code == 0
        assert private.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        monkeypatch.setenv("VOUCHER_LEDGER_AUDITOR_PASSPHRASE", "another one")
        refused = cli("digest", "--private-key", str(private), "--out", str(out))
        assert refused.exit_code == 2 and "the passphrase does not open" in refused.output and not out.exists()
        monkeypatch.setenv("VOUCHER_LEDGER_AUDITOR_PASSPHRASE", "审计 passphrase 1")
        done = cli("digest", "--private-key", str(private), "--out", str(out))
        assert done.exit_code == 0 and out.exists() and out.with_suffix(".leaves").exists(), done.output
        checked = cli("verify", "--digest", str(out), "--public-key", str(public))
        assert checked.exit_code == 0 and "verified" in checked.output, checked.output
        with superuser(store_settings) as db:
            delete(db, 1000)
        checked = cli("verify", "--digest", str(out), "--public-key", str(public))
        assert checked.exit_code == 1 and "MISSING at position 1000" in checked.output, checked.output
        proved = cli("prove", "999", "--digest", str(out), "--public-key", str(public))
        assert proved.exit_code == 0 and "covered" in proved.output, proved.output
    finally:
        get_settings.cache_clear()


# -- a digest of another store ------------------------------------------------------------------------------------
def another_store(request: pytest.FixtureRequest, like: Settings, tmp_path: Path) -> Settings:
    """A second store of the same kind, with its own history: a demo store, marked on its own training clock."""
    other = settings_for(like.store, request, tmp_path / "other")
    (tmp_path / "other").mkdir()
    app = open_simulation_store(other, training_clock_start=datetime(2018, 3, 21, tzinfo=UTC))
    try:
        append(app, 2)
    finally:
        app.close()
    return other


def test_a_digest_names_its_store_by_place_and_first_event(request, store_settings, history, keys, tmp_path):
    here = EventSource(store_settings)
    ours = digest_of(store_settings, keys, tmp_path)
    first_position, first_enc = here.first()
    assert ours.first_event == (first_position, *decode(first_enc)[1:3], leaf_hash(first_enc))
    assert not taken_of_another_store(here, ours)
    moved = Digest(ours.body | {"store": {"kind": "sqlite", "path": "/elsewhere/ledger.sqlite3"}}, ours.path)
    assert not taken_of_another_store(here, moved)  # the same first event elsewhere: a copy, checked as usual
    theirs = digest_of(another_store(request, store_settings, tmp_path), keys, tmp_path, "theirs.json")
    assert theirs.first_event != ours.first_event and taken_of_another_store(here, theirs)
    # A digest signed before the first event was named still says it through its leaves file ...
    old = Digest({k: v for k, v in theirs.body.items() if k != "first_event"}, theirs.path)
    assert old.first_event == theirs.first_event and taken_of_another_store(here, old)
    # ... and without that file it cannot tell: it is checked, as before (and its differences are findings).
    theirs.leaves_path().unlink()
    assert old.first_event is None and not taken_of_another_store(here, old)
    assert not verify(here, old, snapshots=False).ok


def test_cli_verify_with_another_stores_digest_says_so_and_not_tampered(request, store_settings, history, tmp_path,
                                                                      monkeypatch):
    other = another_store(request, store_settings, tmp_path)
    app = typer.Typer()
    cli_evidence.register(app)
    runner = CliRunner()
    private, public, out = tmp_path / "k.pem", tmp_path / "p.pem", tmp_path / "d" / "digest-other.json"
    out.parent.mkdir()

    def cli(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    try:
        use_store(other, monkeypatch)
        assert cli("keygen", "--private-key", str(private), "--public-key", str(public), "--no-passphrase").exit_code == 0
        assert cli("digest", "--private-key", str(private), "--out", str(out)).exit_code == 0
        assert cli("verify", "--digest", str(out), "--public-key", str(public)).exit_code == 0
        use_store(store_settings, monkeypatch)
        checked = cli("verify", "--digest", str(out), "--public-key", str(public))
        assert checked.exit_code == cli_evidence.ANOTHER_STORE == 3, checked.output
        said = " ".join(checked.output.split())  # as printed, lines wrapped to the terminal
        assert "该摘要属于另一个存储" in said and "the digest belongs to another store" in said, said
        assert "TAMPERED" not in said and "verified" not in said
    finally:
        get_settings.cache_clear()


# -- the Merkle tree is RFC 6962's -------------------------------------------------------------------------------
def rfc6962_root(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)  # the largest power of two below n
    return node_hash(rfc6962_root(leaves[:k]), rfc6962_root(leaves[k:]))


@given(st.integers(min_value=1, max_value=70), st.data())
def test_merkle_roots_and_audit_paths_follow_rfc6962(size, data):
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    root = merkle_root(leaves)
    assert root == rfc6962_root(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    path = audit_path(leaves, index)
    assert root_from_path(leaves[index], index, size, path) == root
    assert root_from_path(leaf_hash(b"forged"), index, size, path) != root
    if size > 1:
        assert root_from_path(leaves[index], (index + 1) % size, size, path) != root

