"""Claims wait on a store written before invoice and contract keys (tests/fixtures/README.md) until
`voucher-ledger derive-evidence-keys` has gone over it: before, a new claim could reuse an old claim's invoice and be
paid twice with no error. Refused with EVIDENCE_KEYS_NOT_DERIVED (HTTP 503, the Idempotency-Key not spent), writing
nothing; every other command works; after the derivation the same open ledger and the same running service take
claims, and an old claim's invoice is a duplicate. A store new code created never waits."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from store.settings import Settings
from store.opening import SETUP_ACTOR, open_ledger
from ledger import ids
from ledger.errors import LedgerError
from ledger.recording import By
from ledger.evidence_keys_derivation import EvidenceKeysDerivation
from tests.support.api_helpers import Party, api_settings, assert_problem, ok, patched_clock, running_api, store_env
from tests.conftest import STORES, settings_for
from tests.support.scenario import World
from tests.e2e.test_api_cli import run
from tests.e2e.test_evidence_key_derivation import FIXTURE, stored_claims

SPRING_2021 = datetime(2021, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Guangdong: fiscal year 2021, after the old programme
FEE_FEN = 1_000_000  # an APP-ERP claim: 50 % of it, below the voucher's 10,000,000 fen face value


@pytest.fixture(params=STORES)
def old_store(request, tmp_path) -> Settings:
    """The fixture store; on PostgreSQL, its events copied in order into a fresh schema."""
    unpacked = tmp_path / "old.sqlite3"
    with gzip.open(FIXTURE) as packed, unpacked.open("wb") as out:
        shutil.copyfileobj(packed, out)
    sqlite = Settings(store="sqlite", sqlite_path=unpacked)
    if request.param == "sqlite":
        return sqlite
    settings = settings_for("postgres", request, tmp_path)
    source, target = open_ledger(sqlite), open_ledger(settings, prepare=False)  # a copy: every event from source
    try:
        target.recorder.insert_events([
            StoredEvent(originator_id=n.originator_id, originator_version=n.originator_version, topic=n.topic,
                        state=n.state) for n in source.recorder.select_notifications(1, 1_000_000)])
    finally:
        source.close()
        target.close()
    return settings


def derive(settings: Settings, tmp_path: Path) -> str:
    done = run(["derive-evidence-keys"], tmp_path, **store_env(settings))
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


def refused(app, code: str, attempt) -> None:
    before = app.recorder.max_notification_id()
    with pytest.raises(LedgerError) as excinfo:
        attempt()
    assert excinfo.value.code == code, excinfo.value
    assert app.recorder.max_notification_id() == before


def new_year(app) -> tuple[World, object, object]:
    """A 2021 programme year on the old store, a new enterprise's voucher and a new provider: commands that work
    while claims wait."""
    world = World(app=app, now=SPRING_2021, year=2021)
    world.setup_year(2021)
    return world, world.issue(world.eligible_enterprise()).voucher_id, world.provider()


def test_claims_wait_for_the_derivation_then_an_old_invoice_is_a_duplicate(old_store, tmp_path):
    app = open_ledger(old_store)
    try:
        claims = stored_claims(app)
        assert app.evidence_keys_pending()
        world, voucher, newcomer = new_year(app)
        old, _ = next(entry for entry in claims.values() if entry[1] == "live")

        def claim(invoice_nos):
            evidence = world.evidence(contract_amount_fen=FEE_FEN, invoice_nos=invoice_nos)
            return world.claim(voucher, newcomer, eligible_fee_fen=FEE_FEN, evidence=evidence)

        def other_funding():  # of the old live claim's contract: whether a claim holds it is known once derived
            return app.record_other_funding(world.by(), provider_id=old.provider_id, contract_no=old.contract_no,
                                            fund_name="专项资金", document_no="DOC-1", amount_fen=FEE_FEN,
                                            effective_at=world.now, reason="one item funded once")

        refused(app, "EVIDENCE_KEYS_NOT_DERIVED", lambda: claim(old.invoice_nos))  # unguarded: paid a second time
        refused(app, "EVIDENCE_KEYS_NOT_DERIVED", lambda: claim(("FP-2021-0001",)))
        refused(app, "EVIDENCE_KEYS_NOT_DERIVED", other_funding)  # unguarded: funded twice
        # Keys derived for some claims only (a run that stopped half-way) are not the whole store: claims still wait.
        app.derive_evidence_keys(world.by(), voucher_id=old.originator_id, claim_id=old.claim_id)
        refused(app, "EVIDENCE_KEYS_NOT_DERIVED", lambda: claim(("FP-2021-0001",)))
        with pytest.raises(LedgerError) as excinfo:
            claim(("FP-2021-0001",))
        assert "voucher-ledger derive-evidence-keys" in excinfo.value.detail

        last = app.recorder.max_notification_id()
        out = derive(old_store, tmp_path)  # another process, while this ledger stays open

        refused(app, "DUPLICATE_CLAIM", lambda: claim(old.invoice_nos))
        refused(app, "ALREADY_FUNDED", other_funding)
        assert claim(("FP-2021-0001",)).amount_fen == FEE_FEN // 2
        record = app.repository.get(ids.evidence_keys_derivation_id())
        assert isinstance(record, EvidenceKeysDerivation)
        assert (record.up_to_position, record.claims) == (last, len(claims))
        assert record.conflicts_count == out.count("kept by the earlier claim")
        assert "derivation recorded" in out
        assert "derivation was recorded before" in derive(old_store, tmp_path)  # idempotent
    finally:
        app.close()
    reopened = open_ledger(old_store)
    try:
        assert not reopened.evidence_keys_pending()
    finally:
        reopened.close()


def test_a_store_new_code_created_never_waits(store_settings):
    app = open_ledger(store_settings)
    try:
        assert not app.evidence_keys_pending()
        world = World.with_year(app, 2019)
        voucher = world.issue(world.eligible_enterprise()).voucher_id
        assert world.claim(voucher, world.provider(), eligible_fee_fen=FEE_FEN).amount_fen == FEE_FEN // 2
    finally:
        app.close()
    reopened = open_ledger(store_settings)  # with claims in it now, none of them with a ClaimKey
    try:
        assert not reopened.evidence_keys_pending()
        assert not reopened.stored(ids.evidence_keys_derivation_id())  # opening records nothing
    finally:
        reopened.close()


def test_the_service_answers_503_until_the_derivation_then_takes_the_same_request(old_store, tmp_path):
    settings = api_settings(old_store)
    app = open_ledger(settings)
    try:
        _, voucher, newcomer = new_year(app)
        # The fixture is a programme simulated before stores were marked (tests/fixtures/README.md), as a simulation
        # marks its store today; the service below runs on a training clock, which opens only a marked store.
        app.mark_training(By(actor=SETUP_ACTOR, at=SPRING_2021), clock_started_at=SPRING_2021)
    finally:
        app.close()
    with patched_clock(SPRING_2021) as clock, running_api(settings, clock) as api:
        body = api.claim_body(Party(str(newcomer), ""), eligible_fee_fen=FEE_FEN)
        before = api.event_count()
        path = f"/v1/vouchers/{voucher}/claims"
        problem = assert_problem(api.claim(str(voucher), body, key="claim-2021-1"), 503, "EVIDENCE_KEYS_NOT_DERIVED",
                                 instance=path)
        assert "voucher-ledger derive-evidence-keys" in problem["detail"]
        assert api.event_count() == before
        derive(settings, tmp_path)
        created = ok(api.claim(str(voucher), body, key="claim-2021-1"), 201)  # the 503 did not spend the key
        assert created["amount_fen"] == FEE_FEN // 2
