"""One item funded once over HTTP and on the command line: a claim that omits its funding declaration is answered
with the ledger's own code (FUNDING_NOT_DECLARED), not a schema error; the province records a contract's other fiscal
funding (POST /v1/providers/{provider}/other-funding, or `voucher-ledger record-other-funding`), and a claim on that
contract is refused ALREADY_FUNDED, as is funding a contract already claimed."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from api.cli import funding as cli_funding
from store.settings import get_settings
from tests.support.api_helpers import api_ready_for_claims, assert_problem, iso, ok, store_env, store_params


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory):
    with api_ready_for_claims(request, tmp_path_factory) as api:
        yield api


def funding_body(api, contract_no: str) -> dict:
    return {"contract_no": contract_no, "fund_name": "广东省工业和信息化专项资金", "document_no": "粤工信〔2019〕12号",
            "amount_fen": 3_000_000, "effective_at": iso(api.clock.now), "reason": "该合同已获省级专项资金扶持"}


def test_a_claim_without_its_declaration_is_refused_with_its_own_code(api):
    body = api.claim_body(api.provider, eligible_fee_fen=100_000)
    del body["no_other_funding"]  # a client written before the declaration existed
    before = api.event_count()
    problem = assert_problem(api.claim(api.voucher, body), 422, "FUNDING_NOT_DECLARED")
    assert "no_other_funding" in problem["detail"]
    assert_problem(api.claim(api.voucher, {**body, "no_other_funding": "true"}), 422, "INVALID_INPUT")  # strict
    assert_problem(api.claim(api.voucher, {**body, "no_other_funding": False}), 409, "ALREADY_FUNDED")
    assert api.event_count() == before


def test_a_contract_funded_elsewhere_is_refused_on_a_voucher_and_a_claimed_one_is_not_funded_again(api):
    path = f"/v1/providers/{api.provider.id}/other-funding"
    recorded = ok(api.post(path, funding_body(api, "ht-of-1")), 201)
    assert recorded == {"provider_id": api.provider.id, "contract_no": "HT-OF-1", "source": "OTHER_FUND"}
    problem = assert_problem(api.claim(api.voucher, api.claim_body(api.provider, eligible_fee_fen=100_000,
                                                                   contract_no="HT-OF-1")), 409, "ALREADY_FUNDED")
    assert [v["code"] for v in problem["violations"]] == ["ALREADY_FUNDED"]

    ok(api.claim(api.voucher, api.claim_body(api.provider, eligible_fee_fen=100_000, contract_no="HT-OF-2")), 201)
    assert_problem(api.post(path, funding_body(api, "HT-OF-2")), 409, "ALREADY_FUNDED")
    assert_problem(api.post(path, funding_body(api, "HT-OF-3"), role=f"provider:{api.provider.uscc}"), 403,
                   "FORBIDDEN")
    assert_problem(api.post(path, {**funding_body(api, "HT-OF-3"), "amount_fen": 1.5}), 422, "INVALID_INPUT")


def test_the_command_line_records_other_funding_by_the_providers_uscc(api, monkeypatch):
    for name, value in {**store_env(api.settings), "COLUMNS": "250"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    app = typer.Typer()
    app.callback()(lambda: None)  # a group, as `voucher-ledger` is: the command is named
    cli_funding.register(app)
    args = ["record-other-funding", api.provider.uscc, "HT-CLI-1", "--fund-name", "市级技改资金", "--document-no",
            "佛工信〔2019〕5号", "--amount-fen", "1500000", "--effective-at", "2019-04-01T10:00:00+08:00",
            "--reason", "市级资金已扶持该项目"]
    try:
        done = CliRunner().invoke(app, args, catch_exceptions=False)
        again = CliRunner().invoke(app, args, catch_exceptions=False)
        as_city = CliRunner().invoke(app, [*args, "--actor", "city:440600"], catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == {"provider_id": api.provider.id, "contract_no": "HT-CLI-1",
                                       "source": "OTHER_FUND"}
    assert again.exit_code == 1 and "ALREADY_FUNDED" in again.output
    assert as_city.exit_code == 2
    assert_problem(api.claim(api.voucher, api.claim_body(api.provider, eligible_fee_fen=100_000,
                                                         contract_no="HT-CLI-1")), 409, "ALREADY_FUNDED")
