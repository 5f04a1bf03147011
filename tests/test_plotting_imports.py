"""No import circle through the plotting package or the widgets.

The import graph of ebmlib is read from the source (every ``import`` statement, at module level or
inside a function, relative imports resolved); the plotting modules, their private helpers
(``ebmlib.plotting._base``) and the widgets must lie on no cycle of it. A fresh interpreter then imports
the modules that used to form the circle (``_figures`` <-> ``plotting.landscapes``), each first.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "ebmlib"


def _module_name(path: pathlib.Path) -> str:
    parts = ("ebmlib",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1]) if parts[-1] == "__init__" else ".".join(parts)


def _import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for mod, path in files.items():
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                targets = [stem] + [f"{stem}.{a.name}" for a in node.names]  # `from pkg import submodule`
            for t in targets:
                if t in files and t != mod:
                    graph[mod].add(t)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_graph_sees_the_plotting_modules():
    graph = _import_graph()
    assert "ebmlib.plotting._base" in graph["ebmlib.plotting.landscapes"]
    assert "ebmlib.inference" in graph["ebmlib.plotting.landscapes"]
    assert "ebmlib._figures" not in graph  # folded into plotting/_base.py


def test_no_import_cycle_through_plotting_or_widgets():
    touching = [c for c in _cycles(_import_graph())
                if any(m.startswith(("ebmlib.plotting", "ebmlib.widgets")) for m in c)]
    assert touching == []


def test_plotting_base_imports_no_other_plotting_module_and_no_inference():
    deps = _import_graph()["ebmlib.plotting._base"]
    assert not {d for d in deps if d.startswith("ebmlib.")}


@pytest.mark.parametrize("module", ["ebmlib.plotting.landscapes", "ebmlib.plotting._base", "ebmlib.widgets.landscapes"])
def test_module_imports_first_in_a_fresh_interpreter(module):
    code = f"import {module}, sys; assert 'ebmlib._figures' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)
