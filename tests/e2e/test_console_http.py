"""The console over HTTP, without a browser: pages carry no data and forbid anything from elsewhere; figures need a
token; a sign-in link is good once and is no bearer token; the "open" box only ever leads to a console page."""

from __future__ import annotations

from types import SimpleNamespace

import jwt
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.http.app import create_app
from api.http.auth import mint
from api.http.console.links import console_link
from api.http.console.sessions import SESSION
from ledger import ids
from api.http.signing_keys import mint_signed, new_kid, new_private_key, public_jwk, write_jwks
from tests.support.api_helpers import assert_problem, module_store_settings, patched_clock, running_api

SQLITE = [pytest.param("sqlite", id="sqlite")]


@pytest.fixture(scope="module", params=SQLITE)
def api(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock() as clock, running_api(settings, clock) as running:
        yield running


def test_a_page_is_a_shell_that_fetches_nothing_from_elsewhere(api):
    page = api.client.get("/console/overview?as_of=2020-03-05&lang=en")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src" not in policy  # scripts from this service only
    assert 'data-part="/console/parts/overview?as_of=2020-03-05&amp;lang=en"' in page.text
    assert "data-figure" not in page.text and "http://" not in page.text and "https://" not in page.text
    assert 'value="2020-03-05"' in page.text  # the picker shows the date asked for
    assert api.client.get("/console/overview?as_of=not-a-date").status_code == 200  # the part says what is wrong


def test_figures_need_a_token(api):
    assert_problem(api.client.get("/console/parts/overview"), 401, "UNAUTHENTICATED")
    refused = api.client.get("/console/parts/overview?as_of=not-a-date", headers=api.auth("auditor"))
    assert refused.status_code == 422 and "INVALID_INPUT" in refused.text


def test_a_sign_in_link_is_good_once_and_is_no_bearer_token(api):
    link = console_link(api.settings, "city:440600", base_url="http://127.0.0.1:8000").partition("#link=")[2]
    assert_problem(api.client.get("/v1/programme", headers={"Authorization": f"Bearer {link}"}), 401)
    first = api.client.post("/console/session", json={"link": link})
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    token = first.json()["token"]  # a console session: the console's figures, in the link's role, and nothing else
    session = {"Authorization": f"Bearer {token}"}
    own = api.client.get("/console/parts/cities/440600", headers=session)
    assert own.status_code == 200 and "440600" in own.text
    assert api.client.get("/console/parts/cities/441900", headers=session).status_code == 404
    assert_problem(api.client.get("/v1/cities/440600/spend", headers=session), 401, "UNAUTHENTICATED")
    assert_problem(api.client.post("/console/session", json={"link": link}), 401, "UNAUTHENTICATED")
    ordinary = api.auth("province")["Authorization"].split()[1]  # a bearer token is no link
    assert_problem(api.client.post("/console/session", json={"link": ordinary}), 401, "UNAUTHENTICATED")


def test_the_open_box_leads_to_a_console_page_only(api):
    moved = api.client.get("/console/open?kind=batch&key=abc-123&as_of=2020-03-05&lang=en", follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == "/console/batches/abc-123?as_of=2020-03-05&lang=en"
    for key in ("//elsewhere.example", "a/../../v1", "x y"):
        assert api.client.get("/console/open", params={"kind": "voucher", "key": key},
                              follow_redirects=False).status_code == 422


def test_a_table_downloads_only_with_a_token_and_only_as_csv_or_xlsx(api):
    asked = "/console/parts/trial-balance?as_of=2020-03-01&export=csv&table=trial-balance"
    assert_problem(api.client.get(asked), 401, "UNAUTHENTICATED")
    got = api.client.get(asked, headers=api.auth("auditor"))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == 'attachment; filename="trial-balance-trial-balance-20200301.csv"'
    assert got.content.startswith(b"\xef\xbb\xbf") and got.content.decode("utf-8-sig").startswith("科目,借方,贷方")
    english = api.client.get(asked + "&lang=en", headers=api.auth("auditor"))
    assert english.content.decode("utf-8-sig").startswith("Account,Debit,Credit")
    for wrong in ("&export=pdf&table=trial-balance", "&export=csv&table=../x", "&export=csv"):
        bad = api.client.get("/console/parts/trial-balance?as_of=2020-03-01" + wrong, headers=api.auth("auditor"))
        assert bad.status_code == 422 and "INVALID_INPUT" in bad.text
    missing = api.client.get(asked.replace("table=trial-balance", "table=nowhere"), headers=api.auth("auditor"))
    assert missing.status_code == 404
    refused = api.client.get(asked, headers=api.auth("city:440600"))  # the same 403 as the page and the API
    assert refused.status_code == 403 and b"\xef\xbb\xbf" not in refused.content


def test_sign_in_links_work_in_production_under_an_identity_providers_jwks(tmp_path):
    """Production takes callers' tokens from the JWKS only; the link and the session are the service's own."""
    settings = module_like(tmp_path).model_copy(update={
        "production": True, "jwt_secret": SecretStr("a-production-secret-of-more-than-32-bytes"),
        "jwks_path": tmp_path / "jwks.json", "jwt_audience": "voucher-ledger-api", "jwt_issuer": "https://idp.example"})
    key, kid = new_private_key("EdDSA"), new_kid()
    write_jwks(settings.jwks_path, [public_jwk(key, kid)])
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:  # the real clock: production
        api = SimpleNamespace(client=client)
        link = console_link(settings, "auditor", base_url="https://ledger.example").partition("#link=")[2]
        session = {"Authorization": f"Bearer {api.client.post('/console/session', json={'link': link}).json()['token']}"}
        assert api.client.get("/console/parts/overview", headers=session).status_code == 200
        assert_problem(api.client.get("/v1/programme", headers=session), 401, "UNAUTHENTICATED")  # console only
        hs256 = {"Authorization": f"Bearer {mint(settings, 'auditor')}"}  # a caller's HS256 token: refused here
        assert_problem(api.client.get("/console/parts/overview", headers=hs256), 401, "UNAUTHENTICATED")
        provider = {"Authorization": f"Bearer {mint_signed(settings, 'auditor', key, kid)}"}  # pasted by hand: taken
        assert api.client.get("/console/parts/overview", headers=provider).status_code == 200
        # a session signed with the service's secret itself (not its session key) is no session
        forged = jwt.encode({"iss": SESSION, "aud": SESSION, "sub": "x", "role": "province", "exp": 2_000_000_000},
                            settings.jwt_secret.get_secret_value(), algorithm="HS256")
        problem = assert_problem(api.client.get("/console/parts/overview", headers={"Authorization": f"Bearer {forged}"}),
                                 401, "UNAUTHENTICATED")
        assert "console session is not valid" in problem["detail"]
        # the link made by another service's secret is refused at the exchange
        other = console_link(settings.model_copy(update={"jwt_secret": SecretStr("another-service-secret-32-bytes-long")}),
                             "auditor", base_url="https://x").partition("#link=")[2]
        assert_problem(api.client.post("/console/session", json={"link": other}), 401, "UNAUTHENTICATED")


def module_like(tmp_path):
    from tests.conftest import settings_for
    from tests.support.api_helpers import api_settings

    return api_settings(settings_for("sqlite", None, tmp_path))


def test_a_sign_in_link_is_good_once_across_api_processes_and_restarts(store_settings):
    """Two services on one store (two API processes) and a restart: the link's one use is recorded in the ledger, so
    each of them refuses it afterwards; a fresh link still signs in."""
    from tests.support.api_helpers import api_settings

    settings = api_settings(store_settings)
    link = console_link(settings, "city:440600", base_url="http://127.0.0.1:8000").partition("#link=")[2]
    with patched_clock() as clock, running_api(settings, clock) as first, running_api(settings, clock) as second:
        assert first.client.post("/console/session", json={"link": link}).status_code == 200
        problem = assert_problem(second.client.post("/console/session", json={"link": link}), 401, "UNAUTHENTICATED")
        assert "used already" in problem["detail"]
    with patched_clock() as clock, running_api(settings, clock) as restarted:
        assert_problem(restarted.client.post("/console/session", json={"link": link}), 401, "UNAUTHENTICATED")
        fresh = console_link(settings, "city:440600", base_url="http://x").partition("#link=")[2]
        answer = restarted.client.post("/console/session", json={"link": fresh})
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        ledger = restarted.client.app.state.backend.opened().ledger
        for token in (link, fresh):  # each use recorded once, as whom the link signs in
            link_id = jwt.decode(token, options={"verify_signature": False})["jti"]
            recorded = ledger.repository.get(ids.console_sign_in_id(link_id))
            assert (recorded.role, recorded.subject, recorded.version) == ("city:440600", "city:440600", 1)
