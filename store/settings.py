"""The one settings class (pydantic-settings), shared by the command line, the API and the tests.

Every setting is an environment variable prefixed ``VOUCHER_LEDGER_`` (README, "Configuration"). The ledger itself
never reads settings: :meth:`Settings.eventsourcing_env` turns them into the environment the eventsourcing
application is built from.

Secrets (the token-signing key, the database password, a URL that may carry one) are ``SecretStr``: printing or
dumping the settings shows ``**********``, and a user of the real value asks for it with ``get_secret_value()``.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit
from pathlib import Path
from typing import Any, Literal

from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pydantic import Field, SecretStr, model_validator
from eventsourcing.utils import get_topic
from pydantic_settings import BaseSettings, SettingsConfigDict

from store import connections, retries
from store.postgres_recorder import LedgerPostgresFactory

DEFAULT_JWT_SECRET = "development-only-key-never-use-in-production"
MASK = "********"
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOUCHER_LEDGER_", extra="ignore")

    store: Literal["sqlite", "postgres"] = Field(
        "sqlite", description="sqlite (embedded default, no server) or postgres (production)"
    )
    sqlite_path: Path = Field(Path("var/ledger.sqlite3"), description="SQLite file; its folder is created if absent")
    postgres_url: SecretStr | None = Field(
        None, description="postgresql://user:pass@host:port/db; overrides the separate postgres_* fields"
    )
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_dbname: str = "voucher_ledger"
    postgres_user: str = "postgres"
    postgres_password: SecretStr = SecretStr("")
    postgres_schema: str = Field("", description="schema for the event tables (blank: the default search path)")
    postgres_pool_size: int = Field(5, ge=0, description="the ledger's pool: connections opened at once (store/"
                                    "connections.py; README, 'Connection budget')")
    postgres_max_overflow: int = Field(10, ge=0, description="the ledger's pool: more connections under load")
    postgres_query_pool_size: int = Field(2, ge=0, description="the read models' query pool: opened at once")
    postgres_query_max_overflow: int = Field(6, ge=0, description="the read models' query pool: more under load")
    process_kind: Literal["api", "worker", "cli"] = Field(
        "cli", description="set by the process itself (an API process of `serve`: api; `follow`: worker): names its "
        "connections in pg_stat_activity and gives an API process its statement timeout"
    )
    api_statement_timeout_s: float = Field(
        15.0, ge=0, description="an API process's statements are cancelled after this long (PostgreSQL "
        "statement_timeout; 0: never) and the request answers 503 STATEMENT_TIMEOUT"
    )
    postgres_lock_timeout_s: int = Field(
        5, ge=1, description="seconds a writer waits for the events-table lock (the library default 0 waits forever)"
    )
    postgres_connect_timeout_s: int = 5
    create_tables: bool = Field(
        True, description="create the event tables (and a named schema) if absent; false for a role that may only "
        "INSERT and SELECT (an owner role creates them: README, 'Tamper evidence')"
    )
    postgres_pre_ping: bool = Field(
        False, description="check each pooled connection before use (one extra round trip per checkout)"
    )
    sqlite_lock_timeout_s: int = 5
    max_command_attempts: int = Field(12, ge=1, description="re-runs of a command after version conflicts")
    trust_snapshots: bool = Field(
        True, description="commands load quotas from their latest snapshot (a cache `verify` checks); false: replay "
        "every event instead, so a forged snapshot cannot decide a command"
    )
    read_models_in_process: bool | None = Field(
        None, description="catch projections up before each query (default: yes on SQLite, no on PostgreSQL)"
    )
    # -- the HTTP service ----------------------------------------------------------------------------------------
    api_host: str = Field("127.0.0.1", description="address `voucher-ledger serve` binds")
    api_port: int = 8000
    api_workers: int = Field(1, ge=1, description="uvicorn worker processes")
    api_group_commit: bool = Field(
        True, description="run the API's commands through one group-commit writer (writer/group_commit.py)"
    )
    api_max_body_bytes: int = Field(1_048_576, ge=0, description="largest request body; 413 beyond it, refused "
                                    "from its Content-Length before it is read")
    api_max_json_depth: int = Field(32, ge=1, description="deepest nesting of a JSON request body; 400 "
                                    "JSON_TOO_DEEP beyond it, refused as the body arrives, before it is parsed")
    api_max_import_bytes: int = Field(64 * 1_048_576, ge=0, description="largest spreadsheet POST /v1/imports takes")
    api_projection_workers: bool = Field(
        True, description="on PostgreSQL, `serve` runs a `follow` worker per projection as child processes and "
        "restarts one that dies (false, or `serve --no-workers`: run them yourself; /readyz fails while none follows)"
    )
    ready_max_lag_events: int = Field(10_000, ge=0, description="/readyz fails when a projection is further behind")
    ready_max_lag_s: float = Field(30.0, ge=0, description="/readyz fails when a projection's oldest unprojected "
                                   "event was recorded longer ago than this")
    store_down_answer_s: float = Field(
        2.0, gt=0, description="while PostgreSQL is unreachable a request answers 503 within about this long: the "
        "pool's wait for a connection, and no retry of a failed statement once the store is known to be down"
    )
    store_probe_interval_s: float = Field(0.5, gt=0, description="while the store is down, how often it is tried")
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: human lines on a terminal, JSON lines otherwise"
    )
    access_log: bool = Field(True, description="one log line per request (method, route, status, duration, id)")
    production: bool = Field(False, description="refuse to start with the default token-signing key, a training "
                             "clock, or a store written on one")
    clock: datetime | None = Field(
        None, description="start a training clock here (ISO-8601 with offset); it then runs in real time. It marks a "
        "new store (no events yet) training for ever, or continues on one already marked; a store with real-clock "
        "history is refused. Unset: the real clock"
    )
    jwt_secret: SecretStr = Field(
        SecretStr(DEFAULT_JWT_SECRET), description="HMAC key that signs and checks bearer tokens (HS256)"
    )
    token_ttl_s: int = Field(8 * 3600, ge=60, description="lifetime of tokens minted by `voucher-ledger token`")
    jwks_path: Path | None = Field(
        None, description="JWKS file of the identity provider's public keys (EdDSA, ES256, RS256), read again when it "
        "changes; a token's `kid` picks its key. Set in production: HS256 tokens are then refused"
    )
    jwks_url: str | None = Field(
        None, description="instead of a file, the identity provider's JWKS URL (https://...): fetched with a "
        "timeout, kept, fetched again when older than jwks_max_age_s or when a token names an unknown kid"
    )
    jwks_timeout_s: float = Field(3.0, gt=0, description="how long one fetch of the JWKS URL may take")
    jwks_max_age_s: float = Field(3600.0, gt=0, description="a fetched key set is fetched again after this long")
    jwks_refetch_min_s: float = Field(30.0, ge=0, description="at most one fetch of the JWKS URL this often (a "
                                      "failed one included): an unknown kid cannot make the service hammer it")
    jwt_audience: str | None = Field(None, description="the `aud` every token must carry (required with a JWKS)")
    jwt_issuer: str | None = Field(None, description="the `iss` of the identity provider's tokens (required with a "
                                   "JWKS; HS256 tokens are issued by `voucher-ledger`)")
    jwt_role_claim: str = Field("role", description="the claim that carries the role, e.g. city:440600")

    @model_validator(mode="after")
    def _no_default_key_in_production(self) -> Settings:
        if self.production and self.jwt_secret.get_secret_value() == DEFAULT_JWT_SECRET:
            raise ValueError("VOUCHER_LEDGER_PRODUCTION is set but VOUCHER_LEDGER_JWT_SECRET is the default key")
        return self

    @model_validator(mode="after")
    def _jwks_names_its_tokens(self) -> Settings:
        if self.jwks_path is not None and self.jwks_url:
            raise ValueError("set VOUCHER_LEDGER_JWKS_PATH or VOUCHER_LEDGER_JWKS_URL, not both")
        if self.has_jwks() and not (self.jwt_audience and self.jwt_issuer):
            name = "VOUCHER_LEDGER_JWKS_URL" if self.jwks_url else "VOUCHER_LEDGER_JWKS_PATH"
            raise ValueError(f"{name} is set: VOUCHER_LEDGER_JWT_AUDIENCE and VOUCHER_LEDGER_JWT_ISSUER "
                             "must be set too (tokens of another audience or issuer are refused)")
        return self

    def accepts_hs256(self) -> bool:
        """HS256 (the shared development key) is for development: production with a JWKS takes only its keys."""
        return not (self.production and self.has_jwks())

    def has_jwks(self) -> bool:
        """Tokens of an identity provider are taken (its keys from a JWKS file or URL)."""
        return self.jwks_path is not None or bool(self.jwks_url)

    @model_validator(mode="after")
    def _training_clock_is_not_for_production(self) -> Settings:
        if self.clock is not None and (self.clock.tzinfo is None or self.clock.utcoffset() is None):
            raise ValueError("VOUCHER_LEDGER_CLOCK needs a UTC offset, e.g. 2020-10-15T09:00:00+08:00")
        if self.production and self.clock is not None:
            raise ValueError("VOUCHER_LEDGER_PRODUCTION is set: a production service runs on the real clock, so "
                             "VOUCHER_LEDGER_CLOCK must not be set")
        return self

    @model_validator(mode="after")
    def _postgres_url_wins(self) -> Settings:
        if self.postgres_url:
            parts = conninfo_to_dict(self.postgres_url.get_secret_value())
            self.postgres_host = str(parts.get("host") or self.postgres_host)
            self.postgres_port = int(parts.get("port") or self.postgres_port)
            self.postgres_dbname = str(parts.get("dbname") or self.postgres_dbname)
            self.postgres_user = str(parts.get("user") or self.postgres_user)
            if parts.get("password"):
                self.postgres_password = SecretStr(str(parts["password"]))
        return self

    @model_validator(mode="after")
    def _production_tokens_name_their_audience(self) -> Settings:
        if self.production and len(self.jwt_secret.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"VOUCHER_LEDGER_PRODUCTION is set: VOUCHER_LEDGER_JWT_SECRET must be at least "
                             f"{MIN_SECRET_BYTES} bytes (it signs console links and sessions, and HS256 tokens)")
        if self.production and not self.jwt_audience:
            raise ValueError("VOUCHER_LEDGER_PRODUCTION is set: VOUCHER_LEDGER_JWT_AUDIENCE must name this service, "
                             "so that a token issued for another service is refused")
        return self

    def eventsourcing_env(self) -> dict[str, str]:
        env = {"MAX_COMMAND_ATTEMPTS": str(self.max_command_attempts), "CREATE_TABLE": "y" if self.create_tables else "n",
               "TRUST_SNAPSHOTS": "y" if self.trust_snapshots else "n"}
        if self.store == "postgres":  # every statement of this process then answers within the budget
            retries.set_budget(self.store_down_answer_s, self.pool_wait_s(), self.postgres_connect_timeout_s)
        if self.store == "sqlite":
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            return env | {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": str(self.sqlite_lock_timeout_s),
            }
        return env | {
            "PERSISTENCE_MODULE": get_topic(LedgerPostgresFactory),  # the library's, with the ledger's recorder
            "POSTGRES_HOST": self.postgres_host,
            "POSTGRES_PORT": str(self.postgres_port),
            "POSTGRES_DBNAME": self.postgres_dbname,
            "POSTGRES_USER": self.postgres_user,
            "POSTGRES_PASSWORD": self.postgres_password.get_secret_value(),
            "POSTGRES_SCHEMA": self.postgres_schema,
            "POSTGRES_POOL_SIZE": str(self.postgres_pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.postgres_max_overflow),
            "POSTGRES_LOCK_TIMEOUT": str(self.postgres_lock_timeout_s),
            "POSTGRES_CONNECT_TIMEOUT": str(self.pool_wait_s()),
            "POSTGRES_PRE_PING": "y" if self.postgres_pre_ping else "n",
            connections.LABEL_KEY: connections.label(self),
            connections.TIMEOUT_KEY: str(connections.statement_timeout_ms(self)),
        }

    def pool_wait_s(self) -> int:
        """How long one attempt waits for a pooled connection (the library's connect timeout is also its pool's wait,
        in whole seconds): half the 503 budget, so that a stale connection can be retried once inside it."""
        return max(1, min(self.postgres_connect_timeout_s, int(self.store_down_answer_s / 2)))

    def environment(self) -> dict[str, str]:
        """The ``VOUCHER_LEDGER_*`` variables that rebuild these settings in a child process, secrets in clear."""
        return {f"VOUCHER_LEDGER_{name.upper()}": str(_revealed(value))
                for name, value in self.model_dump(exclude_none=True).items()}

    def shown(self) -> dict[str, str]:
        """Every setting as ``voucher-ledger config`` shows it: secrets masked, a URL's password too."""
        return {f"VOUCHER_LEDGER_{name.upper()}": _masked(name, value) for name, value in self.model_dump().items()}

    def describe_store(self) -> str:
        if self.store == "sqlite":
            return f"SQLite file {self.sqlite_path}"
        schema = f", schema {self.postgres_schema}" if self.postgres_schema else ""
        return f"PostgreSQL {self.postgres_user}@{self.postgres_host}:{self.postgres_port}/{self.postgres_dbname}{schema}"


def _revealed(value: Any) -> Any:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def _masked(name: str, value: Any) -> str:
    if not isinstance(value, SecretStr):
        return _url_password_masked(value) if isinstance(value, str) and "://" in value else str(value)
    secret = value.get_secret_value()
    if not secret or name != "postgres_url":
        return MASK if secret else ""
    # Show where the URL points, but not its password (in the user part, the query or a key=value string).
    parts = conninfo_to_dict(secret)
    if "password" in parts:
        parts["password"] = MASK
    return make_conninfo(**parts)


def _url_password_masked(value: str) -> str:
    """A URL setting that is not a secret (the JWKS URL) may still carry a password in its user part."""
    parts = urlsplit(value)
    if not parts.password:
        return value
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{MASK}@{host}"))


@lru_cache
def get_settings() -> Settings:
    return Settings()

