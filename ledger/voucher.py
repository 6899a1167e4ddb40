"""Voucher (服务券): issued for one catalogue item of one year, redeemed by claims until its deadline.

Balance = face value − the amounts its live claims hold. A claim holds its amount from the moment it is made; a
rejection or a reversal before settlement gives it back; a reversal after settlement keeps it held (the money was
paid) and raises a recovery (追回) against the provider instead. The steps of its claims: ``ledger/voucher_claims.py``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from ledger.catalogue import CatalogueItem
from ledger.claims import Claim, ClaimStatus
from ledger.errors import (
    InvalidTransitionError,
    VoucherExpiredError,
    VoucherNotYetExpiredError,
    VoucherRevokedError,
)
from ledger.fiscal_time import shanghai_text
from ledger.money import split_funding
from ledger.recording import By, LedgerAggregate
from ledger.voucher_claims import VoucherClaims, reason_text


class VoucherStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


class Voucher(VoucherClaims, LedgerAggregate):
    class Issued(LedgerAggregate.Created):
        enterprise_id: UUID
        city: str
        year: int
        catalogue_id: UUID
        item_id: str
        fee_category: str
        rate: Decimal
        face_value_fen: int
        city_share: Decimal
        city_portion_fen: int
        province_portion_fen: int
        expires_at: datetime

        def apply(self, v: Voucher) -> None:
            v.enterprise_id, v.city, v.year = self.enterprise_id, self.city, self.year
            v.catalogue_id, v.item_id, v.fee_category = self.catalogue_id, self.item_id, self.fee_category
            v.rate, v.face_value_fen, v.city_share = self.rate, self.face_value_fen, self.city_share
            v.city_portion_fen, v.province_portion_fen = self.city_portion_fen, self.province_portion_fen
            v.expires_at = self.expires_at
            v.status = VoucherStatus.ACTIVE
            v.claims = {}
            v.returned_fen = 0

    class Claimed(LedgerAggregate.Event):
        class_version = 2  # v2 added the claimant's declaration of no other fiscal funding

        claim_id: UUID
        provider_id: UUID
        contract_no: str
        contract_date: datetime
        contract_amount_fen: int
        invoice_nos: list[str]
        payment_proven_fen: int
        payment_proof_ref: str
        acceptance_report_ref: str
        fee_category: str
        eligible_fee_fen: int
        amount_fen: int  # the subsidy held: min(rate × eligible fee rounded down, balance)
        effective_at: datetime  # service accepted
        no_other_funding: bool | None  # the declaration (ledger.claims.ClaimEvidence); None: made before it existed

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["no_other_funding"] = None  # claims made before the declaration existed declared nothing

        def apply(self, v: Voucher) -> None:
            v.claims[self.claim_id] = Claim(
                claim_id=self.claim_id,
                provider_id=self.provider_id,
                amount_fen=self.amount_fen,
                status=ClaimStatus.CLAIMED,
                claimed_at=self.timestamp,
                contract_no=self.contract_no,
                contract_amount_fen=self.contract_amount_fen,
                invoice_nos=tuple(self.invoice_nos),
                eligible_fee_fen=self.eligible_fee_fen,
            )

    class ClaimApproved(LedgerAggregate.Event):
        claim_id: UUID

        def apply(self, v: Voucher) -> None:
            claim = v.claims[self.claim_id]
            claim.status, claim.approved_at = ClaimStatus.APPROVED, self.timestamp

    class ClaimRejected(LedgerAggregate.Event):
        claim_id: UUID
        reason: str
        freed_fen: int

        def apply(self, v: Voucher) -> None:
            v.claims[self.claim_id].status = ClaimStatus.REJECTED

    class ClaimBatched(LedgerAggregate.Event):
        claim_id: UUID
        batch_id: UUID

        def apply(self, v: Voucher) -> None:
            v.claims[self.claim_id].batch_id = self.batch_id

    class ClaimSettled(LedgerAggregate.Event):
        claim_id: UUID
        batch_id: UUID
        effective_at: datetime  # when the batch was paid

        def apply(self, v: Voucher) -> None:
            claim = v.claims[self.claim_id]
            claim.status, claim.settled_at = ClaimStatus.SETTLED, self.effective_at

    class ClaimReversed(LedgerAggregate.Event):
        claim_id: UUID
        reason: str
        after_settlement: bool
        freed_fen: int  # given back to the balance (before settlement)
        recovery_fen: int  # to recover from the provider (after settlement)
        batch_id: UUID | None  # the batch that paid it, or held it unpaid
        effective_at: datetime

        def apply(self, v: Voucher) -> None:
            claim = v.claims[self.claim_id]
            claim.status = ClaimStatus.REVERSED
            claim.reversed_after_settlement = self.after_settlement

    class ClaimFlagged(LedgerAggregate.Event):
        """A suspension recorded late covers this claim: it was made, approved or paid while, as we now know, its
        provider was suspended (from ``suspended_from``). The flag takes effect at ``effective_at``: the later of that
        and the claim's own making. An unsettled claim is held from settlement (and taken out of an unpaid batch)
        until the province releases or reverses it; a settled one is flagged for review only."""

        claim_id: UUID
        provider_id: UUID
        amount_fen: int
        held: bool
        batch_id: UUID | None  # the unpaid batch it was taken out of
        reason: str
        suspended_from: datetime
        effective_at: datetime

        def apply(self, v: Voucher) -> None:
            claim = v.claims[self.claim_id]
            claim.flagged, claim.held = True, self.held
            if self.batch_id is not None:
                claim.batch_id = None

    class ClaimReleased(LedgerAggregate.Event):
        """The province reviewed a held claim and lets it be settled."""

        claim_id: UUID
        provider_id: UUID
        amount_fen: int
        reason: str

        def apply(self, v: Voucher) -> None:
            v.claims[self.claim_id].held = False

    class ClaimPublicised(LedgerAggregate.Event):
        """The approved claim is on a publicity list (公示, ``ledger/publicity.py``): settled only once it clears."""

        claim_id: UUID
        list_id: UUID
        window_ends_at: datetime

        def apply(self, v: Voucher) -> None:
            claim = v.claims[self.claim_id]
            claim.publicity_list_id, claim.publicity_window_ends_at = self.list_id, self.window_ends_at

    class Expired(LedgerAggregate.Event):
        returned_fen: int

        def apply(self, v: Voucher) -> None:
            v.status = VoucherStatus.EXPIRED
            v.returned_fen += self.returned_fen

    class Revoked(LedgerAggregate.Event):
        reason: str
        returned_fen: int

        def apply(self, v: Voucher) -> None:
            v.status = VoucherStatus.REVOKED
            v.returned_fen += self.returned_fen

    class ValueReturned(LedgerAggregate.Event):
        """A claim on an expired or revoked voucher gave its amount back: that value goes back to the city quota."""

        claim_id: UUID
        returned_fen: int

        def apply(self, v: Voucher) -> None:
            v.returned_fen += self.returned_fen

    # -- creation ------------------------------------------------------------------------------------------------
    @classmethod
    def issue(
        cls,
        by: By,
        *,
        voucher_id: UUID,
        enterprise_id: UUID,
        city: str,
        year: int,
        catalogue_id: UUID,
        item: CatalogueItem,
        city_share: Decimal,
        expires_at: datetime,
    ) -> Voucher:
        city_fen, province_fen = split_funding(item.cap_fen, city_share)
        return cls._start(
            cls.Issued,
            voucher_id,
            by,
            enterprise_id=enterprise_id,
            city=city,
            year=year,
            catalogue_id=catalogue_id,
            item_id=item.item_id,
            fee_category=item.fee_category.value,
            rate=item.rate,
            face_value_fen=item.cap_fen,
            city_share=city_share,
            city_portion_fen=city_fen,
            province_portion_fen=province_fen,
            expires_at=expires_at,
        )

    # -- figures ------------------------------------------------------------------------------------------------
    @property
    def held_fen(self) -> int:
        # Counted again only when an event has changed the voucher (its version moved): a claim asks for the balance
        # four times while it is decided, and a voucher may hold hundreds of claims. A voucher changes only through
        # its events, and a command that fails leaves a rebuilt voucher, not this one (writer/unit_of_work.py).
        counted = self.__dict__.get("_held_at_version")
        if counted is not None and counted[0] == self.version:
            return counted[1]
        held = sum(c.amount_fen for c in self.claims.values() if c.holds_balance)
        self.__dict__["_held_at_version"] = (self.version, held)
        return held

    @property
    def balance_fen(self) -> int:
        """Unused value: face value minus what live claims hold (after expiry it has gone back to the quota)."""
        return self.face_value_fen - self.held_fen

    # -- commands on the voucher itself (its claims': ledger/voucher_claims.py) ------------------------------------
    def _require_redeemable(self) -> None:
        if self.status is VoucherStatus.REVOKED:
            raise VoucherRevokedError(f"voucher {self.id} is revoked")
        if self.status is not VoucherStatus.ACTIVE:
            raise VoucherExpiredError(f"voucher {self.id} has expired")

    def expire(self, by: By) -> int:
        """After the deadline the unused value goes back to the city quota. Returns that value (fen)."""
        if self.status is not VoucherStatus.ACTIVE:
            raise InvalidTransitionError(f"voucher {self.id} is already {self.status.value}")
        if by.at < self.expires_at:
            raise VoucherNotYetExpiredError(f"voucher {self.id} is redeemable until {shanghai_text(self.expires_at)}")
        returned = self.balance_fen
        self._record(self.Expired, by, returned_fen=returned)
        return returned

    def revoke(self, by: By, *, reason: str) -> int:
        if self.status is not VoucherStatus.ACTIVE:
            raise InvalidTransitionError(f"voucher {self.id} is already {self.status.value}")
        returned = self.balance_fen
        self._record(self.Revoked, by, reason=reason_text(reason), returned_fen=returned)
        return returned

    def return_freed_value(self, by: By, *, claim_id: UUID, freed_fen: int) -> bool:
        """If this voucher is no longer redeemable, value freed by a claim goes back to the quota; say if it did."""
        if self.status is VoucherStatus.ACTIVE or freed_fen == 0:
            return False
        self._record(self.ValueReturned, by, claim_id=claim_id, returned_fen=freed_fen)
        return True
