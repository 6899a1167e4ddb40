"""Every rule a claim must meet, judged together: the refusals in DOMAIN.md's refusal order ("Redemption").

``judge_claim`` is a pure function of what the ledger knows when the claim is made (``ClaimFacts``): it evaluates
every rule whose facts are known, and returns all the refusals, ordered
evidence malformed → voucher unknown, revoked or expired → category not covered or not the voucher's → provider not
whitelisted or eliminated → duplicate evidence (an invoice on a live claim, a contract funded elsewhere or its
parts beyond its amount) → contract before the policy date or payment below 90 % → provider
quota → voucher balance exhausted.
A rule that needs a fact the claim failed to give (no such voucher: no category of its own, no balance) is not
judged; the missing fact is already refused earlier in the order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger.claims import ClaimEvidence
from ledger.errors import (
    AlreadyExistsError,
    AlreadyFundedError,
    CategoryMismatchError,
    LedgerError,
    ProviderNotFoundError,
    ProviderQuotaExhaustedError,
    QuotaNotSetError,
    VoucherExhaustedError,
    VoucherExpiredError,
    VoucherNotFoundError,
    VoucherRevokedError,
    ZeroSubsidyError,
)
from ledger.evidence_keys import ContractKey, InvoiceKey
from ledger.fees import require_covered
from ledger.fiscal_time import shanghai_text
from ledger.money import apply_rate
from ledger.programme import YearRules
from ledger.provider import Provider
from ledger.quotas import ProviderQuota
from ledger.voucher import Voucher, VoucherStatus


@dataclass(frozen=True)
class ClaimFacts:
    at: datetime  # when the claim is made (recorded time)
    claim_id: UUID
    voucher_id: UUID
    provider_id: UUID
    evidence: ClaimEvidence  # as submitted
    fee_category: object
    eligible_fee_fen: object
    voucher: Voucher | None  # None: no such voucher
    provider: Provider | None  # None: no such provider
    provider_quota: ProviderQuota | None  # the provider's quota for the voucher's year; None: not set
    invoice_keys: Mapping[str, InvoiceKey]  # by invoice number as compared; an invoice never claimed is absent
    contract_key: ContractKey | None  # None: no claim or funding ever named the contract
    rules: YearRules | None  # the programme year's figures (the voucher's year); None: no year to judge by


@dataclass(frozen=True)
class ClaimJudgement:
    refusals: tuple[LedgerError, ...]  # in the refusal order; empty: the claim may be recorded
    evidence: ClaimEvidence | None  # normalised (times in UTC, references trimmed) unless malformed
    eligible_fee_fen: int
    amount_fen: int  # the subsidy: min(rate × eligible fee rounded down, balance)


def judge_claim(facts: ClaimFacts) -> ClaimJudgement:
    voucher, evidence_review = facts.voucher, facts.evidence.review(facts.at, facts.eligible_fee_fen, facts.rules)
    evidence = evidence_review.evidence
    fee = facts.eligible_fee_fen if evidence is not None else 0
    amount = _subsidy(voucher, fee) if voucher is not None and evidence is not None else 0
    assert isinstance(fee, int)
    ranks: list[list[LedgerError]] = [
        list(evidence_review.malformed),
        _voucher_refusals(facts),
        _category_refusals(facts),
        _provider_refusals(facts),
        _duplicate_refusals(facts, evidence),
        list(evidence_review.against_policy),
        _quota_refusals(facts, amount),
        _balance_refusals(voucher, evidence is not None, fee, amount),
    ]
    return ClaimJudgement(tuple(r for rank in ranks for r in rank), evidence, fee, amount)


def _subsidy(voucher: Voucher, fee: int) -> int:
    return min(apply_rate(fee, voucher.rate), voucher.balance_fen)


def _voucher_refusals(facts: ClaimFacts) -> list[LedgerError]:
    voucher = facts.voucher
    if voucher is None:
        return [VoucherNotFoundError(f"no voucher {facts.voucher_id}")]
    if voucher.status is VoucherStatus.REVOKED:
        return [VoucherRevokedError(f"voucher {voucher.id} was revoked")]
    if voucher.status is VoucherStatus.EXPIRED or facts.at >= voucher.expires_at:
        return [VoucherExpiredError(f"voucher {voucher.id} expired at {shanghai_text(voucher.expires_at)}")]
    return []


def _category_refusals(facts: ClaimFacts) -> list[LedgerError]:
    covered = facts.rules.covered_fee_categories if facts.rules is not None else None
    refusal = _refusal(lambda: require_covered(facts.fee_category, covered))
    if refusal is not None:
        return [refusal]
    voucher = facts.voucher
    if voucher is not None and facts.fee_category != voucher.fee_category:
        return [CategoryMismatchError(
            f"voucher {voucher.id} is for {voucher.fee_category} (item {voucher.item_id}), not {facts.fee_category}")]
    return []


def _provider_refusals(facts: ClaimFacts) -> list[LedgerError]:
    provider = facts.provider
    if provider is None:
        return [ProviderNotFoundError(f"no provider {facts.provider_id}")]
    year = facts.voucher.year if facts.voucher is not None else None
    refusal = _refusal(lambda: provider.require_whitelisted(facts.at, year))
    return [refusal] if refusal is not None else []


def _duplicate_refusals(facts: ClaimFacts, evidence: ClaimEvidence | None) -> list[LedgerError]:
    found: list[LedgerError] = []
    if facts.voucher is not None and facts.claim_id in facts.voucher.claims:
        found.append(AlreadyExistsError(f"claim {facts.claim_id} already exists on voucher {facts.voucher_id}"))
    for key in facts.invoice_keys.values():
        refusal = key.duplicate(facts.voucher_id)
        if refusal is not None:
            found.append(refusal)
    if evidence is not None and evidence.no_other_funding is False:
        found.append(AlreadyFundedError(
            f"the claim declares that contract {evidence.contract_no} has other fiscal funding: one item of work is "
            f"funded once, and it cannot also be claimed on a voucher"))
    if facts.contract_key is not None:
        found += facts.contract_key.claim_refusals()
    if facts.contract_key is not None and evidence is not None:
        assert isinstance(facts.eligible_fee_fen, int)
        found += facts.contract_key.part_refusals(contract_amount_fen=evidence.contract_amount_fen,
                                                  eligible_fee_fen=facts.eligible_fee_fen)
    return found


def _quota_refusals(facts: ClaimFacts, amount: int) -> list[LedgerError]:
    if facts.voucher is None or facts.provider is None:
        return []
    quota = facts.provider_quota
    if quota is None:
        return [QuotaNotSetError(f"no {facts.voucher.year} redemption quota is set for provider {facts.provider_id}")]
    if amount and _refusal(lambda: quota.require_room(amount)) is not None:
        # Said without what is left of how much (require_room's message): the claimant is an enterprise, and a
        # provider's quota figures are not its to read (GET /v1/programme/years/{year}/quotas refuses it).
        return [ProviderQuotaExhaustedError(f"the {facts.voucher.year} redemption quota of provider "
                                            f"{facts.provider_id} has no room for the {amount} fen claimed")]
    return []


def _balance_refusals(voucher: Voucher | None, priced: bool, fee: int, amount: int) -> list[LedgerError]:
    if voucher is None:
        return []
    if voucher.balance_fen == 0:
        return [VoucherExhaustedError(f"voucher {voucher.id} has no balance left")]
    if priced and amount == 0:
        return [ZeroSubsidyError(f"{voucher.rate} × {fee} fen rounds down to 0 fen: nothing to claim")]
    return []


def _refusal(check: Callable[[], object]) -> LedgerError | None:
    """A rule written as a check that raises (whitelist, quota room, covered category), judged as one refusal."""
    try:
        check()
    except LedgerError as error:
        return error
    return None
