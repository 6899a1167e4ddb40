"""The command line with its database down says so in one line, with the code the API answers (503
STORE_UNAVAILABLE), and exits 1: a province official running `trial-balance` while PostgreSQL is unreachable (or
out of connections) got some two hundred lines of traceback ending in "PoolTimeout", which a review found."""

from __future__ import annotations

import os
import socket

import pytest
from typer.testing import CliRunner

from api.cli import build
from store.settings import get_settings


def _closed_port() -> int:
    with socket.socket() as s:  # a port nothing listens on: connecting is refused at once
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("args", [("trial-balance",), ("programme", "show"), ("list", "claims")])
def test_a_command_on_an_unreachable_database_says_store_unavailable_in_one_line(args, monkeypatch):
    for name in [n for n in os.environ if n.startswith("VOUCHER_LEDGER_")]:
        monkeypatch.delenv(name)
    for name, value in {"VOUCHER_LEDGER_STORE": "postgres", "VOUCHER_LEDGER_POSTGRES_HOST": "127.0.0.1",
                        "VOUCHER_LEDGER_POSTGRES_PORT": str(_closed_port()), "VOUCHER_LEDGER_POSTGRES_DBNAME": "none",
                        "VOUCHER_LEDGER_POSTGRES_CONNECT_TIMEOUT_S": "1", "COLUMNS": "200"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(build(), list(args))
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 1, done.output
    assert "Traceback" not in done.output and "STORE_UNAVAILABLE" in done.output, done.output
    assert len(done.output.strip().splitlines()) <= 2, done.output
