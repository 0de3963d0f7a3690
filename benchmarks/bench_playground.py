"""The playground widget in a real JupyterLab (Playwright + Chromium): steps and frames per
second while playing, and the time each dataset's defaults take to reach 90 % training accuracy.

    python benchmarks/bench_playground.py [--seconds 10] [--out benchmarks/RESULTS.md]

For each workload a notebook cell shows ``mg.playground(...)``; Play is pressed and, over
``--seconds``, the page counts the frames it draws (each one rewrites ``[data-stat="step"]``)
and reads the step counter. The plain-Python rate (``pg.step``, no widget) is measured in the
same run as the peer. The time to 90 % is the number of steps each dataset's defaults need
(the same seeded run in Python, bit for bit the widget's) divided by the widget's measured
rate on that dataset, and, for the defaults, also timed directly in the page.
With ``--out`` the section "## Playground widget" of that file is replaced (or appended).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from results import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

WORKLOADS: list[tuple[str, dict[str, Any]]] = [
    ("defaults (moons, 2-8-8-1 tanh, Adam, batch 10)", {}),
    ("2-16-16-1 on 200 points, batch 10", {"layers": [16, 16], "n": 200, "test_fraction": 0.0}),
]
SECTION = "## Playground widget"


def python_rate(settings: dict[str, Any], seconds: float = 2.0) -> float:
    """Steps per second of ``pg.step`` in plain Python (the engine, no widget)."""
    from microgrand.play import playground

    pg = playground(**settings)
    pg.step(5, progress=False)
    t0, s0 = time.perf_counter(), pg.steps
    while time.perf_counter() - t0 < seconds:
        pg.step(20, progress=False)
    return (pg.steps - s0) / (time.perf_counter() - t0)


def steps_to(settings: dict[str, Any], target: float = 0.9, limit: int = 20_000) -> int | None:
    """The first step at which the training accuracy reaches ``target`` (None: not by
    ``limit``)."""
    from microgrand.play import playground

    pg = playground(**settings)
    while pg.steps < limit:
        pg.step(50, progress=False)
        for s, a in zip(pg.history.steps[-50:], pg.history.train_accuracy[-50:], strict=True):
            if a >= target:
                return s
    return None


COUNT_FRAMES = """() => {
  const el = document.querySelector('.mg-pg [data-stat="step"]');
  window.mgFrames = 0;
  new MutationObserver(() => { window.mgFrames += 1; }).observe(el, { childList: true, characterData: true, subtree: true });
}"""


def run_in_lab(page: Any, url: str, seconds: float, until: float | None = None) -> dict[str, Any]:
    """Open the notebook at ``url``, run its cell, press Play; steps/s and frames/s."""
    page.goto(url)
    editor = page.locator(".jp-Notebook .jp-Cell .cm-content:visible").first
    editor.wait_for(timeout=90_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
    editor.click()
    page.keyboard.press("Shift+Enter")
    stat = page.locator('.mg-pg [data-stat="step"]')
    stat.wait_for(timeout=90_000)
    page.wait_for_timeout(500)
    page.evaluate(COUNT_FRAMES)
    step = lambda: int(stat.get_attribute("data-number") or 0)  # noqa: E731
    s0, t0 = step(), time.monotonic()
    page.click('.mg-pg [data-action="play"]')
    reached = None
    while time.monotonic() - t0 < seconds:
        page.wait_for_timeout(200)
        if until is not None and reached is None:
            acc = page.get_attribute('.mg-pg [data-stat="train-accuracy"]', "data-number")
            if acc and float(acc) >= until:
                reached = time.monotonic() - t0
    s1, t1 = step(), time.monotonic()
    frames = page.evaluate("() => window.mgFrames")
    page.click('.mg-pg [data-action="play"]')
    return {
        "steps_per_s": (s1 - s0) / (t1 - t0),
        "frames_per_s": frames / (t1 - t0),
        "to_90": reached,
    }


def measure(seconds: float) -> dict[str, Any]:
    import nbformat
    from browser_support import jupyterlab_server
    from playwright.sync_api import sync_playwright

    from microgrand.data import DATASETS
    from tools.screenshot import ARGS, find_chromium

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium (apt-get install chromium)")
    datasets = [(f"{name} defaults", {"dataset": name}) for name in DATASETS.names()]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    out: dict[str, Any] = {"widget": [], "datasets": []}
    with tempfile.TemporaryDirectory() as tmp, jupyterlab_server(Path(tmp)) as lab, \
            sync_playwright() as pw:  # fmt: skip
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        for i, (label, settings) in enumerate(WORKLOADS + datasets):
            nb = nbformat.v4.new_notebook(metadata=kernel)
            nb.cells.append(nbformat.v4.new_code_cell(
                f"import microgrand as mg\npg = mg.playground(**{settings!r})\npg"
            ))  # fmt: skip
            nbformat.write(nb, lab.root / f"bench{i}.ipynb")
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            url = lab.url(f"lab/workspaces/bench{i}/tree/bench{i}.ipynb")
            is_dataset = i >= len(WORKLOADS)
            r = run_in_lab(page, url, 6.0 if is_dataset else seconds, until=0.9)
            page.close()
            row = {"label": label, **r, "python": python_rate(settings)}
            if is_dataset:
                row["steps_to_90"] = steps_to(settings)
                out["datasets"].append(row)
            else:
                out["widget"].append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        browser.close()
    return out


def table(r: dict[str, Any], seconds: float) -> str:
    lines = [
        SECTION,
        "",
        f"A real JupyterLab on this machine (Playwright + Chromium, headless): the cell shows "
        f"`mg.playground(...)`, Play is pressed and, over {seconds:g} s, the page counts the "
        "frames it draws and reads the step counter. Peer: `pg.step` in plain Python, same run. "
        "Targets: ≥ 30 steps/s with every view refreshing at ≥ 10 frames/s. Before the "
        "widget sent what changed (the whole history with every step, one step per message) "
        "it ran 6–9 steps/s here.",
        "",
        "| workload | widget steps/s | frames/s | steps per frame | plain Python steps/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for w in r["widget"]:
        per = w["steps_per_s"] / max(w["frames_per_s"], 1e-9)
        lines.append(
            f"| {w['label']} | {w['steps_per_s']:.0f} | {w['frames_per_s']:.1f} | {per:.1f} "
            f"| {w['python']:.0f} |"
        )
    lines += [
        "",
        "Time to 90 % training accuracy from Play, each dataset's defaults (target: 20 s, "
        "spirals 60 s): steps needed (the same seeded run in Python) ÷ the widget's steps/s "
        "measured on that dataset; and as seen in the page (6 s of play; – if not by then).",
        "",
        "| dataset | steps to 90 % | widget steps/s | frames/s | time to 90 % | seen in the page |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for d in r["datasets"]:
        n = d["steps_to_90"]
        t = "never" if n is None else f"{n / max(d['steps_per_s'], 1e-9):.1f} s"
        seen = "–" if d["to_90"] is None else f"{d['to_90']:.1f} s"
        lines.append(
            f"| {d['label']} | {n if n is not None else '> 20,000'} | {d['steps_per_s']:.0f} "
            f"| {d['frames_per_s']:.1f} | {t} | {seen} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds of play per workload")
    ap.add_argument("--out", default=None, help="replace or append the section in this file")
    args = ap.parse_args()
    text = table(measure(args.seconds), args.seconds)
    print(text)
    if args.out:
        write_section(args.out, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
