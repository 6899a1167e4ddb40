"""Options several commands share, defined once so that they are bounded alike."""

from __future__ import annotations

from typing import Any

import typer

MAX_ROWS = 1000  # as every list of the API bounds ``limit``


def limit_option(default: int, help: str) -> Any:
    """``--limit``: 1 to 1000. Zero or a negative number is a usage error (exit 2), never an empty answer."""
    return typer.Option(default, min=1, max=MAX_ROWS, help=f"{help} (1-{MAX_ROWS})")
