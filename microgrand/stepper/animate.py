"""Animate a pass through the graph as a GIF (or an MP4 with ``ffmpeg``): one frame per step.

Backward: gradients fill in, the output first, each frame highlighting the node whose
gradient just became final and the inputs it sends gradient to, with the chain-rule line
written underneath. Forward: values appear in topological order, each with its computation.

Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> from microgrand import Value
    >>> x = Value(2.0, label="x"); y = (x * 3).tanh()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = animate(y, pathlib.Path(d) / "backward.gif")
    ...     with Image.open(p) as im:
    ...         im.n_frames
    4
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from .._files import write_atomic
from .._format import check_precision
from ..graph import Graph
from ..render import draw
from ..render.build import DrawOptions, build_dot
from ..render.diagram import Diagram
from ..render.engine import layout
from ..render.svgread import SVG, parse_svg
from ..render.themes import THEMES, Theme, ThemeName, theme_named
from ..value import Value
from .captions import (
    Line,
    backward_caption,
    caption_height,
    caption_image,
    forward_caption,
    wrap_caption,
)
from .captions import caption_fill as caption_fill  # its old home, kept working
from .record import StepRecord, display_graph, step_names, step_record
from .trace import DEFAULT_MAX_STEPS, Trace, as_trace, check_steps

__all__ = ["AnimationError", "animate", "frame_diagram", "frames"]

if TYPE_CHECKING:  # Pillow is imported where frames are drawn, not by `import microgrand`
    from PIL import Image


class AnimationError(RuntimeError):
    """The animation cannot be written (for example ``.mp4`` without ``ffmpeg``)."""


Plan = tuple[list[str], str | None, list[str], list[str]]  # hidden, current, inputs, edges


def _compose(
    sheet: _Sheet | None,
    plans: list[Plan],
    pics: list[Image.Image],
    captions: list[list[Line]],
    scale: float,
    theme: Theme,
) -> list[Image.Image]:
    """Every frame, as palette images sharing one palette (the diagram above, the caption
    below). With a ``sheet`` the diagrams are made from it by ``plans``; else ``pics``."""
    w, h = (
        sheet.full.size
        if sheet is not None
        else (max(im.width for im in pics), max(im.height for im in pics))
    )
    wrapped = [wrap_caption(c, w, scale) for c in captions]
    ch = max(caption_height(c, scale) for c in wrapped)
    caps = [caption_image(c, w, ch, scale, theme) for c in wrapped]
    # One palette: the finished diagram, a caption, the accent (drawn on by highlights).
    from PIL import Image

    sample = Image.new("RGB", (w, h + ch + 4), theme.accent)
    sample.paste(sheet.full if sheet is not None else pics[-1], (0, 0))
    sample.paste(caps[0], (0, h))
    pal = sample.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)

    def index(im: Image.Image) -> Image.Image:
        return im.quantize(palette=pal, dither=Image.Dither.NONE)

    ink = index(Image.new("RGB", (1, 1), theme.accent)).getpixel((0, 0))
    back = index(Image.new("RGB", (1, 1), theme.background)).getpixel((0, 0))
    if sheet is not None:
        sheet.full, sheet.blank = index(sheet.full), index(sheet.blank)
    out = []
    for k, cap in enumerate(caps):
        frame = Image.new("P", (w, h + ch), back)
        frame.putpalette(pal.getpalette() or [])
        if sheet is not None:
            hidden, current, inputs, edges = plans[k]
            frame.paste(sheet.frame(hidden, current, inputs, edges, theme, ink), (0, 0))
        else:  # pragma: no cover - only when an engine's PNG and SVG disagree
            im = index(pics[k])
            frame.paste(im, ((w - im.width) // 2, (h - im.height) // 2))
        frame.paste(index(cap), (0, h))
        out.append(frame)
    return out


# --- one layout, every frame: the diagram is rendered twice (numbers shown and numbers
# hidden, same text so the same layout) and each frame is put together from the two ----------

_PAIR = re.compile(r"(-?[0-9.]+)\s*,\s*(-?[0-9.]+)")


class _Sheet:
    """Two renders of one layout (``full``: every number shown; ``blank``: the numbers in the
    box colour) and where each box, operation and edge is on them, in pixels."""

    def __init__(self, dot: str, blank_dot: str, engine: str | None, dpi: int) -> None:
        from PIL import Image

        extra = (f"-Gdpi={dpi}",)
        self.scale = dpi / 72
        self.full = Image.open(io.BytesIO(layout(dot, "png", engine, extra))).convert("RGB")
        self.blank = Image.open(io.BytesIO(layout(blank_dot, "png", engine, extra))).convert("RGB")
        root = parse_svg(layout(dot, "svg", engine))
        top = next(root.iter(SVG + "g"))
        m = re.search(r"translate\(([-0-9.]+)[ ,]+([-0-9.]+)\)", top.get("transform", ""))
        self.tx, self.ty = (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)
        self.boxes: dict[str, tuple[int, int, int, int]] = {}
        self.ops: dict[str, tuple[int, int, int, int]] = {}
        self.edges: dict[str, tuple[list[tuple[float, float]], list[tuple[float, float]]]] = {}
        for g in root.iter(SVG + "g"):
            gid, cls = g.get("id", ""), g.get("class", "").split()
            if "node" in cls and "value" in cls:
                path = g.find(SVG + "path")
                pts = self._points(path.get("d", "") if path is not None else "")
                if not pts:
                    poly = g.find(SVG + "polygon")
                    pts = self._points(poly.get("points", "") if poly is not None else "")
                if pts:
                    self.boxes[gid] = self._bbox(pts)
            elif "node" in cls and "op" in cls:
                el = g.find(SVG + "ellipse")
                if el is not None:
                    cx, cy = float(el.get("cx", 0)), float(el.get("cy", 0))
                    rx, ry = float(el.get("rx", 0)), float(el.get("ry", 0))
                    self.ops[gid[: -len("-op")]] = self._bbox(
                        [self._px(cx - rx, cy - ry), self._px(cx + rx, cy + ry)]
                    )
            elif "edge" in cls:
                path, head = g.find(SVG + "path"), g.find(SVG + "polygon")
                curve = self._curve(path.get("d", "")) if path is not None else []
                arrow = self._points(head.get("points", "")) if head is not None else []
                self.edges[gid] = (curve, arrow)

    @property
    def consistent(self) -> bool:
        """True when the PNGs have the size the SVG geometry says (same layout)."""
        return self.full.size == self.blank.size and bool(self.boxes) and self.fits

    @property
    def fits(self) -> bool:
        """True when every box lies inside the picture (the SVG and PNG agree)."""
        w, h = self.full.size
        return all(x1 <= w + 4 and y1 <= h + 4 for _, _, x1, y1 in self.boxes.values())

    def _px(self, x: float, y: float) -> tuple[float, float]:
        return (x + self.tx) * self.scale, (y + self.ty) * self.scale

    def _points(self, text: str) -> list[tuple[float, float]]:
        return [self._px(float(a), float(b)) for a, b in _PAIR.findall(text)]

    @staticmethod
    def _bbox(pts: list[tuple[float, float]]) -> tuple[int, int, int, int]:
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return (
            math.floor(min(xs)) - 3,
            math.floor(min(ys)) - 3,
            math.ceil(max(xs)) + 3,
            math.ceil(max(ys)) + 3,
        )

    def _curve(self, d: str) -> list[tuple[float, float]]:
        pts = self._points(d)
        if len(pts) < 4:
            return pts
        out = [pts[0]]
        for i in range(1, len(pts) - 2, 3):  # cubic Bézier segments
            p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
            for k in range(1, 9):
                t = k / 8
                a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
                out.append(
                    (
                        a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0],
                        a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1],
                    )
                )
        return out

    def frame(
        self,
        hidden: Iterable[str],
        current: str | None,
        inputs: Iterable[str],
        edges: Iterable[str],
        theme: Theme,
        ink: Any,
    ) -> Image.Image:
        """The full picture with the boxes in ``hidden`` blanked and a highlight drawn."""
        from PIL import ImageDraw

        im = self.full.copy()
        for nid in hidden:
            box = self.boxes.get(nid)
            if box is not None:
                im.paste(self.blank.crop(box), box[:2])
        d = ImageDraw.Draw(im)
        width = max(2, round(theme.accent_width * self.scale * 0.8))
        for eid in edges:
            curve, arrow = self.edges.get(eid, ([], []))
            if len(curve) > 1:
                d.line(curve, fill=ink, width=max(2, round(2.5 * self.scale * 0.8)))
            if len(arrow) > 2:
                d.polygon(arrow, fill=ink, outline=ink)
        for nid in [*inputs, *([current] if current else [])]:
            box = self.boxes.get(nid)
            if box is not None:
                x0, y0, x1, y1 = box
                d.rounded_rectangle(
                    (x0 + 2, y0 + 2, x1 - 2, y1 - 2),
                    radius=round(6 * self.scale),
                    outline=ink,
                    width=width,
                )
        if current and current in self.ops:
            x0, y0, x1, y1 = self.ops[current]
            d.ellipse((x0 + 2, y0 + 2, x1 - 2, y1 - 2), outline=ink, width=width)
        return im


@dataclasses.dataclass(frozen=True)
class _Film:
    """What the frames are drawn from: the trace, its diagram's graph and the options."""

    trace: Trace
    graph: Graph
    names: dict[str, str]
    precision: int
    rankdir: Literal["LR", "TB"]
    theme: ThemeName
    engine: str | None

    def record(self, k: int) -> StepRecord:
        """The record of step ``k - 1`` (frame ``k``)."""
        s = self.trace[k - 1]
        return step_record(s, self.trace, precision=self.precision, names=self.names)


def frame_diagram(
    t: Trace,
    frame: int,
    *,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    theme: ThemeName = "light",
    engine: str | None = None,
    graph: Graph | None = None,
) -> Diagram:
    """A still picture of frame ``frame`` of the backward pass (0: before the first step; k:
    step k - 1 done): the gradients known so far, the current node and its inputs
    highlighted, the same layout in every frame. ``graph`` is the diagram's graph
    (default :func:`~microgrand.stepper.notation.display_graph` of ``t``).

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import trace
        >>> t = trace(Value(2.0, label="x") * 3)
        >>> "grad = 3.0000" in frame_diagram(t, 3).dot, "grad = 3.0000" in frame_diagram(t, 2).dot
        (True, False)
    """
    if isinstance(frame, bool) or not isinstance(frame, int):
        raise TypeError(f"frame must be an int, got {type(frame).__name__}")
    if not 0 <= frame <= len(t):
        raise IndexError(f"frame {frame} out of range (0 … {len(t)})")
    known = [s.id for s in t.steps[:frame]]
    hl: list[str] = []
    if frame > 0:
        s = t[frame - 1]
        hl = [s.id, *s.node.inputs] if s.outgoing else [s.id]
    return draw(
        graph if graph is not None else display_graph(t),
        precision=precision,
        rankdir=rankdir,
        theme=theme,
        known_grads=known,
        highlight=hl,
        collapse=False,
        max_nodes=max(300, len(t)),
        engine=engine,
    )


def _two_renders(p: _Film, kind: str, theme: Theme, **options: Any) -> tuple[str, str]:
    """The DOT of the picture twice, the numbers of ``kind`` (``"grad"``, ``"label"``) written
    in the text colour and in the box colour: the same text, so the same layout."""
    opts = DrawOptions(
        precision=p.precision,
        rankdir=p.rankdir,
        theme=p.theme,
        collapse=False,
        max_nodes=max(300, len(p.graph)),
        **options,
    )
    shown = build_dot(p.graph, replace(opts, ink={kind: theme.text}))
    blank = build_dot(p.graph, replace(opts, ink={kind: theme.node_fill}))
    return shown.source, blank.source


Frames: TypeAlias = "tuple[_Sheet | None, list[Plan], list[Image.Image], list[list[Line]]]"


def _backward_frames(p: _Film, dpi: int, theme: Theme) -> Frames:
    t = p.trace
    sheet = _Sheet(*_two_renders(p, "grad", theme), p.engine, dpi)
    order = [s.id for s in t]
    plans: list[Plan] = []
    pics: list[Image.Image] = []
    caps: list[list[Line]] = []
    for k, s in enumerate(t, start=1):
        if sheet.consistent:
            inputs = list(dict.fromkeys(s.node.inputs)) if s.outgoing else []
            edges = [f"e-{c.input}-{c.node}-{c.position}" for c in s.outgoing]
            if s.outgoing:
                edges.append(f"e-{s.id}-op")
            plans.append((order[k:], s.id, inputs, edges))
        else:  # pragma: no cover - an engine whose PNG and SVG disagree: one render per frame
            from PIL import Image

            png = frame_diagram(
                t,
                k,
                precision=p.precision,
                rankdir=p.rankdir,
                theme=theme.name,  # type: ignore[arg-type]
                engine=p.engine,
                graph=p.graph,
            ).png(dpi)
            pics.append(Image.open(io.BytesIO(png)).convert("RGB"))
        caps.append(backward_caption(p.record(k), k, len(t)))
    return (sheet if sheet.consistent else None), plans, pics, caps


def _forward_frames(p: _Film, dpi: int, theme: Theme) -> Frames:
    nodes = p.graph.nodes
    sheet = _Sheet(*_two_renders(p, "label", theme, show=(), label_values=True), p.engine, dpi)
    if not sheet.consistent:  # pragma: no cover - an engine whose PNG and SVG disagree
        raise AnimationError(
            f"the {p.engine or 'default'} layout engine drew the PNG and the SVG differently; "
            "animate the backward pass, or install the system Graphviz"
        )
    ids = [n.id for n in nodes]
    plans: list[Plan] = []
    caps: list[list[Line]] = []
    for k, n in enumerate(nodes):
        edges = [f"e-{i}-{n.id}-{pos}" for pos, i in enumerate(n.inputs)]
        if n.inputs:
            edges.append(f"e-{n.id}-op")
        plans.append((ids[k + 1 :], n.id, list(dict.fromkeys(n.inputs)), edges))
        caps.append(forward_caption(p.graph, p.names, k, p.precision))
    return sheet, plans, [], caps


def _check_options(pass_: str, dpi: int, theme: str) -> None:
    """The checks :func:`frames` and :func:`animate` make before drawing anything."""
    if pass_ not in ("backward", "forward"):
        raise ValueError(f"pass_ must be 'backward' or 'forward', got {pass_!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 36 <= dpi <= 300:
        raise ValueError(f"dpi must be an int from 36 to 300, got {dpi!r}")
    theme_named(theme)


def frames(
    root: Value | Trace,
    pass_: Literal["backward", "forward"] = "backward",
    *,
    dpi: int = 72,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    theme: ThemeName = "light",
    max_steps: int = DEFAULT_MAX_STEPS,
    engine: str | None = None,
) -> list[Image.Image]:
    """The frames of :func:`animate` as Pillow images, all the same size, in ``theme``'s colours.

    The diagram is laid out once and rendered twice (every number shown; every number
    hidden), and each frame is put together from those two pictures, so a frame costs no
    Graphviz run.

    Example:
        >>> from microgrand import Value
        >>> fs = frames(Value(2.0, label="x") * 3, theme="print")
        >>> len(fs), len({f.size for f in fs})
        (3, 1)
    """
    _check_options(pass_, dpi, theme)
    return [
        im.convert("RGB")
        for im in _frames(root, pass_, dpi, precision, rankdir, theme, max_steps, engine)
    ]


def _frames(
    root: Value | Trace,
    pass_: str,
    dpi: int,
    precision: int,
    rankdir: Literal["LR", "TB"],
    theme: ThemeName,
    max_steps: int,
    engine: str | None,
) -> list[Image.Image]:
    th = THEMES[theme]
    t = as_trace(root)
    check_steps(t, max_steps)
    check_precision(precision)
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', got {rankdir!r}")
    p = _Film(t, display_graph(t), step_names(t), precision, rankdir, theme, engine)
    sheet, plans, pics, caps = (_backward_frames if pass_ == "backward" else _forward_frames)(
        p, dpi, th
    )
    return _compose(sheet, plans, pics, caps, dpi / 96, th)


def animate(
    root: Value | Trace,
    path: str | os.PathLike[str],
    pass_: Literal["backward", "forward"] = "backward",
    *,
    fps: float = 1.0,
    dpi: int = 72,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    theme: ThemeName = "light",
    max_steps: int = DEFAULT_MAX_STEPS,
    engine: str | None = None,
) -> Path:
    """Write an animation of the backward (or forward) pass: ``.gif``, or ``.mp4`` with ffmpeg.

    One frame per step (``fps`` frames per second; the last frame stays three times as
    long in a GIF), in the colours of ``theme`` (``"light"``, ``"dark"`` or ``"print"``).
    Every frame of a GIF shares one palette. The file is written atomically. The Values are
    not changed.

    Example:
        >>> import tempfile, pathlib
        >>> from microgrand import Value
        >>> with tempfile.TemporaryDirectory() as d:
        ...     animate(Value(1.0, label="x") * 2, pathlib.Path(d) / "a.gif", fps=2).suffix
        '.gif'
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ValueError(f"animate() writes .gif or .mp4, got {str(p)!r}")
    if isinstance(fps, bool) or not isinstance(fps, int | float) or not 0.1 <= fps <= 30:
        raise ValueError(f"fps must be a number from 0.1 to 30, got {fps!r}")
    ffmpeg = shutil.which("ffmpeg") if suffix == ".mp4" else None
    if suffix == ".mp4" and ffmpeg is None:
        raise AnimationError(
            "writing .mp4 needs ffmpeg on PATH (e.g. apt-get install ffmpeg); "
            "save as .gif instead, which needs nothing extra"
        )
    _check_options(pass_, dpi, theme)
    imgs = _frames(root, pass_, dpi, precision, rankdir, theme, max_steps, engine)
    if suffix == ".gif":
        ms = round(1000 / fps)
        buf = io.BytesIO()
        imgs[0].save(
            buf,
            format="GIF",
            save_all=True,
            append_images=imgs[1:],
            loop=0,
            duration=[ms] * (len(imgs) - 1) + [3 * ms],
            optimize=False,
        )
        return write_atomic(p, buf.getvalue())
    assert ffmpeg is not None
    return _write_mp4(ffmpeg, [im.convert("RGB") for im in imgs], fps, p)


def _write_mp4(ffmpeg: str, imgs: list[Image.Image], fps: float, p: Path) -> Path:
    with tempfile.TemporaryDirectory() as d:
        for i, im in enumerate(imgs):
            im.save(os.path.join(d, f"f{i:05d}.png"))
        out = os.path.join(d, "out.mp4")
        cmd = [
            ffmpeg,
            "-y",
            "-loglevel",
            "error",
            "-framerate",
            f"{fps:g}",
            "-i",
            os.path.join(d, "f%05d.png"),
            "-vf",
            "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
            out,
        ]
        r = subprocess.run(cmd, capture_output=True, check=False, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            msg = r.stderr.decode("utf-8", "replace").strip().splitlines()
            raise AnimationError(f"ffmpeg failed: {msg[-1] if msg else r.returncode}")
        return write_atomic(p, Path(out).read_bytes())
