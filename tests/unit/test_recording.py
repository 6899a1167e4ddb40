"""``LedgerAggregate._start`` builds a new aggregate as the library's ``mutate(None)`` would, and only then."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.answered_requests import AnsweredRequest
from ledger.errors import InvalidInputError
from ledger.evidence_keys import ContractKey, InvoiceKey
from ledger.recording import By, LedgerAggregate, _inits_nothing
from tests.unit.builders import NOW, uid


def _state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def test_a_new_aggregate_is_the_one_its_first_event_makes() -> None:
    by = By(actor="t", at=NOW, correlation_id="c")
    made = [
        InvoiceKey.register(by, invoice_no=" inv-1 ", claim_id=uid("r1"), voucher_id=uid("r2"), provider_id=uid("r3")),
        ContractKey.register(by, provider_id=uid("r4"), contract_no="ht-1", contract_amount_fen=500, claim_id=uid("r5"),
                             voucher_id=uid("r6"), eligible_fee_fen=400),
        AnsweredRequest.answered(by, request_id=uid("r7"), fingerprint="f", result=None),
    ]
    for aggregate in made:
        (event,) = aggregate.pending_events
        rebuilt = event.mutate(None)
        assert type(rebuilt) is type(aggregate)
        assert _state(aggregate) == _state(rebuilt)
        assert list(vars(aggregate)) == list(vars(rebuilt))  # the same attributes, set in the same order


class _WithInit(LedgerAggregate):
    class Made(LedgerAggregate.Created):
        name: str

    def __init__(self, name: str) -> None:
        self.name = name.upper()

    @classmethod
    def make(cls, by: By, name: str) -> _WithInit:
        return cls._start(cls.Made, uid("r8"), by, name=name)


def test_an_aggregate_whose_init_takes_arguments_is_made_by_the_library() -> None:
    assert _inits_nothing(InvoiceKey)
    assert not _inits_nothing(_WithInit)
    made = _WithInit.make(By(actor="t", at=NOW), "abc")
    assert made.name == "ABC"


@pytest.mark.parametrize("field", ["actor", "correlation_id"])
def test_who_and_the_correlation_id_hold_no_control_character(field: str) -> None:
    """PostgreSQL text cannot hold a NUL byte: recorded in an event, it stopped every read model that stores the
    event's actor or correlation id (found by the hostile review through a header; a token's subject or a command
    line's --actor reach the same fields)."""
    given = {"actor": "province", "correlation_id": "c", field: "a\x00b"}
    with pytest.raises(InvalidInputError, match=field.replace("_", " ")):
        By(at=NOW, **given)
