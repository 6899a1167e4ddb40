"""`python -m api.cli`: the same command line as the `voucher-ledger` script."""

from api.cli import app

app()
