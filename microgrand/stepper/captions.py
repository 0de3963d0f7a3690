"""The captions under the frames of :func:`~microgrand.stepper.animate.animate`: what each frame
says (the backward pass from the step's :class:`~microgrand.stepper.record.StepRecord`, the
forward pass from the node's rule) and the caption drawn with Pillow, wrapped to the frame's
width, in the theme's colours.

A caption is a list of lines (:data:`Line`: ``(text, monospace, bold)``); :func:`wrap_caption`
breaks them to a width and picks their fonts, :func:`caption_image` draws them.

Example:
    >>> from microgrand.render.themes import THEMES
    >>> lines = [("Backward pass, step 1 of 3", False, True), ("dL/dL = 1", True, False)]
    >>> wrapped = wrap_caption(lines, 400, 1.0)
    >>> caption_image(wrapped, 400, caption_height(wrapped, 1.0), 1.0, THEMES["light"]).size
    (400, 82)
"""

from __future__ import annotations

import importlib.util
import os
import re
import textwrap
from functools import cache
from typing import TYPE_CHECKING, TypeAlias

from .._format import format_short
from ..graph import Graph
from ..render.themes import Theme, mix
from .notation import factor
from .record import StepRecord

if TYPE_CHECKING:  # Pillow is imported where captions are drawn, not by `import microgrand`
    from PIL import Image, ImageFont

__all__ = [
    "Line",
    "Wrapped",
    "backward_caption",
    "caption_fill",
    "caption_height",
    "caption_image",
    "forward_caption",
    "wrap_caption",
]

Line = tuple[str, bool, bool]
"""One line of a caption: its text, whether it is set in monospace, whether in bold."""

Wrapped: TypeAlias = "list[tuple[str, ImageFont.FreeTypeFont | ImageFont.ImageFont]]"
"""A caption broken into the lines drawn, each with its font (:func:`wrap_caption`)."""


def backward_caption(rec: StepRecord, k: int, steps: int) -> list[Line]:
    """The caption of frame ``k`` (1 … ``steps``) of the backward pass, from the step's record.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.stepper import step_record, trace
        >>> L = Value(2.0, label="x") * Value(3.0, label="y"); L.label = "L"
        >>> t = trace(L)
        >>> for text, mono, bold in backward_caption(step_record(t[0], t), 1, len(t)):
        ...     print(text)
        Backward pass, step 1 of 3: L (the output)
        dL/dL = 1.0   (start: L changes one-for-one with itself)
        L passes its gradient back: x gets 1.0 × 3.0 = 3.0; y gets 1.0 × 2.0 = 2.0
    """
    lines: list[Line] = [
        (f"Backward pass, step {k} of {steps}: {rec.name} ({rec.kind})", False, True),
        (rec.text, True, False),
    ]
    if rec.sends:
        sends = "; ".join(f"{to} gets {product} = {value}" for to, product, value in rec.sends)
        lines.append((f"{rec.name} passes its gradient back: {sends}", False, False))
    elif rec.step.is_leaf:
        lines.append((f"{rec.name} is an input: its gradient is final.", False, False))
    return lines


def forward_caption(graph: Graph, names: dict[str, str], k: int, precision: int) -> list[Line]:
    """The caption of frame ``k`` (0 … N - 1) of the forward pass: node ``k`` of ``graph``
    (named by ``names``) and how its value is computed from its inputs'.

    Example:
        >>> from microgrand import Value
        >>> from microgrand.graph import Graph
        >>> L = Value(2.0, label="x") * Value(3.0, label="y"); L.label = "L"
        >>> names = {"n0": "x", "n1": "y", "n2": "L"}
        >>> for text, mono, bold in forward_caption(Graph.of(L), names, 2, 4):
        ...     print(text)
        Forward pass, step 3 of 3: L
        L = x × y = 2.0 × 3.0 = 6.0
    """
    nodes = graph.nodes
    n = nodes[k]
    name = names[n.id]
    head = f"Forward pass, step {k + 1} of {len(nodes)}: {name}"
    if n.rule is None:
        body = f"{name} = {format_short(n.data, precision)}   (an input: its value is given)"
    else:
        args = [names[i] for i in n.inputs]
        vals = [factor(nodes[int(i[1:])].data, precision, first=False) for i in n.inputs]
        body = (
            f"{name} = {_apply_text(n.rule.text, args)} = {_apply_text(n.rule.text, vals)}"
            f" = {format_short(n.data, precision)}"
        )
    return [(head, False, True), (body, True, False)]


def _apply_text(template: str, args: list[str]) -> str:
    """``x × y`` with the inputs put in (``x0 + x1 + …`` for many inputs)."""
    if "x0" in template or len(args) > 2:
        return " + ".join(args) if template.startswith("x0 +") else f"{template}({', '.join(args)})"
    wrap = [a if re.fullmatch(r"[\w.]+", a) else f"({a})" for a in args]
    subs = dict(zip(("x", "y"), wrap, strict=False))
    return re.sub(
        r"(?<![A-Za-z])([xy])(?![A-Za-z])", lambda m: subs.get(m.group(1), m.group(1)), template
    )


@cache
def _font(mono: bool, bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # matplotlib (a dependency) ships DejaVu; find its files without importing it (slow).
    from PIL import ImageFont

    name = "DejaVuSansMono" if mono else "DejaVuSans"
    if bold:
        name += "-Bold"
    spec = importlib.util.find_spec("matplotlib")
    where = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in where:
        try:
            return ImageFont.truetype(
                os.path.join(folder, "mpl-data", "fonts", "ttf", f"{name}.ttf"), size
            )
        except OSError:  # pragma: no cover - matplotlib always ships DejaVu
            continue
    return ImageFont.load_default()  # pragma: no cover


def wrap_caption(lines: list[Line], width: int, scale: float) -> Wrapped:
    """``lines`` broken to fit a caption ``width`` pixels wide (continuations indented), each
    with its font at ``scale`` (1.0 at 96 dpi)."""
    size = max(12, round(20 * scale))
    pad = round(12 * scale)
    wrapped: Wrapped = []
    for text, mono, bold in lines:
        font = _font(mono, bold, size)
        avg = max(1.0, font.getlength("0" * 10) / 10)
        chars = max(20, int((width - 2 * pad) / avg))
        for part in textwrap.wrap(text, chars, subsequent_indent="    ") or [""]:
            wrapped.append((part, font))
    return wrapped


def caption_height(wrapped: Wrapped, scale: float) -> int:
    """The height in pixels of the caption of these wrapped lines."""
    size = max(12, round(20 * scale))
    return 2 * round(12 * scale) + round(size * 1.45) * len(wrapped)


def caption_image(
    wrapped: Wrapped, width: int, height: int, scale: float, theme: Theme
) -> Image.Image:
    """The caption drawn: its lines in the theme's text colour on :func:`caption_fill`, with a
    bar of the accent colour on the left."""
    size = max(12, round(20 * scale))
    pad = round(12 * scale)
    line_h = round(size * 1.45)
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), caption_fill(theme))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, round(5 * scale), img.height], fill=theme.accent)
    y = pad
    for text, font in wrapped:
        d.text((pad + round(6 * scale), y), text, fill=theme.text, font=font)
        y += line_h
    return img


def caption_fill(theme: Theme) -> str:
    """The background of the GIF captions: the theme's background with a touch of its accent.

    Example:
        >>> from microgrand.render.themes import THEMES
        >>> caption_fill(THEMES["print"])
        '#f0f0f0'
    """
    return mix(theme.background, theme.accent, 0.06)
