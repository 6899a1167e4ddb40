"""The domain stays pure (no database, HTTP, settings or clock), and error codes stay unique and stable."""

import ast
from pathlib import Path

from ledger.errors import LedgerError, all_error_codes

LEDGER = Path(__file__).resolve().parents[2] / "ledger"
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


# -- layers -----------------------------------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]
# Lowest first: a module imports its own layer and the layers below, never one above. `writer` holds the unit of work
# and the group-commit writer; the commands in `ledger` reach it only through ledger/commands/store_access.py.
# `simulator` and `bench` sit on top: they drive the ledger as its users do, and `simulator/cli.py` composes the whole
# `voucher-ledger` command line (the ledger's commands plus `simulate` and `demo`).
LAYERS = ("ledger", "writer", "store", "projections", "audit", "importer", "api", "simulator", "bench")

# Upward imports allowed: none. A lower layer that needs something from above gets it moved down instead.
KNOWN_UPWARD: set[tuple[str, str]] = set()
# Cycles allowed (imports under TYPE_CHECKING count: they are a dependency all the same): none.
KNOWN_CYCLES: list[set[str]] = []


def _project_modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _import_graph() -> dict[str, dict[str, int]]:
    """Module -> {project module it imports: first line}, for every import statement (in functions too)."""
    modules = _project_modules()
    graph: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            else:
                continue
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != name:
                    graph[name].setdefault(target, node.lineno)
    return graph


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def test_no_module_imports_a_layer_above_its_own():
    graph = _import_graph()
    upward = {(m, t) for m, targets in graph.items() for t in targets if _layer(t) > _layer(m)}
    new = [f"{m} (line {graph[m][t]}) imports {t}" for m, t in sorted(upward - KNOWN_UPWARD)]
    assert new == [], f"imports that run upward (layers, lowest first: {' < '.join(LAYERS)}): {new}"
    gone = sorted(KNOWN_UPWARD - upward)
    assert gone == [], f"no longer imported, so delete from KNOWN_UPWARD: {gone}"


def _cycles(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_no_import_cycle_beyond_the_known_ones():
    cycles = _cycles(_import_graph())
    assert [sorted(c) for c in cycles if c not in KNOWN_CYCLES] == []
    assert [sorted(c) for c in KNOWN_CYCLES if c not in cycles] == [], "a known cycle is gone: delete it here"


def test_the_cycle_finder_finds_a_cycle_and_the_layers_cover_every_package():
    assert _cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [{"a", "b", "c"}]
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages - set(LAYERS) <= {"tests", "migrations"}  # a new package must take its place in LAYERS


# -- eventsourcing internals ------------------------------------------------------------------------------------------
# Where the project may use the library's private names (one leading underscore, read from its source), so that an
# upgrade of the pinned library has a short list to re-read: the write path's in one module; the two recorders that
# subclass the library's override its private insert steps. `_create` is how the library's documentation has an
# aggregate class create itself.
LIBRARY_INTERNALS_ALLOWED_IN = {"writer/library_internals.py", "store/postgres_recorder.py", "projections/view.py"}
LIBRARY_DOCUMENTED_PRIVATE = {"_create"}


def _private_names(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
    return {name for name in found if name.startswith("_") and not name.startswith("__")}


def _defined_names(tree: ast.AST) -> set[str]:
    """Names a module defines itself: its functions and classes, and the attributes it assigns on ``self``."""
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                        ast.ClassDef))} | {
        node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Name) and node.value.id == "self"}


def library_internals_used_outside_their_module() -> list[str]:
    import eventsourcing

    library = Path(eventsourcing.__file__).parent
    private = set().union(*(_private_names(ast.parse(p.read_text())) for p in library.rglob("*.py")
                            if "tests" not in p.relative_to(library).parts))
    trees = {path: ast.parse(path.read_text()) for path in _project_modules().values()}
    ours = set().union(*(_defined_names(tree) for tree in trees.values()))  # the project's own, even if named alike
    library_only = private - ours - LIBRARY_DOCUMENTED_PRIVATE
    return [f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
            for path, tree in trees.items() if str(path.relative_to(ROOT)) not in LIBRARY_INTERNALS_ALLOWED_IN
            for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr in library_only]


def test_eventsourcing_internals_are_used_only_where_listed():
    assert library_internals_used_outside_their_module() == []


def test_the_command_lines_figures_reach_nothing_of_the_http_api():
    """`voucher-ledger figure` answers as the API does by sharing the API's rules from below (ledger/recording.py
    ``created_by``), not by reaching into api/http: the command line must not need the web application's modules."""
    graph = _import_graph()
    assert [t for t in graph["api.cli.queries"] if t.startswith("api.http")] == []
