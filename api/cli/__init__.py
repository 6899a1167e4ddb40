"""`voucher-ledger`: the command-line entry point for every operation of the ledger, one module per command group."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from api.cli import (
    awards,
    discounts,
    eligibility,
    evaluation,
    evidence,
    evidence_keys,
    exports,
    funding,
    imports,
    journal,
    lists,
    programme,
    projections,
    publicity,
    queries,
    quotas,
    recovery,
    revocation,
    service,
    store,
    walkthrough,
    year_end,
)
from api.http.problems import STORE_ERRORS
from store.opening import StoreRefusedError

errors = Console(stderr=True, soft_wrap=True)  # one line, as the terminal wraps it: it is grepped


class StoreRefusalsShown(TyperGroup):
    """Every command opens the store its own way; a store refused on opening (a training clock on a live store, a
    production service on a training one, the simulator on a store that holds events) is the operator's to fix, so
    it is told in one line and exit 2, as the other refusals of the command line, not as a traceback. Nothing was
    written (``store.opening``).

    A database that cannot be reached (down, or out of connections) is told the same way, with the code the API
    answers for it (503 STORE_UNAVAILABLE), and exit 1: it is no mistake of the command, and the same command may
    succeed later."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except StoreRefusedError as exc:
            errors.print(f"[red]refused[/]: {escape(str(exc))}")
            raise typer.Exit(2) from None
        except STORE_ERRORS as exc:
            first = " ".join(str(exc).split()) or type(exc).__name__
            errors.print(f"[red]STORE_UNAVAILABLE[/]: the ledger's database is unavailable ({escape(first)}); "
                         "retry later")
            raise typer.Exit(1) from None


def build() -> typer.Typer:
    """A fresh command line with the ledger's own command groups (the `voucher-ledger` script adds the simulator's,
    ``simulator.cli``, which sits above the API)."""
    app = typer.Typer(help="Event-sourced ledger of Guangdong's cloud service vouchers (服务券): the 2018-2020 programme "
                      "and the successor years the province opens as data.",
                      no_args_is_help=True, cls=StoreRefusalsShown)
    # The order of registration is the order of `voucher-ledger --help`.
    for group in (walkthrough, store, projections, service, evidence, evidence_keys, exports, journal, queries,
                  lists, recovery, programme, revocation, year_end, eligibility, quotas, discounts, imports,
                  publicity, evaluation, awards, funding):
        group.register(app)
    return app


app = build()
