"""The demo's example requests: a claim on a real voucher of the simulated store, its approval, a settlement batch
opened, filled and paid, then the reads that show it (balance, city spend, audit trail). Each is one line of shell
that runs as printed: curl, the demo's tokens and ids, an Idempotency-Key on every write (running a line twice
changes nothing). The ids the service gives out (the claim's, the batch's) are kept in shell variables:
``NAME=$(curl ... | tee /dev/stderr | python3 -c '...["field"]...')`` shows the answer and keeps the id."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from uuid import UUID

from ledger.fiscal_time import SHANGHAI


@dataclass(frozen=True)
class Picked:
    """A voucher with balance left and a whitelisted provider with quota left for its year, found in the store."""

    voucher_id: UUID
    enterprise_uscc: str
    city: str
    year: int
    fee_category: str
    rate: Decimal
    balance_fen: int
    provider_id: UUID
    provider_uscc: str
    provider_room_fen: int  # what is left of the provider's quota for the voucher's year

    @property
    def eligible_fee_fen(self) -> int:
        """A fee whose subsidy takes about half of what is left (of the balance and the provider's quota), odd so
        that rounding down to the fen shows."""
        target = min(self.balance_fen, self.provider_room_fen) // 2
        return max(1, int(Decimal(target) / self.rate)) | 1

    @property
    def amount_fen(self) -> int:
        """DOMAIN.md: the subsidy is the item's rate times the eligible fee, rounded down to the fen."""
        return int((Decimal(self.eligible_fee_fen) * self.rate).to_integral_value(rounding=ROUND_FLOOR))


def claim_body(picked: Picked, at: datetime, tag: str) -> dict[str, object]:
    """A claim's evidence: a contract a month old, fully paid, the service accepted the day before."""
    local = at.astimezone(SHANGHAI).replace(microsecond=0)
    return {"provider_id": str(picked.provider_id), "fee_category": picked.fee_category,
            "eligible_fee_fen": picked.eligible_fee_fen, "contract_no": f"HT-DEMO-{tag}",
            "contract_date": (local - timedelta(days=30)).isoformat(), "contract_amount_fen": picked.eligible_fee_fen,
            "invoice_nos": [f"FP-DEMO-{tag}"], "payment_proven_fen": picked.eligible_fee_fen,
            "payment_proof_ref": f"BANK-DEMO-{tag}", "acceptance_report_ref": f"ACC-DEMO-{tag}",
            "accepted_at": (local - timedelta(days=1)).isoformat(), "no_other_funding": True}


def _curl(token: str, url: str, *, key: str | None = None, body: str | None = None) -> str:
    words = ["curl -s -w '\\n'"]  # each answer on its own line
    if key is not None:
        words.append("-X POST")
    words.append(f"-H {shlex.quote('Authorization: Bearer ' + token)}")
    if key is not None:
        words.append(f"-H {shlex.quote('Idempotency-Key: ' + key)}")
    if body is not None:
        words += ["-H 'Content-Type: application/json'", f"-d '{body}'"]
    return " ".join([*words, url])


def _kept(name: str, curl: str, field: str) -> str:
    return f"""{name}=$({curl} | tee /dev/stderr | python3 -c 'import json,sys; print(json.load(sys.stdin)["{field}"])')"""


def write_examples(base: str, tokens: dict[str, str], picked: Picked, at: datetime, tag: str) -> list[str]:
    """Comment and command lines, in order: claim, approval, batch opened, filled, paid."""
    voucher = f"{base}/vouchers/{picked.voucher_id}"
    body = json.dumps(claim_body(picked, at, tag), ensure_ascii=True)
    period = at.astimezone(SHANGHAI).strftime("%Y-%m")
    rate = f"{(picked.rate * 100).normalize():f} %"
    return [
        f"# 1. the enterprise claims {picked.eligible_fee_fen:,} fen of fees on its voucher: {rate}, rounded down, "
        f"is {picked.amount_fen:,} fen (balance {picked.balance_fen:,} fen)",
        _kept("CLAIM", _curl(tokens["enterprise"], f"{voucher}/claims", key=f"demo-{tag}-claim", body=body),
              "claim_id"),
        "# 2. the province approves it",
        _curl(tokens["province"], f"{voucher}/claims/$CLAIM/approval", key=f"demo-{tag}-approve"),
        "# 3. the province opens a settlement batch for the provider, adds the claim, and pays the batch",
        _kept("BATCH", _curl(tokens["province"], f"{base}/settlement-batches", key=f"demo-{tag}-batch",
                             body=json.dumps({"provider_id": str(picked.provider_id), "period": period})), "id"),
        _curl(tokens["province"], f"{base}/settlement-batches/$BATCH/claims", key=f"demo-{tag}-add",
              body=f'{{"voucher_id": "{picked.voucher_id}", "claim_id": "\'$CLAIM\'"}}'),
        "# (paid now: a payment with no effective_at is dated the moment the ledger records it, after the approval)",
        _curl(tokens["province"], f"{base}/settlement-batches/$BATCH/payment", key=f"demo-{tag}-pay", body="{}"),
    ]


def read_examples(base: str, tokens: dict[str, str], picked: Picked) -> list[str]:
    return [
        "# the voucher's balance (the enterprise's view), its city's spend, and its audit trail",
        _curl(tokens["enterprise"], f"{base}/vouchers/{picked.voucher_id}"),
        _curl(tokens["city"], f"{base}/cities/{picked.city}/spend"),
        _curl(tokens["auditor"], f"{base}/audit/voucher/{picked.voucher_id}"),
    ]
