"""`voucher-ledger derive-evidence-keys`: give the claims of a store written before invoice and contract keys existed
the keys a claim made now holds (ledger/evidence_keys.py), so that the duplicate rules cover them too.

Run it once after upgrading: until it has gone over the whole store and recorded that (``EvidenceKeysDerivation``),
the service refuses claims on such a store (``EVIDENCE_KEYS_NOT_DERIVED``). It is idempotent (a second run changes
nothing) and safe while the service runs (each claim's keys are one transaction, version-checked like a claim).

Run it again after upgrading to the code that compares numbers typed in full-width forms, other dashes or invisible
characters as their plain forms (``ledger.reference_numbers``): keys derived from such numbers before are reached by
no claim any more. It gives each funded contract's funding, then each live claim, the keys their numbers name now,
and lists what two claims, or a claim and a funding, turn out to share.
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
from ledger.evidence_keys import ContractKey
from ledger.stored_names import stored_topics
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


def derive_funded_contracts(ledger: VoucherLedger, by: By) -> DerivedKeys:
    """Every contract key that records a funding (an award's or another fund's): its funding carried to the key its
    number names today where that is another key. Run before the claims, so that a claim part added to a funded
    contract is reported."""
    done, start = DerivedKeys(), 1
    funded = [*stored_topics(ContractKey.OtherFundingRecorded), *stored_topics(ContractKey.AwardFunded)]
    while page := ledger.recorder.select_notifications(start, PAGE, topics=funded):
        for notification in page:
            done.add(ledger.derive_funding_key(by, key_id=notification.originator_id))
        start = page[-1].id + 1
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

                done = derive_funded_contracts(ledger, by)
                done.add(derive_stored_claims(ledger, by, advanced))
                advance(max(0, last - covered[0]))  # the events after the last claim: nothing to do there
            # Only now, over the whole store: a run that stopped half-way leaves claims refused.
            recorded = ledger.record_evidence_keys_derived(by, up_to_position=last, derived=done)
        finally:
            ledger.close()
        derived = (f"{done.invoices:,} invoice keys, {done.parts:,} contract parts and {done.fundings:,} fundings "
                   f"derived" if done.invoices or done.parts or done.fundings else "nothing left to derive")
        console.print(f"{settings.describe_store()}: {done.claims:,} claims looked at; {derived}")
        for conflict in done.conflicts:
            console.print(f"[yellow]kept by the earlier claim[/]: {conflict}")
        for conflict in done.funded_twice:
            console.print(f"[yellow]funded twice, to review[/]: {conflict}")
        console.print("derivation recorded: the service takes claims on this store" if recorded
                      else "derivation was recorded before: the service takes claims on this store")
