"""Every command's help says its whole summary: the command line renders help with rich markup, where a bracketed
phrase ("prints [claims cleared, ...]") is read as a style tag and dropped. A review found `publicity close --help`
saying "prints ." and nothing of what it prints."""

from __future__ import annotations

import re

import typer
from typer.testing import CliRunner

from api.cli import build


def _commands(group, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (typer may bring its own click)
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def test_every_commands_help_shows_every_word_of_its_summary():
    app = build()
    root = typer.main.get_command(app)
    runner = CliRunner()
    lost = []
    for path, command in _commands(root):
        summary = (command.help or "").strip().split("\n\n")[0]
        shown = " ".join(runner.invoke(app, [*path, "--help"], env={"COLUMNS": "400"}).output.split())
        missing = [w for w in re.findall(r"[A-Za-z]+", summary) if w not in shown]
        if missing:
            lost.append((" ".join(path), missing))
    assert lost == []


def test_the_command_lines_own_help_does_not_tie_it_to_the_2018_2020_years():
    """A successor year is opened with no code change (DOMAIN.md "Programme years"); a review found `voucher-ledger
    --help` calling the tool a ledger "of Guangdong's 2018-2020 cloud service vouchers" on a store running 2027."""
    shown = " ".join(CliRunner().invoke(build(), ["--help"], env={"COLUMNS": "400"}).output.split())
    assert "2018-2020 cloud service vouchers" not in shown and "successor years" in shown, shown[:300]
