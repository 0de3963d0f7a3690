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
import os
import shutil
import subprocess
import tempfile
import textwrap
from functools import cache
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from .._files import write_atomic
from ..render import draw
from ..value import Value
from .explain import format_number
from .player import DEFAULT_MAX_STEPS, Player, _as_trace, _kind
from .trace import Trace

__all__ = ["AnimationError", "animate", "frames"]


class AnimationError(RuntimeError):
    """The animation cannot be written (for example ``.mp4`` without ``ffmpeg``)."""


@cache
def _font(mono: bool, bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    import matplotlib

    name = "DejaVuSansMono" if mono else "DejaVuSans"
    if bold:
        name += "-Bold"
    path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", f"{name}.ttf")
    try:
        return ImageFont.truetype(path, size)
    except OSError:  # pragma: no cover - matplotlib always ships DejaVu
        return ImageFont.load_default()


Line = tuple[str, bool, bool]  # text, monospace, bold


def _caption(lines: list[Line], width: int, scale: float) -> Image.Image:
    size = max(12, round(20 * scale))
    pad = round(12 * scale)
    wrapped: list[tuple[str, ImageFont.FreeTypeFont | ImageFont.ImageFont]] = []
    for text, mono, bold in lines:
        font = _font(mono, bold, size)
        avg = max(1.0, font.getlength("0" * 10) / 10)
        chars = max(20, int((width - 2 * pad) / avg))
        for part in textwrap.wrap(text, chars, subsequent_indent="    ") or [""]:
            wrapped.append((part, font))
    line_h = round(size * 1.45)
    img = Image.new("RGB", (width, 2 * pad + line_h * len(wrapped)), "#fff8f0")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, round(5 * scale), img.height], fill="#e67700")
    y = pad
    for text, font in wrapped:
        d.text((pad + round(6 * scale), y), text, fill="#1f2328", font=font)
        y += line_h
    return img


def _compose(pngs: list[bytes], captions: list[list[Line]], scale: float) -> list[Image.Image]:
    diagrams = [Image.open(io.BytesIO(b)).convert("RGB") for b in pngs]
    w = max(im.width for im in diagrams)
    h = max(im.height for im in diagrams)
    caps = [_caption(c, w, scale) for c in captions]
    ch = max(c.height for c in caps)
    out = []
    for im, cap in zip(diagrams, caps, strict=True):
        frame = Image.new("RGB", (w, h + ch), "#ffffff")
        frame.paste(im, ((w - im.width) // 2, (h - im.height) // 2))
        frame.paste(cap, (0, h))
        out.append(frame)
    return out


def _backward_frames(p: Player, dpi: int) -> tuple[list[bytes], list[list[Line]]]:
    t = p.trace
    pngs, caps = [], []
    for k, s in enumerate(t, start=1):
        pngs.append(p.frame_diagram(k).png(dpi))
        name = p.names[s.id]
        lines: list[Line] = [
            (f"Backward pass, step {k} of {len(t)}: {name} ({_kind(s)})", False, True),
            (p.explanation(k), True, False),
        ]
        if s.outgoing:
            sends = "; ".join(
                f"{p.names[c.input]} gets {_paren(c.upstream, p.precision)} × "
                f"{_paren(c.local, p.precision)} = {format_number(c.value, p.precision)}"
                for c in s.outgoing
            )
            lines.append((f"{name} passes its gradient back: {sends}", False, False))
        elif s.is_leaf:
            lines.append((f"{name} is an input: its gradient is final.", False, False))
        caps.append(lines)
    return pngs, caps


def _paren(x: float, precision: int) -> str:
    s = format_number(x, precision)
    return f"({s})" if s.startswith("-") else s


def _forward_frames(p: Player, dpi: int) -> tuple[list[bytes], list[list[Line]]]:
    prec = p.precision
    graph = p.graph
    nodes = graph.nodes
    pngs, caps = [], []
    for k, n in enumerate(nodes):
        shown = []
        for i, m in enumerate(nodes):
            num = format_number(m.data, prec)
            val = num if i <= k else "_" * len(num)
            shown.append(dataclasses.replace(m, label=f"{p.names[m.id]} = {val}"))
        g = dataclasses.replace(graph, nodes=tuple(shown))
        hl = [n.id, *n.inputs]
        d = draw(g, show=(), precision=prec, rankdir=p.rankdir, theme=p.theme,
                 highlight=hl, collapse=False, max_nodes=max(300, len(nodes)), engine=p.engine)
        pngs.append(d.png(dpi))
        name = p.names[n.id]
        head = f"Forward pass, step {k + 1} of {len(nodes)}: {name}"
        if n.rule is None:
            body = f"{name} = {format_number(n.data, prec)}   (an input: its value is given)"
        else:
            args = [p.names[i] for i in n.inputs]
            vals = [_paren(nodes[int(i[1:])].data, prec) for i in n.inputs]
            body = (
                f"{name} = {_apply_text(n.rule.text, args)} = {_apply_text(n.rule.text, vals)}"
                f" = {format_number(n.data, prec)}"
            )
        caps.append([(head, False, True), (body, True, False)])
    return pngs, caps


def _apply_text(template: str, args: list[str]) -> str:
    """``x × y`` with the inputs put in (``x0 + x1 + …`` for many inputs)."""
    import re

    if "x0" in template or len(args) > 2:
        return " + ".join(args) if template.startswith("x0 +") else f"{template}({', '.join(args)})"
    wrap = [a if re.fullmatch(r"[\w.]+", a) else f"({a})" for a in args]
    subs = dict(zip(("x", "y"), wrap, strict=False))
    return re.sub(r"(?<![A-Za-z])([xy])(?![A-Za-z])", lambda m: subs.get(m.group(1), m.group(1)),
                  template)


def frames(
    root: Value | Trace,
    pass_: Literal["backward", "forward"] = "backward",
    *,
    dpi: int = 96,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    max_steps: int = DEFAULT_MAX_STEPS,
    engine: str | None = None,
) -> list[Image.Image]:
    """The frames of :func:`animate` as Pillow images, all the same size.

    Example:
        >>> from microgrand import Value
        >>> fs = frames(Value(2.0, label="x") * 3)
        >>> len(fs), len({f.size for f in fs})
        (3, 1)
    """
    if pass_ not in ("backward", "forward"):
        raise ValueError(f"pass_ must be 'backward' or 'forward', got {pass_!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 36 <= dpi <= 300:
        raise ValueError(f"dpi must be an int from 36 to 300, got {dpi!r}")
    p = Player(_as_trace(root), precision=precision, rankdir=rankdir, max_steps=max_steps,
               engine=engine)
    pngs, caps = (_backward_frames if pass_ == "backward" else _forward_frames)(p, dpi)
    return _compose(pngs, caps, dpi / 96)


def animate(
    root: Value | Trace,
    path: str | os.PathLike[str],
    pass_: Literal["backward", "forward"] = "backward",
    *,
    fps: float = 1.0,
    dpi: int = 96,
    precision: int = 4,
    rankdir: Literal["LR", "TB"] = "LR",
    max_steps: int = DEFAULT_MAX_STEPS,
    engine: str | None = None,
) -> Path:
    """Write an animation of the backward (or forward) pass: ``.gif``, or ``.mp4`` with ffmpeg.

    One frame per step (``fps`` frames per second; the last frame stays three times as
    long in a GIF). The file is written atomically. The Values are not changed.

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
    imgs = frames(root, pass_, dpi=dpi, precision=precision, rankdir=rankdir,
                  max_steps=max_steps, engine=engine)
    if suffix == ".gif":
        ms = round(1000 / fps)
        buf = io.BytesIO()
        imgs[0].save(buf, format="GIF", save_all=True, append_images=imgs[1:], loop=0,
                     duration=[ms] * (len(imgs) - 1) + [3 * ms], optimize=False)
        return write_atomic(p, buf.getvalue())
    assert ffmpeg is not None
    return _write_mp4(ffmpeg, imgs, fps, p)


def _write_mp4(ffmpeg: str, imgs: list[Image.Image], fps: float, p: Path) -> Path:
    with tempfile.TemporaryDirectory() as d:
        for i, im in enumerate(imgs):
            im.save(os.path.join(d, f"f{i:05d}.png"))
        out = os.path.join(d, "out.mp4")
        cmd = [ffmpeg, "-y", "-loglevel", "error", "-framerate", f"{fps:g}", "-i",
               os.path.join(d, "f%05d.png"), "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",
               "-pix_fmt", "yuv420p", "-c:v", "libx264", out]
        r = subprocess.run(cmd, capture_output=True, check=False, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            msg = r.stderr.decode("utf-8", "replace").strip().splitlines()
            raise AnimationError(f"ffmpeg failed: {msg[-1] if msg else r.returncode}")
        return write_atomic(p, Path(out).read_bytes())
