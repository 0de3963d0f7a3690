"""The options of the one DOT writer (:mod:`microgrand.render.build`), resolved: node ids,
not Values, and the text helpers every label uses.

Example:
    >>> DrawOptions().show, escape("a<b")
    (('data', 'grad'), 'a&lt;b')
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .._format import format_fixed

__all__ = [
    "BLANK",
    "SHOW_FIELDS",
    "Built",
    "CollapseSpec",
    "DiagramTooLargeError",
    "DrawOptions",
    "escape",
    "format_number",
]

SHOW_FIELDS = ("data", "grad", "id")
BLANK = "________"


class DiagramTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes`` and collapsing scopes cannot help."""

    def __init__(self, message: str, node_count: int, max_nodes: int) -> None:
        super().__init__(message)
        self.node_count = node_count
        self.max_nodes = max_nodes


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def escape(text: str) -> str:
    """Text made safe inside an HTML-like Graphviz label; newlines become line breaks.

    Example:
        >>> escape('<b> & "q"\\nx')
        '&lt;b&gt; &amp; &quot;q&quot;<BR/>x'
    """
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n"))
    return "<BR/>".join(html.escape(line, quote=True) for line in text.split("\n"))


format_number = format_fixed  # the 0.1 name, kept for one release


CollapseSpec = bool | int | Sequence[str] | None


@dataclass(frozen=True)
class DrawOptions:
    """Resolved options of :func:`~microgrand.render.draw` (node ids instead of Values)."""

    show: tuple[str, ...] = ("data", "grad")
    edge_labels: bool = False
    precision: int = 4
    rankdir: str = "LR"
    color: str | None = None
    highlight: frozenset[str] = frozenset()
    known_grads: frozenset[str] | None = None
    notes: Mapping[str, str] = field(default_factory=dict)
    edge_notes: Mapping[tuple[str, str, int], str] = field(default_factory=dict)
    worksheet: bool = False
    collapse: CollapseSpec = None
    expand: tuple[str, ...] = ()
    theme: str = "light"
    max_nodes: int = 300
    title: str | None = None
    # Fields drawn as blanks, per node: {id: {"data", "grad"}} (a worksheet for some numbers).
    blanks: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # The colour each kind of number is written in ({"grad": colour}, {"label": colour}), so
    # the same text can be drawn in ink or invisible (the GIF frames' two renders).
    ink: Mapping[str, str] = field(default_factory=dict)
    # Write each box's label as "name = value" (the forward-pass frames), value short.
    label_values: bool = False


@dataclass(frozen=True)
class Built:
    """DOT source plus the notes (e.g. automatic collapsing) the caption shows."""

    source: str
    notes: tuple[str, ...]
