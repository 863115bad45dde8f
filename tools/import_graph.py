"""The converter package's import graph, for notes on its structure: every import statement
(at the top of a module or inside a function) from one converter module to another, the
graph between subpackages, and every loop (a set of modules that import one another).

    .venv/bin/python tools/import_graph.py [REPOSITORY] [--modules]

``lint-imports`` (scripts/test.sh) enforces the layers; this only describes them.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path


def modules_of(repository: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((repository / "converter").rglob("*.py")):
        parts = list(path.relative_to(repository).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(modules: dict[str, Path]) -> dict[str, set[str]]:
    def resolve(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names]
                targets = [t if resolve(t) == t else base for t in targets]
            for target in targets:
                resolved = resolve(target) if target.startswith("converter") else ""
                if resolved and resolved != name:
                    edges[name].add(resolved)
    return edges


def loops(modules: dict[str, Path], edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected sets of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    repository = Path(arguments[0]) if arguments else Path(__file__).resolve().parents[1]
    modules = modules_of(repository)
    edges = imports_of(modules)
    if "--modules" in sys.argv:
        for module in sorted(modules):
            print(f"{module} -> {', '.join(sorted(edges[module]))}")

    def top(module: str) -> str:
        return ".".join(module.split(".")[:2])

    packages: dict[str, set[str]] = defaultdict(set)
    for source, targets in edges.items():
        for target in targets:
            if top(source) != top(target):
                packages[top(source)].add(top(target))
    print("## subpackage graph")
    for source in sorted(packages):
        print(f"{source} -> {', '.join(sorted(packages[source]))}")
    found = loops(modules, edges)
    print("## import loops")
    for loop in found:
        print(" <-> ".join(loop))
    count = sum(len(targets) for targets in edges.values())
    print(f"modules: {len(modules)}; import edges: {count}; loops: {len(found)}")


if __name__ == "__main__":
    main()
