"""One training step in a browser kernel (Pyodide, CPython compiled to WebAssembly, run by
Node.js) against CPython on the same machine, as a ratio.

Two steps, the same code in both interpreters: microgrand's engine (an MLP 2-16-16-1 with
ReLU on 100 points, squared error: forward, backward, SGD update; tens of thousands of nodes) and the
same network backpropagated by hand on floats (the floor of pure Python). Needs Node.js and
`make npm-deps` (Pyodide from npm); builds microgrand's wheel into a temporary folder.

    python benchmarks/bench_pyodide.py [--out benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from results import write_section

ROOT = Path(__file__).resolve().parents[1]
PYODIDE = ROOT / "build" / "npm" / "node_modules" / "pyodide"
TITLE = (
    "## Pyodide (browser kernel) against CPython: one training step (`benchmarks/bench_pyodide.py`)"
)

STEPS = r"""
import json, math, random, sys, time
import microgrand as mg

rng = random.Random(0)
POINTS = [((rng.uniform(-1, 1), rng.uniform(-1, 1)), rng.choice((-1.0, 1.0))) for _ in range(100)]

def engine_step(model):
    loss = mg.vsum([(model(list(x)) - y) ** 2 for x, y in POINTS]) / len(POINTS)
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= 0.05 * p.grad
    return loss.data

def float_step(W):
    # The same 2-16-16-1 ReLU network, forward and backward written out on floats.
    (W1, b1), (W2, b2), (W3, b3) = W
    g = [[[0.0] * len(r) for r in M] for M in (W1, W2, W3)]
    gb = [[0.0] * len(b) for b in (b1, b2, b3)]
    total = 0.0
    for (x0, x1), y in POINTS:
        x = (x0, x1)
        z1 = [sum(w * v for w, v in zip(r, x)) + b for r, b in zip(W1, b1)]
        h1 = [max(0.0, z) for z in z1]
        z2 = [sum(w * v for w, v in zip(r, h1)) + b for r, b in zip(W2, b2)]
        h2 = [max(0.0, z) for z in z2]
        out = sum(w * v for w, v in zip(W3[0], h2)) + b3[0]
        d = out - y
        total += d * d
        dout = 2 * d / len(POINTS)
        gb[2][0] += dout
        dh2 = [0.0] * len(h2)
        for j, v in enumerate(h2):
            g[2][0][j] += dout * v
            dh2[j] = dout * W3[0][j] if z2[j] > 0 else 0.0
        dh1 = [0.0] * len(h1)
        for i, dz in enumerate(dh2):
            gb[1][i] += dz
            for j, v in enumerate(h1):
                g[1][i][j] += dz * v
                dh1[j] += dz * W2[i][j]
        for i, dz in enumerate(dh1):
            if z1[i] > 0:
                gb[0][i] += dz
                for j, v in enumerate(x):
                    g[0][i][j] += dz * v
    for (M, b), gM, gbb in zip(W, g, gb):
        for r, gr in zip(M, gM):
            for j in range(len(r)):
                r[j] -= 0.05 * gr[j]
        for i in range(len(b)):
            b[i] -= 0.05 * gbb[i]
    return total / len(POINTS)

def best(fn, arg, repeat):
    fn(arg)  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); fn(arg); times.append(time.perf_counter() - t)
    return min(times)

def init(sizes):
    r = random.Random(1)
    return [([[r.uniform(-1, 1) for _ in range(a)] for _ in range(b)], [0.0] * b)
            for a, b in zip(sizes, sizes[1:])]

model = mg.MLP(2, [16, 16, 1], activation="relu", rng=0)
json.dumps({"python": sys.version.split()[0], "platform": sys.platform,
            "engine": best(engine_step, model, 10), "float": best(float_step, init([2, 16, 16, 1]), 30)})
"""


def in_cpython() -> dict[str, object]:
    code = STEPS.rsplit("\njson.dumps(", 1)
    space: dict[str, object] = {}
    exec(code[0], space)
    return json.loads(eval("json.dumps(" + code[1], space))


def in_pyodide(node: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", d, str(ROOT)],
            check=True,
            capture_output=True,
        )
        (whl,) = Path(d).glob("microgrand-*.whl")
        graphviz = Path(sysconfig.get_path("purelib")) / "graphviz"
        p = subprocess.run(
            [node, str(ROOT / "tests" / "pyodide_run.mjs"), str(PYODIDE), str(whl), str(graphviz)],
            input=STEPS,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    if p.returncode != 0:
        raise SystemExit(f"Pyodide run failed: {p.stderr[-2000:]}")
    return json.loads(p.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", default=None, help="write the section into this Markdown file")
    args = ap.parse_args()
    node = shutil.which("node")
    if node is None or not (PYODIDE / "pyodide.mjs").is_file():
        print("skipped: needs Node.js and `make npm-deps` (Pyodide from npm)")
        return 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    here, there = in_cpython(), in_pyodide(node)
    lines = [
        "",
        TITLE,
        "",
        f"CPython {here['python']} and Pyodide (Python {there['python']}, Node.js "
        f"{subprocess.run([node, '--version'], capture_output=True, text=True).stdout.strip()}) "
        f"on one machine ({platform.machine()}); best of 10 (engine) and 30 (floats); "
        f"load average {load} (other work on the machine makes the ratio noisy).",
        "",
        "| step (2-16-16-1 ReLU, 100 points) | CPython ms | Pyodide ms | Pyodide / CPython |",
        "|---|---:|---:|---:|",
    ]
    for key, label in (
        ("engine", "microgrand `Value` MLP: forward, backward, SGD"),
        ("float", "hand-written backprop on floats"),
    ):
        a, b = float(here[key]), float(there[key])  # type: ignore[arg-type]
        lines.append(f"| {label} | {a * 1e3:.1f} | {b * 1e3:.1f} | {b / a:.2f}x |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        write_section(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
