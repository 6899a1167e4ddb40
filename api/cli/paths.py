"""Where a command is told to write, checked before it does any work: a path it cannot write is a one-line error
(exit 2) and nothing is written — never a traceback after the work is done, or half done (an import's good rows
written, then its report of the refused ones lost).

One rule for every command: a file named on the command line goes into a folder that exists. A missing folder is
more often a typo than a wish, and creating it would write where nobody meant (as root, anywhere): so it is an
error, not created. Only a command's own default places (``var/audit/…``) are created, and the export's OUT, which
is a folder, is created in a folder that exists.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.console import Console

errors = Console(stderr=True)


def _refuse(what: str, path: Path, why: str, hint: str = "") -> typer.Exit:
    errors.print(f"[red]{what} {path}[/]: {why}; nothing was written{hint}", soft_wrap=True)  # one line, however long
    return typer.Exit(2)


def _writable_folder(folder: Path, what: str, path: Path, hint: str = "") -> None:
    if not folder.is_dir():
        raise _refuse(what, path, f"the folder {folder} does not exist (create it first)", hint)
    try:  # writing is the only test that sees a read-only mount or an ACL as the command will
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise _refuse(what, path, f"cannot write in {folder} ({exc.strerror or exc})", hint) from None


def output_file(path: Path, what: str, hint: str = "") -> Path:
    """``path`` as a file the command will write (``what`` names it in the error, e.g. ``--out``; ``hint``, if
    any, follows it: where else it could go)."""
    if path.is_dir():
        raise _refuse(what, path, "is a folder: name a file", hint)
    _writable_folder(path.parent, what, path, hint)
    return path


def output_folder(path: Path, what: str) -> Path:
    """``path`` as a folder the command will write into: an existing folder, or a new one in a folder that exists."""
    if path.exists() and not path.is_dir():
        raise _refuse(what, path, "is a file, not a folder: name a folder to write into")
    _writable_folder(path if path.is_dir() else path.parent, what, path)
    return path
