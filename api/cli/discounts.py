"""`voucher-ledger cloud-agreement PROVIDER YEAR --rate R`: a public-cloud provider's discount agreement for a year
(at least 30 %, applies to every Guangdong enterprise), as ``POST /v1/providers/{id}/cloud-agreements``."""

from __future__ import annotations

import typer

from api.cli.commanding import ACTOR_HELP, party_id, record
from ledger.commands import values as v


def register(app: typer.Typer) -> None:
    @app.command("cloud-agreement")
    def cloud_agreement(
        provider: str = typer.Argument(..., help="the provider's id or USCC"),
        year: int = typer.Argument(..., help="the programme year of the agreement"),
        rate: str = typer.Option(..., help="the agreed discount as an exact decimal, e.g. 0.30"),
        actor: str = typer.Option("province:ops", help=ACTOR_HELP),
    ) -> None:
        """Record a cloud discount agreement; prints its id."""
        record(actor, v.RecordCloudAgreement(provider_id=party_id(provider, "provider"), year=year, rate=rate))
