"""A store written by the earlier code (tests/fixtures/README.md: the simulator's 2018-2020 programme, recorded before
evidence keys and before this layout) opens with today's code, every stored event decodes under a pinned topic, every
projection rebuilds from it, and `check` finds the rebuild equal to a second one from zero. The settled figure is
read two independent ways: from the rebuilt money flows, and straight from the decoded events."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path

import pytest

from ledger.settlement import SettlementBatch
from ledger.stored_names import EVENT_TOPICS
from ledger.voucher import Voucher
from projections.check import check
from projections.runner import PROJECTIONS, close_projections, open_projections, rebuild
from store.opening import open_ledger
from store.settings import Settings

FIXTURE = Path(__file__).parents[1] / "fixtures" / "store_before_evidence_keys.sqlite3.gz"


@pytest.fixture(scope="module")
def old_store(tmp_path_factory) -> Settings:
    path = tmp_path_factory.mktemp("compatibility") / "old.sqlite3"
    with gzip.open(FIXTURE) as packed, path.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)  # the fixture itself is never written
    return Settings(store="sqlite", sqlite_path=path)


@pytest.fixture(scope="module")
def decoded(old_store) -> list:
    """Every stored event, through the application's own mapper, in the store's order."""
    app = open_ledger(old_store)
    try:
        notifications = app.recorder.select_notifications(1, 1_000_000)
        assert len(notifications) == app.recorder.max_notification_id()  # nothing is skipped below
        assert {n.topic for n in notifications} <= set(EVENT_TOPICS)  # every stored name is pinned
        return [app.mapper.to_domain_event(n) for n in notifications]
    finally:
        app.close()


@pytest.fixture(scope="module")
def rebuilt(old_store, decoded) -> Settings:
    app = open_ledger(old_store)
    projections = open_projections(old_store)  # also applies today's read-model migrations to the old file
    try:
        read = rebuild(app, projections)
    finally:
        close_projections(projections)
        app.close()
    assert read == len(decoded)  # every event is subscribed to by some projection
    return old_store


def test_every_stored_event_decodes_into_todays_classes(decoded):
    kinds = {type(e) for e in decoded}
    assert {Voucher.Issued, Voucher.Claimed, Voucher.ClaimSettled, SettlementBatch.Paid} <= kinds


def test_every_projection_rebuilds_and_checks_clean_against_a_second_rebuild(rebuilt):
    app = open_ledger(rebuilt)
    try:
        differences = check(app, rebuilt, list(PROJECTIONS))
    finally:
        app.close()
    assert differences == []


def test_settled_and_recovered_money_agree_between_the_rebuilt_flows_and_the_raw_events(rebuilt, decoded):
    claimed = {e.claim_id: e.amount_fen for e in decoded if isinstance(e, Voucher.Claimed)}
    settled = sum(claimed[e.claim_id] for e in decoded if isinstance(e, Voucher.ClaimSettled))
    paid_by_batches = sum(e.total_fen for e in decoded if isinstance(e, SettlementBatch.Paid))
    recovered = sum(e.recovery_fen for e in decoded if isinstance(e, Voucher.ClaimReversed) and e.after_settlement)
    assert settled > 0 and settled == paid_by_batches
    with sqlite3.connect(rebuilt.sqlite_path) as conn:
        flows = conn.execute("SELECT SUM(settled_fen), SUM(recovered_fen) FROM vl_money_movements").fetchone()
        by_city = conn.execute("SELECT SUM(settled_fen) FROM vl_city_daily").fetchone()[0]
    assert tuple(flows) == (settled, recovered)
    assert by_city == settled
