"""No cross-scope facts. A city's trail tells a batch payment by that city's own share, never the batch's total or
other cities' claims; and a scoped token asking about something outside its scope gets the very answer an unknown
id gets (404, same code, same wording), so it cannot learn whether another city's enterprise or voucher exists.

Two cities, one provider, one batch paying a claim of each. Expected figures come from the amounts sent and the
rules (``floor_rate``, ``split``), never from the ledger's own output.
"""

from __future__ import annotations

import re
import uuid

import pytest

from projections.audit_summaries import NAMELESS, NAMELESS_LEGACY, SUMMARIES, summarise
from projections.payment_summaries import city_share_of_payment
from tests.support.api_helpers import (
    CITY_QUOTAS, DONGGUAN, FOSHAN, ITEM, START, assert_problem, floor_rate, module_store_settings, ok, patched_clock,
    running_api, split, store_params,
)

FEE_FOSHAN, FEE_DONGGUAN = 1_000_000, 2_000_002
NOWHERE = "445999"  # six digits, not a Guangdong city


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


@pytest.fixture(scope="module", params=store_params())
def world(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.setup_year()
        provider, stranger = api.whitelisted_provider(), api.whitelisted_provider()
        foshan, dongguan = api.eligible_enterprise(FOSHAN), api.eligible_enterprise(DONGGUAN)
        clock.advance(days=1)
        vouchers = {FOSHAN: ok(api.issue(foshan), 201)["voucher_id"], DONGGUAN: ok(api.issue(dongguan), 201)["voucher_id"]}
        clock.advance(days=1)
        batch = api.open_batch(provider)
        for city, fee in ((FOSHAN, FEE_FOSHAN), (DONGGUAN, FEE_DONGGUAN)):
            claim = ok(api.claim(vouchers[city], api.claim_body(provider, eligible_fee_fen=fee)), 201)["claim_id"]
            ok(api.approve(vouchers[city], claim))
            ok(api.add_to_batch(batch, vouchers[city], claim))
        clock.advance(days=1)
        ok(api.pay(batch))
        yield {"api": api, "provider": provider, "stranger": stranger, "foshan": foshan, "dongguan": dongguan,
               "vouchers": vouchers, "batch": batch}


def _amount(fee: int) -> int:
    return floor_rate(fee, ITEM["APP-ERP"]["rate"])


def test_a_city_trail_shows_only_its_own_share_of_a_batch_payment(world):
    api = world["api"]
    own, other = _amount(FEE_FOSHAN), _amount(FEE_DONGGUAN)
    city_part, province_part = split(own, CITY_QUOTAS[FOSHAN][1])
    trail = ok(api.get(f"/v1/audit/city/{FOSHAN}", role=f"city:{FOSHAN}", limit=1000))["items"]
    paid = [item for item in trail if item["event_type"] == "SettlementBatch.Paid"]
    assert len(paid) == 1
    assert yuan(own) in paid[0]["summary_en"] and yuan(own) in paid[0]["summary_zh"]
    assert f"city {yuan(city_part)} / province {yuan(province_part)}" in paid[0]["summary_en"]
    assert "1 claim:" in paid[0]["summary_en"]
    for item in trail:  # nothing in Foshan's trail names Dongguan's claim or the batch's total
        for text in (item["summary_en"], item["summary_zh"]):
            assert yuan(other) not in text and yuan(own + other) not in text, item
    # the province and the provider still see the whole payment
    whole = ok(api.get(f"/v1/audit/settlement_batch/{world['batch']}"))["items"]
    assert any(yuan(own + other) in item["summary_en"] for item in whole if item["event_type"] == "SettlementBatch.Paid")


def _same_answer(hidden, unknown, hidden_path: str) -> None:
    """Both 404 problems with the same members, code and wording (ids aside, the request's own id too)."""
    first, second = assert_problem(hidden, 404, instance=hidden_path), assert_problem(unknown, 404)
    blank = lambda body: {k: re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\b\d{6}\b", "?", str(v))  # noqa: E731
                          for k, v in body.items() if k not in ("instance", "request_id")}
    assert blank(first) == blank(second), (first, second)


def _scoped_cases(world):
    v_other, nobody = world["vouchers"][DONGGUAN], str(uuid.uuid4())
    dongguan, provider, batch = world["dongguan"], world["provider"], world["batch"]
    city, enterprise = f"city:{FOSHAN}", f"enterprise:{world['foshan'].uscc}"
    stranger = f"provider:{world['stranger'].uscc}"
    return [  # (role, path about something that exists outside the role's scope, the same path about nothing)
        (city, f"/v1/enterprises/{dongguan.id}", f"/v1/enterprises/{nobody}"),
        (city, f"/v1/vouchers/{v_other}", f"/v1/vouchers/{nobody}"),
        (city, f"/v1/audit/voucher/{v_other}", f"/v1/audit/voucher/{nobody}"),
        (city, f"/v1/cities/{DONGGUAN}/spend", f"/v1/cities/{NOWHERE}/spend"),
        (city, f"/v1/audit/city/{DONGGUAN}", f"/v1/audit/city/{NOWHERE}"),
        (enterprise, f"/v1/enterprises/{dongguan.id}", f"/v1/enterprises/{nobody}"),
        (enterprise, f"/v1/vouchers/{v_other}", f"/v1/vouchers/{nobody}"),
        (enterprise, f"/v1/audit/enterprise/{dongguan.id}", f"/v1/audit/enterprise/{nobody}"),
        (stranger, f"/v1/providers/{provider.id}", f"/v1/providers/{nobody}"),
        (stranger, f"/v1/settlement-batches/{batch}", f"/v1/settlement-batches/{nobody}"),
        (stranger, f"/v1/audit/settlement_batch/{batch}", f"/v1/audit/settlement_batch/{nobody}"),
    ]


def test_outside_its_scope_a_token_gets_the_answer_of_an_unknown_id(world):
    api = world["api"]
    for role, existing, missing in _scoped_cases(world):
        _same_answer(api.get(existing, role=role), api.get(missing, role=role), existing)


def test_an_enterprise_claiming_on_another_enterprises_voucher_gets_the_unknown_vouchers_answer(world):
    api = world["api"]
    role = f"enterprise:{world['foshan'].uscc}"
    body = api.claim_body(world["provider"], eligible_fee_fen=10_000)
    existing = f"/v1/vouchers/{world['vouchers'][DONGGUAN]}/claims"
    before = api.event_count()
    hidden = api.post(existing, body, role=role)
    unknown = api.post(f"/v1/vouchers/{uuid.uuid4()}/claims", body, role=role)
    _same_answer(hidden, unknown, existing)
    assert hidden.json()["code"] == "VOUCHER_NOT_FOUND" and api.event_count() == before


def test_a_role_that_may_never_read_a_kind_gets_403_whatever_the_id(world):
    """403 says nothing about the id: the same for an existing and an unknown one."""
    api = world["api"]
    role = f"provider:{world['provider'].uscc}"
    for path in (f"/v1/vouchers/{world['vouchers'][FOSHAN]}", f"/v1/vouchers/{uuid.uuid4()}",
                 f"/v1/enterprises/{world['foshan'].id}", f"/v1/enterprises/{uuid.uuid4()}"):
        assert_problem(api.get(path, role=role), 403, "FORBIDDEN")



def test_a_duplicate_invoice_refusal_names_no_claim_or_voucher_of_another_enterprise(world):
    """One invoice pays one claim, whatever the provider: the second claim is refused, but its answer names neither
    the claim that holds the invoice nor its voucher when both are another enterprise's (a voucher id derives from
    that enterprise's public USCC, so it would tell who claimed the invoice). Its own voucher's claim it may name."""
    api, provider = world["api"], world["provider"]
    held = api.claim_body(provider, eligible_fee_fen=10_000)
    other_voucher = world["vouchers"][DONGGUAN]
    other_claim = ok(api.claim(other_voucher, held, role=f"enterprise:{world['dongguan'].uscc}"), 201)["claim_id"]
    role = f"enterprise:{world['foshan'].uscc}"
    again = api.claim_body(provider, eligible_fee_fen=10_000, invoice_nos=held["invoice_nos"])
    answer = assert_problem(api.claim(world["vouchers"][FOSHAN], again, role=role), 409, "DUPLICATE_CLAIM")
    assert other_voucher not in str(answer) and other_claim not in str(answer), answer
    assert held["invoice_nos"][0] in answer["detail"]
    mine = api.claim_body(provider, eligible_fee_fen=10_000)
    own = ok(api.claim(world["vouchers"][FOSHAN], mine, role=role), 201)["claim_id"]
    repeated = api.claim_body(provider, eligible_fee_fen=10_000, invoice_nos=mine["invoice_nos"])
    answer = assert_problem(api.claim(world["vouchers"][FOSHAN], repeated, role=role), 409, "DUPLICATE_CLAIM")
    assert own in answer["detail"]  # the claim on its own voucher is named


def test_a_contract_refusal_tells_no_other_claimants_contract_amount(world):
    """A contract number is its provider's, so guessing one (they run in sequence) must not tell an enterprise the
    amount another enterprise's claim stated for it: the refusal says the amounts differ, not what the other was."""
    api, provider = world["api"], world["provider"]
    theirs = api.claim_body(provider, eligible_fee_fen=123_457, contract_amount_fen=123_457)
    ok(api.claim(world["vouchers"][DONGGUAN], theirs, role=f"enterprise:{world['dongguan'].uscc}"), 201)
    guess = api.claim_body(provider, eligible_fee_fen=10_000, contract_amount_fen=10_000,
                           contract_no=theirs["contract_no"])
    answer = assert_problem(api.claim(world["vouchers"][FOSHAN], guess, role=f"enterprise:{world['foshan'].uscc}"),
                            409, "CONTRACT_AMOUNT_MISMATCH")
    assert "123457" not in str(answer) and "123,457" not in str(answer), answer
    assert theirs["contract_no"].upper() in answer["detail"]


def test_a_provider_quota_refusal_tells_an_enterprise_no_quota_figure(world):
    """An enterprise may not read quotas (403: test_api_roles); a claim refused for the provider's quota tells it that
    the quota has no room for the amount, not what is left of how much. The province reads them on /quotas."""
    api = world["api"]
    small = api.admit()
    assert api.assess(small)["status"] == "WHITELISTED"
    api.provider_quota(small, amount_fen=4_321)
    body = api.claim_body(small, eligible_fee_fen=100_000)
    answer = assert_problem(api.claim(world["vouchers"][FOSHAN], body, role=f"enterprise:{world['foshan'].uscc}"),
                            409, "PROVIDER_QUOTA_EXHAUSTED")
    assert "4321" not in str(answer) and "4,321" not in str(answer), answer


class _Event:
    """Any event a summary template reads: ASCII values, so every Chinese character in a summary is the template's."""

    def __init__(self, flag: bool) -> None:
        self.flag = flag

    def __getattr__(self, name: str):
        if name.endswith("_fen"):
            return 12_345
        if name in ("effective_at", "suspended_from", "clock_started_at") or name.endswith("_at"):
            return START
        if name in ("reasons", "failing_areas", "items", "settled_claims"):
            return ["X"]
        if name in ("granted", "passed", "reinstated", "after_settlement", "held"):
            return self.flag
        if name == "entries":  # a publicity list's claims
            return [{"amount_fen": 12_345, "claim_id": "X", "voucher_id": "X", "provider_id": "X"}]
        if name == "calendars":  # the working calendars that counted a publicity list's window
            return [{"year": 2020, "version": 1}]
        if name == "policy":  # a successor year's own policy, or none (the store's programme's)
            return {"name": "X", "document_number": "X", "policy_date": "X"} if self.flag else None
        if name == "rules":  # an evaluation's formula and lines
            return {"formula": "X", "promotion_line": 90, "elimination_line": 60}
        return "X"


@pytest.mark.parametrize("flag", [True, False])
def test_summaries_are_in_simplified_chinese(flag):
    """Every Chinese text a user sees is Simplified: no Traditional-only character in any summary template."""
    traditional = set("業發務網結額過審兌後為記開釋驗餘雲項錄銷資費評調請議訂絡納筆應庫單協優價佔佈暫於運復標營緩")
    texts = {kind: summarise(kind, _Event(flag))[0] for kind in SUMMARIES}
    texts |= {f"{kind} (nameless)": summarise(kind, _Event(flag), named=False)[0] for kind in NAMELESS}
    texts["legacy nameless"] = NAMELESS_LEGACY[0]
    texts["city share"] = city_share_of_payment(1, 100, 33, 67, 0)[0]
    found = {(kind, ch) for kind, text in texts.items() for ch in text if ch in traditional}
    assert not found, sorted(found)
