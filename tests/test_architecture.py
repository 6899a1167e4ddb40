"""The domain stays pure (no database, HTTP, settings or clock), and error codes stay unique and stable."""

import ast
from pathlib import Path

from ledger.errors import LedgerError, all_error_codes

LEDGER = Path(__file__).resolve().parent.parent / "ledger"
FORBIDDEN_MODULES = {"psycopg", "psycopg_pool", "sqlite3", "fastapi", "starlette", "uvicorn", "httpx", "requests",
                     "pydantic_settings", "api", "projections", "eventsourcing.postgres", "eventsourcing.sqlite"}
# Attribute calls that read a clock or make a random id (datetime.now(), time.time(), uuid.uuid4(), ...); a bare
# `time(0)` is the datetime.time constructor and is fine.
CLOCK_ATTRIBUTE_CALLS = {"now", "utcnow", "today", "time", "time_ns", "monotonic", "uuid1", "uuid4"}
CLOCK_NAME_CALLS = {"uuid1", "uuid4", "time_ns", "monotonic"}


def _imports_and_calls(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield "import", alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield "import", node.module, node.lineno
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in CLOCK_ATTRIBUTE_CALLS:
                yield "clock", node.func.attr, node.lineno
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in CLOCK_NAME_CALLS:
                yield "clock", node.func.id, node.lineno


def test_ledger_imports_no_io_and_reads_no_clock():
    offences = []
    for path in LEDGER.rglob("*.py"):
        for kind, name, line in _imports_and_calls(path):
            if kind == "import" and any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES):
                offences.append(f"{path.name}:{line} imports {name}")
            if kind == "clock":
                offences.append(f"{path.name}:{line} calls {name}()")
    assert offences == []


def test_error_codes_are_unique_and_screaming_snake_case():
    codes = {}
    pending = [LedgerError]
    while pending:
        cls = pending.pop()
        assert cls.code not in codes, f"{cls.__name__} reuses {cls.code} of {codes.get(cls.code)}"
        codes[cls.code] = cls.__name__
        assert cls.code == cls.code.upper() and " " not in cls.code
        pending.extend(cls.__subclasses__())
    assert set(all_error_codes()) == set(codes)
    for required in ("PROVIDER_SUSPENDED", "VOUCHER_EXHAUSTED", "CATEGORY_NOT_COVERED", "QUOTA_EXHAUSTED",
                     "DUPLICATE_CLAIM", "NOT_ELIGIBLE"):
        assert required in codes
