"""`voucher-ledger` run inside the test's process: typer's CliRunner over the app the installed script runs
(``simulator.cli.app``), on the environment a user would set and nothing else of the test's own.

Where the process boundary is not what a test is about, this spares a Python start (a second or more on a loaded
machine) per command. tests/e2e/test_api_cli.py keeps running the installed script as a real process.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from simulator.cli import app
from store.settings import get_settings


@dataclass(frozen=True)
class Ran:
    """What a run of the command line left: its exit code and what it wrote, as ``subprocess.run`` gives them."""

    returncode: int
    stdout: str
    stderr: str


def voucher_ledger(args: list[str], env: dict[str, str], *, cwd: Path | None = None) -> Ran:
    """Run ``voucher-ledger ARGS`` with ``env`` as its only VOUCHER_LEDGER_* settings (the test's own are hidden
    while it runs), 200 columns wide, in ``cwd`` if given."""
    hidden: dict[str, str | None] = {name: None for name in os.environ if name.startswith("VOUCHER_LEDGER_")}
    get_settings.cache_clear()  # the command line reads its settings from the environment, as a process would
    try:
        with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
            done = CliRunner().invoke(app, args, env={**hidden, "COLUMNS": "200", **env}, catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    return Ran(done.exit_code, done.stdout, done.stderr)


def run(args: list[str], cwd: Path, **env: str) -> Ran:
    """``tests.e2e.test_api_cli.run``'s call (the arguments, the folder, the settings as keywords), in this
    process."""
    return voucher_ledger(args, env, cwd=cwd)
