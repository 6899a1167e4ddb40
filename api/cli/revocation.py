"""`voucher-ledger revoke-voucher VOUCHER --reason TEXT`: withdraw a voucher, as
``POST /v1/vouchers/{id}/revocation``; its unused value goes back to the city's quota, its live claims stay."""

from __future__ import annotations

from uuid import UUID

import typer

from api.cli.commanding import ACTOR_HELP, record
from ledger.commands import values as v


def register(app: typer.Typer) -> None:
    @app.command("revoke-voucher")
    def revoke_voucher(
        voucher_id: UUID = typer.Argument(..., help="the voucher to revoke"),
        reason: str = typer.Option(..., help="why it is revoked (shown in the audit trail)"),
        actor: str = typer.Option("province:ops", help=ACTOR_HELP),
    ) -> None:
        """Revoke a voucher with the reason; prints the fen returned to the city's quota."""
        record(actor, v.RevokeVoucher(voucher_id=voucher_id, reason=reason))
