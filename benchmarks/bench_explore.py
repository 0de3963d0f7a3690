"""Explorer benchmark: how big the explorer's pages are, how long they take to build and to open.

Workloads (micrograd's demo network, 2-16-16-1 ReLU, SVM hinge loss):
  * one example with its loss (about 700 nodes), opening at the top (its layers);
  * the whole training step of micrograd's demo, built as micrograd builds it (``sum()``
    chains, 100 two-moons points, loss + L2; about 65k nodes) with the data, the batch and the
    loss in named scopes, opening inside the batch (its layers).

For each: build time (wall clock, and CPU seconds of this process plus the layout engine's
processes, since the machine may be shared), page size, views laid out, and the time Chromium
takes to open the saved page (from navigation to the first view on screen), when Chromium and
Playwright are installed. The peer, measured in the same run: ``draw()`` of the one-example
graph with nothing collapsed (one layout of every node).

    python benchmarks/bench_explore.py [--update benchmarks/RESULTS.md]

``--update`` replaces (or appends) the section "Explorer pages" of that Markdown file.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import random
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from results import write_section
from run import moons  # the benchmarks' shared workload (this folder is on sys.path)

from microgrand import Value, draw, scope
from microgrand.pages.explore import Explorer, explore

HEADING = "## Explorer pages"
TARGETS = {"one": (3_000_000, 5.0), "step": (10_000_000, 30.0)}
OPEN_TARGET = 2.0


class MicrogradMLP:
    """micrograd's ``nn.MLP(2, [16, 16, 1])``: ``sum()`` chains, ReLU except the last layer;
    each neuron's parameters are made in scope ``layerK/neuronJ``, as ``microgrand.nn`` does."""

    def __init__(self, sizes: list[int], seed: int = 0) -> None:
        rng = random.Random(seed)
        self.layers: list[list[list[Value]]] = []
        for k, (nin, nout) in enumerate(itertools.pairwise(sizes), start=1):
            layer = []
            for j in range(1, nout + 1):
                with scope(f"layer{k}"), scope(f"neuron{j}"):
                    ws = [Value(rng.uniform(-1, 1), label=f"w{i + 1}") for i in range(nin)]
                    layer.append([*ws, Value(0.0, label="b")])
            self.layers.append(layer)

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for neuron in layer for p in neuron]

    def __call__(self, x: list[Value]) -> Value:
        act: list[Value] = x
        for k, layer in enumerate(self.layers, start=1):
            out = []
            for j, neuron in enumerate(layer, start=1):
                with scope(f"layer{k}"), scope(f"neuron{j}"):
                    s = sum((w * a for w, a in zip(neuron[:-1], act, strict=True)), neuron[-1])
                    out.append(s.relu() if k < len(self.layers) else s)
            act = out
        return act[0]


def one_example() -> Value:
    """One example through the network, with its hinge loss (loss ops outside any scope)."""
    model = MicrogradMLP([2, 16, 16, 1])
    score = model([Value(0.5, label="x1"), Value(-0.3, label="x2")])
    loss = (1 + -1.0 * score).relu()
    loss.label = "loss"
    return loss


def training_step() -> Value:
    """micrograd's demo loss on 100 points: data, batch and loss each a named scope."""
    X, y = moons()
    model = MicrogradMLP([2, 16, 16, 1])
    with scope("data"):
        inputs = [[Value(a) for a in row] for row in X]
    with scope("batch"):
        scores = [model(x) for x in inputs]
    with scope("loss"):
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
    total.label = "loss"
    return total


def cpu() -> float:
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    c0, t0 = cpu(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, cpu() - c0


def open_in_chromium(path: Path) -> float | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    args = [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=args)
        best = math.inf
        for _ in range(3):
            pg = b.new_page(viewport={"width": 1200, "height": 900})
            t0 = time.perf_counter()
            pg.goto(path.resolve().as_uri())
            pg.wait_for_selector(".mg-explore svg")
            best = min(best, time.perf_counter() - t0)
            pg.close()
        b.close()
    return best


def measure(name: str, root: Value, focus: str | None, out_dir: Path) -> dict[str, Any]:
    def build() -> tuple[Explorer, Path]:
        e = explore(root, focus=focus)
        return e, e.save(out_dir / f"{name}.html")

    (e, path), wall, cpu_s = timed(build)
    views = sum(1 for v in e.views.values() if not v.refused)
    return {
        "nodes": len(e.graph),
        "groups": len(e.groups),
        "views": views,
        "refused": len(e.views) - views,
        "focus": e.focus,
        "bytes": path.stat().st_size,
        "wall": wall,
        "cpu": cpu_s,
        "open": open_in_chromium(path),
    }


def section() -> str:
    tmp = Path(tempfile.mkdtemp(prefix="mg-bench-explore-"))
    try:
        small = one_example()
        (_, peer_wall, peer_cpu) = timed(lambda: draw(small, collapse=False, max_nodes=2000).svg())
        rows = {
            "one": measure("one", small, None, tmp),
            "step": measure("step", training_step(), "batch", tmp),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        HEADING,
        "",
        "`mg.explore` pages of micrograd's demo network (2-16-16-1 ReLU, hinge loss), built "
        "as micrograd builds it (`sum()` chains). Build = trace + one Graphviz layout per "
        "view + the page, saved; CPU counts this process and the layout processes. "
        f"Load average during the run: {load:.1f} on {os.cpu_count()} cores.",
        "",
        "| graph | nodes | groups | views (left out) | opens at | page | target | build wall (s) "
        "| build CPU (s) | target | opens in Chromium (s) |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {"one": "one example + loss", "step": "training step, 100 examples"}
    for key, r in rows.items():
        size_t, time_t = TARGETS[key]
        opened = f"{r['open']:.2f}" if r["open"] is not None else "no Chromium"
        lines.append(
            f"| {labels[key]} | {r['nodes']} | {r['groups']} | {r['views']} ({r['refused']}) | "
            f"{r['focus'] or 'top'} | {r['bytes'] / 1e6:.2f} MB | ≤ {size_t / 1e6:g} MB | "
            f"{r['wall']:.2f} | {r['cpu']:.2f} | < {time_t:g} s | {opened} (< {OPEN_TARGET:g}) |"
        )
    one = rows["one"]
    lines += [
        "",
        f"Peer in the same run: `draw()` of the one-example graph with nothing collapsed (one "
        f"layout of all {one['nodes']} nodes) took {peer_wall:.2f} s wall, {peer_cpu:.2f} s CPU; "
        f"the explorer page took {one['wall'] / peer_wall:.1f}× its wall time "
        f"({one['cpu'] / max(peer_cpu, 1e-9):.1f}× its CPU) for {one['views']} layouts.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--update",
        default=None,
        metavar="RESULTS.md",
        help="replace the section 'Explorer pages' of this file",
    )
    args = ap.parse_args()
    text = section()
    print(text)
    if args.update:
        write_section(args.update, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
