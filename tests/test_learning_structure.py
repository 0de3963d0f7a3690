"""The learning side's shape: modules and functions of a readable size, the playground's page
code one function per panel on the runtime's formatter and colour mix, and no private state
read or written across modules (``value._SCOPE``, an optimizer's ``_m``/``_v``/``_buf``)."""

from __future__ import annotations

import ast
import itertools
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import microgrand
from microgrand.render.themes import mix

PKG = Path(microgrand.__file__).parent
LEARNING = [
    "activations.py", "data.py", "demo.py", "init.py", "losses.py", "module.py", "nn.py",
    "optim.py", "registry.py", "_fit_checks.py", "play/__init__.py", "play/config.py",
    "play/mirror.py", "play/points.py", "play/replay.py", "play/state.py", "play/views.py",
    "play/widget.py", "cli/playground.py",
]  # fmt: skip
PLAYGROUND_JS = PKG / "web" / "playground.js"
NODE = shutil.which("node")


@pytest.mark.parametrize("name", LEARNING)
def test_modules_and_functions_stay_readable(name: str) -> None:
    text = (PKG / name).read_text(encoding="utf-8")
    assert text.count("\n") <= 600, f"{name} has {text.count(chr(10))} lines (at most 600)"
    lines = text.splitlines()
    long = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            body = lines[node.lineno - 1 : node.end_lineno]
            # the rule of tests/test_structure.py: a comment in the function says why
            why = any(ln.strip().lower().startswith("# long because") for ln in body)
            if size > 80 and not why:
                long.append(f"{node.name} ({size} lines)")
    assert long == [], (
        f"{name}: functions over 80 lines without a '# Long because …' comment: {long}"
    )


def js_functions(text: str) -> dict[str, int]:
    """Top-level ``function name(`` declarations and their length in lines."""
    sizes: dict[str, int] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"function (\w+)\(", line)
        if m:
            end = next(j for j in range(i + 1, len(lines)) if lines[j] == "}")
            sizes[m.group(1)] = end - i + 1
    return sizes


def test_the_playground_page_code_is_one_function_per_panel() -> None:
    sizes = js_functions(PLAYGROUND_JS.read_text(encoding="utf-8"))
    panels = {"buildBar", "buildStats", "buildKnobs", "buildPlots", "buildNetwork", "drawStats",
              "drawBoundary", "drawNeurons", "drawEdges", "drawCurves", "drawExplain"}  # fmt: skip
    assert panels <= set(sizes)
    assert {k: v for k, v in sizes.items() if v > 80} == {}
    assert sizes["render"] < 40


def test_the_playground_uses_the_runtimes_formatter_and_colour_mix() -> None:
    text = PLAYGROUND_JS.read_text(encoding="utf-8")
    assert "MG.formatShort(" in text and "MG.mixRGB(" in text
    own = set(js_functions(text)) & {"fmt", "mix", "hex", "formatNumber"}
    assert own == set(), f"playground.js defines its own {own}"
    assert "toExponential" not in text and "toPrecision" not in text


def test_no_private_state_across_the_learning_modules() -> None:
    for name in LEARNING:
        text = (PKG / name).read_text(encoding="utf-8")
        assert "_value._" not in text and "._SCOPE" not in text, name
        if name.startswith("play/"):
            assert not re.search(r"\.(_m|_v|_buf|_b)\b", text), name


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_js_colour_mix_equals_python() -> None:
    assert NODE is not None
    rng = random.Random(5)
    cases = []
    for _ in range(400):
        a, b = (f"#{rng.randrange(1 << 24):06x}" for _ in range(2))
        t = rng.choice([0.0, 0.5, 1.0, -0.5, 1.5, rng.random(), round(rng.random(), 2)])
        cases.append([a, b, t])
    cases.append(["#000000", "#ffffff", 0.5])  # 127.5: Python rounds half to even, to 128
    cases.append(["#010101", "#020202", 0.5])  # 1.5 → 2
    script = (
        (PKG / "web" / "runtime.js").read_text(encoding="utf-8")
        + "\nvar input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "process.stdout.write(JSON.stringify(input.map(function (c) {\n"
        "  return MG.mix(c[0], c[1], c[2]); })));\n"
    )
    r = subprocess.run([NODE, "-e", script], input=json.dumps(cases), capture_output=True,
                       text=True, check=True)  # fmt: skip
    got = json.loads(r.stdout)
    assert got == [mix(a, b, t) for a, b, t in cases]


CONSUMERS = [
    "_fit_checks.py", "demo.py", "cli/demo.py", "cli/playground.py", "play/__init__.py",
    "play/config.py", "play/mirror.py", "play/points.py", "play/state.py", "play/views.py",
    "play/widget.py", "play/replay.py",
]  # fmt: skip
# Each a registered name that is nobody's default: it may be spelled only in its registry.
SPELLED_ONCE = {
    "circles", "spirals", "xor", "blobs",  # datasets (moons is the default)
    "sgd", "momentum", "rmsprop",  # optimizers (adam is the playground's default)
    "mse", "mae", "hinge", "bce_logits", "binary_cross_entropy",  # losses
    "sigmoid", "leaky_relu", "relu", "Adam", "RMSProp", "SGD",  # activations, optimizer kinds
}  # fmt: skip


def _code_strings(text: str) -> set[str]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(text)
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    for node in ast.walk(tree):  # attribute docstrings: a string right after an assignment
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list):
                continue
            for a, b in itertools.pairwise(stmts):
                if isinstance(a, ast.Assign | ast.AnnAssign) and isinstance(b, ast.Expr):
                    docs.add(id(b.value))
    return {
        n.value for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    }  # fmt: skip


@pytest.mark.parametrize("name", CONSUMERS)
def test_registered_names_are_spelled_only_in_their_registry(name: str) -> None:
    found = _code_strings((PKG / name).read_text(encoding="utf-8")) & SPELLED_ONCE
    by_design = {
        "demo.py": {"hinge", "relu"},  # the demo trains micrograd's own network and loss
        "_fit_checks.py": {"mse", "mae"},  # metric names (METRICS), not losses
    }
    found -= by_design.get(name, set())
    assert found == set(), f"{name} spells {sorted(found)}: read the registry instead"


def test_the_playground_page_code_spells_no_registered_name() -> None:
    text = PLAYGROUND_JS.read_text(encoding="utf-8")
    code = re.sub(r"//[^\n]*", "", text)
    quoted = set(re.findall(r"[\"'`](\w+)[\"'`]", code))
    assert quoted & (SPELLED_ONCE | {"moons", "adam", "bce", "cross_entropy"}) == set()
