"""Import kinds for public-cloud discount agreements and for what follows a payment: a claim reversed after its
batch paid owes its subsidy back (a recovery), which a register then records as collected in part and written off
for the rest. Figures from DOMAIN.md's rules: C4 held 2,000,000 × 0.50 = 1,000,000 fen, Dongguan's share 35 %. Both
stores."""

from __future__ import annotations

from decimal import Decimal

from importer.references import batch_id, claim_id
from ledger import ids
from tests.integration.test_import import do_import, event_count, import_programme
from tests.support import import_scenario as s

AFTER = "2019-05-01T09:00:00+08:00"
C4 = {**s.voucher(s.E3, "APP-ERP"), "claim_no": "C4"}
B2 = {"batch_no": "B2", "provider_uscc": s.P2}


def recovery_files() -> list[tuple[str, bytes]]:
    return [
        ("approvals", s.csv_file("approvals", [{**C4, "decision": "撤销", "reason": "验收报告造假", "effective_at": AFTER,
                                                "recorded_at": AFTER}])),
        ("recovery-collections", s.csv_file("recovery-collections", [
            {**B2, **C4, "amount_fen": 400_000, "bank_reference": "BANK-R-1", "effective_at": AFTER,
             "recorded_at": AFTER}])),
        ("recovery-write-offs", s.csv_file("recovery-write-offs", [
            {**B2, **C4, "reason": "服务商已注销", "effective_at": AFTER, "recorded_at": AFTER}])),
    ]


def test_a_recovery_is_collected_in_part_then_written_off_from_registers(ledger):
    import_programme(ledger)
    batch = batch_id(ids.provider_id(s.P2), "B2")
    c4 = claim_id(ids.voucher_id(ids.enterprise_id(s.E3), 2019, "APP-ERP"), "C4", "", 0)
    outstanding = []
    for kind, data in recovery_files():
        result = do_import(ledger, kind, data)
        assert (result.errors, result.written) == ([], 1), kind
        outstanding.append(ledger.batch(batch).outstanding_fen(c4))
    assert outstanding == [1_000_000, 600_000, 0]
    before = event_count(ledger)
    assert all(do_import(ledger, kind, data).already_imported == 1 for kind, data in recovery_files())
    assert event_count(ledger) == before


def test_a_collection_of_more_than_is_due_is_reported_with_the_domains_code_and_writes_nothing(ledger):
    import_programme(ledger)
    do_import(ledger, *recovery_files()[0])
    before = event_count(ledger)
    too_much = s.csv_file("recovery-collections", [
        {**B2, **C4, "amount_fen": 600_000, "bank_reference": "BANK-R-1", "effective_at": AFTER},
        {**B2, **C4, "amount_fen": 400_001, "bank_reference": "BANK-R-2", "effective_at": AFTER}])
    result = do_import(ledger, "recovery-collections", too_much)
    assert [(e.row, e.code) for e in result.errors] == [(3, "RECOVERY_OVER_COLLECTED")]
    assert event_count(ledger) == before


def test_a_collection_imported_again_in_another_file_or_twice_in_one_file_is_refused_and_writes_nothing(ledger):
    """The black-box review's case: the same register row in a second file (its line endings changed, so its SHA-256
    is another and the import does not know it) recorded the collection twice, and the collected total doubled."""
    import_programme(ledger)
    do_import(ledger, *recovery_files()[0])  # C4 reversed after payment: 1,000,000 fen due
    batch = batch_id(ids.provider_id(s.P2), "B2")
    c4 = claim_id(ids.voucher_id(ids.enterprise_id(s.E3), 2019, "APP-ERP"), "C4", "", 0)
    row = {**B2, **C4, "amount_fen": 400_000, "bank_reference": "BANK-0001", "effective_at": AFTER}
    first = s.csv_file("recovery-collections", [row])  # CRLF, as csv writes it
    assert do_import(ledger, "recovery-collections", first).written == 1
    before = event_count(ledger)

    again = do_import(ledger, "recovery-collections", first.replace(b"\r\n", b"\n"))
    assert again.already_imported == 0
    assert [(e.row, e.column, e.code) for e in again.errors] == [(2, "bank_reference", "DUPLICATE_COLLECTION")]
    twice = do_import(ledger, "recovery-collections", s.csv_file("recovery-collections", [
        {**row, "bank_reference": "BANK-0002"}, {**row, "bank_reference": "ＢＡＮＫ－０００２"}]))
    assert [(e.row, e.code) for e in twice.errors] == [(3, "DUPLICATE_COLLECTION")]
    assert event_count(ledger) == before
    assert ledger.batch(batch).outstanding_fen(c4) == 600_000


def test_cloud_agreements_are_recorded_per_provider_and_year(ledger):
    import_programme(ledger)
    data = s.csv_file("cloud-agreements", [{"uscc": s.P1, "year": 2019, "rate": "0.30"}])
    assert do_import(ledger, "cloud-agreements", data).written == 1
    agreement = ledger.repository.get(ids.cloud_agreement_id(ids.provider_id(s.P1), 2019))
    assert agreement.rate == Decimal("0.30")
    again = do_import(ledger, "cloud-agreements", s.csv_file("cloud-agreements", [
        {"uscc": s.P1, "year": 2019, "rate": "0.35"}]))
    assert [e.code for e in again.errors] == ["ALREADY_EXISTS"]
