"""How the live view (and the quiz) lays out its diagram for the width it is shown at.

A notebook cell is about 900 px wide. The diagram is drawn so that its text stays readable
there (11 px or more): its direction is chosen for the width (:func:`choose_rankdir`: left to
right when that fits, else top to bottom, where each box stacks its name, value and
gradient), every number's cell is wide enough for any number the page can write into it
(:func:`number_width`: the page recomputes them, so a box drawn for ``2.0000`` must hold
``-1.2346e+300`` too), and the page never shrinks the picture below the size at which its
smallest text is 11 px (:func:`microgrand.pages.cell.readable_width_px`; wider diagrams
scroll and zoom).

Example:
    >>> from microgrand import Value
    >>> x = Value(2.0, label="x")
    >>> choose_rankdir(Graph.of(x * 3), edge_labels=True)
    'LR'
"""

from __future__ import annotations

from typing import Any

from ..graph import Graph, Node
from ..render.build import BLANK, DotWriter, DrawOptions, escape, html_font
from ..render.diagram import Diagram
from .cell import CELL_PX, MEASURED_NODES, MIN_TEXT_PX, fits_cell

__all__ = [
    "CELL_PX",
    "MIN_TEXT_PX",
    "LiveWriter",
    "choose_rankdir",
    "live_diagram",
    "number_width",
]

_FONT_PT = 14.0  # the boxes' font size (render.build.node_and_edge_style)
_EDGE_FONT_PT = 12.0  # the edge labels' font size
# Helvetica's widths (as Graphviz estimates them), in em: digits and "e" 0.556, "-" 0.333,
# "+" 0.584, "." 0.278; the widest number format_fixed writes has 8 + precision characters
# ("-999999.9999", "-1.2346e+300"): about 0.556 em each, with room for the sign and exponent.
_DIGIT_EM = 0.556
_PREFIX_EM = 3.15  # "grad = " or "data = "


def number_width(precision: int) -> float:
    """Width in points of a box cell holding ``grad = `` and the widest number a page can
    write there at ``precision`` decimals (Graphviz's Helvetica estimate, with margin).

    Example:
        >>> round(number_width(4)), round(number_width(2))
        (148, 132)
    """
    return (_PREFIX_EM + (8 + precision) * _DIGIT_EM) * _FONT_PT + 10  # + the cell's padding


class LiveWriter(DotWriter):
    """The DOT writer of the live view's diagram: every number cell wide enough for any
    number (:func:`number_width`); top to bottom, each box stacks its name, value and
    gradient (narrow boxes for a narrow page).

    Example:
        >>> from microgrand import Value
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> dot = LiveWriter(g, DrawOptions(rankdir="TB")).build().source
        >>> "<HR/>" in dot and 'WIDTH="148"' in dot
        True
    """

    def value_label(self, n: Node) -> str:
        o = self.o
        if "id" in o.show or o.notes.get(n.id) or o.label_values:
            return super().value_label(n)
        width = f"{number_width(o.precision):.0f}"
        cells: list[str] = []
        if n.label:
            cells.append(f"<TD><B>{escape(n.label)}</B></TD>")
        if "data" in o.show:
            data = BLANK if self.blank(n, "data") else self.inked("data", self.fmt(n.data))
            cells.append(f'<TD WIDTH="{width}" ALIGN="LEFT">data = {data}</TD>')
        if "grad" in o.show:
            cells.append(f'<TD WIDTH="{width}" ALIGN="LEFT">{self.grad_text(n)}</TD>')
        if not cells:
            cells.append(f"<TD>{html_font('&#160;', 11)}</TD>")
        if o.rankdir == "TB":
            rows = "<HR/>".join(f"<TR>{c}</TR>" for c in cells)
            pad = "4"
        else:
            rows = "<TR>" + "<VR/>".join(cells) + "</TR>"
            pad = "6"
        return (
            f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="{pad}">{rows}</TABLE>>'
        )

    def edge_label(self, src: str, position: int, local: float) -> str:
        """The edge label with room after it (no-break spaces, two per missing digit) for
        the widest number the page can write there, so a longer number never reaches
        another label or box.

        Example:
            >>> from microgrand import Value
            >>> g = Graph.of(Value(2.0, label="x") * 3)
            >>> LiveWriter(g, DrawOptions()).edge_label("n0", 0, 3.0).count("\u00a0")
            12
        """
        text = super().edge_label(src, position, local)
        missing = 8 + self.o.precision - len(self.fmt(local))
        return text + "\u00a0" * (2 * max(0, missing))


def live_diagram(diagram: Diagram) -> Diagram:
    """``diagram`` (made by :func:`microgrand.draw`, which checked its options) written again
    by :class:`LiveWriter`, with the same options and layout engine.

    Example:
        >>> from microgrand import Value, draw
        >>> d = live_diagram(draw(Value(2.0, label="x") * 3, rankdir="TB"))
        >>> "<HR/>" in d.dot
        True
    """
    o: dict[str, Any] = diagram.options
    known = o.get("known_grads")
    opts = DrawOptions(
        show=tuple(o["show"]),
        edge_labels=bool(o["edge_labels"]),
        precision=o["precision"],
        rankdir=o["rankdir"],
        color=o["color"],
        highlight=frozenset(o["highlight"]),
        known_grads=None if known is None else frozenset(known),
        notes=dict(o["notes"]),
        edge_notes=dict(o["edge_notes"]),
        worksheet=bool(o["worksheet"]),
        collapse=False,
        theme=o["theme"],
        max_nodes=o["max_nodes"],
        title=o["title"],
        blanks={k: frozenset(v) for k, v in o["blanks"].items()},
    )
    built = LiveWriter(diagram.graph, opts).build()
    return Diagram(
        built.source,
        graph=diagram.graph,
        notes=built.notes,
        engine=diagram.engine,
        options={**o, "collapse": False},
    )


def choose_rankdir(graph: Graph, *, edge_labels: bool, draw_lr: Any = None) -> str:
    """``"LR"`` when the diagram drawn left to right keeps its text readable
    (:data:`MIN_TEXT_PX`) in a notebook cell (:data:`CELL_PX`), else ``"TB"``.

    ``draw_lr()``, when given, draws the diagram left to right (a :class:`Diagram`): its
    laid-out width decides. Without it, the decision is an estimate from the graph's depth.
    A graph of more than :data:`~microgrand.pages.cell.MEASURED_NODES` nodes is drawn left
    to right.

    Example:
        >>> from microgrand import Value
        >>> x = Value(2.0, label="x")
        >>> choose_rankdir(Graph.of(((x * 3).tanh() + x).exp()), edge_labels=True)
        'TB'
    """
    font_pt = _EDGE_FONT_PT if edge_labels else _FONT_PT
    if len(graph) > MEASURED_NODES:
        return "LR"
    if draw_lr is not None:
        return "LR" if fits_cell(draw_lr()) else "TB"
    depth: dict[str, int] = {}
    for n in graph.nodes:
        depth[n.id] = 1 + max((depth[i] for i in n.inputs), default=-1)
    # each rank: a box with two numbers (about 300 pt) and an operation with its edges
    ranks = 1 + max(depth.values(), default=0)
    natural = (ranks * 300.0 + (ranks - 1) * 120.0) * 4 / 3
    return "LR" if natural * MIN_TEXT_PX / (font_pt * 4 / 3) <= CELL_PX else "TB"
