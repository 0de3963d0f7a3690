"""GIF benchmark: the 49-step backward pass of a small network, old pipeline vs ``animate``.

The workload: a 2-3-2-1 tanh MLP on one sample whose output is squared (49 nodes, so 49
backward steps and 49 frames), written as a GIF.

* **before** — the pipeline ``animate`` used up to 0.2: one Graphviz PNG per frame
  (``Player.frame_diagram(k).png(96)``), captions composed with Pillow, and Pillow's default
  GIF encoding (each frame quantised to its own palette);
* **after** — ``animate(root, path)`` at its defaults: the layout rendered twice for the whole
  animation (numbers shown / hidden), frames composed from those pictures, one shared palette,
  72 dpi; and the same at 96 dpi (the old default size), for a like-for-like ratio.

Prints a table and the ratios before/after (higher is better; the goal is at least 4).

    python benchmarks/bench_gif.py [--repeat 1]
"""

from __future__ import annotations

import argparse
import io
import itertools
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from microgrand import Value, vsum
from microgrand.pages.player import Player
from microgrand.render.themes import THEMES
from microgrand.stepper import animate, trace
from microgrand.stepper.captions import (
    backward_caption,
    caption_height,
    caption_image,
    wrap_caption,
)
from microgrand.stepper.record import step_record


def gif_example() -> Value:
    """A 2-3-2-1 tanh MLP on one sample, output squared: 49 backward steps."""
    rng = random.Random(0)
    sizes = [2, 3, 2, 1]
    acts = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(sizes[0])]
    for li, (nin, nout) in enumerate(itertools.pairwise(sizes)):
        new = []
        for j in range(nout):
            ws = [Value(rng.uniform(-1, 1), label=f"w{li + 1}{j}{k}") for k in range(nin)]
            b = Value(0.0, label=f"b{li + 1}{j}")
            new.append(vsum([w * a for w, a in zip(ws, acts, strict=True)] + [b]).tanh())
        acts = new
    loss = acts[0] ** 2
    loss.label = "loss"
    return loss


def before(root: Value, path: Path) -> None:
    """The 0.2 pipeline: a Graphviz run per frame, a palette per frame."""
    p = Player(trace(root), max_steps=200)
    light = THEMES["light"]
    pngs = [p.frame_diagram(k).png(96) for k in range(1, p.frames)]
    caps = [
        backward_caption(
            step_record(p.trace[k - 1], p.trace, precision=p.precision, names=p.names),
            k,
            len(p.trace),
        )
        for k in range(1, p.frames)
    ]
    diagrams = [Image.open(io.BytesIO(b)).convert("RGB") for b in pngs]
    w = max(im.width for im in diagrams)
    h = max(im.height for im in diagrams)
    wrapped = [wrap_caption(c, w, 1.0) for c in caps]
    cs = [caption_image(c, w, caption_height(c, 1.0), 1.0, light) for c in wrapped]
    ch = max(c.height for c in cs)
    frames = []
    for im, cap in zip(diagrams, cs, strict=True):
        frame = Image.new("RGB", (w, h + ch), "#ffffff")
        frame.paste(im, ((w - im.width) // 2, (h - im.height) // 2))
        frame.paste(cap, (0, h))
        frames.append(frame)
    buf = io.BytesIO()
    frames[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        loop=0,
        duration=1000,
        optimize=False,
    )
    path.write_bytes(buf.getvalue())


def timed(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(repeat: int = 1) -> dict[str, float]:
    """Seconds for each pipeline and the ratios (before / after)."""
    root = gif_example()
    assert len(trace(root)) == 49
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)
        t_before = timed(lambda: before(root, out / "before.gif"), repeat)
        t_after = timed(lambda: animate(root, out / "after.gif", max_steps=200), repeat)
        t_after96 = timed(lambda: animate(root, out / "after96.gif", dpi=96, max_steps=200), repeat)
        sizes = {k: (out / f"{k}.gif").stat().st_size for k in ("before", "after", "after96")}
    return {
        "before_s": t_before,
        "after_s": t_after,
        "after_96dpi_s": t_after96,
        "speedup": t_before / t_after,
        "speedup_96dpi": t_before / t_after96,
        "before_kb": sizes["before"] / 1024,
        "after_kb": sizes["after"] / 1024,
        "after_96dpi_kb": sizes["after96"] / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    r = run(args.repeat)
    print("49-step backward-pass GIF")
    print(
        f"  before (a Graphviz run and a palette per frame, 96 dpi): {r['before_s']:7.2f} s"
        f"  {r['before_kb']:7.0f} KB"
    )
    print(
        f"  animate() defaults (72 dpi):                          {r['after_s']:7.2f} s"
        f"  {r['after_kb']:7.0f} KB   {r['speedup']:.1f}x faster"
    )
    print(
        f"  animate(dpi=96) (the old size):                       {r['after_96dpi_s']:7.2f} s"
        f"  {r['after_96dpi_kb']:7.0f} KB   {r['speedup_96dpi']:.1f}x faster"
    )


if __name__ == "__main__":
    main()
