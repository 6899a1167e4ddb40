"""`voucher-ledger revise-city-quota CITY YEAR` and `revise-provider-quota PROVIDER YEAR`: change the amount of a
quota already set, never below what is used, as ``POST /v1/city-quotas/{city}/{year}/revision`` and
``POST /v1/providers/{id}/quotas/{year}/revision``."""

from __future__ import annotations

import typer

from api.cli.commanding import ACTOR_HELP, party_id, record
from ledger.commands import values as v

AMOUNT_HELP = "the new amount, integer fen (never below what is already used)"


def register(app: typer.Typer) -> None:
    @app.command("revise-city-quota")
    def revise_city_quota(
        city: str = typer.Argument(..., help="the city code, e.g. 440600"),
        year: int = typer.Argument(..., help="the programme year"),
        amount_fen: int = typer.Option(..., "--amount-fen", help=AMOUNT_HELP),
        actor: str = typer.Option("province:ops", help=ACTOR_HELP),
    ) -> None:
        """Revise a city's voucher quota; prints the amounts before and after and what is used."""
        record(actor, v.ReviseCityQuota(city=city, year=year, amount_fen=amount_fen))

    @app.command("revise-provider-quota")
    def revise_provider_quota(
        provider: str = typer.Argument(..., help="the provider's id or USCC"),
        year: int = typer.Argument(..., help="the programme year"),
        amount_fen: int = typer.Option(..., "--amount-fen", help=AMOUNT_HELP),
        actor: str = typer.Option("province:ops", help=ACTOR_HELP),
    ) -> None:
        """Revise a provider's redemption quota; prints the amounts before and after and what is used."""
        record(actor, v.ReviseProviderQuota(provider_id=party_id(provider, "provider"), year=year,
                                            amount_fen=amount_fen))
