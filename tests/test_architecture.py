"""The structure of pipeline/, read with ``ast`` (nothing is imported or run):

* no import cycles between pipeline modules: the graph has an edge for every import of
  one pipeline module by another, at module level or inside a function (a deferred import
  is still a dependency), relative imports resolved; imports under ``if TYPE_CHECKING:``
  are left out, as they never run. An import of ``a.b.c`` is an edge to ``a.b.c`` only
  (the packages above it, which Python runs first, are not counted);
* no module over 800 lines and no function (or method) over 80 lines.

The graph itself is checked on a small package of the test's own, so a broken graph cannot
pass the checks by finding nothing.
* every module sits in a layer (``LAYERS``) and imports nothing from a higher one.

Run alone with ``python -m pytest tests/test_architecture.py``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80

# The layers of pipeline/, lowest first: a module may import its own layer or a lower one,
# never a higher one (the cycle check covers imports within a layer). A module belongs to
# the layer of the longest name here that it is, or is inside.
LAYERS = (
    ("pipeline", "pipeline.errors", "pipeline.models", "pipeline.fsutil", "pipeline.timecodes",
     "pipeline.audio"),
    ("pipeline.config", "pipeline.ffmpeg", "pipeline.tomledit"),
    ("pipeline.workspace",),
    ("pipeline.ingest", "pipeline.transcribe", "pipeline.consent", "pipeline.redact"),  # the stages' inputs
    ("pipeline.review", "pipeline.chapters", "pipeline.replace", "pipeline.quotes", "pipeline.themes",
     "pipeline.keywords"),  # a person's corrections and picks
    ("pipeline.formats",),
    ("pipeline.pages", "pipeline.publish"),
    ("pipeline.stages", "pipeline.migrate"),  # one recording through the stages
    ("pipeline.parallel", "pipeline.status"),
    ("pipeline.build",),  # the orchestrator
    ("pipeline.cli", "pipeline.serve", "pipeline.progress", "pipeline.studio", "pipeline.__main__"),
)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    path: Path
    line: int
    deferred: bool  # inside a function

    def describe(self, root: Path) -> str:
        where = f"{self.path.relative_to(root)}:{self.line}"
        return f"{self.source} -> {self.target}  ({where}{', in a function' if self.deferred else ''})"


def modules(package: Path) -> dict[str, Path]:
    """Every module under ``package`` by dotted name (a package by its ``__init__.py``)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _Imports(ast.NodeVisitor):
    """The imports of one module: (dotted name, imported names or None, line, inside a function)."""

    def __init__(self, name: str, is_package: bool) -> None:
        self.package = name if is_package else name.rpartition(".")[0]
        self.found: list[tuple[str, list[str] | None, int, bool]] = []
        self.depth = 0

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((alias.name, None, node.lineno, self.depth > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[:len(base) - (node.level - 1)]
            name = ".".join(base + ([node.module] if node.module else []))
        else:
            name = node.module or ""
        self.found.append((name, [a.name for a in node.names], node.lineno, self.depth > 0))


def _known(name: str, known: dict[str, Path]) -> str | None:
    """``name`` or the nearest package above it that is a module of ours."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(package: Path) -> list[Edge]:
    """Every import of one module under ``package`` by another, in file and line order."""
    known = modules(package)
    edges = []
    for source, path in known.items():
        visitor = _Imports(source, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for name, names, line, deferred in visitor.found:
            if names is None:
                targets = [_known(name, known)]
            else:  # `from pkg import mod` imports the module pkg.mod; `from mod import thing`, mod
                targets = [f"{name}.{n}" if f"{name}.{n}" in known else _known(name, known) for n in names]
            for target in dict.fromkeys(targets):
                if target is not None and target != source:
                    edges.append(Edge(source, target, path, line, deferred))
    return edges


def cycles(edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), largest first."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found, key=lambda c: (-len(c), c))


def describe_cycles(edges: list[Edge], root: Path) -> str:
    found = cycles(edges)
    lines = [f"{len(found)} import cycle(s) (strongly connected components; every import inside one is listed):"]
    for i, component in enumerate(found, 1):
        members = set(component)
        lines.append(f"cycle {i} ({len(component)} modules): {', '.join(component)}")
        lines += [f"    {e.describe(root)}" for e in edges if e.source in members and e.target in members]
    return "\n".join(lines)


def long_modules(package: Path, limit: int = MAX_MODULE_LINES) -> list[tuple[Path, int]]:
    sizes = ((path, len(path.read_text(encoding="utf-8").splitlines())) for path in modules(package).values())
    return sorted(((p, n) for p, n in sizes if n > limit), key=lambda pn: -pn[1])


def long_functions(package: Path, limit: int = MAX_FUNCTION_LINES) -> list[tuple[Path, int, str, int]]:
    """(file, line, qualified name, lines) of every function or method longer than ``limit``
    lines, from its ``def`` to its last line, longest first."""
    found = []

    def walk(node: ast.AST, path: Path, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                length = child.end_lineno - child.lineno + 1
                if length > limit:
                    found.append((path, child.lineno, name, length))
                walk(child, path, name + ".<locals>.")
            elif isinstance(child, ast.ClassDef):
                walk(child, path, prefix + child.name + ".")
            else:
                walk(child, path, prefix)

    for path in modules(package).values():
        walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), path, "")
    return sorted(found, key=lambda f: (-f[3], str(f[0]), f[1]))


# ---------------------------------------------------------------- the check itself, on a package of its own


def test_the_graph_resolves_imports_and_finds_a_cycle(tmp_path: Path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "from . import b\nimport os\n",
        "b.py": "def f():\n    from .a import thing\n    return thing\n",
        "c.py": ("from typing import TYPE_CHECKING\nimport typing\n\nif TYPE_CHECKING:\n    from .a import T\n"
                 "if typing.TYPE_CHECKING:\n    from . import b\nelse:\n    from .sub import d\n"),
        "sub/__init__.py": "from .. import c\n",
        "sub/d.py": "import pkg.sub\nfrom ..a import *\n",
        "e.py": "from pkg.sub.d import name, other\nfrom pkg import sub, nothing\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text, encoding="utf-8")

    edges = import_graph(pkg)
    assert {(e.source, e.target, e.line, e.deferred) for e in edges} == {
        ("pkg.a", "pkg.b", 1, False),
        ("pkg.b", "pkg.a", 2, True),  # inside a function: still an edge
        ("pkg.c", "pkg.sub.d", 9, False),  # only the else of `if TYPE_CHECKING` counts
        ("pkg.sub", "pkg.c", 1, False),  # relative from a package's __init__
        ("pkg.sub.d", "pkg.sub", 1, False),
        ("pkg.sub.d", "pkg.a", 2, False),  # two levels up
        ("pkg.e", "pkg.sub.d", 1, False),
        ("pkg.e", "pkg.sub", 2, False),
        ("pkg.e", "pkg", 2, False),  # `nothing` is not a module: the package itself
    }
    assert cycles(edges) == [["pkg.c", "pkg.sub", "pkg.sub.d"], ["pkg.a", "pkg.b"]]  # largest first
    message = describe_cycles(edges, tmp_path)
    assert "cycle 1 (3 modules): pkg.c, pkg.sub, pkg.sub.d" in message
    assert "cycle 2 (2 modules): pkg.a, pkg.b" in message
    assert "pkg.b -> pkg.a  (pkg/b.py:2, in a function)" in message
    assert "pkg.e" not in message


def test_long_modules_and_functions_are_found(tmp_path: Path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    body = "\n".join(f"        x{i} = {i}" for i in range(5))
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "m.py").write_text(f"class K:\n    def method(self):\n{body}\n\n\ndef short():\n    pass\n",
                              encoding="utf-8")
    assert long_functions(pkg, limit=5) == [(pkg / "m.py", 2, "K.method", 6)]
    assert long_modules(pkg, limit=9) == [(pkg / "m.py", 11)]
    assert long_modules(pkg, limit=11) == []


# ---------------------------------------------------------------- pipeline/


def test_the_graph_sees_pipeline():
    edges = import_graph(PACKAGE)
    assert {"pipeline.build", "pipeline.cli"} <= {e.source for e in edges}
    assert all(e.target in modules(PACKAGE) for e in edges)


def test_no_import_cycles_between_pipeline_modules():
    edges = import_graph(PACKAGE)
    assert not cycles(edges), describe_cycles(edges, ROOT)


def test_no_module_over_800_lines():
    found = long_modules(PACKAGE)
    assert not found, f"{len(found)} module(s) over {MAX_MODULE_LINES} lines:\n" + "\n".join(
        f"    {p.relative_to(ROOT)}: {n} lines" for p, n in found)


def test_no_function_over_80_lines():
    found = long_functions(PACKAGE)
    assert not found, f"{len(found)} function(s) over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(
        f"    {p.relative_to(ROOT)}:{line} {name}: {n} lines" for p, line, name, n in found)


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (length of the matching name, layer)
    for number, names in enumerate(LAYERS):
        for name in names:
            if module == name or module.startswith(name + "."):
                if best is None or len(name) > best[0]:
                    best = (len(name), number)
    return best[1] if best else None


def test_every_module_has_a_layer_and_nothing_imports_upward():
    unplaced = sorted(m for m in modules(PACKAGE) if layer_of(m) is None)
    assert not unplaced, f"add these modules to a layer in LAYERS: {unplaced}"
    upward = [e for e in import_graph(PACKAGE) if layer_of(e.target) > layer_of(e.source)]
    assert not upward, "imports of a higher layer:\n" + "\n".join(f"    {e.describe(ROOT)}" for e in upward)


def test_an_upward_import_is_found():
    assert layer_of("pipeline.transcribe.engines") == layer_of("pipeline.transcribe") < layer_of("pipeline.build")
    assert layer_of("pipeline.chapters.stage") > layer_of("pipeline.transcribe")
    assert layer_of("pipeline") == 0 and layer_of("elsewhere") is None
