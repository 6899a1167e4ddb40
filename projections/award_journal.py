"""Awards in the double-entry journal: their own accounts, beside the vouchers' and on the same fund budgets.

An award's postings carry its award programme in the fee-category dimension (``AWARD:<kind>``,
``projections/award_flows.py``), so each award account has a sub-account per award programme: a trial balance
filtered by programme is one of them.

==============================  ===========  ==============================================================
account                         normal side  balance as of T
==============================  ===========  ==============================================================
AWARDS_PAYABLE                  credit       granted, not yet paid
AWARDS_PAID                     credit       paid to the awards' payees, including amounts now due back
AWARD_RECOVERIES_RECEIVABLE     debit        still due back after a paid award was recovered
AWARD_RECOVERIES_COLLECTED      debit        recovered award money received back into its fund source's budget
AWARD_RECOVERIES_WRITTEN_OFF    debit        award recoveries given up, with a reason
==============================  ===========  ==============================================================

=====================  ==============================  ====================================================
event                  debit                           credit
=====================  ==============================  ====================================================
Award.Granted          *_BUDGET                        AWARDS_PAYABLE
Award.Paid             AWARDS_PAYABLE                  AWARDS_PAID
Award.RecoveryRaised   AWARD_RECOVERIES_RECEIVABLE     *_BUDGET (due back to the fund)
RecoveryCollected      AWARD_RECOVERIES_COLLECTED      AWARD_RECOVERIES_RECEIVABLE
RecoveryWrittenOff     AWARD_RECOVERIES_WRITTEN_OFF    AWARD_RECOVERIES_RECEIVABLE
=====================  ==============================  ====================================================

A city's award spend (settled − recovered) is −(AWARDS_PAID + AWARD_RECOVERIES_RECEIVABLE +
AWARD_RECOVERIES_COLLECTED + AWARD_RECOVERIES_WRITTEN_OFF), as its voucher spend is of the voucher accounts. A title
without money (0 fen) has no entry. Each event carries its province and city portions: nothing is rounded here.
"""

from __future__ import annotations

AWARDS_PAYABLE, AWARDS_PAID = "AWARDS_PAYABLE", "AWARDS_PAID"
AWARD_RECOVERIES_RECEIVABLE = "AWARD_RECOVERIES_RECEIVABLE"
AWARD_RECOVERIES_COLLECTED, AWARD_RECOVERIES_WRITTEN_OFF = "AWARD_RECOVERIES_COLLECTED", "AWARD_RECOVERIES_WRITTEN_OFF"
AWARD_ACCOUNTS = (AWARDS_PAYABLE, AWARDS_PAID, AWARD_RECOVERIES_RECEIVABLE, AWARD_RECOVERIES_COLLECTED,
                  AWARD_RECOVERIES_WRITTEN_OFF)
STAGES = ("approved", "settled", "recovered", "collected", "written_off")


def award_postings(moves: dict[str, int], budget: str) -> dict[str, int]:
    """One fund source's postings (account → signed fen) for an award's stage changes ``moves`` (stage → fen;
    approved is what is granted and unpaid); ``budget`` is that fund source's budget account. Sums to zero."""
    unknown = set(moves) - set(STAGES)
    if unknown:
        raise LookupError(f"journal: no award account for stage(s) {sorted(unknown)}")
    approved, settled, recovered, collected, written_off = (moves.get(stage, 0) for stage in STAGES)
    return {
        budget: approved + settled - recovered,
        AWARDS_PAYABLE: -approved,
        AWARDS_PAID: -settled,
        AWARD_RECOVERIES_RECEIVABLE: recovered - collected - written_off,
        AWARD_RECOVERIES_COLLECTED: collected,
        AWARD_RECOVERIES_WRITTEN_OFF: written_off,
    }
