"""``python -m bench``: run the benchmarks, print a table, optionally write the JSON document."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from bench.context import STORES
from bench.progress import RichTracker, Tracker
from bench.registry import load_all
from bench.report import goals_table, table, write_json
from bench.runner import run
from bench.scale import SCALES


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_const", const="quick", dest="scale",
                      help="smaller counts: the whole run takes under two minutes on 2 cores")
    size.add_argument("--scale", choices=sorted(SCALES), help="full (default), quick, or tiny (smoke run)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this benchmark (repeat to run several); see --list")
    parser.add_argument("--store", action="append", choices=STORES, help="measure only this store (repeatable)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--postgres-url", help="server to create the scratch database on (default: "
                        "$VOUCHER_LEDGER_TEST_POSTGRES_URL, else postgresql://postgres@127.0.0.1:5432/postgres)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console() if sys.stdout.isatty() else Console(width=200)  # full table when piped to a file
    if args.list:
        for name, bench in load_all().items():
            console.print(f"[bold]{name}[/bold]  {bench.description}")
        return 0
    tracker = Tracker() if args.no_progress else RichTracker(Console(stderr=True))
    try:
        result = run(args.only, scale=args.scale or "full", stores=tuple(args.store or STORES),
                     postgres_url=args.postgres_url, tracker=tracker)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    console.print(table(result))
    verdicts = goals_table(result)
    if verdicts is not None:
        console.print(verdicts)
    each = ", ".join(f"{name} {seconds:g}" for name, seconds in result["benchmark_durations_s"].items())
    console.print(f"finished in {result['duration_s']} s ({each})")
    if args.json:
        write_json(result, args.json)
        console.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
