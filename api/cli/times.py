"""Times on the command line: ISO-8601 with a UTC offset, or a clear error and exit code 2 (never a guessed zone)."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console

console = Console(stderr=True)


def parse_moment(text: str | None, option: str) -> datetime | None:
    """``--as-of`` / ``--known-at`` / ``--until``: None stays None (the command's default applies)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        console.print(f"[red]{option} {text!r}[/] is not an ISO-8601 time (e.g. 2020-03-05T00:00:00+08:00)")
        raise typer.Exit(2) from None
    if moment.utcoffset() is None:
        console.print(f"[red]{option} {text}[/] needs a UTC offset, e.g. 2020-03-05T00:00:00+08:00")
        raise typer.Exit(2)
    return moment
