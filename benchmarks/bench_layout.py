"""Layouts that used to stall: the reproducers of slow Graphviz layouts, timed end to end.

Each command runs in a fresh process (as a teacher would type it); the table gives the wall
time of the whole command. Before the layout cost estimate, the first took over 120 s, the
second ran 300 s and failed, the third took 30 s. Target: under 10 s each.

    python benchmarks/bench_layout.py [--out benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

from results import write_section

PRODUCT = "*".join(["x"] * 100)
POWERS = "**".join(["x"] * 50)
CASES = [
    (
        "render --edge-labels of x*x*…*x (100 factors)",
        ["render", PRODUCT, "x=1", "--edge-labels", "-q", "-o", "{d}/r.svg"],
    ),
    ("step of x*x*…*x (100 factors)", ["step", PRODUCT, "x=1", "-o", "{d}/s.html"]),
    ("step of x**x**…**x (50 levels)", ["step", POWERS, "x=1", "-o", "{d}/p.html"]),
]


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", default=None, help="append the section to this Markdown file")
    args = ap.parse_args()
    lines = [
        "",
        "## Layouts that used to stall (`benchmarks/bench_layout.py`)",
        "",
        "| command | seconds | result |",
        "|---|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as d:
        for label, argv in CASES:
            cmd = [sys.executable, "-m", "microgrand", *(a.format(d=d) for a in argv)]
            t = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            sec = time.perf_counter() - t
            result = "ok" if p.returncode == 0 else f"exit {p.returncode}: {p.stderr.strip()[:80]}"
            lines.append(f"| {label} | {sec:.1f} | {result} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        write_section(args.out, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
