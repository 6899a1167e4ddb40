"""The demo: a simulated programme in an embedded SQLite store, up to a morning inside the last year's redemption
window, served on a training clock that starts there; tokens, and example requests that write and read.

The store is opened on :class:`simulator.store.DemoOpening`: its training mark names the demo's clock, so the
service and every command run with ``VOUCHER_LEDGER_CLOCK`` set to the same start (the printed ``export`` line)
share one clock that runs on, in real time, from the end of the simulated history.
"""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from uuid import UUID

from rich.console import Console

from api.http.auth import mint
from ledger.application import VoucherLedger
from ledger.errors import LedgerError
from api.http.console.links import console_link
from projections.read_models import ReadModels
from simulator.demo_examples import Picked, read_examples, write_examples
from simulator.programme import local
from simulator.reference import DEMO_DAY
from simulator.store import open_simulation_store
from store.clock import TrainingClock
from store.settings import Settings

DEMO_CLOCK = local(DEMO_DAY, 9)  # the simulated history stops here, and the demo's training clock starts here
MIN_BALANCE_FEN = 1_000


def _providers_with_room(ledger: VoucherLedger, read: ReadModels, year: int, at: datetime) -> list[tuple]:
    """Whitelisted providers, in the pool for ``year``, with quota left: (room, provider) by most room first."""
    found, after = [], None
    while True:
        page = read.list_page("providers", equal=[("status", "WHITELISTED")], where=[], after=after, limit=500)
        for row in page.items:
            provider = ledger.provider(UUID(str(row["provider_id"])))
            try:
                provider.require_whitelisted(at)
                room = ledger.provider_quota(provider.id, year).remaining_fen
            except LedgerError:
                continue
            if room >= 2 * MIN_BALANCE_FEN:
                found.append((room, provider))
        if page.next_key is None:
            return sorted(found, key=lambda pair: (-pair[0], pair[1].uscc))
        after = page.next_key


def pick(ledger: VoucherLedger, read: ReadModels, at: datetime) -> Picked:
    """A voucher of the year open at ``at`` with balance left (one already claimed on, if any, for a longer audit
    trail), and the provider with the most quota left for that year."""
    year = at.astimezone(DEMO_CLOCK.tzinfo).year
    providers = _providers_with_room(ledger, read, year, at)
    if not providers:
        raise RuntimeError(f"no whitelisted provider has {year} quota left; run the demo with more events")
    room, provider = providers[0]
    fallback, after = None, None
    while True:
        page = read.list_page("vouchers", equal=[("programme_year", year), ("status", "ACTIVE")], where=[], now=at,
                              after=after, limit=500)
        for row in page.items:
            voucher = ledger.voucher(UUID(str(row["voucher_id"])))
            if voucher.balance_fen < MIN_BALANCE_FEN or at >= voucher.expires_at:
                continue
            picked = Picked(voucher.id, ledger.enterprise(voucher.enterprise_id).uscc, voucher.city, year,
                            voucher.fee_category, voucher.rate, voucher.balance_fen, provider.id, provider.uscc, room)
            if voucher.claims:
                return picked
            fallback = fallback or picked
        if page.next_key is None:
            break
        after = page.next_key
    if fallback is None:
        raise RuntimeError(f"no {year} voucher has balance left; run the demo with more events")
    return fallback


def prepare_demo(settings: Settings, *, events: int, seed: int, console: Console) -> Settings:
    """Fill the demo's store and print its tokens and examples; the settings to serve it with (its clock set)."""
    from rich.progress import Progress

    from api.cli.projections import _events_bar
    from simulator import simulate

    for suffix in ("", "-wal", "-shm"):
        settings.sqlite_path.with_name(settings.sqlite_path.name + suffix).unlink(missing_ok=True)
    ledger = open_simulation_store(settings, training_clock_start=DEMO_CLOCK)
    try:
        with Progress(console=console) as progress:
            task = progress.add_task(f"simulating about {events:,} events, up to {DEMO_CLOCK:%Y-%m-%d %H:%M}",
                                     total=events)
            report = simulate(ledger, events=events, seed=seed, until=DEMO_CLOCK,
                              progress=lambda n: progress.update(task, advance=n))
            progress.update(task, completed=events)
        console.print(f"{report.events:,} events in {report.seconds:.0f} s; building the read models ...")
        mark = ledger.training_mark()
        assert mark is not None and mark.real_started_at is not None
        clock = TrainingClock(DEMO_CLOCK, real_origin=mark.real_started_at)
        read = ReadModels(settings, ledger, catching_up=partial(_events_bar, to=console))  # a bar, not a silent wait
        try:
            read.refresh()
            picked = pick(ledger, read, clock.now())
        finally:
            read.close()
    finally:
        ledger.close()
    served = settings.model_copy(update={"clock": DEMO_CLOCK})
    _print(served, picked, clock.now(), console)
    return served


def _print(settings: Settings, picked: Picked, now: datetime, console: Console) -> None:
    base = f"http://{settings.api_host}:{settings.api_port}/v1"
    roles = {"province": "province", "auditor": "auditor", "city": f"city:{picked.city}",
             "enterprise": f"enterprise:{picked.enterprise_uscc}", "provider": f"provider:{picked.provider_uscc}"}
    tokens = {name: mint(settings, role) for name, role in roles.items()}
    console.print(f"\nThe service runs on a [bold]training clock[/] that started at {DEMO_CLOCK.isoformat()} "
                  f"(now {now.astimezone(DEMO_CLOCK.tzinfo):%Y-%m-%d %H:%M:%S}); its store is a training store.")
    console.print("\n[bold]Tokens[/] (valid for the configured lifetime):")
    for name, role in roles.items():
        print(f"  {role:<32} {tokens[name]}")  # plain print: a wrapped token cannot be pasted
    console.print(f"\n[bold]Write[/] (in another shell while the service runs; API reference at "
                  f"http://{settings.api_host}:{settings.api_port}/docs):")
    tag = f"{int(datetime.now(UTC).timestamp())}"
    for line in write_examples(base, tokens, picked, now, tag):
        print(f"  {line}")
    console.print("\n[bold]Read[/]:")
    for line in read_examples(base, tokens, picked):
        print(f"  {line}")
    path = Path(settings.sqlite_path).resolve()
    console.print("\n[bold]The command line[/] on the demo's store and clock, after this line:")
    print(f"  export VOUCHER_LEDGER_STORE=sqlite VOUCHER_LEDGER_SQLITE_PATH={shlex.quote(str(path))} "
          f"VOUCHER_LEDGER_CLOCK={DEMO_CLOCK.isoformat()}")
    print(f"  {_program()} list claims --voucher {picked.voucher_id}")
    console.print("\n[bold]Web console[/] (a one-time sign-in link, valid 10 minutes; "
                  "`voucher-ledger console-link --role ROLE` prints another):")
    print(f"  {console_link(settings, 'auditor', base_url=f'http://{settings.api_host}:{settings.api_port}')}")


def _program() -> str:
    """How this command was run (``.venv/bin/voucher-ledger`` in the README), so the printed line runs as is."""
    ran = Path(sys.argv[0])
    return shlex.quote(str(ran)) if ran.name == "voucher-ledger" else "voucher-ledger"
