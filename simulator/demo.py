"""The demo: a simulated programme in an embedded SQLite store, its read models, tokens and example requests."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from rich.console import Console

from api.http.auth import mint
from api.http.console.links import console_link
from store.settings import Settings
from simulator.store import open_simulation_store
from projections.read_models import ReadModels
from projections.times import from_us


def _pick(read: ReadModels) -> dict[str, str]:
    """A settled voucher, its enterprise and city, and the provider paid for it."""
    row = read.db.fetchone(
        "SELECT m.voucher_id, m.city, m.provider_id, m.effective_us FROM vl_money_movements m "
        "WHERE m.event_type = 'Voucher.ClaimSettled' ORDER BY m.position LIMIT 1")
    if row is None:
        raise RuntimeError("the simulated programme settled nothing; run the demo with more events")
    voucher_id, city, provider_id, settled_us = row
    enterprise_id = read.db.fetchone("SELECT enterprise_id FROM vl_money_vouchers WHERE voucher_id = ?", (voucher_id,))[0]
    return {"voucher": voucher_id, "city": city, "provider": provider_id, "enterprise_id": enterprise_id,
            "settled": from_us(settled_us).isoformat()}


def prepare_demo(settings: Settings, *, events: int, seed: int, console: Console) -> None:
    from rich.progress import Progress

    from simulator import simulate

    for suffix in ("", "-wal", "-shm"):
        settings.sqlite_path.with_name(settings.sqlite_path.name + suffix).unlink(missing_ok=True)
    ledger = open_simulation_store(settings)
    try:
        with Progress(console=console) as progress:
            task = progress.add_task(f"simulating about {events:,} events", total=events)
            report = simulate(ledger, events=events, seed=seed,
                              progress=lambda n: progress.update(task, advance=n))
            progress.update(task, completed=events)
        console.print(f"{report.events:,} events in {report.seconds:.0f} s; building the read models ...")
        read = ReadModels(settings, ledger)
        try:
            read.refresh()
            picked = _pick(read)
            enterprise = ledger.enterprise(UUID(picked["enterprise_id"]))
            provider = ledger.provider(UUID(picked["provider"]))
        finally:
            read.close()
    finally:
        ledger.close()
    base = f"http://{settings.api_host}:{settings.api_port}/v1"
    roles = {"province": "province", "auditor": "auditor", "city": f"city:{picked['city']}",
             "enterprise": f"enterprise:{enterprise.uscc}", "provider": f"provider:{provider.uscc}"}
    tokens = {name: mint(settings, role) for name, role in roles.items()}
    console.print("\n[bold]Tokens[/] (valid for the configured lifetime):")
    for name, role in roles.items():
        print(f"  {role:<32} {tokens[name]}")  # plain print: a wrapped token cannot be pasted
    before = datetime.fromisoformat(picked["settled"]).astimezone(UTC).replace(microsecond=0)
    console.print("\n[bold]Try[/] (API reference at " f"http://{settings.api_host}:{settings.api_port}/docs):")
    print(f"  curl -s -H 'Authorization: Bearer {tokens['enterprise']}' {base}/vouchers/{picked['voucher']}")
    print(f"  curl -s -H 'Authorization: Bearer {tokens['city']}' "
          f"'{base}/cities/{picked['city']}/spend?as_of={before.isoformat().replace('+00:00', 'Z')}'")
    print(f"  curl -s -H 'Authorization: Bearer {tokens['auditor']}' {base}/audit/voucher/{picked['voucher']}")
    console.print("\n[bold]Web console[/] (a one-time sign-in link, valid 10 minutes; "
                  "`voucher-ledger console-link --role ROLE` prints another):")
    print(f"  {console_link(settings, 'auditor', base_url=f'http://{settings.api_host}:{settings.api_port}')}")

