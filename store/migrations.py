"""Numbered plain-SQL migrations (``migrations/NNNN_name.sql``) applied in order and recorded.

Hand-written rather than Alembic or yoyo: the read models are plain tables shared by PostgreSQL and SQLite, the
files are the whole story, and the rules fit in a page — apply each file once, in order, in one transaction with its
record; refuse to run if a file that was applied has since been edited (its SHA-256 differs), because a landed
migration is never changed: a correction is a new file. Statements are separated by ``;`` at the end of a line.

A file whose first line is ``-- dialect: postgres`` holds PostgreSQL-only objects (triggers, constraint triggers):
on PostgreSQL it runs as one script, so ``$$`` function bodies may contain ``;``; on SQLite it is recorded as
applied without running, so both stores keep the same numbering.

The files are package data of the top-level ``migrations`` package, read with ``importlib.resources``, so an
installed wheel migrates as a source checkout does; finding none is an error, never "nothing to do".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from store.availability import store_unavailable

TABLE = "vl_schema_migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def dialect(self) -> str | None:
        """The only store this migration runs on (``-- dialect: postgres`` on its first line), or None for both."""
        first = self.sql.lstrip().split("\n", 1)[0].strip()
        match = re.fullmatch(r"--\s*dialect:\s*([a-z]+)", first)
        return match[1] if match else None

    def statements(self, dialect: str) -> list[str]:
        if self.dialect is not None:
            return [self.sql] if self.dialect == dialect else []
        return [s.strip() for s in re.split(r";\s*$", self.sql, flags=re.MULTILINE) if _has_code(s)]


def _has_code(chunk: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in chunk.splitlines())


def discover(directory: Traversable | None = None) -> list[Migration]:
    """The migrations in ``directory`` (default: the ``migrations`` package), checked and in order."""
    directory = files("migrations") if directory is None else directory
    found = []
    for path in sorted((p for p in directory.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lower_case_name.sql")
        migration = Migration(int(match[1]), match[2], path.read_text(encoding="utf-8"))
        if migration.dialect not in (None, "postgres"):
            raise MigrationError(f"{path.name}: unknown dialect {migration.dialect!r}; only 'postgres' is known")
        found.append(migration)
    if not found:
        raise MigrationError(f"no migrations found in {directory}: the package data (migrations/*.sql) is missing")
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migrations must be numbered 0001, 0002, ... without gaps; found {versions}")
    return found


def apply_migrations(view: Any, migrations: list[Migration] | None = None) -> list[Migration]:
    """Apply the pending migrations through ``view`` (a read-model view); return those applied now."""
    migrations = discover() if migrations is None else migrations
    for attempt in range(2):  # two PostgreSQL sessions creating the same table at once: one fails, then sees it
        if view.dialect == "postgres" and view.fetchone(f"SELECT to_regclass('{TABLE}')")[0] is not None:
            break  # looked for first: CREATE ... IF NOT EXISTS needs CREATE on the schema, which a service role lacks
        try:
            with view.transaction(commit=True) as curs:
                curs.execute(
                    f"CREATE TABLE IF NOT EXISTS {TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    "sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
            break
        except Exception:
            if attempt:
                raise
    applied = {row[0]: row for row in view.fetchall(f"SELECT version, name, sha256 FROM {TABLE}")}
    done = []
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None:
            if recorded[2] != migration.sha256:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} was edited after it was applied; "
                    "a landed migration is never changed — add a new one"
                )
            continue
        with view.transaction(commit=True) as curs:
            # One migration at a time, even with several processes starting: take the write lock, then look again.
            if view.dialect == "postgres":
                curs.execute("SET LOCAL statement_timeout = 0")  # an API process's is for requests, not for this
                curs.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
            else:  # any write statement takes SQLite's write lock, even one that changes no row
                curs.execute(f"UPDATE {TABLE} SET version = version WHERE 0")
            view.execute(curs, f"SELECT 1 FROM {TABLE} WHERE version = ?", (migration.version,))
            if curs.fetchone():
                continue
            for statement in migration.statements(view.dialect):
                curs.execute(statement)
            view.execute(curs, f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)",
                         (migration.version, migration.name, migration.sha256, datetime.now(UTC).isoformat()))
        done.append(migration)
    unknown = sorted(set(applied) - {m.version for m in migrations})
    if unknown:
        raise MigrationError(f"the database has migrations {unknown} that this code does not know: upgrade the code")
    return done


def pending(view: Any) -> list[str]:
    """The migrations this code knows that the store has not applied (``NNNN_name``), without applying them."""
    try:
        applied = {row[0] for row in view.fetchall(f"SELECT version FROM {TABLE}")}
    except Exception as exc:  # noqa: BLE001 - no table yet: nothing applied (an outage is raised again)
        if store_unavailable(exc):
            raise
        applied = set()
    return [f"{m.version:04d}_{m.name}" for m in discover() if m.version not in applied]
