"""One item of work is funded once (DOMAIN.md "Awards", last rule; issue 19 item 4), on both stores: a claim declares
that its contract has no other fiscal funding; a contract the province recorded as paid by another fiscal fund, or
funded by an award, is claimed on no voucher; a contract claimed on a voucher is funded by nothing else
(``ALREADY_FUNDED``), also when the two race. A rejected claim releases its contract; a reversed one keeps it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from ledger import ids
from ledger.errors import LedgerError
from ledger.evidence_keys import ContractKey
from tests.integration.test_concurrency import codes, run_together
from tests.support.scenario import FOSHAN

FEE = 1_000_000  # APP-ERP: 0.50 × 1,000,000 = 500,000 fen subsidy


def other_funding(world, provider_id, contract_no: str, **changes):
    fields = dict(provider_id=provider_id, contract_no=contract_no, fund_name="广东省工业和信息化专项资金",
                  document_no="粤工信〔2019〕12号", amount_fen=2_000_000, effective_at=world.now - timedelta(days=10),
                  reason="该合同已获省级专项资金扶持")
    return world.app.record_other_funding(world.by(), **{**fields, **changes})


def claim_on(world, voucher_id, provider_id, contract_no: str, *, fee: int = FEE, declared: bool | None = True):
    evidence = replace(world.evidence(contract_amount_fen=FEE, contract_no=contract_no), no_other_funding=declared)
    return world.claim(voucher_id, provider_id, eligible_fee_fen=fee, evidence=evidence)


def refused(attempt) -> LedgerError:
    with pytest.raises(LedgerError) as excinfo:
        attempt()
    return excinfo.value


def test_a_contract_another_fund_paid_for_is_refused_on_a_voucher_and_holds_nothing(world):
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    platform = world.provider()
    world.advance(days=5)
    recorded = other_funding(world, platform, " ht-2019-fs-01 ")
    assert (recorded.contract_no, recorded.source) == ("HT-2019-FS-01", "OTHER_FUND")

    error = refused(lambda: claim_on(world, voucher, platform, "HT-2019-FS-01"))

    assert error.code == "ALREADY_FUNDED" and "粤工信〔2019〕12号" in error.detail
    assert world.app.voucher(voucher).balance_fen == world.app.voucher(voucher).face_value_fen
    assert world.app.provider_quota(platform, 2019).used_fen == 0
    # the same number at another provider is another contract
    assert claim_on(world, voucher, world.provider(), "HT-2019-FS-01").amount_fen == FEE // 2


def test_a_contract_funded_under_its_plain_number_refuses_a_claim_typing_it_in_full_width_forms(world):
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    platform = world.provider()
    world.advance(days=5)
    other_funding(world, platform, "HT-2019-FS-02")
    assert refused(lambda: claim_on(world, voucher, platform, "ＨＴ－２０１９－ＦＳ－０２")).code == "ALREADY_FUNDED"
    # and the other way round: funded as typed by a Chinese input method, claimed in ASCII
    assert other_funding(world, platform, "ｈｔ－２０１９－ｆｓ－０３\u200b").contract_no == "HT-2019-FS-03"
    assert refused(lambda: claim_on(world, voucher, platform, "HT-2019-FS-03")).code == "ALREADY_FUNDED"


def test_a_claim_must_declare_its_funding_and_one_declaring_other_funding_is_refused(world):
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    platform = world.provider()
    world.advance(days=5)
    assert refused(lambda: claim_on(world, voucher, platform, "HT-A", declared=None)).code == "FUNDING_NOT_DECLARED"
    assert refused(lambda: claim_on(world, voucher, platform, "HT-A", declared=False)).code == "ALREADY_FUNDED"
    assert claim_on(world, voucher, platform, "HT-A").amount_fen == FEE // 2
    stored = world.app.events.get(voucher)
    assert [e.no_other_funding for e in stored if type(e).__name__ == "Claimed"] == [True]


def test_a_claimed_contract_funds_nothing_else_until_its_claim_is_rejected(world):
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    platform = world.provider()
    world.advance(days=5)
    first = claim_on(world, voucher, platform, "HT-B", fee=FEE // 2)
    assert refused(lambda: other_funding(world, platform, "HT-B")).code == "ALREADY_FUNDED"
    # Parts of one contract stay claimable on vouchers up to its amount.
    second = claim_on(world, voucher, platform, "HT-B", fee=FEE // 2)

    for receipt in (first, second):
        world.app.reject_claim(world.by(), voucher_id=voucher, claim_id=receipt.claim_id, reason="验收报告未盖章")
    other_funding(world, platform, "HT-B")  # every part released: another fund may pay for it now

    assert refused(lambda: claim_on(world, voucher, platform, "HT-B")).code == "ALREADY_FUNDED"


def test_a_reversed_claim_keeps_its_contract(world):
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    platform = world.provider()
    world.advance(days=5)
    receipt = claim_on(world, voucher, platform, "HT-C")
    world.app.reverse_claim(world.by(), voucher_id=voucher, claim_id=receipt.claim_id, reason="抽查发现服务未交付",
                            effective_at=world.now)
    assert refused(lambda: other_funding(world, platform, "HT-C")).code == "ALREADY_FUNDED"


def test_an_award_funds_a_contract_at_the_key_claims_meet_and_the_store_keeps_it(world):
    """What an award's grant will call (ledger.commands.funding): saved with the grant, read back by any claim."""
    app = world.app
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    platform = world.provider()
    world.advance(days=5)
    award = uuid4()

    def grant(award_id):
        return app._run(lambda: app._save(app._contract_funded_by_award(
            world.by(), award_id=award_id, provider_id=platform, contract_no="HT-D", amount_fen=30_000_000,
            effective_at=world.now)))

    grant(award)
    grant(award)  # a repeated grant changes nothing
    assert refused(lambda: grant(uuid4())).code == "ALREADY_FUNDED"
    assert refused(lambda: claim_on(world, voucher, platform, "HT-D")).code == "ALREADY_FUNDED"
    key = app.repository.get(ids.contract_key_id(platform, "HT-D"))
    assert isinstance(key, ContractKey) and key.funding["award_id"] == award and key.version == 2  # opened, funded


def test_recording_other_funding_checks_what_it_records(world):
    platform = world.provider()
    assert refused(lambda: other_funding(world, uuid4(), "HT-E")).code == "PROVIDER_NOT_FOUND"
    assert refused(lambda: other_funding(world, platform, "  ")).code == "INVALID_INPUT"
    assert refused(lambda: other_funding(world, platform, "\u200b\ufeff")).code == "INVALID_INPUT"  # nothing visible
    assert refused(lambda: other_funding(world, platform, "HT-E", amount_fen=0)).code == "INVALID_AMOUNT"
    assert refused(lambda: other_funding(world, platform, "HT-E", fund_name="")).code == "INVALID_INPUT"
    other_funding(world, platform, "HT-E")
    assert refused(lambda: other_funding(world, platform, "HT-E", fund_name="另一项资金")).code == "ALREADY_FUNDED"


# -- concurrency -----------------------------------------------------------------------------------------------------
PAIRS = 8


def test_a_claim_and_another_funding_racing_for_one_contract_exactly_one_wins(world):
    """Eight contracts; for each, a claim and the province's record of other funding start at the same instant."""
    app = world.app
    vouchers = [world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id for _ in range(PAIRS)]
    platform = world.provider()
    world.advance(days=5)
    evidence = [replace(world.evidence(contract_amount_fen=FEE, contract_no=f"HT-RACE-{i}"), no_other_funding=True)
                for i in range(PAIRS)]
    by = world.by("enterprise")
    effective = world.now - timedelta(days=3)

    def task(i: int):
        pair = i // 2
        if i % 2 == 0:
            return app.claim(by, voucher_id=vouchers[pair], claim_id=uuid4(), provider_id=platform,
                             evidence=evidence[pair], fee_category="APPLICATION_SERVICE", eligible_fee_fen=FEE)
        return app.record_other_funding(by, provider_id=platform, contract_no=f"HT-RACE-{pair}", fund_name="专项资金",
                                        document_no=f"DOC-{pair}", amount_fen=FEE, effective_at=effective,
                                        reason="race")

    outcomes = run_together(task, 2 * PAIRS)

    assert codes(outcomes) == ["ALREADY_FUNDED"] * PAIRS
    claimed = 0
    for pair in range(PAIRS):
        claim, funding = outcomes[2 * pair], outcomes[2 * pair + 1]
        assert isinstance(claim, LedgerError) != isinstance(funding, LedgerError)  # exactly one of the two
        key = app.repository.get(ids.contract_key_id(platform, f"HT-RACE-{pair}"))
        won_by_claim = not isinstance(claim, LedgerError)
        assert (bool(key.parts), key.funding is None) == (won_by_claim, won_by_claim)
        claimed += won_by_claim
    assert app.provider_quota(platform, 2019).used_fen == claimed * FEE // 2


def test_claims_on_a_contract_racing_its_other_funding_never_share_it(world):
    """Parts of one contract claimed at once by many vouchers while the province records its other funding: either
    the funding wins and no part is held, or the parts that fit are held and the funding is refused."""
    app = world.app
    n = 8
    vouchers = [world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id for _ in range(n)]
    platform = world.provider()
    world.advance(days=5)
    part = FEE // 4  # four parts fit the contract
    evidence = [replace(world.evidence(contract_amount_fen=FEE, contract_no="HT-SHARED"), no_other_funding=True)
                for _ in range(n)]
    by = world.by("enterprise")

    def task(i: int):
        if i == n:
            return app.record_other_funding(by, provider_id=platform, contract_no="HT-SHARED", fund_name="专项资金",
                                            document_no="DOC-S", amount_fen=FEE, effective_at=world.now, reason="race")
        return app.claim(by, voucher_id=vouchers[i], claim_id=uuid4(), provider_id=platform, evidence=evidence[i],
                         fee_category="APPLICATION_SERVICE", eligible_fee_fen=part)

    outcomes = run_together(task, n + 1)

    funding_won = not isinstance(outcomes[n], LedgerError)
    held = [o for o in outcomes[:n] if not isinstance(o, LedgerError)]
    key = app.repository.get(ids.contract_key_id(platform, "HT-SHARED"))
    if funding_won:
        assert held == [] and key.parts == {} and set(codes(outcomes)) == {"ALREADY_FUNDED"}
    else:
        assert outcomes[n].code == "ALREADY_FUNDED"
        assert 1 <= len(held) <= 4 and key.funding is None and len(key.parts) == len(held)
        assert set(codes(outcomes[:n])) <= {"CONTRACT_OVERCLAIMED", "ALREADY_FUNDED"}
    assert app.provider_quota(platform, 2019).used_fen == len(held) * part // 2


def test_through_the_group_commit_writer_a_claim_and_a_funding_of_one_contract_one_wins_either_way(world):
    """The service's writer decides a batch's commands one after another on one unit of work: whichever of a claim
    and a funding of one contract comes second in the batch is refused."""
    from ledger.commands.values import RecordOtherFunding, SubmitClaim
    from writer.group_commit import GroupCommitWriter

    vouchers = [world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id for _ in range(2)]
    platform = world.provider()
    world.advance(days=5)
    by = world.by("enterprise")

    def claim(n: int) -> SubmitClaim:
        evidence = replace(world.evidence(contract_amount_fen=FEE, contract_no=f"HT-W{n}"), no_other_funding=True)
        return SubmitClaim(voucher_id=vouchers[n], claim_id=uuid4(), provider_id=platform, evidence=evidence,
                           fee_category="APPLICATION_SERVICE", eligible_fee_fen=FEE)

    def funding(n: int) -> RecordOtherFunding:
        return RecordOtherFunding(provider_id=platform, contract_no=f"HT-W{n}", fund_name="专项资金",
                                  document_no=f"DOC-W{n}", amount_fen=FEE, effective_at=world.now, reason="writer")

    with GroupCommitWriter(world.app) as writer:
        futures = [writer.submit(command, by) for command in (claim(0), funding(0), funding(1), claim(1))]
        outcomes = [f.exception() or f.result() for f in futures]

    assert [getattr(o, "code", "ok") for o in outcomes] == ["ok", "ALREADY_FUNDED", "ok", "ALREADY_FUNDED"]
    assert world.app.voucher(vouchers[0]).balance_fen < world.app.voucher(vouchers[0]).face_value_fen
    assert world.app.voucher(vouchers[1]).balance_fen == world.app.voucher(vouchers[1]).face_value_fen


def test_a_claim_on_a_funded_contract_lists_every_rule_it_breaks_in_order(world):
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), "APP-ERP").voucher_id
    platform = world.provider()
    world.advance(days=5)
    taken = claim_on(world, voucher, platform, "HT-F1")
    other_funding(world, platform, "HT-F2")
    invoice = world.app.voucher(voucher).claim(taken.claim_id).invoice_nos[0]
    evidence = replace(world.evidence(contract_amount_fen=FEE, contract_no="HT-F2", invoice_nos=(invoice,),
                                      paid_fen=FEE // 2), no_other_funding=True)
    error = refused(lambda: world.claim(voucher, platform, eligible_fee_fen=FEE, evidence=evidence))
    assert [code for code, _ in error.violations] == ["DUPLICATE_CLAIM", "ALREADY_FUNDED", "PAYMENT_INSUFFICIENT"]


def test_the_providers_audit_trail_shows_what_funds_its_contracts_and_the_views_rebuild_the_same(world,
                                                                                                 store_settings):
    from datetime import UTC, datetime

    from projections.check import check
    from projections.read_models import ReadModels

    platform = world.provider()
    other_funding(world, platform, "HT-AUDIT-1")
    app = world.app
    app._run(lambda: app._save(app._contract_funded_by_award(
        world.by(), award_id=uuid4(), provider_id=platform, contract_no="HT-AUDIT-2", amount_fen=30_000_000,
        effective_at=world.now)))
    read = ReadModels(store_settings, app, in_process=True)
    try:
        trail = [row["summary_zh"] for row in read.audit_trail("provider", platform, as_of=datetime(2030, 1, 1,
                                                                                                    tzinfo=UTC))]
    finally:
        read.close()
    assert any(t.startswith("合同已获其他财政资金支持：广东省工业和信息化专项资金（粤工信〔2019〕12号）") for t in trail), trail
    assert any(t.startswith("合同由奖补") and "¥300,000.00" in t for t in trail), trail
    assert check(app, store_settings) == []  # every live view equals its rebuild from the first event
