"""The row the raw baselines write: shaped like one stored event of the ledger (a claim's ~300-byte JSON state)."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

TOPIC = "ledger.voucher:Voucher.Claimed"


def _state(size: int = 300) -> bytes:
    body = {
        "actor": "enterprise",
        "correlation_id": None,
        "timestamp": {"_type_": "datetime_iso", "_data_": "2019-03-01T10:00:00+00:00"},
        "claim_id": {"_type_": "uuid_hex", "_data_": "0" * 32},
        "contract_no": "HT-000001",
        "amount_fen": 50000,
        "pad": "",
    }
    body["pad"] = "x" * max(0, size - len(json.dumps(body, separators=(",", ":"))))
    return json.dumps(body, separators=(",", ":")).encode()


STATE = _state()
assert len(STATE) == 300


def new_rows(n: int) -> list[tuple[UUID, int, str, bytes]]:
    """``n`` rows, each the first event (version 1) of a new originator; made before the timing starts."""
    return [(uuid4(), 1, TOPIC, STATE) for _ in range(n)]
