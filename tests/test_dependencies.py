"""Dependencies run one way: the interfaces (commands/, web/) over the read and write sides, wired by the composition root.

Read from the source (every import statement, at module level or inside a
function): `ledger/` (the write side) imports no other package of the project;
`projections/` (the read side) only `ledger/`; `web/` only `ledger/` and
`projections/`; nothing but the entry point imports `commands/`; and no module
assigns to an attribute of another project module (hooks are given, not set).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("ledger", "projections", "commands", "web", "composition")
# `python -m ledger` runs the CLI: the one module of ledger/ that is an entry point.
ENTRY_POINTS = {"ledger/__main__.py"}
# Until messages are keys rendered at the boundary (ledger/messages.py, issue 30), the web view's
# messages come from the CLI's catalogue through this one module; then it imports ledger/ only.
NOT_YET: dict[str, str] = {}  # a module allowed one import across the lines, for now (none)
ALLOWED = {
    "ledger": {"ledger"},
    "projections": {"ledger", "projections"},
    "web": {"ledger", "projections", "web"},
    "composition": {"ledger", "projections", "web", "composition"},
    "commands": {"ledger", "projections", "composition", "commands"},
}


def project_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import of one of the project's packages, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [(node.lineno, n) for n in names[:1] if n.split(".")[0] in PACKAGES]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] in PACKAGES]
    return found


def modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def offenders_in(package: str) -> list[str]:
    out = []
    for path in modules(package):
        where = path.relative_to(REPO).as_posix()
        if where in ENTRY_POINTS:
            continue
        for line, name in project_imports(path.read_text(encoding="utf-8")):
            if NOT_YET.get(where) == name:
                continue
            if name.split(".")[0] not in ALLOWED[package]:
                out.append(f"{where}:{line} imports {name}")
    return out


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_lies_beneath_it(package: str) -> None:
    assert modules(package), f"no modules found in {package}/"
    assert offenders_in(package) == []


def test_nothing_imports_commands_but_the_entry_point() -> None:
    importers = sorted(
        path.relative_to(REPO).as_posix()
        for package in PACKAGES if package != "commands"
        for path in modules(package)
        if any(name.split(".")[0] == "commands" for _, name in project_imports(path.read_text(encoding="utf-8")))
    )
    assert importers == sorted(ENTRY_POINTS | set(NOT_YET))


def test_the_scan_sees_imports_inside_functions_too() -> None:
    """The check can fail: a lazy import of the read side from the write side is found."""
    source = "def wire():\n    from projections.views import read_model_views\n    import web.app\n"
    assert project_imports(source) == [(2, "projections.views"), (3, "web.app")]


def assignments_to_other_modules(source: str) -> list[tuple[int, str]]:
    """(line, target) where a module assigns into something it imported from the project (`application.X.y = …`)."""
    tree = ast.parse(source)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] in PACKAGES:
            imported |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            imported |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] in PACKAGES}
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if not isinstance(target, (ast.Attribute, ast.Subscript)):
                continue
            root = target
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name) and root.id in imported:
                found.append((node.lineno, ast.unparse(target)))
    return found


def test_no_module_sets_attributes_of_another_at_run_time() -> None:
    offenders = [
        f"{path.relative_to(REPO).as_posix()}:{line} assigns {target}"
        for package in PACKAGES
        for path in modules(package)
        for line, target in assignments_to_other_modules(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_assignment_scan_can_fail() -> None:
    source = (
        "from ledger import application, schema\n"
        "def wire():\n"
        "    application.RectificationLedger.views_for = staticmethod(f)\n"
        "    schema.AFTER_UPGRADE[:] = ['x']\n"
    )
    assert assignments_to_other_modules(source) == [
        (3, "application.RectificationLedger.views_for"), (4, "schema.AFTER_UPGRADE[:]"),
    ]


# The web view's store, opened read-only (a read transaction begun on it): a store, like ledger/store.py.
STORES = {"web/store.py"}


def sql_calls(source: str) -> list[int]:
    """Lines that run SQL: a call of `.execute`, `.executemany` or `.executescript`."""
    return [
        node.lineno for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("execute", "executemany", "executescript")
    ]


@pytest.mark.parametrize("package", ["commands", "web", "composition"])
def test_no_sql_outside_the_store_and_the_projections(package: str) -> None:
    offenders = [
        f"{path.relative_to(REPO).as_posix()}:{line}"
        for path in modules(package)
        if path.relative_to(REPO).as_posix() not in STORES
        for line in sql_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_sql_scan_can_fail() -> None:
    assert sql_calls("with app.recorder.reading() as c:\n    c.execute('SELECT number FROM ledger_problems')\n") == [2]


def ledger_calls_given_the_application(source: str) -> list[tuple[int, str]]:
    """(line, callee) where a function imported from ledger/ is handed the application (`f(state.app, …)`):
    a use case run outside the application, which commands/ should only call (`state.app.act(…)`)."""
    tree = ast.parse(source)
    from_ledger = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "ledger":
            from_ledger |= {a.asname or a.name for a in node.names}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        root = node.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in from_ledger:
            if any(ast.unparse(a) in ("state.app", "app") for a in [*node.args, *(k.value for k in node.keywords)]):
                found.append((node.lineno, ast.unparse(node.func)))
    return found


# Reads that take the application to read through it (nothing saved), and `migrate`, which copies the store
# into another application's: not acts of this ledger.
READS_GIVEN_THE_APPLICATION = {"noted_administrator", "present_problems", "founding", "prove", "migrate_store"}


def test_commands_record_every_act_through_an_application_method() -> None:
    offenders = [
        f"{path.relative_to(REPO).as_posix()}:{line} {name}(app, …)"
        for path in modules("commands")
        for line, name in ledger_calls_given_the_application(path.read_text(encoding="utf-8"))
        if name.rsplit(".", 1)[-1] not in READS_GIVEN_THE_APPLICATION
    ]
    assert offenders == []


def test_the_use_case_scan_can_fail() -> None:
    source = (
        "from ledger.checkpoint import record_checkpoint\n"
        "from ledger import identity\n"
        "def checkpoint(state):\n"
        "    record = record_checkpoint(state.app, state.config, who)\n"
        "    identity.record_founding(app, name, key, raw)\n"
        "    state.app.record_checkpoint(actor=who)\n"
    )
    assert ledger_calls_given_the_application(source) == [(4, "record_checkpoint"), (5, "identity.record_founding")]


def rewired_at_run_time(source: str) -> list[tuple[int, str]]:
    """(line, what) where a class or module is changed as the program runs: an object's class swapped
    (`x.__class__ = …`), a class renamed into a module (`C.__module__ = …`), a module's names written through
    `globals()[…] = …`, or a module-level `__getattr__` that makes and caches names on first use."""
    tree = ast.parse(source)
    found = [(node.lineno, "module __getattr__") for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"]
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in ("__class__", "__module__", "__qualname__", "__bases__"):
                found.append((node.lineno, ast.unparse(target)))
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Call) and ast.unparse(target.value.func) in ("globals", "vars"):
                found.append((node.lineno, ast.unparse(target)))
    return found


def test_nothing_rewires_classes_or_modules_at_run_time() -> None:
    """Built explicitly: the checked repository constructed as such, the PostgreSQL recorder a module-level class."""
    offenders = [
        f"{path.relative_to(REPO).as_posix()}:{line} {what}"
        for package in PACKAGES
        for path in modules(package)
        for line, what in rewired_at_run_time(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_rewiring_scan_can_fail() -> None:
    source = (
        "def __getattr__(name):\n"
        "    globals()[name] = make()\n"
        "def construct(self):\n"
        "    repository.__class__ = Checked\n"
        "    Recorder.__module__ = __name__\n"
    )
    assert rewired_at_run_time(source) == [(1, "module __getattr__"), (2, "globals()[name]"), (4, "repository.__class__"), (5, "Recorder.__module__")]
