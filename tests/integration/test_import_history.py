"""A simulated programme exported as the province's registers (importer/registers.py) and imported into an empty
training store reaches the simulated store's figures: every voucher's balance, status and claims, every city's and
provider's quota use, every batch's payment. Only a training store takes the registers' recorded times and actors
(importer/recorded.py): a simulated history never happened."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime

from importer.references import batch_id
from importer.registers import history_runs
from importer.run import run_import
from ledger.quotas import CityQuota, ProviderQuota
from ledger.settlement import SettlementBatch
from ledger.voucher import Voucher
from simulator import simulate
from simulator.store import open_simulation_store
from store.opening import open_ledger
from store.settings import Settings
from tests.support.import_scenario import csv_file

NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def aggregates(app, kind):
    seen, found = set(), []
    for n in app.recorder.select_notifications(1, 10_000_000):
        if n.originator_id not in seen and n.originator_version == 1:
            seen.add(n.originator_id)
            aggregate = app.repository.get(n.originator_id)
            if isinstance(aggregate, kind):
                found.append(aggregate)
    return found


def figures(app, batch_numbers):
    vouchers = {v.id: (v.status, v.balance_fen, v.returned_fen,
                       sorted((c.status, c.amount_fen) for c in v.claims.values())) for v in aggregates(app, Voucher)}
    cities = {(q.city, q.year): (q.amount_fen, q.used_fen) for q in aggregates(app, CityQuota)}
    providers = {(q.provider_id, q.year): (q.amount_fen, q.used_fen) for q in aggregates(app, ProviderQuota)}
    batches = {batch_numbers(b): (b.total_fen, len(b.settled_claims)) for b in aggregates(app, SettlementBatch)}
    return vouchers, cities, providers, batches


def test_a_simulated_programme_imported_from_its_registers_reaches_the_same_figures(tmp_path):
    simulated = open_ledger(Settings(store="sqlite", sqlite_path=tmp_path / "simulated.sqlite3"))
    imported = open_simulation_store(Settings(store="sqlite", sqlite_path=tmp_path / "imported.sqlite3"))
    try:
        simulate(simulated, events=4_000, seed=7, flush_events=500)
        runs = history_runs(simulated)
        kinds = Counter(kind for kind, _ in runs)
        assert {"enterprises", "eligibility", "catalogue", "city-quotas", "providers", "assessments", "vouchers",
                "claims", "approvals", "settlements"} <= set(kinds)
        for number, (kind, rows) in enumerate(runs):
            data = csv_file(kind, rows)
            result = run_import(imported, kind, data, file_name=f"{number:05d}-{kind}.csv", actor="province:import",
                                now=NOW)
            assert result.errors == [] and result.written == len(rows), (number, kind, result.errors[:3])
        expected = figures(simulated, lambda b: batch_id(b.provider_id, str(b.id)))
        assert figures(imported, lambda b: b.id) == expected
        assert sum(1 for v in expected[0].values() if v[3]) > 20  # vouchers with claims: the comparison has content
        assert sum(total for total, _ in expected[3].values()) > 0
        # a repeat of any run changes nothing
        last_kind, last_rows = runs[-1]
        before = imported.recorder.max_notification_id()
        again = run_import(imported, last_kind, csv_file(last_kind, last_rows), file_name="again.csv",
                           actor="province:import", now=NOW)
        assert again.already_imported == len(last_rows) and imported.recorder.max_notification_id() == before
        assert hashlib.sha256(csv_file(last_kind, last_rows)).hexdigest() == again.sha256
    finally:
        simulated.close()
        imported.close()
