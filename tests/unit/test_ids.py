"""Ids are stored data: the ledger's own derivation must give what ``uuid.uuid5`` gives for the same name."""

from __future__ import annotations

from uuid import UUID, uuid5

import pytest

from ledger import ids


@pytest.mark.parametrize("name", ["", "programme", "enterprise|91440600MB0000001X", "invoice-key|FP-19250",
                                  "imported-claim|6aed8b01-b2d4-52be-9f8a-98375a46478b|C-1", "服务商|é"])
def test_named_is_uuid5_in_the_ledger_namespace(name: str) -> None:
    assert ids.named(name) == uuid5(UUID("6f1b8a52-3c1e-5a8e-9f0e-201803200000"), name)
    assert ids.named(name).version == 5
    # Built without UUID.__init__: it must still be a whole UUID (hash, text, pickling flag) like uuid5's.
    expected = uuid5(UUID("6f1b8a52-3c1e-5a8e-9f0e-201803200000"), name)
    assert (hash(ids.named(name)), str(ids.named(name)), ids.named(name).is_safe) == (
        hash(expected), str(expected), expected.is_safe)


def test_derived_ids_are_unchanged() -> None:
    assert ids.invoice_key_id(" fp-1 ") == uuid5(ids.NAMESPACE, "invoice-key|FP-1")
    provider = uuid5(ids.NAMESPACE, "provider|x")
    assert ids.contract_key_id(provider, "ht-9") == uuid5(ids.NAMESPACE, f"contract-key|{provider}|HT-9")
