"""The resource pool's evaluation over HTTP and on the command line (DOMAIN.md, "Resource pool evaluation"): an
enterprise rates (once) and complains about the provider of its own claim, another enterprise is answered as if the
voucher did not exist; the province opens the next year (its evaluation rules copied), runs the year's evaluation
once its vouchers' redemption deadline has passed, and the results read back with their inputs and formula. Figures by the 2018-2020 formula: one rating of 2 is
40 points, one complaint 5 off: 35, below the line of 60, so eliminated for 2021 with a 2021 quota of 0."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import typer
from typer.testing import CliRunner

from api.cli import evaluation as cli_evaluation
from store.settings import get_settings
from tests.support.api_helpers import (
    DONGGUAN, FOSHAN, START, assert_problem, module_store_settings, ok, patched_clock, running_api, store_env, store_params,
)


@pytest.fixture(scope="module", params=store_params())
def story(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock() as clock, running_api(settings, clock) as api:
        api.setup_year()
        own, stranger = api.eligible_enterprise(FOSHAN), api.eligible_enterprise(DONGGUAN)
        provider = api.whitelisted_provider()
        clock.advance(days=1)
        voucher = ok(api.issue(own), 201)["voucher_id"]
        claim = ok(api.claim(voucher, api.claim_body(provider, eligible_fee_fen=1_000_000)), 201)["claim_id"]
        yield api, settings, own, stranger, provider, f"/v1/vouchers/{voucher}/claims/{claim}"


def _evaluation_cli(api, monkeypatch, args: list[str], clock: str | None = None):
    """The evaluation commands run in this process, pointed at the story's store (and its training clock, if given)."""
    for name, value in {**store_env(api.settings), "COLUMNS": "250"}.items():
        monkeypatch.setenv(name, value)
    if clock:
        monkeypatch.setenv("VOUCHER_LEDGER_CLOCK", clock)
    get_settings.cache_clear()
    app = typer.Typer()
    cli_evaluation.register(app)
    try:
        return CliRunner().invoke(app, args, catch_exceptions=False)
    finally:
        monkeypatch.delenv("VOUCHER_LEDGER_CLOCK", raising=False)
        get_settings.cache_clear()


def test_an_enterprise_rates_once_and_complains_only_on_its_own_claim_then_the_province_evaluates(story, monkeypatch):
    api, _, own, stranger, provider, claim = story
    as_own, as_stranger = f"enterprise:{own.uscc}", f"enterprise:{stranger.uscc}"
    assert_problem(api.post(f"{claim}/rating", {"score": 2}, role=as_stranger), 404, "VOUCHER_NOT_FOUND")
    ok(api.post(f"{claim}/rating", {"score": 2, "comment": "交付延期"}, role=as_own), 201)
    assert_problem(api.post(f"{claim}/rating", {"score": 5}, role=as_own), 409, "ALREADY_RATED")
    assert_problem(api.post(f"{claim}/rating", {"score": 0}, role=as_own), 422)
    assert_problem(api.post(f"{claim}/complaints", {"reason": "无关"}, role=as_stranger), 404, "VOUCHER_NOT_FOUND")
    ok(api.post(f"{claim}/complaints", {"reason": "验收后系统多次宕机"}, role=as_own), 201)
    assert_problem(api.post(f"{claim}/rating", {"score": 5}, role="province"), 403, "FORBIDDEN")

    assert_problem(api.post("/v1/programme/years/2020/pool-evaluation"), 409, "YEAR_NOT_IN_PROGRAMME")
    opened = ok(api.post("/v1/programme/years", {"year": 2021, "redemption_deadline": "2022-02-08"}), 201)
    assert opened["evaluation"]["formula"] == "pool-evaluation-2018-v1"  # copied from 2020
    assert_problem(api.get("/v1/programme/years/2020/pool-evaluation"), 404, "EVALUATION_NOT_RUN")
    # 2020 vouchers are redeemable until 8 February 2021: the year is evaluated once that day is over
    assert_problem(api.post("/v1/programme/years/2020/pool-evaluation"), 409, "YEAR_NOT_OVER")
    # the command line on this training store's clock (March 2020) is refused the same, not run on today's date
    on_training_clock = _evaluation_cli(api, monkeypatch, ["evaluate-pool", "2020"], clock=START.isoformat())
    assert on_training_clock.exit_code == 1 and "YEAR_NOT_OVER" in on_training_clock.output, on_training_clock.output
    api.clock.set(datetime(2021, 2, 8, 16, 0, tzinfo=UTC))  # 9 February 2021, 00:00 in Guangdong

    run = ok(api.post("/v1/programme/years/2020/pool-evaluation"), 201)
    mine = next(r for r in run["results"] if r["provider_id"] == provider.id)
    assert (mine["ratings"], mine["average_rating"], mine["complaints"]) == (1, "2.00", 1)
    assert (mine["score"], mine["outcome"], mine["quota_set_fen"]) == ("35.00", "ELIMINATED", 0)
    assert (mine["rules"]["elimination_line"], mine["next_year"]) == (60, 2021)
    assert ok(api.get("/v1/programme/years/2020/pool-evaluation")) == run  # the auditor reads the same
    assert_problem(api.post("/v1/programme/years/2020/pool-evaluation"), 409, "YEAR_ALREADY_EVALUATED")
    assert_problem(api.get("/v1/programme/years/2020/pool-evaluation", role=as_own), 403, "FORBIDDEN")


def test_the_command_line_shows_a_years_results(story, monkeypatch):
    api, _, _, _, provider, _ = story
    ok(api.get("/v1/programme/years/2020/pool-evaluation"))  # evaluated by the test above
    shown = _evaluation_cli(api, monkeypatch, ["pool-evaluation", "2020"])
    again = _evaluation_cli(api, monkeypatch, ["evaluate-pool", "2020"])
    assert shown.exit_code == 0, shown.output
    answer = json.loads(shown.output)
    assert answer["eliminated"] >= 1
    assert next(r for r in answer["results"] if r["provider_id"] == provider.id)["score"] == "35.00"
    assert again.exit_code == 1 and "YEAR_ALREADY_EVALUATED" in again.output
