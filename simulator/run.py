"""Run a simulated 2018-2020 programme into a ledger: seeded, streaming, many commands per transaction."""

from __future__ import annotations

import gc
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from ledger.application import VoucherLedger
from simulator.agenda import Agenda
from simulator.awards import Awards
from simulator.feedback import Feedback
from simulator.journeys import Journeys
from simulator.population import Population
from simulator.programme import Programme, local
from simulator.publicity import Publicity
from simulator.reference import POOL_ADMITTED_ON, YEAR_STARTS, YEARS
from writer.unit_of_work_scope import unit_of_work

# Measured: events recorded per participating enterprise at the default mix (1,121,823 / 46,729); used only to
# size the population for a requested number of events — the run reports the exact count.
EVENTS_PER_ENTERPRISE = 24.0


@dataclass(frozen=True)
class Scale:
    enterprises: int  # over the three years
    platforms: int
    services: int

    @classmethod
    def for_events(cls, events: int) -> Scale:
        """The policy's 2020 targets — ~20 platforms, ~200 service providers, ~10,000 enterprises — at ~10^6 events."""
        enterprises = max(30, round(events / EVENTS_PER_ENTERPRISE))
        return cls(enterprises, max(4, round(enterprises * 20 / 10_000)), max(6, round(enterprises * 200 / 10_000)))

    @property
    def aggregates_in_use(self) -> int:
        """About how many aggregates a programme year keeps using: vouchers are claimed months after issue, so the
        year's enterprises, vouchers, their claims' contract and invoice keys (released when a claim is rejected)
        and the weeks' settlement batches, ~3.6 per enterprise of the run. A cache this size reloads almost nothing
        from the store (bench/README.md, "The simulator": 27,610 reloads of ~1 ms at 1.2 per enterprise, 252 at 3.6,
        1.25M events)."""
        return self.enterprises * 18 // 5


@dataclass
class SimulationReport:
    seed: int
    scale: Scale
    events: int = 0
    commands: int = 0
    refusals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    peak_rss_mib: float = 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def simulate(
    app: VoucherLedger,
    *,
    events: int = 1_000_000,
    seed: int = 1,
    flush_events: int = 2_000,
    cache_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    until: datetime | None = None,
) -> SimulationReport:
    """Simulate the programme at the scale that records about ``events`` events (into an empty ledger); with
    ``until``, only its history before that moment (the demo's: the programme as it stands on a given morning)."""
    scale = Scale.for_events(events)
    report = SimulationReport(seed=seed, scale=scale)
    if cache_size is None:
        # ~2 KB an aggregate in memory: memory stays flat through the run, at a level set by the scale. A smaller
        # cache still works, but every miss reloads an aggregate from the store.
        cache_size = max(50_000, scale.aggregates_in_use)
    started = time.perf_counter()
    # Millions of short-lived events and dicts make the cyclic collector run constantly; nothing here forms cycles
    # that outlive a flush, so collect far less often while simulating (restored afterwards).
    thresholds = gc.get_threshold()
    gc.set_threshold(200_000, 50, 1_000)
    try:
        _run(app, scale, seed, flush_events, cache_size, report, progress, until)
    finally:
        gc.set_threshold(*thresholds)
    report.seconds = time.perf_counter() - started
    report.peak_rss_mib = peak_rss_mib()
    return report


def _run(app: VoucherLedger, scale: Scale, seed: int, flush_events: int, cache_size: int,
         report: SimulationReport, progress: Callable[[int], None] | None, until: datetime | None) -> None:

    def flushed(count: int) -> None:
        report.events += count
        if progress:
            progress(count)

    with unit_of_work(app, cache_size=cache_size, sole_writer_of_empty_store=True) as uow:
        report.events = app.recorder.max_notification_id() or 0  # the store's set-up: counted, as it is in the store
        agenda, population = Agenda(), Population(seed, random.Random(seed))
        per_year = scale.enterprises // len(YEARS)
        programme = Programme(app, uow, agenda, population, per_year,
                              population.providers(scale.platforms, scale.services), flushed, flush_events)
        publicity = Publicity(programme)
        awards = Awards(programme)
        journeys = Journeys(programme, Feedback(programme), publicity, awards)
        agenda.at(local(POOL_ADMITTED_ON), programme.admit_providers)
        for n, year in enumerate(YEARS):
            agenda.at(local(YEAR_STARTS[year], 9), programme.setup_year, year)
            agenda.at(local(YEAR_STARTS[year], 9), awards.setup_year, year)
            cohort = per_year if n < len(YEARS) - 1 else scale.enterprises - per_year * (len(YEARS) - 1)
            journeys.schedule_cohort(year, 1 + n * per_year, cohort)
        agenda.at(local(date(2018, 4, 6), 10), programme.settle_week)  # the first Friday after the first claims
        agenda.at(local(date(2018, 4, 3), 10), publicity.publish_week)  # Tuesdays
        publicity.schedule_calendars()
        while agenda.run_next(until):
            pass
        flushed(uow.flush())
    report.commands, report.refusals = programme.commands, dict(sorted(programme.refusals.items()))
