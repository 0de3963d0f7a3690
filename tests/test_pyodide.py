"""microgrand in a browser kernel: Pyodide (CPython compiled to WebAssembly) under Node.js.

The wheel is installed into Pyodide (the npm ``pyodide`` package, pinned in
``tools/npm/package.json`` and installed by ``make npm-deps`` into ``build/npm/``) with
``graphviz`` (pure Python) beside it, and one script checks there what a JupyterLite lesson
needs: the import pulls in no compiled package, the engine gives CPython's numbers, the
diagram is laid out by the WebAssembly engine, and the pages are built. Pyodide's own
packages (NumPy, matplotlib, Pillow) come from its CDN, which the tests cannot reach, so the
playground (NumPy) is not run here.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from test_wasm_engine import without_generator

from microgrand.render.diagram import readable_titles
from microgrand.render.engine import layout

ROOT = Path(__file__).resolve().parents[1]
PYODIDE = ROOT / "build" / "npm" / "node_modules" / "pyodide"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NODE is None, reason="Node.js ('node') is not installed"),
    pytest.mark.skipif(
        not (PYODIDE / "pyodide.mjs").is_file(),
        reason="Pyodide not installed: run `make npm-deps` (needs npm)",
    ),
]

# Run in both interpreters: random expressions from a seeded generator, their values and
# gradients as exact hex floats (or the error they raise).
EXPRESSIONS = r"""
import random
import microgrand as mg

def expressions(seed, ops, count):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        leaves = [mg.Value(rng.uniform(-2.0, 2.0)) for _ in range(3)]
        pool = list(leaves)
        try:
            for _ in range(rng.randint(2, 10)):
                op, a, b = rng.choice(ops), rng.choice(pool), rng.choice(pool)
                if op == "+": v = a + b
                elif op == "-": v = a - b
                elif op == "*": v = a * b
                elif op == "/": v = a / (b * b + 0.5)
                elif op == "sqrt": v = (a * a + 0.25).sqrt()
                elif op == "exp": v = (a / (a * a + 1.0)).exp()
                elif op == "log": v = (a * a + 0.5).log()
                elif op == "tanh": v = a.tanh()
                elif op == "sin": v = a.sin()
                else: v = a.cos()
                pool.append(v)
            root = pool[-1]
            root.backward()
            out.append([root.data.hex(), [x.grad.hex() for x in leaves]])
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            out.append(["error", type(e).__name__])
    return out

EXACT = ["+", "-", "*", "/", "sqrt"]
CLOSE = ["+", "*", "exp", "log", "tanh", "sin", "cos"]
"""

# Run in Pyodide only: the rest of a lesson's first cells.
IN_BROWSER = r"""
import json, random, sys
heavy = sorted(m for m in ("PIL", "matplotlib", "numpy", "tqdm") if m in sys.modules)
from microgrand.examples import readme_example
from microgrand.render.engine import RenderError, choose_engine
try:  # before the engine has loaded (no await yet, and Node.js has no JSPI by default)
    mg.draw(readme_example()).svg()
    early = "drew"
except RenderError as e:
    early = str(e)
ready = await mg.ready()

def mlp_graph():
    model = mg.MLP(2, [4, 4, 1], rng=random.Random(0))
    loss = mg.vsum([(model([x, y]) - t) ** 2 for x, y, t in ((1.0, -0.5, 1.0), (0.3, 2.0, -1.0))])
    loss.backward()
    return loss

drawn = {}
for name, root, opts in (("readme", readme_example(), {}),
                         ("mlp", mlp_graph(), {"collapse": False, "max_nodes": 2000})):
    d = mg.draw(root, **opts)
    drawn[name] = {"dot": d.dot, "svg": d.svg(), "mime": sorted(d._repr_mimebundle_())}
try:
    mg.draw(readme_example()).png()
    png = "made a PNG"
except RenderError as e:
    png = str(e)
y = readme_example()
pages = {kind: make(y)._repr_html_() for kind, make in
         (("live", mg.live), ("quiz", mg.quiz), ("explore", mg.explore), ("step", mg.step))}
json.dumps({
    "platform": sys.platform, "heavy": heavy, "ready": ready, "engine": choose_engine().name,
    "exact": expressions(1, EXACT, 300), "close": expressions(2, CLOSE, 300),
    "drawn": drawn, "png": png, "early": early, "doctor": str(mg.doctor()),
    "pages": {k: [len(v), "data:image/svg+xml;base64," in v,
                  'data-kind="' + {"step": "player"}.get(k, k) + '"' in v]
              for k, v in pages.items()},
})
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (whl,) = out.glob("microgrand-*.whl")
    return whl


@pytest.fixture(scope="module")
def browser(wheel: Path) -> dict[str, Any]:
    """What the script found in Pyodide (one run: starting Pyodide takes a few seconds)."""
    graphviz = Path(sysconfig.get_path("purelib")) / "graphviz"
    assert NODE is not None
    proc = subprocess.run(
        [NODE, str(ROOT / "tests" / "pyodide_run.mjs"), str(PYODIDE), str(wheel), str(graphviz)],
        input="import microgrand as mg\n" + EXPRESSIONS + IN_BROWSER,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:  # Pyodide prints its minified source with an error: keep the end
        pytest.fail(f"Pyodide run failed: {proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.fixture(scope="module")
def here() -> dict[str, Any]:
    space: dict[str, Any] = {}
    exec(EXPRESSIONS, space)
    return {
        "exact": space["expressions"](1, space["EXACT"], 300),
        "close": space["expressions"](2, space["CLOSE"], 300),
    }


def test_runs_in_a_browser_kernel_without_compiled_packages(browser: dict[str, Any]) -> None:
    assert browser["platform"] == "emscripten"
    assert browser["heavy"] == []
    assert browser["engine"] == "wasm" and "WebAssembly" in browser["ready"]
    assert "layout engine: wasm (viz-js" in browser["doctor"] and ": ok" in browser["doctor"]


def test_arithmetic_and_sqrt_are_bit_for_bit_cpythons(
    browser: dict[str, Any], here: dict[str, Any]
) -> None:
    assert len(browser["exact"]) == 300
    assert sum(r[0] != "error" for r in here["exact"]) > 250
    assert browser["exact"] == here["exact"]


def test_transcendentals_agree_to_1e_12(browser: dict[str, Any], here: dict[str, Any]) -> None:
    # Pyodide's libm and glibc's differ by an ulp now and then (tanh, sin, cos).
    compared = 0
    for theirs, ours in zip(browser["close"], here["close"], strict=True):
        assert (theirs[0] == "error") == (ours[0] == "error")
        if ours[0] == "error":
            assert theirs == ours
            continue
        pairs = [(theirs[0], ours[0]), *zip(theirs[1], ours[1], strict=True)]
        for a, b in pairs:
            x, y = float.fromhex(a), float.fromhex(b)
            assert math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-300), (x, y)
            compared += 1
    assert compared > 1000


@pytest.mark.parametrize("name", ["readme", "mlp"])
def test_diagram_is_laid_out_as_graphviz_pure_does(browser: dict[str, Any], name: str) -> None:
    drawn = browser["drawn"][name]
    theirs = readable_titles(layout(drawn["dot"], "svg", engine="graphviz-pure").decode("utf-8"))
    assert without_generator(drawn["svg"]) == without_generator(theirs)
    assert drawn["mime"] == ["image/svg+xml"]  # no PNG in a browser: the SVG is shown


def test_drawing_before_the_engine_loaded_says_what_to_do(browser: dict[str, Any]) -> None:
    assert "still loading" in browser["early"] and "await mg.ready()" in browser["early"]


def test_png_explains_itself(browser: dict[str, Any]) -> None:
    assert "SVG only" in browser["png"] and "mg.step" in browser["png"]


@pytest.mark.parametrize("kind", ["live", "quiz", "explore", "step"])
def test_pages_are_built(browser: dict[str, Any], kind: str) -> None:
    size, svg_fallback, marked = browser["pages"][kind]
    assert size > 5000 and svg_fallback and marked
