"""The resource pool's evaluation on the command line, as over HTTP:

* `voucher-ledger evaluate-pool YEAR` (``POST /v1/programme/years/{year}/pool-evaluation``): the province evaluates
  YEAR once, over every provider the read models know as admitted; the answer is every result as JSON.
* `voucher-ledger pool-evaluation YEAR` (``GET`` the same): the year's results with their inputs and formula.

Ratings and complaints are the enterprises' own (HTTP, with an enterprise's token); spot checks are recorded with
`POST /v1/providers/{id}/suspension` and `/reinstatement` (assessments of kind SPOT_CHECK).
"""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

import typer

from api.cli.commanding import ACTOR_HELP, opened_on_service_clock, province_actor, refused, show
from ledger.commands import values as v
from ledger.errors import EvaluationNotRunError, LedgerError
from ledger.evaluation import EvaluationResult
from ledger.recording import By
from api.cli.queries import read_models
from store.opening import open_ledger
from store.settings import get_settings


def _answer(year: int, results: list[EvaluationResult]) -> dict:
    return {"year": year, "evaluated": len(results), "promoted": sum(r.promoted for r in results),
            "eliminated": sum(r.eliminated for r in results),
            "results": [{"provider_id": r.provider_id, "kind": r.kind, "score": r.score, "outcome": r.outcome,
                         "inputs": {**asdict(r.inputs), "average_rating": r.inputs.average_rating},
                         "formula": r.rules.as_record(), "cap_fen": r.cap_fen,
                         "quota_factor": r.quota_factor, "next_quota_fen": r.next_quota_fen,
                         "quota_set_fen": r.quota_set_fen} for r in results]}


def register(app: typer.Typer) -> None:
    @app.command("evaluate-pool")
    def evaluate_pool(
        year: int = typer.Argument(..., help="the programme year to evaluate (its next year must be open)"),
        actor: str = typer.Option("province:ops", help=ACTOR_HELP),
    ) -> None:
        """Evaluate YEAR's resource pool once: scores, promotions, eliminations for the next year, next-year quotas."""
        actor = province_actor(actor)
        ledger, clock = opened_on_service_clock()  # a training store's evaluation is dated on its own clock
        by = By(actor=actor, at=clock.now(), correlation_id=f"pool-evaluation-{year}")
        read = read_models(get_settings(), ledger)  # a long catch-up shows its bar
        try:
            providers = tuple(UUID(p) for p in read.pool_providers())
            results = ledger.handle(v.EvaluateResourcePool(year=year, provider_ids=providers), by)
        except LedgerError as exc:
            raise refused(exc) from None
        finally:
            read.close()
            ledger.close()
        show(_answer(year, results))

    @app.command("pool-evaluation")
    def pool_evaluation(year: int = typer.Argument(..., help="the programme year evaluated")) -> None:
        """A year's evaluation results, each with its inputs, formula and lines."""
        ledger = open_ledger()
        try:
            results = ledger.evaluation_results(year)
            if results is None:
                raise refused(EvaluationNotRunError(f"the {year} resource pool has not been evaluated"))
        finally:
            ledger.close()
        show(_answer(year, results))
