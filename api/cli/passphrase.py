"""The passphrase of the auditor's private key: from a file, an environment variable, or asked for.

In that order: ``--passphrase-file`` (or ``VOUCHER_LEDGER_AUDITOR_PASSPHRASE_FILE``; its first line), then
``VOUCHER_LEDGER_AUDITOR_PASSPHRASE``, then a prompt (hidden; ``keygen`` asks twice). A file or a secret store's
variable suits cron and CI; the prompt, a person. The passphrase is never a command-line argument (every user of the
machine could read it in the process list).
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

ENV = "VOUCHER_LEDGER_AUDITOR_PASSPHRASE"
FILE_ENV = "VOUCHER_LEDGER_AUDITOR_PASSPHRASE_FILE"
FILE_OPTION = typer.Option(None, "--passphrase-file", envvar=FILE_ENV,
                           help=f"a file whose first line is the key's passphrase (else ${ENV}, else a prompt)")


class NoPassphrase(Exception):
    pass


def passphrase(file: Path | None, *, new: bool = False) -> bytes:
    """The passphrase from ``file``, the environment or a prompt; ``new``: for a key being made (asked twice)."""
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise NoPassphrase(f"cannot read {file}: {exc.strerror}") from None
        if not lines or not lines[0]:
            raise NoPassphrase(f"{file} holds no passphrase on its first line")
        return lines[0].encode()
    if os.environ.get(ENV):
        return os.environ[ENV].encode()
    try:
        said = typer.prompt("passphrase of the auditor's key" if not new else "passphrase for the new auditor key",
                            hide_input=True, confirmation_prompt=new)
    except typer.Abort:
        raise NoPassphrase(f"no passphrase: give --passphrase-file, set {ENV}, or answer the prompt") from None
    if not said:
        raise NoPassphrase("an empty passphrase encrypts nothing")
    return said.encode()
