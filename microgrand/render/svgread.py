"""The one reader of the SVG a layout engine writes: what a drawn diagram holds, in CSS px.

Graphviz (the system ``dot``, ``graphviz-pure`` and Graphviz in WebAssembly alike) writes an
``<svg>`` whose ``width`` is in points and whose ``viewBox`` gives the units of everything
inside; a top ``<g class="graph" transform="scale(…)">`` may scale once more. Every drawn part
(the graph, a group, a box, an operation, an edge) is a ``<g id class>`` with a ``<title>``
first and its ``<text>`` elements after.

:func:`parse_svg` gives the element tree (namespaces handled: tags are
``SVG + "text"``; the XML declaration, doctype and comments dropped), for code that edits it;
:func:`read_svg` gives the :class:`Drawing`: its size in CSS px and every part with its title
and its texts at the size they are drawn. The diagram's readable titles
(:func:`microgrand.render.diagram.readable_titles`), the pages' measures of a diagram in a
notebook cell (:mod:`microgrand.pages.cell`), the pages' hooks (:mod:`microgrand.pages.svg`)
and the GIF frames read the SVG here.

Example:
    >>> from microgrand import Value, draw
    >>> drawing = read_svg(draw(Value(2.0, label="x") * 3).svg())
    >>> drawing.parts[0].kind, sorted({p.kind for p in drawing.parts[1:]})
    ('graph', ['edge', 'node'])
    >>> box = next(p for p in drawing.parts if p.words[:1] == ["x"])
    >>> box.words, round(box.texts[0].font_px, 1)
    (['x', 'data = 2.0000', 'grad = 0.0000'], 18.7)
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

__all__ = [
    "PX_PER_PT",
    "SVG",
    "SVG_NS",
    "XLINK_NS",
    "Drawing",
    "Part",
    "Text",
    "length_px",
    "parse_svg",
    "read_svg",
]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG = f"{{{SVG_NS}}}"
"""The namespace prefix of an SVG tag in the element tree: ``root.iter(SVG + "text")``."""
# Written back without prefixes (<svg xmlns="…">, xlink:href).
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

PX_PER_PT = 4 / 3
"""CSS px per point (a CSS px is 1/96 inch, a point 1/72)."""

_PREAMBLE = re.compile(r"<\?xml[^>]*>|<!DOCTYPE[^>]*>|<!--.*?-->", re.S)
_UNITS = {"pt": PX_PER_PT, "px": 1.0, "in": 96.0, "cm": 96 / 2.54, "mm": 9.6 / 2.54, "": 1.0}
_LENGTH = re.compile(r"\s*([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)\s*([a-z]*)\s*$")
_SCALE = re.compile(r"scale\(\s*([-+0-9.e]+)")
_DEFAULT_FONT = 14.0  # Graphviz's default font size, in its units
_TEXT, _TITLE = SVG + "text", SVG + "title"


def parse_svg(svg: str | bytes) -> ET.Element:
    """The SVG as a new element tree: without the XML declaration, the doctype and the
    comments (Graphviz's comments name internal ids), tags namespaced (``SVG + "g"``).

    Example:
        >>> root = parse_svg('<?xml version="1.0"?><!-- hi --><svg xmlns="%s"><g/></svg>' % SVG_NS)
        >>> root.tag == SVG + "svg", [c.tag == SVG + "g" for c in root]
        (True, [True])
    """
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    return ET.fromstring(_PREAMBLE.sub("", text))


def length_px(value: str | None, default: float = 0.0) -> float:
    """An SVG length (``"120pt"``, ``"80px"``, ``"2in"``, ``"90"``) in CSS px; ``default``
    when it is missing or not a length (``"100%"``).

    Example:
        >>> length_px("120pt"), length_px("80"), length_px(None, 5.0), length_px("50%")
        (160.0, 80.0, 5.0, 0.0)
    """
    m = _LENGTH.match(value or "")
    if m is None or m[2] not in _UNITS:
        return default
    return float(m[1]) * _UNITS[m[2]]


@dataclass(frozen=True, slots=True)
class Text:
    """One ``<text>`` element: what it says and its font size as drawn, in CSS px."""

    text: str
    font_px: float


@dataclass(frozen=True, slots=True)
class Part:
    """One drawn part: a ``<g>`` with a ``<title>`` (Graphviz's internal name for the part,
    e.g. ``n0``, ``n2-op``, ``n0->n2-op``), its classes (the first is the kind: ``graph``,
    ``cluster``, ``node``, ``edge``; microgrand adds ``value``, ``op``, ``scope`` …) and its
    own texts, in order (the graph's own texts are its legend)."""

    id: str
    classes: tuple[str, ...]
    title: str
    texts: tuple[Text, ...]

    @property
    def kind(self) -> str:
        return self.classes[0] if self.classes else ""

    @property
    def words(self) -> list[str]:
        """The part's non-blank texts, stripped."""
        return [t.text.strip() for t in self.texts if t.text.strip()]


@dataclass(frozen=True, slots=True)
class Drawing:
    """What a layout engine's SVG draws: its size at its natural size in CSS px, and every
    part in document order (the graph first; one per ``<title>`` of the SVG)."""

    width_px: float
    height_px: float
    px_per_unit: float
    """CSS px per unit of the drawing's coordinates (``viewBox`` and the graph's scale)."""
    parts: tuple[Part, ...]


@functools.lru_cache(maxsize=16)
def read_svg(svg: str) -> Drawing:
    """The :class:`Drawing` of a layout engine's SVG (kept for the last few SVGs read: a
    page measures one diagram several times).

    Example:
        >>> from microgrand import Value, draw
        >>> d = read_svg(draw(Value(1.0, label="a")).svg())
        >>> [(p.kind, p.words) for p in d.parts[1:]], 100 < d.width_px < 600
        ([('node', ['a', 'data = 1.0000', 'grad = 0.0000'])], True)
    """
    root = parse_svg(svg)
    width, height = length_px(root.get("width")), length_px(root.get("height"))
    box = [float(x) for x in re.split(r"[\s,]+", root.get("viewBox", "").strip()) if x]
    scale = width / box[2] if len(box) == 4 and box[2] > 0 and width > 0 else 1.0
    top = root.find(SVG + "g")
    m = _SCALE.search(top.get("transform", "")) if top is not None else None
    if m is not None:
        scale *= float(m[1])
    parts: list[Part] = []
    _collect(root, scale, _DEFAULT_FONT, parts)
    return Drawing(width, height, scale, tuple(parts))


def _collect(el: ET.Element, scale: float, font: float, parts: list[Part]) -> list[Text]:
    """The texts under ``el`` that belong to no part below it; each part met on the way goes
    into ``parts`` (in document order) with its own texts. ``font``: the inherited size."""
    font = float(el.get("font-size", font))
    title = None
    index = len(parts)
    texts: list[Text] = []
    for child in el:
        tag = child.tag
        if tag == _TEXT:
            size = float(child.get("font-size", font))
            texts.append(Text("".join(child.itertext()), size * scale))
        elif tag == _TITLE:
            title = child
        elif len(child):  # a group (shapes have no children: nothing to read in them)
            texts.extend(_collect(child, scale, font, parts))
    if title is None:
        return texts
    part = Part(
        el.get("id", ""), tuple(el.get("class", "").split()), title.text or "", tuple(texts)
    )
    parts.insert(index, part)
    return []
