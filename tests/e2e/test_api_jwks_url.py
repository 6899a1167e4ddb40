"""Tokens checked against a JWKS URL, on both stores: a local HTTP server (127.0.0.1, started here) plays the
identity provider, and counts how often it is asked.

Fetched once and kept; a token whose ``kid`` the kept set lacks makes the service fetch again (key rotation), but at
most once every ``jwks_refetch_min_s``; while the provider is down the kept set serves; a service that never got a
set refuses every provider token with the reason; a key taken out of the set is refused once a fetch sees it gone.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from api.http.auth import authenticate
from api.http.jwks_url import JwksUrl, jwks_url
from api.http.problems import ApiError
from api.http.signing_keys import mint_signed, new_kid, new_private_key, public_jwk
from store.settings import Settings
from tests.support.api_helpers import (
    START, assert_problem, module_store_settings, ok, patched_clock, running_api, store_params,
)

AUDIENCE = "voucher-ledger-api"
ISSUER = "https://idp.gdii.example/realms/vouchers"


class Provider:
    """A JWKS endpoint on 127.0.0.1 whose keys the test sets; ``down`` answers 503."""

    def __init__(self) -> None:
        self.keys: list[dict] = []
        self.down = False
        self.asked = 0
        self.hold: threading.Event | None = None  # set: every answer waits until the test releases it
        self.asking = threading.Event()  # a fetch has reached the provider
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                provider.asked += 1
                provider.asking.set()
                if provider.hold is not None:
                    provider.hold.wait()
                if provider.down:
                    self.send_error(503)
                    return
                body = json.dumps({"keys": provider.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/realms/vouchers/certs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, private_key, kid: str) -> None:
        self.keys.append(public_jwk(private_key, kid))

    def withdraw(self, kid: str) -> None:
        self.keys = [k for k in self.keys if k["kid"] != kid]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    provider = Provider()
    yield provider
    provider.close()


def url_settings(provider: Provider, **update) -> Settings:
    return Settings(store="sqlite", jwks_url=provider.url, jwt_audience=AUDIENCE, jwt_issuer=ISSUER, **update)


def reader(provider: Provider, *, refetch_min_s: float = 0.0, max_age_s: float = 3600.0) -> JwksUrl:
    return JwksUrl(provider.url, timeout_s=2.0, max_age_s=max_age_s, refetch_min_s=refetch_min_s)


def provider_token(key, kid: str, role: str = "auditor") -> str:
    return "Bearer " + mint_signed(_SETTINGS, role, key, kid)


_SETTINGS = Settings(store="sqlite", jwt_audience=AUDIENCE, jwt_issuer=ISSUER)  # claims only: aud, iss, role claim


def test_the_set_is_fetched_once_and_kept(provider):
    key, kid = new_private_key("EdDSA"), new_kid()
    provider.publish(key, kid)
    keys = reader(provider, refetch_min_s=3600)
    assert keys.key(kid).algorithm == "EdDSA"
    assert keys.key(kid) is not None and provider.asked == 1


def test_an_unknown_kid_fetches_again_at_most_once_per_interval(provider):
    old, old_kid = new_private_key("EdDSA"), new_kid()
    provider.publish(old, old_kid)
    keys = reader(provider, refetch_min_s=3600)
    assert keys.key(old_kid) is not None and provider.asked == 1
    new, new_kid_ = new_private_key("ES256"), new_kid()
    provider.publish(new, new_kid_)  # the provider rotates a key in...
    keys._tried_at -= 3600  # ... after the interval (the reader's own clock, moved instead of waited on)
    assert keys.key(new_kid_).algorithm == "ES256" and provider.asked == 2
    for _ in range(5):  # made-up kids inside the interval: no fetch each
        assert keys.key("made-up-" + new_kid()) is None
    assert provider.asked == 2


def test_a_key_taken_out_is_refused_once_a_fetch_sees_it_gone(provider):
    key, kid = new_private_key("EdDSA"), new_kid()
    provider.publish(key, kid)
    keys = reader(provider, refetch_min_s=0, max_age_s=0.0)  # every use is a fresh fetch
    assert keys.key(kid) is not None
    provider.withdraw(kid)
    assert keys.key(kid) is None


def test_the_kept_set_serves_while_the_provider_is_down(provider):
    key, kid = new_private_key("EdDSA"), new_kid()
    provider.publish(key, kid)
    keys = reader(provider, refetch_min_s=0, max_age_s=0.0)
    assert keys.key(kid) is not None
    provider.down = True
    asked = provider.asked
    assert keys.key(kid) is not None  # stale but served
    assert provider.asked > asked  # it did try


def test_never_fetched_refuses_every_provider_token_with_the_reason(provider):
    provider.down = True
    settings = url_settings(provider, jwks_refetch_min_s=0)
    jwks_url.cache_clear()
    token = provider_token(new_private_key("EdDSA"), new_kid())
    with pytest.raises(ApiError, match="the service's key set cannot be read .*cannot fetch http://127.0.0.1") as no:
        authenticate(settings, token)
    assert no.value.status == 401
    provider.close()  # nothing listens any more: refused the same way, within the timeout
    with pytest.raises(ApiError, match="cannot fetch"):
        authenticate(settings, token)


def test_production_with_a_jwks_url_refuses_hs256_and_needs_aud_and_iss(provider):
    with pytest.raises(ValueError, match="VOUCHER_LEDGER_JWKS_URL is set: VOUCHER_LEDGER_JWT_AUDIENCE"):
        Settings(jwks_url=provider.url, jwt_issuer=ISSUER)
    with pytest.raises(ValueError, match="not both"):
        Settings(jwks_url=provider.url, jwks_path="jwks.json", jwt_audience=AUDIENCE, jwt_issuer=ISSUER)
    production = url_settings(provider, production=True, jwt_secret="a-production-key-of-at-least-32-bytes!!")
    assert not production.accepts_hs256()


@pytest.fixture(scope="module", params=store_params())
def api(request, tmp_path_factory):
    provider = Provider()
    jwks_url.cache_clear()
    settings = module_store_settings(request, tmp_path_factory).model_copy(update={
        "jwks_url": provider.url, "jwt_audience": AUDIENCE, "jwt_issuer": ISSUER, "jwks_refetch_min_s": 0.0,
        "jwks_timeout_s": 300.0})  # a held fetch must outlast the test's wait (see the stalling test)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        api.provider = provider
        yield api
    provider.close()


def test_the_service_takes_tokens_of_the_keys_at_the_url_and_follows_rotation(api):
    first, first_kid = new_private_key("RS256"), new_kid()
    api.provider.publish(first, first_kid)
    headers = {"Authorization": provider_token(first, first_kid)}
    ok(api.client.get("/v1/whitelist", headers=headers))
    second, second_kid = new_private_key("EdDSA"), new_kid()
    api.provider.publish(second, second_kid)  # rotated in: the unknown kid fetches the set again
    ok(api.client.get("/v1/whitelist", headers={"Authorization": provider_token(second, second_kid)}))
    api.provider.down = True  # briefly down: the kept set serves
    ok(api.client.get("/v1/whitelist", headers=headers))
    api.provider.down = False
    api.provider.withdraw(first_kid)  # rotated out: refused after the next fetch (a kid it lacks asks again)
    wrong = {"Authorization": provider_token(new_private_key("EdDSA"), new_kid())}
    assert_problem(api.client.get("/v1/whitelist", headers=wrong), 401, "UNAUTHENTICATED")
    problem = assert_problem(api.client.get("/v1/whitelist", headers=headers), 401, "UNAUTHENTICATED")
    assert "unknown or rotated-out key" in problem["detail"]
    other_audience = mint_signed(api.settings, "auditor", second, second_kid, aud="another-service")
    assert_problem(api.client.get("/v1/whitelist", headers={"Authorization": f"Bearer {other_audience}"}), 401,
                   "UNAUTHENTICATED")


def test_a_slow_key_fetch_never_stalls_the_requests_that_need_none(api):
    key, kid = new_private_key("EdDSA"), new_kid()
    api.provider.publish(key, kid)
    known = {"Authorization": provider_token(key, kid)}
    ok(api.client.get("/v1/whitelist", headers=known))  # verified once, kept
    api.provider.hold, answers = threading.Event(), {}
    api.provider.asking.clear()
    rotated, rotated_kid = new_private_key("EdDSA"), new_kid()
    api.provider.publish(rotated, rotated_kid)

    def ask(name: str, headers: dict) -> None:
        answers[name] = api.client.get("/v1/whitelist", headers=headers)

    slow = threading.Thread(target=ask, args=("new kid", {"Authorization": provider_token(rotated, rotated_kid)}))
    quick = threading.Thread(target=ask, args=("known token", known))
    try:
        slow.start()
        assert api.provider.asking.wait(60), "the new kid never made the service fetch the key set"
        quick.start()
        quick.join(60)  # on the event loop, the held fetch would hold this request until the release below
        assert not quick.is_alive() and slow.is_alive(), "a request that needs no fetch waited for the provider"
        ok(answers["known token"])
    finally:
        api.provider.hold.set()
        slow.join(60)
        quick.join(60)
        api.provider.hold = None
    ok(answers["new kid"])
