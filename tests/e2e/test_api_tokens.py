"""Tokens of an identity provider: checked against the public keys of a JWKS file, on both stores.

The service runs with ``VOUCHER_LEDGER_JWKS_PATH`` (a file this module writes and rewrites), a required audience and
issuer. A token signed by a key of the file is accepted with its role; every other token is 401 UNAUTHENTICATED:
another audience or issuer, expired or not yet valid, a key taken out of the file (rotation), an unknown or missing
``kid``, and the downgrades (alg ``none``; HS256 "signed" with the public key; HS256 at all in production).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr

from api.http.auth import authenticate, mint
from api.http.problems import ApiError
from api.http.signing_keys import (
    add_to_jwks, mint_signed, new_kid, new_private_key, public_jwk, write_jwks,
)
from store.settings import Settings
from tests.support.cli_runner import run
from tests.support.api_helpers import (
    START, assert_problem, module_store_settings, ok, patched_clock, running_api, store_params,
)

AUDIENCE = "voucher-ledger-api"
ISSUER = "https://idp.gdii.example/realms/vouchers"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("jwks")
    settings = module_store_settings(request, tmp_path_factory).model_copy(update={
        "jwks_path": folder / "jwks.json", "jwt_audience": AUDIENCE, "jwt_issuer": ISSUER})
    api_keys = {alg: (new_private_key(alg), f"{alg.lower()}-{new_kid()}") for alg in ("EdDSA", "ES256", "RS256")}
    write_jwks(settings.jwks_path, [public_jwk(key, kid) for key, kid in api_keys.values()])
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.keys = api_keys
        api.setup_year()  # HS256 tokens (with the audience) still serve outside production
        yield api


def whitelist(api, token: str):
    return api.client.get("/v1/whitelist", headers=bearer(token))


def refused(api, token: str, why: str) -> dict:
    problem = assert_problem(whitelist(api, token), 401, "UNAUTHENTICATED", instance="/v1/whitelist")
    assert why in problem["detail"], problem["detail"]
    return problem


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256", "RS256"])
def test_a_token_signed_with_a_key_of_the_jwks_is_accepted_with_its_role(api, algorithm):
    key, kid = api.keys[algorithm]
    token = mint_signed(api.settings, "province", key, kid, subject=f"chen.jing@{algorithm.lower()}")
    assert jwt.get_unverified_header(token)["alg"] == algorithm
    ok(whitelist(api, token))
    # the role came through (only the province may set rates) and the subject is recorded as the actor
    headers = {**bearer(token), "Idempotency-Key": f"tokens-{uuid.uuid4()}"}
    rate = {"EdDSA": "0.31", "ES256": "0.32", "RS256": "0.33"}[algorithm]  # a change, so that an event is recorded
    ok(api.client.post("/v1/carrier-rates", json={"year": 2019, "rates": {"CHINA_UNICOM": rate}}, headers=headers))
    last = ok(api.get("/v1/events", limit=1000))["items"][-1]  # CarrierDiscountRates.Set, then .Revised
    assert last["event_type"].startswith("CarrierDiscountRates.")
    assert last["actor"] == f"chen.jing@{algorithm.lower()}"
    # an auditor's token from the same key may read but not write
    auditor = mint_signed(api.settings, "auditor", key, kid)
    resp = api.client.post("/v1/carrier-rates", json={"year": 2019, "rates": {"CHINA_UNICOM": "0.31"}},
                           headers={**bearer(auditor), "Idempotency-Key": f"tokens-{uuid.uuid4()}"})
    assert_problem(resp, 403, "FORBIDDEN")


def test_another_audience_or_issuer_is_refused(api):
    key, kid = api.keys["EdDSA"]
    refused(api, mint_signed(api.settings, "province", key, kid, aud="another-service"), "Audience doesn't match")
    refused(api, mint_signed(api.settings, "province", key, kid, aud=None), "aud")
    refused(api, mint_signed(api.settings, "province", key, kid, iss="https://idp.elsewhere.example"), "issuer")
    refused(api, mint_signed(api.settings, "province", key, kid, iss="voucher-ledger"), "issuer")


def test_an_expired_or_not_yet_valid_token_is_refused(api):
    key, kid = api.keys["ES256"]
    now = datetime.now(UTC)
    refused(api, mint_signed(api.settings, "province", key, kid, now=now - timedelta(hours=2), ttl_s=3600), "expired")
    refused(api, mint_signed(api.settings, "province", key, kid, nbf=now + timedelta(minutes=10)), "not yet valid")
    refused(api, mint_signed(api.settings, "province", key, kid, exp=None), "exp")


def test_a_token_accepted_before_is_refused_once_it_has_expired(api):
    # The service keeps the tokens it has verified (api/http/auth.py VerifiedTokens); never past their exp.
    key, kid = api.keys["EdDSA"]
    expires = datetime.now(UTC) + timedelta(seconds=1.5)
    token = mint_signed(api.settings, "province", key, kid, exp=expires)
    ok(whitelist(api, token))
    ok(whitelist(api, token))
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.3)
    refused(api, token, "expired")


def test_a_key_that_is_not_in_the_file_is_refused(api):
    stranger = new_private_key("EdDSA")
    refused(api, mint_signed(api.settings, "province", stranger, "unknown-kid"), "unknown or rotated-out key")
    _, kid = api.keys["EdDSA"]  # a known kid, but signed by another key
    refused(api, mint_signed(api.settings, "province", stranger, kid), "Signature verification failed")
    no_kid = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "role": "province",
                         "exp": datetime.now(UTC) + timedelta(hours=1)}, stranger, algorithm="EdDSA")
    refused(api, no_kid, "names no key")


def test_a_key_rotated_out_of_the_file_is_refused_after_the_file_changes(api):
    old_key, old_kid = new_private_key("EdDSA"), "rotation-old"
    new_key, new_kid_ = new_private_key("EdDSA"), "rotation-new"
    add_to_jwks(api.settings.jwks_path, public_jwk(old_key, old_kid))
    old_token = mint_signed(api.settings, "province", old_key, old_kid)
    ok(whitelist(api, old_token))

    add_to_jwks(api.settings.jwks_path, public_jwk(new_key, new_kid_))  # the new key is published first...
    new_token = mint_signed(api.settings, "province", new_key, new_kid_)
    ok(whitelist(api, new_token))
    ok(whitelist(api, old_token))

    keys = json.loads(api.settings.jwks_path.read_text())["keys"]  # ...then the old one taken out
    write_jwks(api.settings.jwks_path, [k for k in keys if k["kid"] != old_kid])
    refused(api, old_token, "unknown or rotated-out key 'rotation-old'")
    ok(whitelist(api, new_token))
    ok(whitelist(api, mint_signed(api.settings, "auditor", *api.keys["RS256"])))  # the other keys stay


def test_a_broken_rewrite_of_the_file_keeps_the_last_good_keys(api):
    key, kid = api.keys["RS256"]
    token = mint_signed(api.settings, "province", key, kid)
    good = api.settings.jwks_path.read_text()
    try:
        api.settings.jwks_path.write_text('{"keys": [')  # half a file, as a careless copy leaves it
        ok(whitelist(api, token))
    finally:
        write_jwks(api.settings.jwks_path, json.loads(good)["keys"])
    ok(whitelist(api, token))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_downgrades_are_refused(api):
    key, kid = api.keys["RS256"]
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "mallory", "role": "province",
              "exp": int((datetime.now(UTC) + timedelta(hours=1)).timestamp())}
    body = _b64(json.dumps(claims).encode())
    unsigned = f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT', 'kid': kid}).encode())}.{body}."
    refused(api, unsigned, "not allowed")
    # HS256 with the public key (as published in the JWKS, and as PEM) for its HMAC secret: the classic confusion
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for secret in (public_pem, json.dumps(public_jwk(key, kid)).encode()):
        head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
        signature = _b64(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
        refused(api, f"{head}.{body}.{signature}", "Signature verification failed")
    # an EdDSA key's kid on an ES256 signature: each key verifies only with its own algorithm
    ed_kid = api.keys["EdDSA"][1]
    refused(api, mint_signed(api.settings, "province", api.keys["ES256"][0], ed_kid), "not allowed")


def test_hs256_serves_development_but_production_with_a_jwks_refuses_it(api):
    hs256 = mint(api.settings, "province")
    assert jwt.decode(hs256, options={"verify_signature": False})["aud"] == AUDIENCE
    ok(whitelist(api, hs256))
    other_audience = mint(api.settings.model_copy(update={"jwt_audience": "another-service"}), "province")
    refused(api, other_audience, "Audience doesn't match")

    production = api.settings.model_copy(update={"production": True, "jwt_secret": SecretStr("a-real-key-of-32-bytes-or-more!!")})
    with pytest.raises(ApiError) as refusal:
        authenticate(production, f"Bearer {mint(production, 'province')}")
    assert (refusal.value.status, refusal.value.code) == (401, "UNAUTHENTICATED")
    assert "HS256 tokens are not accepted in production" in refusal.value.detail
    principal = authenticate(production, f"Bearer {mint_signed(production, 'city:440600', *api.keys['EdDSA'])}")
    assert (principal.kind, principal.scope) == ("city", "440600")


def test_without_a_jwks_only_hs256_is_accepted():
    settings = Settings(store="sqlite")
    with pytest.raises(ApiError, match="only HS256 tokens are accepted here"):
        authenticate(settings, f"Bearer {mint_signed(settings, 'province', new_private_key('EdDSA'), 'k1')}")


def test_a_jwks_needs_an_audience_and_an_issuer(tmp_path):
    with pytest.raises(ValueError, match="VOUCHER_LEDGER_JWT_AUDIENCE"):
        Settings(jwks_path=tmp_path / "jwks.json", jwt_issuer=ISSUER)
    with pytest.raises(ValueError, match="VOUCHER_LEDGER_JWT_ISSUER"):
        Settings(jwks_path=tmp_path / "jwks.json", jwt_audience=AUDIENCE)


def test_the_command_line_makes_keys_and_mints_tokens_the_service_accepts(api, tmp_path):
    jwks, private = tmp_path / "idp.json", tmp_path / "idp.pem"
    env = {"VOUCHER_LEDGER_JWKS_PATH": str(api.settings.jwks_path), "VOUCHER_LEDGER_JWT_AUDIENCE": AUDIENCE,
           "VOUCHER_LEDGER_JWT_ISSUER": ISSUER}
    made = run(["keys", "new", "--out", str(jwks), "--private", str(private), "--algorithm", "ES256"], tmp_path)
    assert made.returncode == 0, made.stderr
    kid = made.stdout.strip()
    assert [k["kid"] for k in json.loads(jwks.read_text())["keys"]] == [kid]
    assert private.stat().st_mode & 0o077 == 0  # the private key is the owner's only
    minted = run(["token", "--role", "auditor", "--private-key", str(private), "--kid", kid], tmp_path, **env)
    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.strip()
    refused(api, token, "unknown or rotated-out key")  # not published yet
    add_to_jwks(api.settings.jwks_path, json.loads(jwks.read_text())["keys"][0])
    ok(whitelist(api, token))
    no_kid = run(["token", "--role", "auditor", "--private-key", str(private)], tmp_path, **env)
    assert no_kid.returncode == 2 and "--kid" in no_kid.stdout + no_kid.stderr


def test_an_unreadable_key_set_refuses_every_identity_provider_token(tmp_path):
    settings = Settings(store="sqlite", jwks_path=tmp_path / "absent.json", jwt_audience=AUDIENCE, jwt_issuer=ISSUER)
    token = mint_signed(settings, "province", new_private_key("EdDSA"), "k1")
    with pytest.raises(ApiError, match="the service's key set cannot be read") as refusal:
        authenticate(settings, f"Bearer {token}")
    assert refusal.value.status == 401
    ok_hs256 = authenticate(settings, f"Bearer {mint(settings, 'auditor')}")  # development: HS256 still serves
    assert ok_hs256.kind == "auditor"
