"""What a page's diagram looks like in a notebook cell: the width it has there, and whether
its text stays readable at that width.

A notebook cell is about 900 px wide; a page's frame and padding leave :data:`CELL_PX` for the
diagram, which is shrunk to fit (never enlarged). Text must stay :data:`MIN_TEXT_PX` on a page
and :data:`STORED_MIN_TEXT_PX` in the stored picture shown where scripts do not run. The live
view, the quiz and the player choose their direction with these measures.

Example:
    >>> from microgrand import Value, draw
    >>> d = draw(Value(2.0, label="x") * 3)
    >>> diagram_width_px(d) > 0, fits_cell(d)
    (True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from ..render.diagram import Diagram
from ..render.svgread import read_svg

__all__ = [
    "CELL_PX",
    "MEASURED_NODES",
    "MIN_TEXT_PX",
    "STORED_MIN_TEXT_PX",
    "diagram_width_px",
    "direction_for_the_width",
    "fits_cell",
    "smallest_text_px",
]

CELL_PX = 840.0
"""The width a page's diagram has in a notebook cell about 900 px wide (less its frame and
padding)."""

MIN_TEXT_PX = 11.0
"""The smallest text a page shows, in CSS px, at the size it is drawn."""

STORED_MIN_TEXT_PX = 9.0
"""The smallest text of a page's stored picture shown at the width of a notebook cell."""


def diagram_width_px(d: Diagram) -> float:
    """The width of a diagram at its natural size, in CSS px (Graphviz writes points).

    Example:
        >>> from microgrand import Value, draw
        >>> 50 < diagram_width_px(draw(Value(1.0, label="a"))) < 400
        True
    """
    return read_svg(d.svg()).width_px


def smallest_text_px(d: Diagram) -> float:
    """The smallest font of a diagram's nodes, edges and groups at its natural size, in CSS
    px (14 pt is 18.7 px). The graph's own label (the colour legend) does not count: pages
    show their legend as HTML.

    Example:
        >>> from microgrand import Value, draw
        >>> round(smallest_text_px(draw(Value(1.0, label="a"))), 1)
        18.7
    """
    drawing = read_svg(d.svg())
    sizes = [
        t.font_px for p in drawing.parts if p.kind in ("node", "edge", "cluster") for t in p.texts
    ]
    return min(sizes, default=14 * drawing.px_per_unit)


def readable_width_px(d: Diagram, text_px: float = MIN_TEXT_PX) -> float:
    """The narrowest a diagram may be drawn, in CSS px, with its smallest text still
    ``text_px`` (never wider than its natural width): where a page's stage starts to scroll.

    Example:
        >>> from microgrand import Value, draw
        >>> d = draw(Value(1.0, label="a"))
        >>> w = readable_width_px(d)
        >>> round(w / diagram_width_px(d), 3) == round(MIN_TEXT_PX / smallest_text_px(d), 3)
        True
    """
    width = diagram_width_px(d)
    return min(width, width * text_px / smallest_text_px(d))


def fits_cell(d: Diagram, text_px: float = MIN_TEXT_PX) -> bool:
    """Whether the diagram's smallest text is ``text_px`` or more once it is shrunk (never
    enlarged) to :data:`CELL_PX`.

    Example:
        >>> from microgrand import Value, draw
        >>> fits_cell(draw(Value(1.0, label="a"))), fits_cell(draw(Value(1.0)), 100)
        (True, False)
    """
    scale = min(1.0, CELL_PX / max(1.0, diagram_width_px(d)))
    return smallest_text_px(d) * scale >= text_px


MEASURED_NODES = 60
"""Graphs up to this many nodes are laid out both ways to choose a direction; bigger ones
are drawn left to right, the direction whose layout cost microgrand.render plans for (top
to bottom, a value used by a hundred operations down a long chain takes Graphviz minutes)."""


def direction_for_the_width(
    draw: Callable[[Literal["LR", "TB"]], Diagram], nodes: int
) -> tuple[Literal["LR", "TB"], Diagram]:
    """Left to right where that keeps the text readable in a cell (:func:`fits_cell`), else
    the narrower of the two directions; with the diagram drawn that way. A graph of more
    than :data:`MEASURED_NODES` ``nodes`` is drawn left to right.

    Example:
        >>> from microgrand import Value, draw
        >>> x = Value(2.0, label="x")
        >>> y = (((x * 3).tanh() * 2 + 1).exp() * x + 4).relu()
        >>> direction_for_the_width(lambda r: draw(y, rankdir=r), 14)[0]
        'TB'
    """
    lr = draw("LR")
    if nodes > MEASURED_NODES or fits_cell(lr):
        return "LR", lr
    tb = draw("TB")
    return ("TB", tb) if diagram_width_px(tb) < diagram_width_px(lr) else ("LR", lr)
