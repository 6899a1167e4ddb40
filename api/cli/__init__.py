"""`voucher-ledger`: the command-line entry point for every operation of the ledger, one module per command group."""

from __future__ import annotations

import typer

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



def build() -> typer.Typer:
    """A fresh command line with the ledger's own command groups (the `voucher-ledger` script adds the simulator's,
    ``simulator.cli``, which sits above the API)."""
    app = typer.Typer(help="Event-sourced ledger of Guangdong's 2018-2020 cloud service vouchers (服务券).",
                      no_args_is_help=True)
    # The order of registration is the order of `voucher-ledger --help`.
    for group in (walkthrough, store, projections, service, evidence, evidence_keys, exports, journal, queries,
                  lists, recovery, programme, revocation, year_end, eligibility, quotas, discounts, imports,
                  publicity, evaluation, awards, funding):
        group.register(app)
    return app


app = build()
