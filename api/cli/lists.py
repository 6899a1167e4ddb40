"""`voucher-ledger list KIND`: the work queues and lookups of ``GET /v1/claims`` and its siblings, on the command line.

The same read models, filters and cursors as the API (a cursor printed here continues over HTTP and back), with an
operator's view: every row, no role scope. A table by default (times in Asia/Shanghai), ``--json`` for scripts;
``--all`` walks every page. A voucher's status is the API's too: as of now on the service's clock (past its deadline,
EXPIRED, with ``expiry_recorded`` false until the expiry run).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.cli.commanding import service_now
from api.cli.options import limit_option
from api.cli.queries import ask_read_models
from api.http import cursors, list_filters
from api.http.party_ids import optional_party_id
from api.http.problems import ApiError
from ledger.errors import LedgerError
from ledger.uscc import validate_uscc
from projections.times import describe

console = Console()
errors = Console(stderr=True)


class Kind(StrEnum):
    claims = "claims"
    vouchers = "vouchers"
    enterprises = "enterprises"
    providers = "providers"
    batches = "batches"


# Per kind: the HTTP path its cursors belong to, the options it takes (option -> column), the cursor key's type
# and the columns of its table.
PATH = {Kind.batches: "settlement-batches"}
FILTERS: dict[Kind, dict[str, str]] = {
    Kind.claims: {"provider": "provider_id", "enterprise": "enterprise_id", "voucher": "voucher_id", "city": "city",
                  "year": "programme_year", "batch": "batch_id"},
    Kind.vouchers: {"enterprise": "enterprise_id", "city": "city", "year": "programme_year", "status": "status",
                    "fee_category": "fee_category"},
    Kind.enterprises: {"city": "city", "uscc": "uscc"},
    Kind.providers: {"kind": "kind", "status": "status", "uscc": "uscc"},
    Kind.batches: {"provider": "provider_id", "status": "status", "period": "period"},
}
COLUMNS = {
    Kind.claims: ("claim_id", "status", "flagged", "held", "amount_fen", "city", "provider_id", "claimed_us"),
    Kind.vouchers: ("voucher_id", "enterprise_id", "city", "programme_year", "item_id", "face_value_fen", "status",
                    "expiry_recorded"),
    Kind.enterprises: ("enterprise_id", "uscc", "name", "city", "registered_us"),
    Kind.providers: ("provider_id", "uscc", "name", "kind", "status"),
    Kind.batches: ("batch_id", "provider_id", "period", "status", "lines", "amount_fen", "paid_fen", "opened_us"),
}


def conditions(kind: Kind, options: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[str]]:
    """The list conditions of the given options; an option the kind does not take is an error."""
    given = {name: value for name, value in options.items() if value is not None}
    takes = set(FILTERS[kind]) | ({"status"} if kind is Kind.claims else set())
    wrong = sorted(set(given) - takes)
    if wrong:
        raise ValueError(f"list {kind.value} takes no --{', --'.join(w.replace('_', '-') for w in wrong)}")
    queue = given.pop("status", None) if kind is Kind.claims else None
    equal, where = list_filters.claims_queue(queue)
    for name, value in given.items():
        if name in ("enterprise", "provider"):
            value = optional_party_id(name, value)
        elif name == "uscc":
            value = validate_uscc(value)
        elif name == "city":
            value = list_filters.city(value)  # UNKNOWN_CITY, as over HTTP
        elif name == "status":
            value = list_filters.status(value)
        elif name in ("kind", "fee_category"):
            value = str(value).upper()
        equal.append((FILTERS[kind][name], value))
    return equal, where


def register(app: typer.Typer) -> None:
    @app.command("list")
    def list_(
        kind: Kind = typer.Argument(..., help="what to list"),
        status: str = typer.Option(None, help="claims: CLAIMED|APPROVED|SETTLED|REJECTED|REVERSED|HELD|FLAGGED; "
                                              "vouchers: ACTIVE|EXPIRED|REVOKED, as of now (past its deadline, "
                                              "EXPIRED); providers: whitelist status; "
                                              "batches: OPEN|PAID (lower case too)"),
        provider: str = typer.Option(None, help="a provider's id or USCC (claims, batches)"),
        enterprise: str = typer.Option(None, help="an enterprise's id or USCC (claims, vouchers)"),
        voucher: str = typer.Option(None, help="a voucher id (claims)"),
        city: str = typer.Option(None, help="a city code (claims, vouchers, enterprises)"),
        year: int = typer.Option(None, help="a programme year (claims, vouchers)"),
        batch: str = typer.Option(None, help="a settlement batch id (claims)"),
        uscc: str = typer.Option(None, help="a USCC (enterprises, providers)"),
        provider_kind: str = typer.Option(None, "--kind", help="a provider kind (providers)"),
        fee_category: str = typer.Option(None, help="a fee category (vouchers)"),
        period: str = typer.Option(None, help="a settlement period, e.g. 2020-03 (batches)"),
        limit: int = limit_option(100, "rows per page"),
        cursor: str = typer.Option(None, help="next_cursor of a previous page (also one the API gave out)"),
        every: bool = typer.Option(False, "--all", help="walk every page"),
        as_json: bool = typer.Option(False, "--json", help="JSON: the rows and next_cursor"),
    ) -> None:
        """Work queues and lookups as known now, a page at a time (amounts in integer fen)."""
        path = PATH.get(kind, kind.value)
        options = {"status": status, "provider": provider, "enterprise": enterprise, "voucher": voucher, "city": city,
                   "year": year, "batch": batch, "uscc": uscc, "kind": provider_kind, "fee_category": fee_category,
                   "period": period}
        try:
            equal, where = conditions(kind, options)
            after = cursors.decode(path, cursor, str if kind is Kind.providers else int)
        except LedgerError as exc:
            errors.print(f"[red]{exc.code}[/]: {escape(exc.detail)}")  # the code the API answers (UNKNOWN_CITY, ...)
            raise typer.Exit(2) from None
        except (ValueError, ApiError) as exc:
            errors.print(f"[red]{getattr(exc, 'detail', None) or exc}[/]")
            raise typer.Exit(2) from None
        name = kind.value
        now = service_now() if kind is Kind.vouchers else None  # a voucher's status as of now, as the API's

        def ask(read: Any) -> tuple[list[dict[str, Any]], Any]:
            rows, key = [], after
            while True:
                page = read.list_page(name, equal=equal, where=where, after=key, limit=limit, now=now)
                rows += page.items
                key = page.next_key
                if key is None or not every:
                    return rows, key

        rows, next_key = ask_read_models(ask)
        next_cursor = cursors.encode(path, next_key)
        if as_json:
            console.print_json(json.dumps({"items": rows, "next_cursor": next_cursor}, default=str, ensure_ascii=False))
            return
        table = Table(title=f"{len(rows):,} {kind.value}")
        for column in COLUMNS[kind]:
            table.add_column(column.removesuffix("_us"), justify="right" if column.endswith("_fen") else "left")
        for row in rows:
            table.add_row(*(_cell(column, row[column]) for column in COLUMNS[kind]))
        console.print(table)
        if next_cursor:
            console.print(f"more: --cursor {next_cursor}")


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column.endswith("_us"):
        return describe(value)
    if column.endswith("_fen"):
        return f"{value:,}"
    return str(value)
