"""The recorded replay: a self-contained HTML page (no kernel, no network) and a PNG picture.

The page inlines the playground's front-end module (``web/playground.js``), its CSS with the
theme's colours, and the recorded frames as JSON; a scrubber (``input[data-scrub]``) moves
through every view. Before its script runs (or where scripts never run, as in a notebook
opened untrusted, or on GitHub) the page shows a picture of the last recorded frame, an
``<img>`` with a ``data:`` URI, and one line saying what running the cell gives.

Example:
    >>> from microgrand.play.state import Playground
    >>> pg = Playground(dataset="xor", layers=[3], seed=0); _ = pg.step(2)
    >>> html = page(pg)
    >>> "data-scrub" in html or "replay(" in html, fallback_png(pg)[:4] == b"\\x89PNG"
    (True, True)
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import uuid
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import write_atomic
from ..render.themes import THEMES, css_variables

if TYPE_CHECKING:
    from .state import Playground

__all__ = ["FALLBACK_LINE", "fallback_png", "fragment", "page", "payload", "save", "web_file"]

FALLBACK_LINE = (
    "Run this cell to train the network live: play, step, scrub the recorded frames, "
    "click the data to add points."
)
"""The line under the stored picture, saying what running the cell gives."""


def web_file(name: str) -> str:
    """The text of one of the page files shipped in ``microgrand/web/``.

    Example:
        >>> "export function render" in web_file("playground.js")
        True
    """
    return (resources.files("microgrand") / "web" / name).read_text(encoding="utf-8")


def css(theme: str = "light") -> str:
    """The widget's and the page's CSS: the theme's custom properties, then the style sheet."""
    return (
        css_variables(THEMES[theme], ".mg-pg, .mg-pg-fallback") + "\n" + web_file("playground.css")
    )


def payload(pg: Playground) -> dict[str, Any]:
    """The page model: static view data, the recorded frames (plus the current one), history."""
    frames = list(pg.frames)
    if frames[-1] is not pg.frame and frames[-1]["step"] != pg.frame["step"]:
        frames.append(pg.frame)
    return {"view": pg.view_data(), "frames": frames, "history": pg.history.as_dict()}


def _json(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def fallback_png(pg: Playground) -> bytes:
    """A PNG of the current frame: the decision boundary with the points, and the loss curves.

    Example:
        >>> from microgrand.play.state import Playground
        >>> fallback_png(Playground(layers=[2], seed=0))[:4]
        b'\\x89PNG'
    """
    from PIL import Image, ImageDraw

    theme = THEMES[pg.config["theme"]]
    frame = pg.frame
    view = pg.view_data()

    def rgb(c: str) -> tuple[int, int, int]:
        c = c.lstrip("#")
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)

    bg = rgb(theme.background)
    colours = [rgb(c) for c in view["colors"]]
    G = frame["boundary"]["size"]
    cls = base64.b64decode(frame["boundary"]["cls"])
    conf = base64.b64decode(frame["boundary"]["conf"])
    small = Image.new("RGB", (G, G))
    px = []
    for c, k in zip(conf, cls, strict=True):
        t = 0.15 + 0.6 * c / 255
        col = colours[k]
        px.append(tuple(round(bg[i] + (col[i] - bg[i]) * t) for i in range(3)))
    small.putdata(px)
    S = 280
    img = Image.new("RGB", (S + 340, S + 40), bg)
    img.paste(small.resize((S, S), Image.Resampling.BILINEAR), (10, 30))
    d = ImageDraw.Draw(img)
    x0, x1, y0, y1 = view["bounds"]
    for name, hollow in (("train", False), ("test", True)):
        for a, b, t in frame["points"][name]:
            cx = 10 + (a - x0) / (x1 - x0) * S
            cy = 30 + (y1 - b) / (y1 - y0) * S
            box = (cx - 3, cy - 3, cx + 3, cy + 3)
            if hollow:
                d.ellipse(box, outline=colours[t], width=1)
            else:
                d.ellipse(box, fill=colours[t], outline=bg)
    text = rgb(theme.text)

    def num(v: float | None, pct: bool = False) -> str:
        if v is None:
            return "-"
        return f"{100 * v:.1f}%" if pct else f"{v:.4f}"

    d.text(
        (10, 8),
        f"step {frame['step']}   train loss {num(frame['train_loss'])}   "
        f"test loss {num(frame['test_loss'])}   train acc {num(frame['train_accuracy'], True)}   "
        f"test acc {num(frame['test_accuracy'], True)}",
        fill=text,
    )
    # loss curves
    hist = pg.history
    L, T, W, H = S + 40, 40, 280, 140
    muted = rgb(theme.muted)
    d.line([(L, T), (L, T + H), (L + W, T + H)], fill=muted)
    d.text((L, T + H + 6), "loss: train (accent), test (text colour)", fill=muted)
    vals = [v for v in hist.train_loss + hist.test_loss if math.isfinite(v)]
    if vals and hist.steps:
        hi = max(vals) or 1.0
        last = hist.steps[-1]
        for ys, col in ((hist.train_loss, rgb(theme.accent)), (hist.test_loss, text)):
            pts = [
                (L + s / last * W, T + H - v / hi * H)
                for s, v in zip(hist.steps, ys, strict=True)
                if math.isfinite(v)
            ]
            if len(pts) > 1:
                d.line(pts, fill=col, width=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def fragment(pg: Playground, *, interactive: bool = True) -> str:
    """HTML for a notebook output: the fallback picture and line, then (optionally) the replay.

    The replay's data and code are in ``<script>`` elements, which a sanitiser removes whole,
    so an untrusted viewer shows exactly the picture and the line.
    """
    uid = "mg-pg-" + uuid.uuid4().hex[:12]
    png = base64.b64encode(fallback_png(pg)).decode("ascii")
    f = pg.frame
    alt = (
        f"Playground at step {f['step']}: decision boundary and loss curves"
        if f["step"]
        else "Playground before training: decision boundary and data"
    )
    html = (
        f'<div class="mg-pg-fallback" id="{uid}">'
        f'<img src="data:image/png;base64,{png}" alt="{alt}">'
        f"<p>{FALLBACK_LINE}</p></div>"
    )
    if not interactive:
        return html
    return (
        html
        + f"<style>{css(pg.config['theme'])}</style>"
        + f'<script type="application/json" id="{uid}-data">{_json(payload(pg))}</script>'
        + '<script type="module">\n'
        + web_file("playground.js")
        + f'\nconst el = document.getElementById("{uid}");\n'
        + f'replay(el, JSON.parse(document.getElementById("{uid}-data").textContent));\n'
        + "</script>"
    )


def page(pg: Playground, title: str = "microgrand playground") -> str:
    """A complete, self-contained HTML document replaying the run (works from ``file://``)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{margin:16px;background:var(--mg-background)}</style>"
        f"<style>{css_variables(THEMES[pg.config['theme']], 'body')}</style>"
        "</head><body>\n" + fragment(pg) + "\n</body></html>\n"
    )


def save(pg: Playground, path: str | os.PathLike[str]) -> Path:
    """Write the replay page to ``path`` (atomically); returns the path."""
    return write_atomic(path, page(pg).encode("utf-8"))
