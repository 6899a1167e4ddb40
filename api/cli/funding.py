"""`voucher-ledger record-other-funding`: the province records that another fiscal fund paid for a provider's
contract, so that no voucher claims it (one item of work is funded once; ``ALREADY_FUNDED``). The same command as
``POST /v1/providers/{provider}/other-funding``, recorded at the service clock's time as ``--actor``."""

from __future__ import annotations

import typer

from api.cli.commanding import ACTOR_HELP, party_id, record
from api.cli.times import parse_moment
from ledger.commands import values as v


def register(app: typer.Typer) -> None:
    @app.command("record-other-funding")
    def record_other_funding(
        provider: str = typer.Argument(..., help="the provider whose contract it is: its id or USCC"),
        contract_no: str = typer.Argument(..., help="the provider's contract number, as a claim would name it"),
        fund_name: str = typer.Option(..., "--fund-name", help="the other fiscal fund that paid for it"),
        document_no: str = typer.Option(..., "--document-no", help="the document number of that fund's grant"),
        amount_fen: int = typer.Option(..., "--amount-fen", help="integer fen that fund granted"),
        effective_at: str = typer.Option(..., "--effective-at", help="when it was granted, ISO-8601 with offset"),
        reason: str = typer.Option(..., help="why it is recorded"),
        actor: str = typer.Option("province:ops", help=ACTOR_HELP),
    ) -> None:
        """Record a contract's other fiscal funding: a voucher claim on it is then refused (ALREADY_FUNDED)."""
        at = parse_moment(effective_at, "--effective-at")
        if at is None:
            raise typer.Exit(2)
        record(actor, v.RecordOtherFunding(provider_id=party_id(provider, "provider"), contract_no=contract_no,
                                           fund_name=fund_name, document_no=document_no, amount_fen=amount_fen,
                                           effective_at=at, reason=reason))
