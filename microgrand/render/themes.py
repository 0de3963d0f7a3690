"""Colours and fonts of diagrams: every colour the renderer uses is defined here.

A :class:`Theme` names the colours of the background, the boxes, the operation nodes, the
edges, the scope boxes, the highlight accent and the two ends of the diverging gradient
scale (negative and positive gradients).

Example:
    >>> THEMES["light"].background
    '#ffffff'
    >>> grad_fill(THEMES["light"], 1.0, 1.0)
    '#da6a57'
    >>> grad_fill(THEMES["light"], 0.0, 1.0)
    '#ffffff'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DECADES",
    "MIN_TINT",
    "THEMES",
    "Theme",
    "ThemeName",
    "css_variables",
    "grad_fill",
    "grad_strength",
    "mix",
    "theme_named",
]


@dataclass(frozen=True, slots=True)
class Theme:
    """The colours and fonts of one look (``light``, ``dark`` or ``print``)."""

    name: str
    background: str
    text: str
    muted: str  # edge labels, notes, counts
    node_fill: str
    node_border: str
    op_fill: str
    op_border: str
    edge: str
    cluster_fill: str
    cluster_border: str
    box_fill: str  # a collapsed scope
    accent: str  # highlight
    accent_width: float
    negative: str  # fill of the most negative gradient
    positive: str  # fill of the most positive gradient
    coloured: bool  # False: grey shades by |grad| only (print)
    font: str = "Helvetica"
    # a weight's sign drawn as a line (the playground): 3:1 on the background at least
    negative_line: str = "#4393c3"
    positive_line: str = "#d6604d"
    # one colour per class of a dataset (the playground's points and regions), in class order
    classes: tuple[str, ...] = (
        "#4393c3",
        "#d6604d",
        "#e57600",
        "#6a51a3",
        "#2ca25f",
        "#8c6d31",
        "#e7298a",
        "#57606a",
    )


THEMES: dict[str, Theme] = {
    "light": Theme(
        name="light",
        background="#ffffff",
        text="#1f2328",
        muted="#57606a",
        node_fill="#ffffff",
        node_border="#57606a",
        op_fill="#eef1f4",
        op_border="#57606a",
        edge="#57606a",
        cluster_fill="#f6f8fa",
        cluster_border="#868f99",
        box_fill="#eef1f4",
        accent="#e57600",
        accent_width=3.5,
        negative="#4393c3",
        positive="#da6a57",
        coloured=True,
    ),
    "dark": Theme(
        name="dark",
        background="#1e1e1e",
        text="#e6edf3",
        muted="#a5aeb9",
        node_fill="#2d333b",
        node_border="#8b949e",
        op_fill="#373e47",
        op_border="#8b949e",
        edge="#8b949e",
        cluster_fill="#262a30",
        cluster_border="#6e7681",
        box_fill="#373e47",
        accent="#ffc53d",
        accent_width=3.5,
        negative="#1c68a8",
        positive="#b8322f",
        coloured=True,
        negative_line="#3d8fd6",
        positive_line="#e0605c",
        classes=(
            "#3d8fd6",
            "#e0605c",
            "#ffc53d",
            "#9e86d9",
            "#2ca25f",
            "#8c6d31",
            "#e7298a",
            "#9ea7b3",
        ),
    ),
    "print": Theme(
        name="print",
        background="#ffffff",
        text="#000000",
        muted="#404040",
        node_fill="#ffffff",
        node_border="#000000",
        op_fill="#ffffff",
        op_border="#000000",
        edge="#000000",
        cluster_fill="#ffffff",
        cluster_border="#7f7f7f",
        box_fill="#ffffff",
        accent="#000000",
        accent_width=4.0,
        negative="#a6a6a6",
        positive="#a6a6a6",
        coloured=False,
        negative_line="#000000",
        positive_line="#8c8c8c",
        # greys far enough apart to tell the first classes apart on paper
        classes=(
            "#000000",
            "#8c8c8c",
            "#4d4d4d",
            "#737373",
            "#262626",
            "#5e5e5e",
            "#404040",
            "#808080",
        ),
    ),
}


ThemeName = Literal["light", "dark", "print"]
"""The names of :data:`THEMES`, for type checkers."""


def theme_named(name: object) -> Theme:
    """The theme called ``name``: the one place a theme name is checked.

    Example:
        >>> theme_named("print").name
        'print'
        >>> theme_named("neon")
        Traceback (most recent call last):
        ...
        ValueError: unknown theme 'neon'; choose one of: light, dark, print
    """
    theme = THEMES.get(name) if isinstance(name, str) else None
    if theme is None:
        raise ValueError(f"unknown theme {name!r}; choose one of: {', '.join(THEMES)}")
    return theme


def _rgb(c: str) -> tuple[int, int, int]:
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def mix(a: str, b: str, t: float) -> str:
    """The colour a fraction ``t`` (0…1) of the way from ``a`` to ``b`` (``#rrggbb``).

    Example:
        >>> mix("#000000", "#ffffff", 0.5)
        '#808080'
    """
    t = min(1.0, max(0.0, t))
    ra, ga, ba = _rgb(a)
    rb, gb, bb = _rgb(b)
    r, g, bl = (round(x + (y - x) * t) for x, y in ((ra, rb), (ga, gb), (ba, bb)))
    return f"#{r:02x}{g:02x}{bl:02x}"


DECADES = 3  # the colour scale spans max |grad| down to max |grad| / 10**DECADES
MIN_TINT = 0.15  # any non-zero gradient shows its sign; exactly zero stays unfilled


def grad_strength(grad: float, max_abs: float) -> float:
    """How strongly (0…1) a gradient colours its box: logarithmic in ``|grad| / max_abs``.

    Each factor of 10 below ``max_abs`` takes ``1/DECADES`` off, so gradients that span
    orders of magnitude (micrograd's README expression: 0.02 to 645) stay distinguishable
    and none but exact zeros look white. Non-finite gradients get full strength.

    Example:
        >>> grad_strength(10.0, 10.0), round(grad_strength(1.0, 10.0), 3), grad_strength(0.0, 10.0)
        (1.0, 0.667, 0.0)
        >>> grad_strength(1e-9, 10.0)  # tiny but not zero: a faint tint of its sign
        0.15
    """
    a = abs(grad)
    if a == 0.0 or max_abs <= 0.0:
        return 0.0
    if math.isinf(a):
        return 1.0
    if math.isinf(max_abs):
        return MIN_TINT
    return min(1.0, max(MIN_TINT, 1.0 + math.log10(a / max_abs) / DECADES))


def grad_fill(theme: Theme, grad: float, max_abs: float) -> str:
    """Fill colour of a node with gradient ``grad`` when the largest ``|grad|`` is ``max_abs``.

    Diverging scale: the node colour for 0, ``theme.negative`` for ``-max_abs`` and
    ``theme.positive`` for ``+max_abs``, with :func:`grad_strength` (logarithmic) in between.
    NaN gets no fill.

    Example:
        >>> grad_fill(THEMES["light"], -0.1, 1.0)  # a tenth of the largest: 2/3 of the way
        '#82b7d7'
    """
    if math.isnan(grad) or math.isnan(max_abs):
        return theme.node_fill
    end = theme.positive if grad > 0 else theme.negative
    return mix(theme.node_fill, end, grad_strength(grad, max_abs))


def css_variables(theme: Theme, selector: str = ":root") -> str:
    """The theme as CSS custom properties, so that every page uses only its theme's colours.

    Each colour field becomes ``--mg-FIELD`` (underscores as dashes), each class colour
    ``--mg-class-K`` (K from 0), plus ``--mg-font``,
    ``--mg-decades`` and ``--mg-min-tint`` (the gradient scale of :func:`grad_strength`, for
    pages that colour nodes themselves). Page CSS refers to these and to nothing else.

    Example:
        >>> css = css_variables(THEMES["print"], ".mg-page")
        >>> css.splitlines()[0], "--mg-accent: #000000;" in css
        ('.mg-page {', True)
    """
    lines = [f"{selector} {{"]
    for name in Theme.__slots__:
        value = getattr(theme, name)
        if isinstance(value, str) and value.startswith("#"):
            lines.append(f"  --mg-{name.replace('_', '-')}: {value};")
    lines.extend(f"  --mg-class-{i}: {c};" for i, c in enumerate(theme.classes))
    lines.append(f"  --mg-font: {theme.font}, Arial, sans-serif;")
    lines.append(f"  --mg-decades: {DECADES};")
    lines.append(f"  --mg-min-tint: {MIN_TINT};")
    lines.append("}")
    return "\n".join(lines)
