"""Awards in money_flows (and so in the journal, which reads events as money_flows does): each money event of an award
is one row of stage amounts, in the award's city and programme year, under its award programme.

An award has no fee category: its rows carry, in that column, its programme (:func:`award_category`, e.g.
``AWARD:BENCHMARK_PROJECT``), so the per-city daily sums keep each award programme apart from the vouchers and from
each other, and per-city spend reports a ``programme`` dimension (``VOUCHERS`` or the award programme's kind).

=================  ===========================================  ==========================================
event              amounts                                      effective time
=================  ===========================================  ==========================================
Award.Granted      approved + (payable; 0 fen: a title, no row)  recorded
Award.Paid         approved −, settled +                        the payment time (never before the grant)
RecoveryRaised     recovered + (settled stays: it was paid)      the recovery's effective time; cash year:
                                                                the year it was recorded, like a claim's
RecoveryCollected  collected +                                  the collection's effective time
RecoveryWrittenOff written_off +                                the write-off's effective time
=================  ===========================================  ==========================================

Every event carries its amount and the province/city split the award was granted with, so nothing is looked up.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ledger.awards import Award
from projections.times import shanghai_year, to_us

AWARD_PREFIX = "AWARD:"
VOUCHERS = "VOUCHERS"  # the programme dimension of every voucher row


def award_category(kind: str) -> str:
    return f"{AWARD_PREFIX}{kind}"


def programme_of(category: str | None) -> str:
    """``VOUCHERS`` for a voucher's fee category, the award programme's kind for an award's row."""
    return category[len(AWARD_PREFIX):] if category and category.startswith(AWARD_PREFIX) else VOUCHERS


def category_filter(programme: str | None) -> str | None:
    """The category an award programme's rows carry (None: the programme is the vouchers, or any)."""
    return None if programme in (None, VOUCHERS) else award_category(programme)


class AwardFlows:
    """Mixed into :class:`projections.money_flows.MoneyFlows`; ``_award_row`` writes one row (or journal entry)."""

    award_handlers: ClassVar[dict[type, str]] = {
        Award.Granted: "award_granted",
        Award.Paid: "award_paid",
        Award.RecoveryRaised: "award_recovered",
        Award.RecoveryCollected: "award_recovery_settled",
        Award.RecoveryWrittenOff: "award_recovery_settled",
    }

    def award_granted(self, e: Award.Granted, position: int) -> None:
        if e.amount_fen:
            self._award_amounts(e, position, to_us(e.timestamp), None, approved=1)

    def award_paid(self, e: Award.Paid, position: int) -> None:
        self._award_amounts(e, position, to_us(e.effective_at), None, approved=-1, settled=1, batch=e.batch_id)

    def award_recovered(self, e: Award.RecoveryRaised, position: int) -> None:
        self._award_amounts(e, position, to_us(e.effective_at), shanghai_year(to_us(e.timestamp)), recovered=1)

    def award_recovery_settled(self, e: Any, position: int) -> None:
        name = "collected" if isinstance(e, Award.RecoveryCollected) else "written_off"
        self._award_amounts(e, position, to_us(e.effective_at), None, **{name: 1})

    def _award_amounts(self, e: Any, position: int, effective_us: int, cash_year: int | None, *,
                       batch: Any = None, **moves: int) -> None:
        amounts: dict[str, int] = {}
        for stage, sign in moves.items():
            amounts[f"{stage}_fen"] = sign * e.amount_fen
            amounts[f"{stage}_city_fen"] = sign * e.city_portion_fen
        self._award_row(e, position, effective_us, cash_year, batch, amounts)

    def _award_row(self, e: Any, position: int, effective_us: int, cash_year: int | None, batch: Any,
                   amounts: dict[str, int]) -> None:
        raise NotImplementedError
