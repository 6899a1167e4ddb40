"""Settings turn into the eventsourcing environment; a PostgreSQL URL overrides the separate fields."""

import os
import subprocess
import sys

import pytest

from store.settings import Settings


def test_the_default_store_is_embedded_sqlite_under_var(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = Settings().eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == "var/ledger.sqlite3"
    assert (tmp_path / "var").is_dir()  # created if absent


def test_a_postgres_url_sets_every_connection_field_and_a_lock_timeout_is_always_set(monkeypatch):
    monkeypatch.setenv("VOUCHER_LEDGER_STORE", "postgres")
    monkeypatch.setenv("VOUCHER_LEDGER_POSTGRES_URL", "postgresql://auditor:s3cret@db.example:6543/ledger")
    env = Settings().eventsourcing_env()
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == ("db.example", "6543", "ledger")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("auditor", "s3cret")
    assert int(env["POSTGRES_LOCK_TIMEOUT"]) > 0  # the library default 0 would wait forever
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in env  # unsafe in 9.5.6 (EVENTSOURCING-NOTES.md)
    from eventsourcing.utils import resolve_topic
    from store.postgres_recorder import BinaryInsertApplicationRecorder

    assert resolve_topic(env["PERSISTENCE_MODULE"]).application_recorder_class is BinaryInsertApplicationRecorder


# -- secrets --------------------------------------------------------------------------------------------------------
JWT_SECRET = "jwt-signing-key-that-must-not-be-printed-0123"
URL_PASSWORD = "url-password-not-to-be-printed"
FIELD_PASSWORD = "field-password-not-to-be-printed"


def _config_output(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_LEDGER_")}
    done = subprocess.run([sys.executable, "-m", "api.cli", "config"], env={**clean, "COLUMNS": "250", **env},
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout + done.stderr


def test_config_shows_every_secret_as_stars_and_everything_else_in_clear(tmp_path):
    out = _config_output({
        "VOUCHER_LEDGER_STORE": "postgres",
        "VOUCHER_LEDGER_JWT_SECRET": JWT_SECRET,
        "VOUCHER_LEDGER_POSTGRES_URL": f"postgresql://auditor:{URL_PASSWORD}@db.example:6543/ledger",
    })
    for secret in (JWT_SECRET, URL_PASSWORD):
        assert secret not in out
    assert "VOUCHER_LEDGER_JWT_SECRET" in out and "password=********" in out and "db.example" in out
    assert out.count("********") >= 3  # the key, the URL's password, the password field taken from the URL

    out = _config_output({"VOUCHER_LEDGER_POSTGRES_PASSWORD": FIELD_PASSWORD})
    assert FIELD_PASSWORD not in out and "********" in out


@pytest.mark.parametrize("url", [
    f"postgresql://auditor:{URL_PASSWORD}@db.example/ledger",
    f"postgresql://auditor@db.example/ledger?password={URL_PASSWORD}",
    f"host=db.example user=auditor password={URL_PASSWORD} dbname=ledger",
])
def test_a_password_in_any_form_of_connection_string_is_masked(url):
    shown = Settings(postgres_url=url).shown()
    assert URL_PASSWORD not in "".join(shown.values())
    assert "db.example" in shown["VOUCHER_LEDGER_POSTGRES_URL"]


def test_every_user_of_a_secret_gets_its_real_value(monkeypatch):
    settings = Settings(store="postgres", jwt_secret=JWT_SECRET,
                        postgres_url=f"postgresql://auditor:{URL_PASSWORD}@db.example:6543/ledger")
    assert JWT_SECRET not in repr(settings) and URL_PASSWORD not in repr(settings)
    assert settings.eventsourcing_env()["POSTGRES_PASSWORD"] == URL_PASSWORD
    # `serve` hands its settings to uvicorn's worker processes through the environment: secrets must arrive intact.
    for name, value in settings.environment().items():
        monkeypatch.setenv(name, value)
    rebuilt = Settings()
    assert rebuilt.jwt_secret.get_secret_value() == JWT_SECRET
    assert rebuilt.postgres_password.get_secret_value() == URL_PASSWORD
    assert rebuilt == settings


def test_a_postgres_ledger_records_through_the_ledgers_recorder(store_settings):
    """Wired by class (store.postgres_recorder.LedgerPostgresFactory), not by a recorder topic string."""
    from store.opening import open_ledger
    from store.postgres_recorder import BinaryInsertApplicationRecorder

    app = open_ledger(store_settings)
    try:
        assert isinstance(app.recorder, BinaryInsertApplicationRecorder) == (store_settings.store == "postgres")
    finally:
        app.close()


def test_production_refuses_a_short_signing_key_and_tokens_without_an_audience():
    key = "k" * 32
    assert Settings(production=True, jwt_secret=key, jwt_audience="voucher-ledger-api").production
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Settings(production=True, jwt_secret="k" * 31, jwt_audience="voucher-ledger-api")
    with pytest.raises(ValueError, match="at least 32 bytes"):  # bytes, not characters: 10 × 3 bytes is too short
        Settings(production=True, jwt_secret="密" * 10, jwt_audience="voucher-ledger-api")
    with pytest.raises(ValueError, match="VOUCHER_LEDGER_JWT_AUDIENCE must name this service"):
        Settings(production=True, jwt_secret=key)
    assert not Settings(jwt_secret="short").production  # development keeps its conveniences


def test_a_password_inside_any_other_url_setting_is_masked():
    """README: `config` shows "a password inside the URL" as stars; the identity provider's JWKS URL may carry one
    (basic auth to a private endpoint), and was shown in clear."""
    shown = Settings(jwks_url=f"https://ledger:{URL_PASSWORD}@idp.example/jwks", jwt_issuer="idp",
                     jwt_audience="ledger").shown()
    assert URL_PASSWORD not in "".join(shown.values())
    assert shown["VOUCHER_LEDGER_JWKS_URL"] == "https://ledger:********@idp.example/jwks"
    assert Settings(jwks_url="https://idp.example/jwks", jwt_issuer="idp",
                    jwt_audience="ledger").shown()["VOUCHER_LEDGER_JWKS_URL"] == "https://idp.example/jwks"
