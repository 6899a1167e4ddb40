"""`python -m simulator`: the whole `voucher-ledger` command line (the ledger's commands and the simulator's)."""

from simulator.cli import app

app()
