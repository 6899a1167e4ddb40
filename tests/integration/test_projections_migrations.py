"""Read-model migrations (migrations/NNNN_name.sql) on an empty PostgreSQL schema and an empty SQLite file.

What the migrations should create is read from the SQL files themselves (every CREATE TABLE / VIEW / INDEX name);
what they did create is read from the database's own catalogue through a plain connection.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest

from store.opening import ensure_postgres_schema
from store import migrations as migrations_module
from store.migrations import Migration, MigrationError, apply_migrations, discover
from projections.money_flows_queries import city_spend
from projections.runner import close_projections, open_projections
from tests.support.projection_helpers import execute, lean, raw, rows

SOURCE_MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"  # the files, not what discover() reads
CREATED = re.compile(r"^\s*CREATE\s+(TABLE|VIEW|INDEX)\s+(\w+)", re.IGNORECASE | re.MULTILINE)


def declared(dialect: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"table": set(), "view": set(), "index": set()}
    for migration in discover():
        if migration.dialect not in (None, dialect):
            continue
        for what, name in CREATED.findall(migration.sql):
            found[what.lower()].add(name)
    return found


def catalogue(settings) -> dict[str, set[str]]:
    if settings.store == "sqlite":
        found = rows(settings, "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        return {what: {n for t, n in found if t == what} for what in ("table", "view", "index")}
    schema = settings.postgres_schema
    return {
        "table": {r[0] for r in rows(settings, "SELECT table_name FROM information_schema.tables "
                                               "WHERE table_schema = ? AND table_type = 'BASE TABLE'", (schema,))},
        "view": {r[0] for r in rows(settings, "SELECT table_name FROM information_schema.views "
                                              "WHERE table_schema = ?", (schema,))},
        "index": {r[0] for r in rows(settings, "SELECT indexname FROM pg_indexes WHERE schemaname = ?", (schema,))},
    }


def without_tracking(found: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each projection's view creates its own tracking table when opened: not the migrations' business."""
    return {what: {n for n in names if "_tracking" not in n} for what, names in found.items()}


@pytest.fixture
def views(store_settings):
    settings = lean(store_settings)
    ensure_postgres_schema(settings)
    return settings


@pytest.fixture
def view(views):
    """A view on the empty store, opened without migrating (the library creates only its tracking table)."""
    projections = open_projections(views, ["money_flows"], migrate=False)
    try:
        yield projections[0].view
    finally:
        close_projections(projections)


def test_every_migration_applies_once_to_an_empty_store(views, view):
    files = sorted(SOURCE_MIGRATIONS.glob("*.sql"))
    before = catalogue(views)
    assert not (declared(view.dialect)["table"] & before["table"])

    done = apply_migrations(view)
    assert [f"{m.version:04d}_{m.name}.sql" for m in done] == [f.name for f in files]
    after = catalogue(views)
    for what, names in declared(view.dialect).items():
        assert names <= after[what], what
    recorded = rows(views, "SELECT version, name, sha256 FROM vl_schema_migrations ORDER BY version")
    assert recorded == [(int(f.name[:4]), f.stem[5:], hashlib.sha256(f.read_bytes()).hexdigest()) for f in files]
    # The new tables are there and empty, and usable through the view.
    assert rows(views, "SELECT COUNT(*) FROM vl_money_movements") == [(0,)]

    # Again: nothing to apply, nothing changes; opening the projections (which migrates) is fine too.
    assert apply_migrations(view) == []
    reopened = open_projections(views)
    close_projections(reopened)
    assert without_tracking(catalogue(views)) == without_tracking(after)
    assert rows(views, "SELECT version, name, sha256 FROM vl_schema_migrations ORDER BY version") == recorded


def test_an_edited_migration_is_refused(views, view, monkeypatch):
    apply_migrations(view)
    recorded = rows(views, "SELECT version, sha256 FROM vl_schema_migrations ORDER BY version")
    landed = discover()
    edited = [replace(m, sql=m.sql + "\n-- one more comment\n") if m.version == 2 else m for m in landed]
    with pytest.raises(MigrationError, match="0002"):
        apply_migrations(view, edited)

    # The same through start-up: open_projections migrates with what discover() finds on disk.
    monkeypatch.setattr(migrations_module, "discover", lambda directory=None: edited)
    with pytest.raises(MigrationError, match="edited"):
        open_projections(views)
    monkeypatch.undo()
    assert rows(views, "SELECT version, sha256 FROM vl_schema_migrations ORDER BY version") == recorded


def test_a_database_ahead_of_the_code_is_refused_and_a_failing_migration_leaves_no_trace(views, view):
    landed = discover()
    apply_migrations(view)
    with pytest.raises(MigrationError, match="does not know"):
        apply_migrations(view, landed[:-1])

    next_version = len(landed) + 1
    broken = Migration(next_version, "broken", "CREATE TABLE vl_half_done (x INTEGER);\nSELECT * FROM no_such_table;\n")
    with pytest.raises(Exception):  # noqa: B017 - the database's own error, whichever driver
        apply_migrations(view, [*landed, broken])
    assert "vl_half_done" not in catalogue(views)["table"]
    assert [r[0] for r in rows(views, "SELECT version FROM vl_schema_migrations")] == [m.version for m in landed]

    fixed = Migration(next_version, "fixed", "CREATE TABLE vl_whole (x INTEGER);\n")
    assert apply_migrations(view, [*landed, fixed]) == [fixed]
    assert "vl_whole" in catalogue(views)["table"]


def test_two_starts_on_the_same_empty_store_apply_each_migration_once(views):
    first = open_projections(views, ["money_flows"], migrate=False)
    second = open_projections(views, ["money_flows"], migrate=False)
    try:
        applied = apply_migrations(first[0].view) + apply_migrations(second[0].view)
    finally:
        close_projections(first)
        close_projections(second)
    assert [m.version for m in applied] == [m.version for m in discover()]
    with raw(views) as conn:
        assert conn.execute("SELECT COUNT(*) FROM vl_schema_migrations").fetchone()[0] == len(discover())


def test_a_postgres_only_migration_runs_as_one_script_there_and_is_only_recorded_on_sqlite(views, view):
    landed = discover()
    apply_migrations(view)
    script = (
        "-- dialect: postgres\n"
        "CREATE FUNCTION vl_answer() RETURNS integer LANGUAGE plpgsql AS $$\n"
        "BEGIN\n    RETURN 42;\nEND;\n$$;\n"
    )
    only_postgres = Migration(len(landed) + 1, "only_postgres", script)
    assert only_postgres.dialect == "postgres"
    assert apply_migrations(view, [*landed, only_postgres]) == [only_postgres]
    recorded = rows(views, "SELECT name, sha256 FROM vl_schema_migrations WHERE version = ?", (only_postgres.version,))
    assert recorded == [("only_postgres", only_postgres.sha256)]
    if views.store == "postgres":  # the ';' inside the $$ body did not split the script
        assert rows(views, "SELECT vl_answer()") == [(42,)]
    else:
        assert rows(views, "SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%vl_answer%'") == [(0,)]


def test_a_migration_for_an_unknown_dialect_is_refused(tmp_path):
    (tmp_path / "0001_odd.sql").write_text("-- dialect: oracle\nCREATE TABLE vl_odd (x INTEGER);\n")
    with pytest.raises(MigrationError, match="unknown dialect"):
        discover(tmp_path)


def test_finding_no_migration_is_an_error(tmp_path):
    (tmp_path / "README.md").write_text("not a migration")
    with pytest.raises(MigrationError, match="no migrations found"):
        discover(tmp_path)


def test_rows_projected_before_the_facts_migration_keep_their_lines(views, view):
    """Migration 0020 replaces the stored lines by facts; a row projected before it reads with its own lines."""
    from projections.audit_trail_queries import event_feed

    landed = discover()
    facts = next(m for m in landed if m.name == "audit_facts")
    apply_migrations(view, landed[:facts.version - 1])
    lines = ("批次支付 ¥1.00（1 笔，2019-01-02 10:00）", "batch paid ¥1.00 (1 claims, 2019-01-02 10:00)")
    execute(views, "INSERT INTO vl_audit_events VALUES (7, 'b', 3, 'SettlementBatch.Paid', 10, NULL, 'x', NULL, NULL, "
                   "?, ?)", lines)
    assert apply_migrations(view) == landed[facts.version - 1:]
    (row,) = event_feed(view, as_of_us=10)
    assert (row["summary_zh"], row["summary_en"]) == lines
    assert (row["position"], row["event_type"], row["actor"]) == (7, "SettlementBatch.Paid", "x")


def test_daily_sums_projected_before_the_monthly_migration_fill_the_monthly_sums(views, view):
    """Migration 0021 adds monthly sums beside the daily ones; a store projected before it gets them from its daily
    rows, so the as-of figures (which read months, then days) stay what they were without a rebuild."""
    landed = discover()
    monthly = next(m for m in landed if m.name == "monthly_sums")
    apply_migrations(view, landed[:monthly.version - 1])
    day_rows = [  # (city, day, settled, settled city part); programme and cash year 2019, application service
        ("广州市", 20190105, 100, 30), ("广州市", 20190131, 250, 75), ("广州市", 20190201, 1_000, 300),
        ("佛山市", 20190110, 7, 2),
    ]
    for row in day_rows:
        execute(views, "INSERT INTO vl_city_daily (city, effective_day, programme_year, cash_year, fee_category, "
                       "settled_fen, settled_city_fen) VALUES (?, ?, 2019, 2019, 'APPLICATION_SERVICE', ?, ?)", row)
    assert apply_migrations(view) == landed[monthly.version - 1:]
    assert sorted(rows(views, "SELECT city, effective_month, settled_fen, settled_city_fen FROM vl_city_monthly")) == [
        ("佛山市", 201901, 7, 2), ("广州市", 201901, 350, 105), ("广州市", 201902, 1_000, 300)]
    # As of noon on 2019-02-02 in Shanghai: January's month and 1 February's day.
    lines = city_spend(view, "广州市", 1_549_080_000_000_000, stage="settled")["lines"]
    assert sum(x["amount_fen"] for x in lines) == 1_350
    assert sum(x["amount_fen"] for x in lines if x["fund_source"] == "city") == 405


def test_vouchers_projected_before_the_expiry_migration_get_their_deadline_from_the_lists_once(views, view):
    """Migration 0024 makes money_flows keep each voucher's deadline (its money answer read the lists projection's);
    a store projected before it is filled once from vl_list_vouchers, and a voucher lists did not hold then reads
    its recorded status alone, as before, until money_flows is rebuilt."""
    landed = discover()
    expiry = next(m for m in landed if m.name == "money_voucher_expiry")
    apply_migrations(view, landed[:expiry.version - 1])
    for voucher in ("v-listed", "v-not-listed"):
        execute(views, "INSERT INTO vl_money_vouchers VALUES (?, 'e', '440600', 2020, 'APPLICATION_SERVICE', '0.5')",
                (voucher,))
    execute(views, "INSERT INTO vl_list_vouchers (voucher_id, position, enterprise_id, city, programme_year, item_id, "
                   "fee_category, face_value_fen, status, issued_us, expires_us) VALUES ('v-listed', 1, 'e', "
                   "'440600', 2020, 'APP-ERP', 'APPLICATION_SERVICE', 100, 'ACTIVE', 5, 1612800000000000)")
    assert apply_migrations(view) == landed[expiry.version - 1:]
    assert sorted(rows(views, "SELECT voucher_id, expires_us FROM vl_money_vouchers")) == [
        ("v-listed", 1_612_800_000_000_000), ("v-not-listed", None)]
