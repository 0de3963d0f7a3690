"""Make the README's picture of the player: ``python tools/screenshot.py OUT.png``.

Saves the player of the README neuron ``tanh(x*w + b)``, opens it in Chromium (through
Playwright; Chromium from the system, e.g. Debian's ``chromium`` package), steps to the
``x*w`` node and takes a screenshot of the player, reduced to a small palette PNG.
Also writes the backward-pass GIF next to it when ``--gif`` is given.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image

from microgrand import animate, step
from microgrand._files import write_atomic
from microgrand.examples import readme_example

ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The system Chromium, if any."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def screenshot(out: Path, frame: int = 4, width: int = 1280) -> Path:
    """Screenshot the README neuron's player at ``frame`` into ``out`` (PNG, < 200 KB)."""
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise FileNotFoundError("no Chromium found (install the 'chromium' package)")
    with tempfile.TemporaryDirectory() as d:
        page_path = step(readme_example()).save(Path(d) / "player.html")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page(
                viewport={"width": width, "height": 700}, device_scale_factor=1.25
            )
            page.goto(page_path.resolve().as_uri())
            for _ in range(frame):
                page.click('[data-action="next"]')
            page.mouse.move(0, 0)
            png = page.locator(".mg-player").screenshot()
            browser.close()
    img = Image.open(io.BytesIO(png)).convert("RGB")
    small = img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    small.save(buf, format="PNG", optimize=True)
    return write_atomic(out, buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    """Command line: ``OUT.png [--gif OUT.gif]``."""
    ap = argparse.ArgumentParser(prog="python tools/screenshot.py")
    ap.add_argument("out", type=Path)
    ap.add_argument("--gif", type=Path, default=None, help="also write the backward-pass GIF")
    ap.add_argument("--frame", type=int, default=4)
    a = ap.parse_args(argv)
    try:
        p = screenshot(a.out, a.frame)
        print(f"wrote {p} ({p.stat().st_size // 1024} KB)")
        if a.gif is not None:
            g = animate(readme_example(), a.gif, fps=0.8)
            print(f"wrote {g} ({g.stat().st_size // 1024} KB)")
    except (OSError, ValueError, RuntimeError, ImportError) as e:
        print(f"screenshot: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
