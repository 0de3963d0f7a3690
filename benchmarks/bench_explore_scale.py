"""Explorer scale benchmark: build time against the number of scopes and their nesting depth.

Workloads (each built and measured in a fresh Python process, so no cache carries over):
  * ``flat N``: N scopes at the top level (``ex1`` … ``exN``, one small computation each,
    summed outside them): the opening view would show N boxes, so ``explore`` refuses it; the
    time is how long the refusal takes;
  * ``batch N``: the same N scopes inside one ``batch`` scope (as a training step's examples):
    the page opens at the top, the batch view is refused (N boxes), the examples' views are
    laid out up to the page's view budget;
  * ``depth D``: a chain of D scopes nested one in the next (``with scope(...)`` D deep), one
    operation at each level: every view is laid out up to the budget.

Build = ``explore(root)`` and the page's HTML (``Explorer.page().document()``), or the
refusal. Ratios compare each row with the one before: for a linear cost they equal the ratio
of the sizes (2× for 1k → 2k scopes, 4× for depth 50 → 200, 5× for 200 → 1,000).

    python benchmarks/bench_explore_scale.py [--out benchmarks/RESULTS.md]

``--out`` replaces (or appends) the section "Explorer scale" of that Markdown file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from results import write_section

HEADING = "## Explorer scale: scopes and nesting"
SCOPES = (1000, 2000, 4000)
DEPTHS = (50, 200, 1000)
LIMIT = 10.0  # seconds: a refusal, and any build here, within this


def graph(shape: str, n: int) -> Any:
    """The output Value of one workload (see the module docstring)."""
    from microgrand import Value, scope, vsum

    x = Value(0.5, label="x")
    if shape == "depth":
        with contextlib.ExitStack() as stack:
            y = x
            for i in range(n):
                stack.enter_context(scope(f"s{i}"))
                y = y * 1.001
        return y + 1
    outs = []
    with scope("batch") if shape == "batch" else contextlib.nullcontext():
        for i in range(1, n + 1):
            with scope(f"ex{i}"):
                outs.append((x * Value(0.1 * (i % 7), label="w")).tanh())
    return vsum(outs)


def one(shape: str, n: int) -> dict[str, Any]:
    """Build one workload in this process; what it took."""
    from microgrand import Graph
    from microgrand.pages.explore import ExploreTooLargeError, explore

    root = graph(shape, n)
    nodes = len(Graph.of(root).nodes)
    t0 = time.perf_counter()
    try:
        e = explore(root)
        size = len(e.page(uid="b").document().encode("utf-8"))
        laid = sum(1 for v in e.views.values() if not v.refused)
        result = f"page {size / 1e6:.2f} MB, {laid} of {len(e.views)} views laid out"
    except ExploreTooLargeError as err:
        result = "refused: " + str(err).split(";")[0]
    return {"nodes": nodes, "seconds": time.perf_counter() - t0, "result": result}


def measure(shape: str, n: int) -> dict[str, Any]:
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_explore_scale as b; "
        "print(json.dumps(b.one(sys.argv[2], int(sys.argv[3]))))"
    )
    here = str(Path(__file__).resolve().parent)
    out = subprocess.run(
        [sys.executable, "-c", code, here, shape, str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    row: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return row


def section() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        HEADING,
        "",
        "`mg.explore` on graphs with many scopes and deep nesting (each row a fresh process; "
        "build = explore and the page's HTML, or the refusal). *ratio*: this row's time over "
        "the previous row's, next to the ratio of the sizes (what a linear cost gives). "
        f"Load average during the run: {load:.1f} on {os.cpu_count()} cores.",
        "",
        "| workload | size | nodes | build (s) | ratio (linear) | limit | result |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for shape, sizes in (("flat", SCOPES), ("batch", SCOPES), ("depth", DEPTHS)):
        before: tuple[int, float] | None = None
        for n in sizes:
            r = measure(shape, n)
            ratio = "" if before is None else f"{r['seconds'] / before[1]:.1f} ({n / before[0]:g})"
            ok = "✓" if r["seconds"] < LIMIT else "✗"
            what = {"flat": "top-level scopes", "batch": "scopes in `batch`", "depth": "depth"}
            lines.append(
                f"| {what[shape]} | {n:,} | {r['nodes']:,} | {r['seconds']:.2f} | {ratio} | "
                f"< {LIMIT:g} s {ok} | {r['result']} |"
            )
            before = (n, r["seconds"])
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", default=None, metavar="RESULTS.md", help="replace the section")
    args = ap.parse_args()
    text = section()
    print(text)
    if args.out:
        write_section(args.out, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
