"""`voucher-ledger correct-eligibility ENTERPRISE YEAR ...`: supersede a year's eligibility decision with one judged
from corrected facts, with the reason, as ``POST /v1/enterprises/{id}/eligibility/{year}/correction``. Issued
vouchers are left as they are; the answer lists those still redeemable (revoke them with `revoke-voucher`)."""

from __future__ import annotations

import typer

from api.cli.commanding import ACTOR_HELP, party_id, record
from api.cli.times import parse_moment
from ledger.commands import values as v


def register(app: typer.Typer) -> None:
    @app.command("correct-eligibility")
    def correct_eligibility(
        enterprise: str = typer.Argument(..., help="the enterprise's id or USCC"),
        year: int = typer.Argument(..., help="the programme year whose decision is corrected"),
        revenue_fen: int = typer.Option(..., "--revenue-fen", help="corrected prior-year main business revenue, fen"),
        misuse: bool = typer.Option(False, "--misuse/--no-misuse",
                                    help="a serious misuse of public funds within the year's look-back "
                                    "(5 years in 2018-2020)"),
        effective_at: str = typer.Option(..., "--effective-at", help="when it takes effect, ISO-8601 with offset"),
        reason: str = typer.Option(..., help="why the decision is corrected (shown in the audit trail)"),
        actor: str = typer.Option("province:ops", help=ACTOR_HELP),
    ) -> None:
        """Correct an eligibility decision; prints the new decision and the year's vouchers still redeemable."""
        at = parse_moment(effective_at, "--effective-at")
        assert at is not None  # the option is required
        record(actor, v.CorrectEligibility(enterprise_id=party_id(enterprise, "enterprise"), year=year,
                                           prior_year_revenue_fen=revenue_fen, serious_misuse_5y=misuse,
                                           effective_at=at, reason=reason))
