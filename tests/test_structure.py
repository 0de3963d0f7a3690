"""The package's shape: imports flow one way (no circles, lazy imports included), and
``microgrand.step`` means one thing."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import microgrand

PKG = Path(microgrand.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PKG.rglob("*.py")}


def _resolve(mod: str, is_pkg: bool, level: int, target: str | None) -> str:
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports anywhere (top level, functions, TYPE_CHECKING).

    ``from pkg import name`` counts as importing ``pkg.name`` when that is a module, else
    ``pkg``. The implicit import of a parent package is not counted (every module would then
    depend on ``microgrand/__init__``).
    """
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = (
                    _resolve(mod, is_pkg, node.level, node.module)
                    if node.level
                    else node.module or ""
                )
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names
                ]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
            ):
                targets = ["<import_module>"]
            for t in targets:
                if t == "<import_module>" or (t in mods and t != mod):
                    graph[mod].add(t)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, todo = stack[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in graph:
                    continue
                if state.get(nxt) == 1:
                    return [*path[path.index(nxt) :], nxt]
                if not state.get(nxt):
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, sorted(graph[nxt])))
            else:
                state[node] = 2
                path.pop()
                stack.pop()
    return None


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert len(graph) > 30
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_hidden_imports() -> None:
    hidden = sorted(m for m, targets in import_graph().items() if "<import_module>" in targets)
    assert hidden == [], f"importlib.import_module hides an import edge in {hidden}"


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_rules_are_the_bottom_of_the_engine() -> None:
    graph = import_graph()
    assert graph["microgrand.rules"] <= {"microgrand._format"}
    assert "microgrand.graph" not in graph["microgrand.value"]
    assert "microgrand.context" not in graph["microgrand.value"]


def test_step_is_only_the_function() -> None:
    assert importlib.util.find_spec("microgrand.step") is None
    from microgrand import animate, explain, save_player, step, trace

    assert callable(step) and microgrand.step is step
    assert step.__module__ == "microgrand.stepper.player"
    assert all(callable(f) for f in (animate, explain, save_player, trace))
