"""Commands are values: each one's fields are exactly the keyword arguments of the method that decides it, it is
frozen, and what it says it reads comes from its own fields."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, datetime

import pytest

from ledger import ids
from ledger.application import VoucherLedger
from ledger.commands import values
from ledger.commands.values import Command
from tests.unit.builders import uid

COMMANDS = [c for c in vars(values).values()
            if isinstance(c, type) and issubclass(c, Command) and c is not Command and hasattr(c, "handler")]


def test_there_is_a_value_for_every_command_the_ledger_decides():
    deciding = {name for name, member in inspect.getmembers(VoucherLedger, inspect.isfunction)
                if not name.startswith("_") and list(inspect.signature(member).parameters)[1:2] == ["by"]}
    internal = {"derive_evidence_keys", "derive_funding_key",  # run by `derive-evidence-keys`, not users
                "record_evidence_keys_derived",
                "record_default_programme", "mark_training"}  # what opening a store records (store.opening)
    assert {c.handler for c in COMMANDS} == deciding - internal


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
def test_a_value_carries_exactly_the_arguments_of_its_handler(command):
    handler = getattr(VoucherLedger, command.handler)
    keywords = {name for name, p in inspect.signature(handler).parameters.items() if p.kind is p.KEYWORD_ONLY}
    assert {f.name for f in dataclasses.fields(command)} == keywords
    assert command.__dataclass_params__.frozen


def test_what_a_command_reads_is_derived_from_its_fields():
    claim = values.ApproveClaim(voucher_id=uid("v"), claim_id=uid("c"))
    assert claim.reads == (uid("v"),)
    issue = values.IssueVoucher(enterprise_id=uid("e"), year=2020, item_id="2020-APP-01")
    assert issue.reads == (uid("e"), ids.catalogue_id(2020))
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.claim_id = uid("other")  # type: ignore[misc]


def test_a_value_compares_by_its_fields():
    at = datetime(2020, 11, 2, tzinfo=UTC)
    assert values.PayBatch(uid("b"), at) == values.PayBatch(uid("b"), at)
    assert values.PayBatch(uid("b"), at) != values.PayBatch(uid("b2"), at)
