"""The recorded replay: a self-contained HTML page (no kernel, no network) and a PNG picture.

The replay is a page of the one page pipeline (:func:`microgrand.pages.build_page`, kind
``"playground"``): the recorded frames are its model, the widget's own front-end
(``web/playground.js``) draws them, and a scrubber (``input[data-scrub]``) moves through every
view. Before its script runs (or where scripts never run, as in a notebook opened untrusted,
or on GitHub) the page shows a picture of the last recorded frame, an ``<img>`` with a
``data:`` URI, and one line saying what running the cell gives.

Example:
    >>> from microgrand.play.state import Playground
    >>> pg = Playground(dataset="xor", layers=[3], seed=0); _ = pg.step(2)
    >>> html = page(pg)
    >>> 'data-kind="playground"' in html, fallback_png(pg)[:4] == b"\\x89PNG"
    (True, True)
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..pages import Page, build_page, web_text
from ..render.themes import THEMES, css_variables

if TYPE_CHECKING:
    from .state import Playground

__all__ = [
    "FALLBACK_FONT_PX",
    "FALLBACK_LINE",
    "MAX_HISTORY_ROWS",
    "MAX_PAGE_BYTES",
    "css",
    "fallback_png",
    "fragment",
    "module",
    "page",
    "payload",
    "replay_page",
    "save",
]

FALLBACK_LINE = (
    "Run this cell to train the network live: play, step, scrub the recorded frames, "
    "click the data to add points."
)
"""The line under the stored picture, saying what running the cell gives."""


MAX_PAGE_BYTES = 12_000_000
"""The largest replay page :func:`page` writes: longer runs keep fewer frames (evenly spaced,
the first and the last always), and a frame repeats the points only when they changed."""

MAX_HISTORY_ROWS = 5_000
"""The most history rows (steps) a replay page's curves keep (evenly spaced, the last kept)."""

_FRAMES_SHARE = 0.8  # of MAX_PAGE_BYTES, for the frames (the rest: history, picture, code)


def module() -> str:
    """The widget's front-end as an ES module, in anywidget's shape (``export default``).

    The page runtime (``web/runtime.js``: the number formatter and the colour mix),
    ``web/playground.js`` and ``web/playground_keys.js`` (the keyboard and the names) have no
    export statement (the replay page runs them as plain scripts), so the exports are added
    here.

    Example:
        >>> module().rstrip().endswith("export default { render };")
        True
    """
    return (
        web_text("runtime.js")
        + "\n"
        + web_text("playground.js")
        + "\n"
        + web_text("playground_keys.js")
        + "\nexport { render, replay, replayModel };\nexport default { render };\n"
    )


def css(theme: str = "light") -> str:
    """The widget's CSS: the theme's custom properties, then the playground's style sheet.

    Example:
        >>> "--mg-background: #1e1e1e;" in css("dark")
        True
    """
    return css_variables(THEMES[theme], ".mg-pg") + "\n" + web_text("playground.css")


def payload(pg: Playground) -> dict[str, Any]:
    """The page model: static view data, the recorded frames (plus the current one), history.

    Bounded by :data:`MAX_PAGE_BYTES`: a frame has ``points`` only when they differ from the
    previous frame's (the page carries them forward), and when the frames would still be too
    large every other one is dropped (the first and the last stay) until they fit.

    Example:
        >>> from microgrand.play.state import Playground
        >>> pg = Playground(layers=[2], seed=0, record_every=1); _ = pg.step(3)
        >>> [("points" in f) for f in payload(pg)["frames"]]
        [True, False, False, False]
    """
    frames = list(pg.frames)
    if frames[-1] is not pg.frame and frames[-1]["step"] != pg.frame["step"]:
        frames.append(pg.frame)
    budget = MAX_PAGE_BYTES * _FRAMES_SHARE
    while len(frames) > 2:
        shared = _shared_points(frames)
        if sum(len(json.dumps(f, allow_nan=False)) for f in shared) <= budget:
            break
        frames = frames[:1] + frames[1:-1][1::2] + frames[-1:]
    history = pg.history.as_dict(max_rows=MAX_HISTORY_ROWS)
    return {"view": pg.view_data(), "frames": _shared_points(frames), "history": history}


def _shared_points(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out, last = [], None
    for f in frames:
        if last is not None and f["points"] == last:
            f = {k: v for k, v in f.items() if k != "points"}
        else:
            last = f["points"]
        out.append(f)
    return out


FALLBACK_FONT_PX = 16
"""Size of the stored picture's text: shown at its own size (it is narrower than a notebook
cell), its text stays well over 9 px."""


def _font(size: int) -> Any:
    """Pillow's own scalable font at ``size`` px (its small bitmap font where FreeType is
    missing)."""
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError, ImportError):  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


def _rgb(c: str) -> tuple[int, int, int]:
    c = c.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _stat(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "-"
    return f"{100 * v:.1f}%" if pct else f"{v:.4f}"


def fallback_png(pg: Playground) -> bytes:
    """A PNG of the current frame: the decision boundary with the points, and the loss curves,
    with its numbers in :data:`FALLBACK_FONT_PX` px text.

    Example:
        >>> from microgrand.play.state import Playground
        >>> fallback_png(Playground(layers=[2], seed=0))[:4]
        b'\\x89PNG'
    """
    from PIL import Image, ImageDraw

    theme = THEMES[pg.config["theme"]]
    frame = pg.frame
    view = pg.view_data()
    bg = _rgb(theme.background)
    colours = [_rgb(c) for c in view["colors"]]
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
    S, top = 300, 58
    img = Image.new("RGB", (S + 380, S + top + 10), bg)
    img.paste(small.resize((S, S), Image.Resampling.BILINEAR), (10, top))
    d = ImageDraw.Draw(img)
    x0, x1, y0, y1 = view["bounds"]
    for name, hollow in (("train", False), ("test", True)):
        for a, b, t in frame["points"][name]:
            cx = 10 + (a - x0) / (x1 - x0) * S
            cy = top + (y1 - b) / (y1 - y0) * S
            box = (cx - 3.5, cy - 3.5, cx + 3.5, cy + 3.5)
            if hollow:
                d.ellipse(box, outline=colours[t], width=2)
            else:
                d.ellipse(box, fill=colours[t], outline=bg)
    text, font = _rgb(theme.text), _font(FALLBACK_FONT_PX)
    d.text(
        (10, 8),
        f"step {frame['step']}    train loss {_stat(frame['train_loss'])}    "
        f"test loss {_stat(frame['test_loss'])}",
        fill=text,
        font=font,
    )
    d.text(
        (10, 30),
        f"train accuracy {_stat(frame['train_accuracy'], True)}    "
        f"test accuracy {_stat(frame['test_accuracy'], True)}",
        fill=text,
        font=font,
    )
    _fallback_curves(pg, d, (S + 50, top + 20, 300, 170), font)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _fallback_curves(pg: Playground, d: Any, box: tuple[int, int, int, int], font: Any) -> None:
    """The loss curves of the stored picture in ``box`` (left, top, width, height)."""
    theme = THEMES[pg.config["theme"]]
    L, T, W, H = box
    hist = pg.history
    muted, text = _rgb(theme.muted), _rgb(theme.text)
    d.line([(L, T), (L, T + H), (L + W, T + H)], fill=muted, width=2)
    d.text((L, T + H + 8), "loss: train (thick), test (thin)", fill=text, font=font)
    vals = [v for v in hist.train_loss + hist.test_loss if math.isfinite(v)]
    if vals and hist.steps:
        hi = max(vals) or 1.0
        last = hist.steps[-1] or 1
        d.text((L - 6, T), f"{hi:.2g}", fill=text, font=font, anchor="ra")
        d.text((L - 6, T + H), "0", fill=text, font=font, anchor="rs")
        for ys, col, width in ((hist.train_loss, _rgb(theme.accent), 3), (hist.test_loss, text, 1)):
            pts = [
                (L + s / last * W, T + H - v / hi * H)
                for s, v in zip(hist.steps, ys, strict=True)
                if math.isfinite(v)
            ]
            if len(pts) > 1:
                d.line(pts, fill=col, width=width)


def replay_page(
    pg: Playground,
    *,
    title: str = "microgrand playground",
    uid: str | None = None,
    interactive: bool = True,
    note: str = FALLBACK_LINE,
) -> Page:
    """The replay as a :class:`~microgrand.pages.Page` (``interactive=False``: the picture only).

    Example:
        >>> from microgrand.play.state import Playground
        >>> p = replay_page(Playground(layers=[2], seed=0), uid="mg-pg-demo")
        >>> p.kind, p.uid, FALLBACK_LINE in p.fragment
        ('playground', 'mg-pg-demo', True)
    """
    step = pg.frame["step"]
    alt = (
        f"Playground at step {step}: decision boundary and loss curves"
        if step
        else "Playground before training: decision boundary and data"
    )
    return build_page(
        "playground",
        payload(pg) if interactive else {},
        view_html="",
        theme=THEMES[pg.config["theme"]],
        fallback_png=fallback_png(pg),
        fallback_note=note,
        fallback_alt=alt,
        title=title,
        uid=uid,
        scripts=("playground.js", "playground_keys.js", "playground_page.js"),
        styles=("playground.css",),
        interactive=interactive,
    )


def fragment(pg: Playground, *, interactive: bool = True, note: str = FALLBACK_LINE) -> str:
    """HTML for a notebook output: the fallback picture and line, then (optionally) the replay.

    The replay's data and code are in ``<script>`` elements, which a sanitiser removes whole,
    so an untrusted viewer shows exactly the picture and the line.
    """
    return replay_page(pg, interactive=interactive, note=note).fragment


def page(pg: Playground, title: str = "microgrand playground") -> str:
    """A complete, self-contained HTML document replaying the run (works from ``file://``)."""
    return replay_page(pg, title=title, uid="mg-playground").document()


def save(pg: Playground, path: str | os.PathLike[str]) -> Path:
    """Write the replay page to ``path`` (``.html`` or ``.htm``, atomically); returns the path."""
    return replay_page(pg, uid="mg-playground").save(path)
