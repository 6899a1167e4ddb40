"""Import kinds for what follows a payment: a recovery (追回, DOMAIN.md "Settlement") collected from the provider or
written off. A row names the batch that paid the claim (its number and provider) and the claim (its voucher and the
source system's claim number, which is required here: a claim imported without one cannot be named by another file).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from importer import references as ref
from importer.columns import CLAIM_NO, EFFECTIVE, PROVIDER, VOUCHER_KEY, Column, integer, text
from importer.kind_shapes import Kind, each_row
from ledger.commands import values as v
from ledger.commands.values import Command

BATCH_NO = Column("batch_no", "结算批次号")
RECOVERY_KEY = (BATCH_NO, PROVIDER, *VOUCHER_KEY, replace(CLAIM_NO, required=True))


def _claim(r: dict[str, Any], sha256: str, row: int) -> dict[str, Any]:
    voucher_id = ref.voucher(r)
    return {"batch_id": ref.batch_id(ref.provider(r), r["batch_no"]),
            "claim_id": ref.claim_id(voucher_id, r["claim_no"], sha256, row)}


def _collected(r: dict[str, Any], sha256: str, row: int) -> Command:
    return v.CollectRecovery(**_claim(r, sha256, row), amount_fen=r["amount_fen"], bank_reference=r["bank_reference"],
                             effective_at=r["effective_at"])


def _written_off(r: dict[str, Any], sha256: str, row: int) -> Command:
    return v.WriteOffRecovery(**_claim(r, sha256, row), reason=r["reason"], effective_at=r["effective_at"])


AFTER_PAYMENT_KINDS = (
    Kind("recovery-collections", "追回款收回", (
        *RECOVERY_KEY, Column("amount_fen", "收回金额（分）", integer),
        Column("bank_reference", "银行流水号", text, example="BANK-2019-0042"), EFFECTIVE),
        each_row(_collected), "recoveries collected from providers (part or all of what a claim owes back)"),
    Kind("recovery-write-offs", "追回款核销", (*RECOVERY_KEY, Column("reason", "理由"), EFFECTIVE),
         each_row(_written_off), "recoveries written off (what is left of a claim's recovery)"),
)
