"""Claims/s through the group-commit writer (``writer.group_commit``): N callers submit claims, one writer decides
them against in-memory state and commits whatever is waiting in one transaction, answering each after the commit.

Same claims and set-up as the ``commands`` benchmark (one provider and its own vouchers per worker), so the two
figures compare directly; both are divided by the store's 1-connection single-row commit rate.
"""

from __future__ import annotations

from bench.benchmarks.commands import claims_plan, open_app
from bench.context import Context
from bench.ledger_world import BenchWorld
from bench.registry import Figure, Goal, benchmark
from bench.scale import workers_label
from bench.timing import Job, Tally, measure
from writer.group_commit import GroupCommitWriter

GOAL_RATIO = 1.0  # issue 4: with 8 callers, claims/s at least the store's 1-connection single-row commit rate


def writer_claim_job(world: BenchWorld, writer: GroupCommitWriter, vouchers, provider_id, n: int, advance) -> Job:
    def job(tally: Tally) -> None:
        for i in range(n):
            command, by = world.claim_command(vouchers[i % len(vouchers)], provider_id)  # prepared by the caller
            tally.attempt(lambda c=command, b=by: writer.execute(c, b))
            advance()

    return job


@benchmark("group_commit", order=25, description="claims/s through the group-commit writer, 1 and N callers")
def group_commit(ctx: Context) -> list[Figure]:
    figures: list[Figure] = []
    scale = ctx.scale
    for store in ("postgres", "sqlite"):
        if not ctx.uses(store):
            continue
        app = open_app(ctx, store)
        try:
            world = BenchWorld(app)
            world.set_up_year(cities=1)
            for workers in scale.concurrency:
                label = workers_label(workers, "caller")
                # Set-up writes directly, before the writer starts: while it runs it should be the only writer.
                providers, plan, per_worker = claims_plan(ctx, store, world, workers, label)
                with GroupCommitWriter(app) as writer, ctx.tracker.step(
                    f"{store}: group-commit claims, {label}", scale.repeats * workers * per_worker
                ) as adv:
                    figure = measure(
                        f"{store}.claims.group_commit.{label}",
                        "claims/s",
                        lambda r: [writer_claim_job(world, writer, plan[r][w], providers[w], per_worker, adv)
                                   for w in range(workers)],
                        scale.repeats,
                        baseline=f"{store}.insert_commit.1conn",
                        notes={"callers": workers},
                    )
                    figure.notes["mean_batch"] = round(writer.commands / max(1, writer.batches), 2)
                if workers > 1 and store == "postgres":
                    figure.goals.append(Goal(">=", GOAL_RATIO, of="ratio"))
                figures.append(figure)
        finally:
            app.close()
    return figures
