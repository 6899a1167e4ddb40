"""A store written before invoice and contract keys existed (tests/fixtures/README.md: the simulator's 2018-2020
programme, recorded by the earlier code with per-provider ClaimKeys) keeps working: its events all decode, and after
`voucher-ledger derive-evidence-keys` (idempotent) its claims hold their keys as new claims do: an old live claim's
invoice refuses a claim through another provider, a reversed claim keeps its evidence, and a rejected claim's
contract and invoices can be resubmitted."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from eventsourcing.utils import get_topic

from store.settings import Settings
from store.opening import open_ledger
from ledger.claim_key import ClaimKey
from ledger.errors import LedgerError
from ledger.voucher import Voucher
from tests.support.scenario import World
from tests.support.cli_runner import run

FIXTURE = Path(__file__).parents[1] / "fixtures" / "store_before_evidence_keys.sqlite3.gz"


@pytest.fixture
def old_store(tmp_path) -> Settings:
    path = tmp_path / "old.sqlite3"
    with gzip.open(FIXTURE) as packed, path.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    return Settings(store="sqlite", sqlite_path=path)


def stored_claims(app) -> dict:
    """Each stored claim's Claimed event and its fate ('live', 'rejected', 'reversed'), in the order made."""
    claims: dict = {}
    for notification in app.recorder.select_notifications(1, 1_000_000):
        event = app.mapper.to_domain_event(notification)  # every stored event still decodes
        if isinstance(event, Voucher.Claimed):
            claims[event.claim_id] = [event, "live"]
        elif isinstance(event, Voucher.ClaimRejected):
            claims[event.claim_id][1] = "rejected"
        elif isinstance(event, Voucher.ClaimReversed):
            claims[event.claim_id][1] = "reversed"
    return claims


def derive(settings: Settings, tmp_path: Path) -> str:
    done = run(["derive-evidence-keys"], tmp_path, VOUCHER_LEDGER_STORE="sqlite",
               VOUCHER_LEDGER_SQLITE_PATH=str(settings.sqlite_path))
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_derived_keys_make_old_claims_duplicates_and_free_rejected_evidence(old_store, tmp_path):
    app = open_ledger(old_store)
    try:
        claims = stored_claims(app)
        events_before = app.recorder.max_notification_id()
        topics = {n.topic for n in app.recorder.select_notifications(1, 1_000_000)}
        assert get_topic(ClaimKey.Registered) in topics  # written by the earlier code
    finally:
        app.close()
    fates = [fate for _, fate in claims.values()]
    assert fates.count("rejected") == 4 and fates.count("reversed") == 2  # tests/fixtures/README.md

    first = derive(old_store, tmp_path)
    assert f"{len(claims)} claims looked at" in " ".join(first.split())
    again = derive(old_store, tmp_path)
    assert "nothing left to derive" in " ".join(again.split())

    app = open_ledger(old_store)
    try:
        derived = app.recorder.max_notification_id()
        assert derived > events_before
        # A 2021 programme year on the old store, with a new enterprise's voucher.
        world = World(app=app, now=datetime(2021, 3, 1, 9, 0, tzinfo=UTC), year=2021)
        world.setup_year(2021)
        voucher = world.issue(world.eligible_enterprise()).voucher_id  # APP-ERP: 50 %
        newcomer = world.provider()

        def claim(provider_id, old: Voucher.Claimed, *, invoice_nos=None, fee=None, on=voucher):
            evidence = world.evidence(contract_amount_fen=old.contract_amount_fen, contract_no=old.contract_no,
                                      invoice_nos=tuple(invoice_nos or old.invoice_nos))
            return world.claim(on, provider_id, eligible_fee_fen=fee or old.eligible_fee_fen, evidence=evidence)

        def refused(code, attempt):
            before = app.recorder.max_notification_id()
            with pytest.raises(LedgerError) as excinfo:
                attempt()
            assert excinfo.value.code == code
            assert app.recorder.max_notification_id() == before

        live = next(e for e, fate in claims.values() if fate == "live")
        reversed_ = next(e for e, fate in claims.values() if fate == "reversed")
        refused("DUPLICATE_CLAIM", lambda: claim(newcomer, live))  # its invoice, through another provider
        refused("DUPLICATE_CLAIM", lambda: claim(newcomer, reversed_))  # a reversed claim keeps its evidence
        # The old claims took their whole contract: another part, with a new invoice, does not fit.
        assert live.eligible_fee_fen == live.contract_amount_fen
        app.set_provider_quota(world.by(), provider_id=live.provider_id, year=2021, amount_fen=500_000_000)
        refused("CONTRACT_OVERCLAIMED", lambda: claim(live.provider_id, live, invoice_nos=("FP-NEW-1",), fee=1))

        # Each rejected claim's contract and invoices are free again: resubmitted through its provider, accepted
        # (those of the providers still on the whitelist in 2021).
        resubmitted = 0
        for old, fate in claims.values():
            if fate != "rejected" or app.provider(old.provider_id).status != "WHITELISTED":
                continue
            if app.provider(old.provider_id).is_eliminated(2021):
                continue
            try:
                app.set_provider_quota(world.by(), provider_id=old.provider_id, year=2021, amount_fen=500_000_000)
            except LedgerError:
                pass  # set already for another claim of this provider
            fresh = world.issue(world.eligible_enterprise()).voucher_id  # face value 10,000,000 fen
            receipt = claim(old.provider_id, old, on=fresh)
            assert receipt.amount_fen == min(old.eligible_fee_fen // 2, 10_000_000)  # 50 %, rounded down
            resubmitted += 1
        assert resubmitted >= 1
    finally:
        app.close()
