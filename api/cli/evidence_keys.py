"""`voucher-ledger derive-evidence-keys`: give the claims of a store written before invoice and contract keys existed
the keys a claim made now holds (ledger/evidence_keys.py), so that the duplicate rules cover them too.

Run it once after upgrading: until it has gone over the whole store and recorded that (``EvidenceKeysDerivation``),
the service refuses claims on such a store (``EVIDENCE_KEYS_NOT_DERIVED``). It is idempotent (a second run changes
nothing) and safe while the service runs (each claim's keys are one transaction, version-checked like a claim).
"""

from __future__ import annotations

from collections.abc import Callable

import typer
from eventsourcing.utils import get_topic
from rich.console import Console

from api.cli.projections import _events_bar
from store.settings import get_settings
from store.clock import service_clock
from store.opening import open_ledger
from ledger.application import VoucherLedger
from ledger.commands.evidence import DerivedKeys
from ledger.recording import By
from ledger.voucher import Voucher

console = Console()
ACTOR = "system:derive-evidence-keys"
PAGE = 1_000


def derive_stored_claims(ledger: VoucherLedger, by: By, progress: Callable[[int], None] = lambda _: None
                         ) -> DerivedKeys:
    """Every stored claim, in the order the claims were made (so that of two live claims naming one invoice, the
    earlier keeps it); ``progress`` is told how many positions of the store each page covered."""
    done, start, position = DerivedKeys(), 1, 0
    claimed = [get_topic(Voucher.Claimed)]
    while page := ledger.recorder.select_notifications(start, PAGE, topics=claimed):
        for notification in page:
            claim_id = ledger.mapper.to_domain_event(notification).claim_id
            done.add(ledger.derive_evidence_keys(by, voucher_id=notification.originator_id, claim_id=claim_id))
        progress(page[-1].id - position)
        position = page[-1].id
        start = position + 1
    return done


def register(app: typer.Typer) -> None:
    @app.command("derive-evidence-keys")
    def derive_evidence_keys() -> None:
        """Derive invoice and contract keys for claims stored before they existed (idempotent, once after upgrading)."""
        settings = get_settings()
        clock = service_clock(settings)
        ledger = open_ledger(settings, clock=clock)
        try:
            by = By(actor=ACTOR, at=clock.now())
            last, covered = ledger.recorder.max_notification_id() or 0, [0]
            with _events_bar(last, "positions") as advance:

                def advanced(count: int) -> None:
                    covered[0] += count
                    advance(count)

                done = derive_stored_claims(ledger, by, advanced)
                advance(max(0, last - covered[0]))  # the events after the last claim: nothing to do there
            # Only now, over the whole store: a run that stopped half-way leaves claims refused.
            recorded = ledger.record_evidence_keys_derived(by, up_to_position=last, derived=done)
        finally:
            ledger.close()
        derived = (f"{done.invoices:,} invoice keys and {done.parts:,} contract parts derived"
                   if done.invoices or done.parts else "nothing left to derive")
        console.print(f"{settings.describe_store()}: {done.claims:,} claims looked at; {derived}")
        for conflict in done.conflicts:
            console.print(f"[yellow]kept by the earlier claim[/]: {conflict}")
        console.print("derivation recorded: the service takes claims on this store" if recorded
                      else "derivation was recorded before: the service takes claims on this store")
