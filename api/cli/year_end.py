"""`voucher-ledger expire-year YEAR`: the year-end expiry run, as ``POST /v1/programme/years/{year}/expiry-run``.

After the year's redemption deadline, every voucher of the year that the read models know as still open is sent an
``ExpireVoucher`` through a group-commit writer (many per transaction); its unused value goes back to its city's
quota. Vouchers closed meanwhile are skipped; running it again changes nothing (``writer/year_end_run.py``). The answer is
JSON: how many were found, expired and skipped, and the fen returned to each city's quota.
"""

from __future__ import annotations

import typer

from api.cli.commanding import ACTOR_HELP, opened_on_service_clock, province_actor, refused, show
from writer.year_end_run import run_expiry
from ledger.errors import LedgerError
from ledger.recording import By
from api.cli.queries import read_models
from store.settings import get_settings
from writer.group_commit import GroupCommitWriter


def register(app: typer.Typer) -> None:
    @app.command("expire-year")
    def expire_year(
        year: int = typer.Argument(..., help="the programme year whose redemption deadline has passed"),
        actor: str = typer.Option("province:ops", help=ACTOR_HELP),
    ) -> None:
        """Expire every open voucher of YEAR after its deadline; unused value goes back to the city quotas."""
        actor = province_actor(actor)
        settings = get_settings()
        ledger, clock = opened_on_service_clock()
        by = By(actor=actor, at=clock.now(), correlation_id=f"expiry-run-{year}")
        read = read_models(settings, ledger)  # a long catch-up shows its bar
        try:
            with GroupCommitWriter(ledger) as writer:
                run = run_expiry(ledger, read.open_vouchers, year, by, writer.submit)
        except LedgerError as exc:
            raise refused(exc) from None
        finally:
            read.close()
            ledger.close()
        show(run)
        if run.failed:
            raise typer.Exit(1)
