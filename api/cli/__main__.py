"""`python -m api.cli`: the ledger's own commands (the `voucher-ledger` script adds `simulate` and `demo`)."""

from api.cli import app

app()
