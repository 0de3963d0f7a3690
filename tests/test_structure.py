"""The package's shape: imports flow one way, down the floors of ARCHITECTURE.md (lazy imports
included), no private name crosses a module, and ``microgrand.step`` means one thing."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

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
    assert step.__module__ == "microgrand.pages.player"
    assert all(callable(f) for f in (animate, explain, save_player, trace))


# Modules other work is reshaping right now still reach into a private name; each entry is
# (module, the private name) and goes once that module uses a public way.
PRIVATE_USE_EXEMPT: set[tuple[str, str]] = set()


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(path: Path, mod: str, mods: dict[str, Path]) -> list[str]:
    """The private names ``mod`` takes from another package module: ``from .m import _x``
    (a private *module* such as ``_format`` is fine: its names are the package's own) and
    ``m._x`` where ``m`` names a package module."""
    is_pkg = path.name == "__init__.py"
    found: list[str] = []
    module_names: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = _resolve(mod, is_pkg, node.level, node.module) if node.level else node.module
            for a in node.names:
                full = f"{base}.{a.name}"
                if full in mods:
                    module_names.add(a.asname or a.name)
                elif _is_private(a.name) and (base or "").startswith("microgrand"):
                    found.append(f"from {base} import {a.name}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("microgrand") and a.asname:
                    module_names.add(a.asname)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in module_names
            and _is_private(node.attr)
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return sorted(set(found))


def test_no_private_name_is_taken_from_another_module() -> None:
    mods = _modules()
    bad = {}
    for mod, path in sorted(mods.items()):
        uses = [
            u
            for u in private_uses(path, mod, mods)
            if (mod, u.rsplit(".", 1)[-1].rsplit(" ", 1)[-1]) not in PRIVATE_USE_EXEMPT
        ]
        if uses:
            bad[mod] = uses
    assert bad == {}, f"private names used across modules: {bad}"


def test_the_private_use_exemptions_are_still_needed() -> None:
    mods = _modules()
    used = {
        (mod, u.rsplit(".", 1)[-1].rsplit(" ", 1)[-1])
        for mod, path in mods.items()
        for u in private_uses(path, mod, mods)
    }
    assert PRIVATE_USE_EXEMPT - used == set(), "drop these from PRIVATE_USE_EXEMPT"


def test_private_use_finder_finds_both_forms(tmp_path: Path) -> None:
    mods = {"microgrand.a": tmp_path / "a.py", "microgrand.value": tmp_path / "value.py"}
    src = tmp_path / "a.py"
    src.write_text(
        "from .value import Value, _is_number\n"
        "from . import value as v\n"
        "from .._format import format_short\n"
        "x = v._SCOPE\ny = v.apply\n",
        encoding="utf-8",
    )
    assert private_uses(src, "microgrand.a", mods) == [
        "from microgrand.value import _is_number",
        "v._SCOPE",
    ]


def slot_uses(path: Path) -> list[str]:
    """Where a module reads or writes a private slot of a Value (``node._a``, ``v._la`` …) on
    anything but ``self``, as ``"line: receiver._slot"``."""
    slots = {s for s in microgrand.Value.__slots__ if _is_private(s)}
    return [
        f"{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr in slots
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
    ]


def test_only_the_value_floor_touches_the_slots_of_a_value() -> None:
    """A Value's private slots (its inputs and local derivatives) belong to the engine: the
    modules of the value floor (``value`` makes nodes, ``backprop`` walks them) read and write
    them; everything above reads ``inputs`` and ``local_grads``."""
    value_floor = next(k for k, (name, _) in enumerate(FLOORS) if name == "value")
    bad = {
        mod: uses
        for mod, path in sorted(_modules().items())
        if floor_of(mod) != value_floor and (uses := slot_uses(path))
    }
    assert bad == {}, f"private slots of Value used above the value floor: {bad}"
    assert slot_uses(PKG / "backprop.py")  # the finder sees the backward pass's reads


# The floors, bottom first (ARCHITECTURE.md): a module may import its own floor and those
# below it, never one above. The learning modules stand beside the engine: they use the
# floors up to ``graph`` (the engine's public surface) and each other, and only the floors
# from ``play`` up use them.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("microgrand._format", "microgrand._files")),
    ("rules", ("microgrand.rules", "microgrand._numbers", "microgrand._codegen")),
    (
        "value",
        ("microgrand.value", "microgrand.backprop", "microgrand.functions", "microgrand.context"),
    ),
    (
        "graph",
        (
            "microgrand.graph",
            "microgrand.expr",
            "microgrand.gradcheck",
            "microgrand.examples",
            "microgrand.recording",
            "microgrand.tape",
            "microgrand.array_tape",
            "microgrand.guards",
        ),
    ),
    ("render", ("microgrand.render",)),
    ("stepper", ("microgrand.stepper",)),
    ("pages", ("microgrand.pages",)),
    ("play", ("microgrand.play", "microgrand.demo")),
    (
        "cli",
        (
            "microgrand.cli",
            "microgrand.__main__",
            "microgrand",
            "microgrand.lessons",
            "microgrand.doctor",
        ),
    ),
]
LEARNING = (
    "microgrand.nn",
    "microgrand.losses",
    "microgrand.optim",
    "microgrand.init",
    "microgrand.data",
    "microgrand.train",
    "microgrand.plots",
    "microgrand._fit_checks",
    "microgrand.module",
    "microgrand.activations",
    "microgrand.registry",
    "microgrand.history",
    "microgrand.csvfile",
    "microgrand.selfcheck",
    "microgrand.buildcheck",
)


def floor_of(mod: str) -> int | None:
    """The floor's index (0 is the bottom), -1 for a learning module, None when unplaced."""
    if any(mod == m or mod.startswith(m + ".") for m in LEARNING):
        return -1
    best: tuple[int, int] | None = None  # (length of the matching prefix, floor)
    for k, (_, prefixes) in enumerate(FLOORS):
        for p in prefixes:
            inside = mod == p or (p != "microgrand" and mod.startswith(p + "."))
            if inside and (best is None or len(p) > best[0]):
                best = (len(p), k)
    return None if best is None else best[1]


def floor_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that goes up a floor (or between the learning modules and the floors
    they may not touch), as ``"a -> b"``."""
    graph_floor = next(k for k, (name, _) in enumerate(FLOORS) if name == "graph")
    play_floor = next(k for k, (name, _) in enumerate(FLOORS) if name == "play")
    bad = []
    for src, targets in sorted(graph.items()):
        fs = floor_of(src)
        for dst in sorted(targets):
            fd = floor_of(dst)
            if fs is None or fd is None:
                continue
            if fs == -1:
                ok = fd == -1 or fd <= graph_floor
            elif fd == -1:
                ok = fs >= play_floor
            else:
                ok = fd <= fs
            if not ok:
                bad.append(f"{src} -> {dst}")
    return bad


def test_every_module_has_a_floor() -> None:
    assert floor_of("microgrand.new_module") is None  # the package name places nothing else
    unplaced = sorted(m for m in _modules() if floor_of(m) is None)
    assert unplaced == [], f"put these modules on a floor (here and in ARCHITECTURE.md): {unplaced}"


def test_imports_go_down_the_floors() -> None:
    bad = floor_violations(import_graph())
    assert bad == [], "imports that go up a floor: " + "; ".join(bad)


def test_floor_check_catches_an_upward_import() -> None:
    # the stepper importing a page (the player's old place), lazily or not, is refused
    assert floor_violations({"microgrand.stepper.player": {"microgrand.pages.explore"}}) == [
        "microgrand.stepper.player -> microgrand.pages.explore"
    ]
    assert floor_violations({"microgrand.pages.live": {"microgrand.nn"}}) == [
        "microgrand.pages.live -> microgrand.nn"
    ]
    assert floor_violations({"microgrand.nn": {"microgrand.render"}}) == [
        "microgrand.nn -> microgrand.render"
    ]
    assert (
        floor_violations(
            {
                "microgrand.pages.live": {"microgrand.stepper.trace"},
                "microgrand.play.state": {"microgrand.nn"},
            }
        )
        == []
    )


def test_lazy_imports_count() -> None:
    """An import inside a function is an edge of the import graph like any other."""
    graph = import_graph()
    assert "microgrand.play" in graph["microgrand"]  # mg.playground() imports it on first use


def test_the_players_old_import_paths_still_work() -> None:
    import microgrand.stepper.player as old
    from microgrand.stepper.player_page import player_page

    import microgrand.stepper as stepper
    from microgrand.pages import player as new

    assert old is new and player_page is new.player_page
    assert stepper.step is new.step and stepper.Player is new.Player  # type: ignore[attr-defined]
    assert stepper.save_player is new.save_player  # type: ignore[attr-defined]
    assert stepper.PlayerTooLargeError is new.PlayerTooLargeError


MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# Modules over the limit for now. Each entry says why; the list only shrinks.
LONG_MODULES = {
    "microgrand/rules.py",  # the table of operations: one entry per rule, by design
}


def _sizes() -> tuple[dict[str, int], dict[str, tuple[int, bool]]]:
    """Lines per module and, per function over the limit, its lines and whether a comment
    in it says why it is long (``# Long because …``)."""
    modules: dict[str, int] = {}
    functions: dict[str, tuple[int, bool]] = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        modules[rel] = len(lines)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    body = lines[node.lineno - 1 : node.end_lineno]
                    why = any(ln.strip().lower().startswith("# long because") for ln in body)
                    functions[f"{rel}:{node.name}"] = (n, why)
    return modules, functions


def test_modules_and_functions_stay_short() -> None:
    modules, functions = _sizes()
    long_modules = {m for m, n in modules.items() if n > MAX_MODULE_LINES}
    assert long_modules <= LONG_MODULES, f"modules over {MAX_MODULE_LINES} lines: " + ", ".join(
        f"{m} ({modules[m]})" for m in sorted(long_modules - LONG_MODULES)
    )
    unexplained = {f for f, (_, why) in functions.items() if not why}
    assert unexplained == set(), (
        f"functions over {MAX_FUNCTION_LINES} lines without a '# Long because …' comment: "
        + ", ".join(f"{f} ({functions[f][0]})" for f in sorted(unexplained))
    )


def test_the_size_exemptions_are_still_needed() -> None:
    """An exemption that is no longer needed goes, so the list only shrinks."""
    modules, _ = _sizes()
    assert {m for m in LONG_MODULES if modules.get(m, 0) <= MAX_MODULE_LINES} == set()


def test_architecture_document_names_every_floor() -> None:
    text = (PKG.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for name, prefixes in FLOORS:
        assert f"| {name} |" in text, name
        for p in prefixes:
            short = p.removeprefix("microgrand.").removeprefix("microgrand")
            if short:
                assert f"`{short}`" in text or f"`{short}/`" in text, short
    for mod in LEARNING:
        assert f"`{mod.removeprefix('microgrand.')}`" in text, mod


def test_the_theme_is_checked_in_one_place() -> None:
    """Every view refuses an unknown theme with the one message of ``theme_named``."""
    from microgrand.render.themes import theme_named

    with pytest.raises(ValueError) as want:
        theme_named("neon")
    x = microgrand.Value(2.0, label="x")
    for make in (
        lambda: microgrand.draw(x * 3, theme="neon"),
        lambda: microgrand.step(x * 3, theme="neon"),
        lambda: microgrand.live(x * 3, theme="neon"),
        lambda: microgrand.explore(x * 3, theme="neon"),
        lambda: microgrand.stepper.frames(x * 3, theme="neon"),
    ):
        with pytest.raises(ValueError) as got:
            make()
        assert str(got.value) == str(want.value)
    sources = [p.read_text(encoding="utf-8") for p in PKG.rglob("*.py")]
    assert sum(s.count("not in THEMES") for s in sources) == 0
