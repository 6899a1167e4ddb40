"""Properties over any sequence of commands, on both stores, checked against an independent model of DOMAIN.md:

1. "Redemption": a voucher's balance = face value − the amounts its live claims hold (live: not rejected, not
   reversed before settlement), never below zero; subsidy = min(rate × fee rounded down, balance).
2. "Vouchers": a city's issued total never exceeds its quota; expiry and revocation give the unused value back, and
   value freed later on an expired or revoked voucher goes back too.

A refused command must change nothing: no event is written.
"""

import itertools
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ledger.errors import LedgerError
from ledger.parties import VOUCHER_CITIES
from tests.support.scenario import DEFAULT_ITEMS, FOSHAN, World

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Small faces and awkward rates, so that rounding, capping at the balance and exhaustion all happen.
ODD_ITEMS = (
    ("ODD-35", "odd rate application service", "APPLICATION_SERVICE", "0.35", 10_000),
    ("ODD-333", "odd rate device access", "DEVICE_ACCESS", "0.333", 7_777),
    ("HALF", "half rate network renovation", "NETWORK_RENOVATION", "0.5", 5_001),
)


def subsidy(rate: str, fee: int) -> int:
    return int((Decimal(rate) * fee).to_integral_value(rounding=ROUND_FLOOR))


def last_event_id(app) -> int:
    return app.recorder.max_notification_id() or 0


def attempt(app, expected_error, command, **kwargs):
    """Run a command the model says succeeds (expected_error None) or is refused with one of ``expected_error``."""
    before = last_event_id(app)
    if expected_error is None:
        event(f"{command.__name__} ok")
        return command(**kwargs)
    with pytest.raises(LedgerError) as caught:
        command(**kwargs)
    event(f"{command.__name__} refused {caught.value.code}")
    codes = {expected_error} if isinstance(expected_error, str) else expected_error
    assert caught.value.code in codes
    assert last_event_id(app) == before, "a refused command wrote events"
    return None


# -- 1. voucher balance ------------------------------------------------------------------------------------------
@pytest.fixture
def odd_world(ledger):
    world = World(app=ledger, now=datetime(2019, 3, 1, 9, 0, tzinfo=UTC))
    world.setup_year(2019, items=ODD_ITEMS)
    return world


def target(items: list, n: int, wild: bool, fits):
    """Mostly pick among the items the operation fits (so sequences get far); when ``wild``, among all of them."""
    fitting = [x for x in items if fits(x)]
    pool = items if wild or not fitting else fitting
    return pool[n % len(pool)]


NEXT_STEP = {"CLAIMED": "approve", "APPROVED": "batch-and-pay", "SETTLED": "reverse"}  # a claim's usual path
# (operation, fee or index, claim indices for a batch, wild); names repeated to weight the draw. "step" moves a
# claim one step along its usual path, so that long histories (claimed → approved → paid → reversed) are common.
voucher_ops = st.lists(
    st.tuples(
        st.sampled_from(["claim"] * 3 + ["step"] * 4 + ["approve", "reject", "reverse", "batch", "pay",
                                                          "batch-and-pay"]),
        st.integers(1, 30_000),
        st.lists(st.integers(0, 15), min_size=1, max_size=3),
        st.integers(0, 3).map(lambda k: k == 0),
    ),
    min_size=4,
    max_size=24,
)


@PROPERTY_SETTINGS
@given(item=st.sampled_from(ODD_ITEMS), ops=voucher_ops)
def test_a_voucher_balance_is_face_value_minus_its_live_claims_whatever_happens(odd_world, item, ops):
    world, app = odd_world, odd_world.app
    item_id, _, category, rate, face = item
    voucher = world.issue(world.eligible_enterprise(city=FOSHAN), item_id).voucher_id
    provider = world.provider()
    quota_used_before = app.provider_quota(provider, 2019).used_fen
    claims: list[dict] = []  # model: id, amount, status, batch, settled
    batches: list[dict] = []  # model: id, lines, paid

    def live_total() -> int:
        return sum(c["amount"] for c in claims if c["status"] not in ("REJECTED", "REVERSED") or c["settled"])

    for op, arg, picks, wild in ops:
        world.advance(minutes=5)
        balance = face - live_total()
        chosen = chosen_batch = None  # what a "step" acts on
        if op == "step" and any(c["status"] in NEXT_STEP for c in claims):
            chosen = target(claims, arg, False, lambda c: c["status"] in NEXT_STEP)
            op = NEXT_STEP[chosen["status"]]
            if op == "batch-and-pay" and chosen["batch"] is not None:
                op, chosen_batch = "pay", next(b for b in batches if b["id"] == chosen["batch"])
        if op == "claim":
            amount = min(subsidy(rate, arg), balance)
            error = "VOUCHER_EXHAUSTED" if balance == 0 else "ZERO_SUBSIDY" if amount == 0 else None
            if balance == 0 and subsidy(rate, arg) == 0:
                error = {"VOUCHER_EXHAUSTED", "ZERO_SUBSIDY"}  # both rules refuse it; either reason will do
            receipt = attempt(app, error, world.claim, voucher_id=voucher, provider_id=provider,
                              eligible_fee_fen=arg, fee_category=category)
            if receipt is not None:
                event("claim capped at the balance" if amount < subsidy(rate, arg) else "claim in full")
                assert (receipt.amount_fen, receipt.balance_after_fen) == (amount, balance - amount)
                claims.append({"id": receipt.claim_id, "amount": amount, "status": "CLAIMED", "batch": None,
                               "settled": False})
        if op in ("batch", "batch-and-pay"):
            batch = {"id": uuid4(), "lines": [], "paid": False}
            app.open_batch(world.by(), batch_id=batch["id"], provider_id=provider, period="2019-05")
            batches.append(batch)
            fits = lambda c: c["status"] == "APPROVED" and c["batch"] is None  # noqa: E731
            for claim in [chosen] if chosen else [target(claims, i, wild, fits) for i in picks] if claims else []:
                ok = fits(claim)
                attempt(app, None if ok else "INVALID_TRANSITION", app.add_to_batch, by=world.by(),
                        batch_id=batch["id"], voucher_id=voucher, claim_id=claim["id"])
                if ok:
                    claim["batch"] = batch["id"]
                    batch["lines"].append(claim)
        if op in ("pay", "batch-and-pay") and batches:
            batch = batches[-1] if op == "batch-and-pay" else chosen_batch or target(
                batches, arg, wild, lambda b: not b["paid"])
            payable = [c for c in batch["lines"] if c["status"] == "APPROVED"]
            error = "INVALID_TRANSITION" if batch["paid"] else None if payable else "EMPTY_BATCH"
            payment = attempt(app, error, app.pay_batch, by=world.by(), batch_id=batch["id"], effective_at=world.now)
            if payment is not None:
                assert payment.total_fen == sum(c["amount"] for c in payable)
                assert set(payment.settled_claims) == {c["id"] for c in payable}
                batch["paid"] = True
                for c in payable:
                    c["status"], c["settled"] = "SETTLED", True
        if op in ("approve", "reject", "reverse") and claims:
            allowed = ("CLAIMED", "APPROVED", "SETTLED") if op == "reverse" else ("CLAIMED",)
            claim = chosen or target(claims, arg, wild, lambda c: c["status"] in allowed)
            error = None if claim["status"] in allowed else "INVALID_TRANSITION"
            kwargs = {"by": world.by(), "voucher_id": voucher, "claim_id": claim["id"]}
            if op == "approve":
                attempt(app, error, app.approve_claim, **kwargs)
            elif op == "reject":
                freed = attempt(app, error, app.reject_claim, reason="review", **kwargs)
                assert error is not None or (freed.status, freed.freed_fen) == ("REJECTED", claim["amount"])
            else:
                recovered = attempt(app, error, app.reverse_claim, reason="spot check", effective_at=world.now,
                                    **kwargs)
                paid = claim["settled"]
                assert error is not None or (recovered.recovery_fen, recovered.freed_fen) == (
                    (claim["amount"], 0) if paid else (0, claim["amount"]))
            if error is None and op == "reverse":
                event("reversed after settlement" if claim["settled"] else
                      "reversed in an unpaid batch" if claim["batch"] else "reversed before settlement")
            if error is None:
                claim["status"] = {"approve": "APPROVED", "reject": "REJECTED", "reverse": "REVERSED"}[op]

        state = app.voucher(voucher)
        expected_balance = face - live_total()
        assert 0 <= state.balance_fen == expected_balance
        assert {c.claim_id: c.status.value for c in state.claims.values()} == {c["id"]: c["status"] for c in claims}
        # The provider's quota is held by exactly the same live claims.
        assert app.provider_quota(provider, 2019).used_fen - quota_used_before == face - expected_balance


# -- 2. city quota -----------------------------------------------------------------------------------------------
@pytest.fixture
def fresh_city_quota(ledger):
    """Each call gives a World on a (city, year) whose quota was never used: small quotas per example."""
    serial = itertools.count(1)  # shared, so enterprises of different examples never share a USCC
    places = ((year, city) for year in range(2021, 2101) for city in VOUCHER_CITIES)

    def new(quota_fen: int) -> tuple[World, str]:
        year, city = next(places)
        world = World(app=ledger, now=datetime(year, 3, 1, 9, 0, tzinfo=UTC), year=year, _serial=serial)
        if city == VOUCHER_CITIES[0]:
            world.setup_year(year, city_quotas={city: (quota_fen, "0.30")})
        else:
            ledger.set_city_quota(world.by(), city=city, year=year, amount_fen=quota_fen, city_share="0.30")
        return world, city

    return new


ITEM_FACES = {item_id: (category, rate, cap) for item_id, _, category, rate, cap in DEFAULT_ITEMS}
ITEM_IDS = sorted(ITEM_FACES)
# (operation, enterprise/voucher/claim index, fee or item choice); names repeated to weight the draw.
city_ops = st.lists(
    st.tuples(
        st.sampled_from(["issue"] * 3 + ["claim"] * 3 + ["revoke", "reject"]),
        st.integers(0, 15),
        st.integers(10, 30_000_000),
    ),
    min_size=2,
    max_size=14,
)
after_deadline_ops = st.lists(
    st.tuples(st.sampled_from(["late-expire"] * 2 + ["late-reject"]), st.integers(0, 15), st.just(0)), max_size=8
)


@PROPERTY_SETTINGS
@given(quota=st.integers(0, 25).map(lambda n: n * 1_000_000), ops=city_ops, late_ops=after_deadline_ops)
def test_a_city_never_issues_beyond_its_quota_and_gets_unused_value_back(fresh_city_quota, quota, ops, late_ops):
    world, city = fresh_city_quota(quota)
    app, year = world.app, world.year
    provider = world.provider(quota_fen=10**10)  # ample: only the city quota is under test here
    enterprises: dict[int, object] = {}
    vouchers: dict[tuple, dict] = {}  # model: (enterprise, item) -> id, face, status, claims
    claims: list[dict] = []  # model: id, voucher, amount, status
    used = 0

    def check() -> None:
        stored = app.city_quota(city, year)
        assert 0 <= stored.used_fen == used <= stored.amount_fen == quota

    for op, arg, fee in [*ops, *late_ops]:
        world.advance(minutes=5)
        if op == "late-expire" and world.now < datetime(year + 1, 2, 9, tzinfo=UTC):
            world.now = datetime(year + 1, 2, 9, tzinfo=UTC)  # the deadline, 8 February, ended at 16:00Z
        if op == "issue":
            key = (arg % 3, ITEM_IDS[fee % 3])
            if key[0] not in enterprises:
                enterprises[key[0]] = world.eligible_enterprise(city=city)
            face = ITEM_FACES[key[1]][2]
            error = "DUPLICATE_VOUCHER" if key in vouchers else "CITY_QUOTA_EXHAUSTED" if face > quota - used else None
            issued = attempt(app, error, world.issue, enterprise_id=enterprises[key[0]], item_id=key[1])
            if issued is not None:
                vouchers[key] = {"id": issued.voucher_id, "face": face, "status": "ACTIVE", "claims": [],
                                 "category": ITEM_FACES[key[1]][0], "rate": ITEM_FACES[key[1]][1]}
                used += face
        elif op == "claim" and vouchers:
            v = list(vouchers.values())[arg % len(vouchers)]
            balance = v["face"] - sum(c["amount"] for c in v["claims"] if c["status"] == "CLAIMED")
            amount = min(subsidy(v["rate"], fee), balance)
            error = {"ACTIVE": "VOUCHER_EXHAUSTED" if balance == 0 else None, "REVOKED": "VOUCHER_REVOKED"}[v["status"]]
            receipt = attempt(app, error, world.claim, voucher_id=v["id"], provider_id=provider,
                              eligible_fee_fen=fee, fee_category=v["category"])
            if receipt is not None:
                assert receipt.amount_fen == amount
                claim = {"id": receipt.claim_id, "voucher": v, "amount": amount, "status": "CLAIMED"}
                v["claims"].append(claim)
                claims.append(claim)
        elif op in ("reject", "late-reject") and claims:
            claim = claims[arg % len(claims)]
            error = None if claim["status"] == "CLAIMED" else "INVALID_TRANSITION"
            attempt(app, error, app.reject_claim, by=world.by(), voucher_id=claim["voucher"]["id"],
                    claim_id=claim["id"], reason="review")
            if error is None:
                claim["status"] = "REJECTED"
                if claim["voucher"]["status"] != "ACTIVE":  # freed on a dead voucher: back to the city
                    event(f"claim freed on a {claim['voucher']['status']} voucher")
                    used -= claim["amount"]
        elif op in ("revoke", "late-expire") and vouchers:
            v = list(vouchers.values())[arg % len(vouchers)]
            error = None if v["status"] == "ACTIVE" else "INVALID_TRANSITION"
            if op == "revoke":
                returned = attempt(app, error, app.revoke_voucher, by=world.by(), voucher_id=v["id"], reason="fraud")
            else:
                returned = attempt(app, error, app.expire_voucher, by=world.by(), voucher_id=v["id"])
            if error is None:
                unused = v["face"] - sum(c["amount"] for c in v["claims"] if c["status"] == "CLAIMED")
                assert returned == unused
                used -= unused
                v["status"] = "REVOKED" if op == "revoke" else "EXPIRED"
        check()
    check()
