"""Live view benchmark: how long one change of one leaf takes to update the page, in Chromium.

For graphs of about 200 and 2,000 nodes, the page saved by ``microgrand.live`` is opened
from disk in Chromium (Playwright with the system browser); then, many times, one leaf's
number box gets a new value and an ``input`` event. Timed with ``performance.now()`` in the
page:

* **update**: the event handler (recompute with engine.js, write every number, colour, edge
  derivative and panel) plus the style and layout it causes (forced by reading a box's size);
* **to paint**: from the change to the next animation frame after it (includes painting);
* **engine only**: ``MicrograndEngine.evaluate`` on the same graph, the peer the update is
  compared with (the DOM work is the rest).

Targets: update under 50 ms for 200 nodes, under 300 ms for 2,000 nodes.

    python benchmarks/bench_live.py [--repeat 30] [--out benchmarks/RESULTS.md]

With ``--out`` the section "## Live view" of that file is replaced (or appended).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import write_section  # noqa: E402

from microgrand import Graph, Value, live, vsum  # noqa: E402
from tools.screenshot import ARGS, find_chromium  # noqa: E402

TARGETS = {200: 50.0, 2000: 300.0}
HEADING = "## Live view: one leaf changed, page updated (Chromium)"


def network(nodes: int, seed: int = 0) -> Value:
    """About ``nodes`` nodes: neurons ``tanh(w·x + b)`` (each with its own labelled inputs,
    6 nodes) summed into one output; wide and shallow, as a layer is, and quick to lay out."""
    rng = random.Random(seed)
    outs = []
    for i in range(max(1, (nodes - 1) // 6)):
        x = Value(rng.uniform(-1, 1), label=f"x{i}")
        w = Value(rng.uniform(-1, 1), label=f"w{i}")
        b = Value(rng.uniform(-1, 1), label=f"b{i}")
        outs.append((w * x + b).tanh())
    return vsum(outs)


SCRIPT = """async ([reps]) => {
  const boxes = [...document.querySelectorAll('input[data-leaf]')];
  const frame = document.querySelector('.mg-live');
  const update = [], paint = [], engine = [];
  const model = JSON.parse(document.querySelector('script.mg-model').textContent).model;
  const E = MicrograndEngine, rules = E.compileRules(model.rules);
  for (let r = 0; r < reps; r++) {
    const box = boxes[(r * 7) % boxes.length];
    const x = Number(box.value) + (r % 2 ? 0.125 : -0.125);
    await new Promise(requestAnimationFrame);
    const t0 = performance.now();
    box.value = String(x);
    box.dispatchEvent(new Event('input', {bubbles: true}));
    frame.getBoundingClientRect(); document.body.offsetHeight;
    const t1 = performance.now();
    await new Promise(requestAnimationFrame);
    const t2 = performance.now();
    update.push(t1 - t0); paint.push(t2 - t0);
    const t3 = performance.now();
    E.evaluate(rules, model.engine, 1);
    engine.push(performance.now() - t3);
  }
  return {update, paint, engine, nodes: model.engine.nodes.length, leaves: boxes.length};
}"""


def measure(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        for size in sizes:
            root = network(size)
            n = len(Graph.of(root))
            t0 = time.perf_counter()
            path = live(root, max_nodes=max(n, 3000)).save(Path(tmp) / f"live{size}.html")
            build = time.perf_counter() - t0
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(path.resolve().as_uri())
            res = page.evaluate(SCRIPT, [repeat])
            page.close()
            rows.append({"target": size, "build": build, **res})
        browser.close()
    return rows


def table(rows: list[dict[str, Any]], repeat: int) -> str:
    lines = [
        HEADING,
        "",
        f"One leaf's box set and an `input` event fired, {repeat} times per graph (median and "
        "slowest, ms, `performance.now()` in the page). *update*: the handler plus the style "
        "and layout it causes; *to paint*: until the next animation frame; *engine only*: "
        "`engine.js` recomputing values, local derivatives and gradients (the peer: the rest "
        "of *update* is writing the page). Building the page (Graphviz layout) is in Python, "
        f"once. Load average while measuring: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores (a shared machine: compare *update* with *engine only*, "
        "measured in the same run).",
        "",
        "| graph | leaves | update (median / max) | target | to paint | engine only | "
        "update ÷ engine | build page (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        up = statistics.median(r["update"])
        eng = statistics.median(r["engine"])
        limit = TARGETS.get(r["target"], float("inf"))
        ok = "✓" if up < limit else "✗"
        lines.append(
            f"| {r['nodes']} nodes | {r['leaves']} | {up:.1f} / {max(r['update']):.1f} | "
            f"< {limit:.0f} {ok} | {statistics.median(r['paint']):.1f} | "
            f"{eng:.2f} | {up / eng if eng > 0 else float('inf'):.0f}× | {r['build']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--sizes", type=int, nargs="*", default=sorted(TARGETS))
    ap.add_argument("--out", default=None, help="replace or append the section in this file")
    args = ap.parse_args()
    rows = measure(args.sizes, args.repeat)
    text = table(rows, args.repeat)
    print(text)
    if args.out:
        write_section(args.out, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
