"""The house rules of the code base, read from the source itself (no Django needed):

- apps depend downward only, in the order the README states: an app imports only from the apps
  below it, inside functions too;
- no import circle between modules;
- no import hidden inside a function, except in an `AppConfig.ready()` (where Django wants them).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top: each app may import from the apps before it in this list, never after.
LAYERS = [
    "eldercare",
    "vouchers",
    "subsidies.standards",
    "subsidies.applications",
    "providers",
    "outreach",
    "outreach.purchases",
    "outreach.calls",
    "outreach.checkins",
    "outreach.inspections",
    "outreach.reports",
    "settlement",
    "devtools",
]


def _app_of(module: str) -> str | None:
    for app in sorted(LAYERS, key=len, reverse=True):
        if module == app or module.startswith(app + "."):
            return app
    return None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources() -> dict[str, tuple[Path, ast.Module]]:
    found = {}
    for top in {app.split(".")[0] for app in LAYERS}:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = (path, ast.parse(path.read_text(), str(path)))
    return found


SOURCES = _sources()


def _imports(module: str, tree: ast.Module, is_package: bool):
    """(imported module, line, inside a function other than ready()) for every project import."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            # `from pkg import sub` imports the submodule when there is one
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in SOURCES else base for a in node.names]
        function = None
        up = node
        while up in parents:
            up = parents[up]
            if isinstance(up, ast.FunctionDef | ast.AsyncFunctionDef):
                function = up.name
                break
        for name in names:
            if _app_of(name) is not None:
                yield name, node.lineno, function is not None and function != "ready"


def _edges():
    for module, (path, tree) in SOURCES.items():
        for target, line, hidden in _imports(module, tree, path.name == "__init__.py"):
            yield module, target, line, hidden, path


def test_every_module_belongs_to_a_layer():
    assert SOURCES, "no source read"
    assert [m for m in SOURCES if _app_of(m) is None and "." in m] == []


def test_apps_import_only_downward():
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for module, target, line, _hidden, path in _edges()
        if LAYERS.index(_app_of(target)) > LAYERS.index(_app_of(module))
    ]
    assert upward == []


def test_no_import_hidden_inside_a_function():
    hidden = [f"{path.relative_to(ROOT)}:{line} imports {target}" for _m, target, line, h, path in _edges() if h]
    assert hidden == []


def test_no_import_circle():
    graph: dict[str, set[str]] = {module: set() for module in SOURCES}
    for module, target, _line, _hidden, _path in _edges():
        # importing a submodule runs its package's __init__ first
        while target and target not in SOURCES:
            target = target.rpartition(".")[0]
        if target and target != module:
            graph[module].add(target)
    # Tarjan's strongly connected components: a component of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert circles == []


def test_rules_are_pure():
    """Each app whose figures are code keeps them in one rules.py that reads no database."""
    impure = []
    for app in (
        "subsidies.standards",
        "subsidies.applications",
        "providers",
        "outreach",
        "outreach.purchases",
        "outreach.calls",
        "outreach.checkins",
        "outreach.inspections",
        "outreach.reports",
    ):
        module = f"{app}.rules"
        assert module in SOURCES, f"{module} is missing"
        _path, tree = SOURCES[module]
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and (node.module.startswith("django.db") or node.module.endswith(("services", "selectors")))
            ):
                impure.append(f"{module} imports {node.module}")
    assert impure == []


LEDGER_MODELS = {"Account", "AccountEvent", "LedgerEntry", "LedgerTransaction"}
WRITES = {"create", "bulk_create", "update", "get_or_create", "update_or_create", "delete", "save"}


def test_only_the_vouchers_app_writes_the_ledger():
    """Accounts, ledger transactions and entries are written through `vouchers.services` only
    (the demo and the benchmarks' synthetic data aside)."""
    writers = []
    for module, (path, tree) in SOURCES.items():
        if _app_of(module) in ("vouchers", "devtools"):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in LEDGER_MODELS:
                writers.append(f"{path.relative_to(ROOT)}:{node.lineno} builds a {func.id}")
            if isinstance(func, ast.Attribute) and func.attr in WRITES:
                root = func.value
                while isinstance(root, ast.Attribute | ast.Call):
                    root = root.func if isinstance(root, ast.Call) else root.value
                if isinstance(root, ast.Name) and root.id in LEDGER_MODELS:
                    writers.append(f"{path.relative_to(ROOT)}:{node.lineno} {root.id}….{func.attr}()")
    assert writers == []
