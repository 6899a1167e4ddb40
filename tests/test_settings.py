"""Settings turn into the eventsourcing environment; a PostgreSQL URL overrides the separate fields."""

from api.settings import Settings


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
    from api.postgres_recorder import TOPIC
    from eventsourcing.utils import resolve_topic

    assert resolve_topic(env["APPLICATION_RECORDER_TOPIC"]).__name__ == TOPIC.rsplit(":", 1)[1]
