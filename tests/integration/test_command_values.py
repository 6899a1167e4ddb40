"""One entry point, ``handle(command, by)``: a value decides exactly as the method it names, and a claim submitted on
behalf of an enterprise is judged only against that enterprise's own vouchers."""

from __future__ import annotations

from uuid import uuid4

import pytest

from ledger.commands.values import SubmitClaim
from ledger.errors import InvalidInputError, VoucherNotFoundError
from tests.support.assertions import last_event_id


def _claim(world, voucher_id, provider_id, on_behalf_of=None):
    return SubmitClaim(voucher_id=voucher_id, claim_id=uuid4(), provider_id=provider_id,
                       evidence=world.evidence(contract_amount_fen=1_000_000), fee_category="APPLICATION_SERVICE",
                       eligible_fee_fen=1_000_000, on_behalf_of=on_behalf_of)


def test_an_enterprise_claims_only_on_its_own_vouchers_and_another_ones_looks_unknown(world):
    holder, other = world.eligible_enterprise(), world.eligible_enterprise()
    voucher = world.issue(holder).voucher_id
    platform = world.provider()
    world.advance(days=5)
    before = last_event_id(world.app)
    with pytest.raises(VoucherNotFoundError) as refused:
        world.app.handle(_claim(world, voucher, platform, on_behalf_of=other), world.by("enterprise"))
    with pytest.raises(VoucherNotFoundError) as unknown:
        world.app.handle(_claim(world, uuid4(), platform, on_behalf_of=other), world.by("enterprise"))
    assert refused.value.code == unknown.value.code == "VOUCHER_NOT_FOUND"
    assert last_event_id(world.app) == before  # nothing written
    receipt = world.app.handle(_claim(world, voucher, platform, on_behalf_of=holder), world.by("enterprise"))
    assert receipt.amount_fen == 500_000  # 0.50 × 1,000,000 (DOMAIN.md: rate × eligible fee)


def test_handle_takes_command_values_only(world):
    with pytest.raises(InvalidInputError):
        world.app.handle(lambda: None, world.by())  # type: ignore[arg-type]
