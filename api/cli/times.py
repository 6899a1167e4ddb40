"""Times on the command line: ISO-8601 with a UTC offset, or a clear error and exit code 2 (never a guessed zone)."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console

from api.cli.commanding import service_now
from ledger.fiscal_time import shanghai_text

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


def parse_as_of(text: str | None, option: str) -> datetime | None:
    """``--as-of`` / ``--known-at`` of an answer: ``parse_moment``, and not after now on the service's clock, as the
    API refuses it (AS_OF_IN_FUTURE): a figure as of a future time would be a guess, not a record."""
    moment = parse_moment(text, option)
    if moment is not None and moment > (now := service_now()):
        console.print(f"[red]AS_OF_IN_FUTURE[/]: {option} {text} is after now ({shanghai_text(now)}): the ledger "
                      "answers as of the past and the present only")
        raise typer.Exit(2)
    return moment
