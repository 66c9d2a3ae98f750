"""Measures the shape of shop/: import cycles, cross-app imports, imports inside functions,
the largest modules and the longest functions. Read-only; prints a report.

    .venv/bin/python scripts/codebase_metrics.py            # the report
    .venv/bin/python scripts/codebase_metrics.py --check    # exit 1 when a limit is broken

The limits (`make audit` runs --check): no module in shop/ over MAX_MODULE_LINES lines
(migrations aside), no function over MAX_FUNCTION_LINES lines, and no import cycle between
modules of shop/ (an import inside a function counts: it hides a cycle, it does not break it;
one under `if TYPE_CHECKING:` does not).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "shop"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def is_migration(path: Path) -> bool:
    return "migrations" in path.parts


def resolve(module: str, node: ast.ImportFrom | ast.Import, known: dict[str, Path]) -> list[str]:
    """The shop modules an import statement names (a `from x import y` where y is a module
    counts as importing x.y)."""
    targets: list[str] = []
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        if node.level:
            package = module.split(".")
            if known[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join(package + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        targets = [base]
        targets += [f"{base}.{alias.name}" for alias in node.names]
    result = []
    for target in targets:
        if not target.startswith(PACKAGE + "."):
            continue
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != PACKAGE:
            result.append(target)
    return result


class Imports(ast.NodeVisitor):
    def __init__(self) -> None:
        self.depth = 0
        self.top: list[ast.Import | ast.ImportFrom] = []
        self.inner: list[ast.Import | ast.ImportFrom] = []
        self.type_checking = 0

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = getattr(test, "id", None) or getattr(test, "attr", None)
        if name == "TYPE_CHECKING":
            self.type_checking += 1
            self.generic_visit(node)
            self.type_checking -= 1
        else:
            self.generic_visit(node)

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        if self.type_checking:
            return  # annotations only: no import at run time
        (self.inner if self.depth else self.top).append(node)

    visit_Import = visit_ImportFrom = _import


def app_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def graph(known: dict[str, Path]) -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    edges: dict[str, set[str]] = defaultdict(set)
    inner: list[tuple[str, int, str]] = []
    for module, path in known.items():
        visitor = Imports()
        visitor.visit(ast.parse(path.read_text(), str(path)))
        for node in visitor.top + visitor.inner:
            for target in resolve(module, node, known):
                if target != module:
                    edges[module].add(target)
        for node in visitor.inner:
            if is_migration(path):
                continue
            names = sorted(set(resolve(module, node, known)))
            inner.append((str(path.relative_to(ROOT)), node.lineno, ", ".join(names) or "-"))
    return edges, inner


def strongly_connected(edges: dict[str, set[str]], nodes: list[str]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def functions(known: dict[str, Path]) -> list[tuple[int, str]]:
    found = []
    for path in known.values():
        if is_migration(path):
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((length, f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"))
    return sorted(found, reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only enforce the limits")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    known = modules()
    sizes = sorted(
        ((len(p.read_text().splitlines()), str(p.relative_to(ROOT)))
         for p in known.values() if not is_migration(p)),
        reverse=True,
    )
    longest = functions(known)
    big_modules = [(n, p) for n, p in sizes if n > MAX_MODULE_LINES]
    long_functions = [(n, f) for n, f in longest if n > MAX_FUNCTION_LINES]
    edges, inner = graph(known)
    nodes = sorted(known)
    module_cycles = strongly_connected(edges, nodes)
    if args.check:
        for n, p in big_modules:
            print(f"{p}: {n} lines (limit {MAX_MODULE_LINES})")
        for n, f in long_functions:
            print(f"{f}: {n} lines (limit {MAX_FUNCTION_LINES})")
        for component in module_cycles:
            print(f"import cycle: {', '.join(component)}")
        if big_modules or long_functions or module_cycles:
            return 1
        print(f"size check: no module over {MAX_MODULE_LINES} lines, "
              f"no function over {MAX_FUNCTION_LINES}; no import cycle")
        return 0

    app_edges: dict[str, set[str]] = defaultdict(set)
    for source, targets in edges.items():
        for target in targets:
            if app_of(source) != app_of(target):
                app_edges[app_of(source)].add(app_of(target))
    apps = sorted({app_of(m) for m in nodes if m != PACKAGE})
    app_cycles = strongly_connected(app_edges, apps)
    directed = sorted((a, b) for a, targets in app_edges.items() for b in targets)
    mutual = sorted((a, b) for a, b in directed if a < b and a in app_edges.get(b, ()))

    total = sum(n for n, _ in sizes)
    print(f"modules in {PACKAGE}/: {len(nodes)}, lines {total} (migrations aside)")
    print(f"module import cycles (strongly connected groups of modules): {len(module_cycles)}")
    for component in module_cycles:
        print(f"  {len(component)} modules: {', '.join(component[:8])}"
              + (" ..." if len(component) > 8 else ""))
    print(f"app-level cycles (strongly connected groups of apps): {len(app_cycles)}")
    for component in app_cycles:
        print(f"  {' '.join(component)}")
    print(f"cross-app import pairs: {len(directed)} directed, {len(mutual)} both ways")
    for a, b in mutual:
        print(f"  {a} <-> {b}")
    print(f"imports inside functions: {len(inner)}")
    for path, line, names in inner:
        print(f"  {path}:{line} {names}")
    print(f"modules over {MAX_MODULE_LINES} lines: {len(big_modules)}; largest:")
    for n, p in sizes[: args.top]:
        print(f"  {n:5d} {p}")
    print(f"functions over {MAX_FUNCTION_LINES} lines: {len(long_functions)}; longest:")
    for n, f in longest[: args.top]:
        print(f"  {n:5d} {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
