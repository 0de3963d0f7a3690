"""The Graphviz SVG of a diagram, made ready for a page: ids prefixed, numbers hooked.

:func:`hook_svg` parses the SVG of :func:`microgrand.draw` and adds the DOM contract:

* each value box ``<g data-id="n3">`` (the graph's stable id) and each operation circle
  ``<g data-op="n3">``;
* each number shown: ``<tspan data-node="NAME" data-field="data"|"grad" data-number="…">``
  where NAME is the name the diagram shows and ``data-number`` the full-precision float
  (Python ``repr``); the gradient's text is wrapped in ``<text class="mg-grad">`` with the
  number in ``<tspan class="mg-gv">``;
* every element id starts with ``uid`` (several pages in one notebook never clash); titles
  and comments go (browsers show titles as tooltips), and the fixed size goes so that the
  picture scales with its container.

Example:
    >>> from microgrand import Value, Graph, draw
    >>> x = Value(2.0, label="x"); y = x * 3; y.label = "y"
    >>> g = Graph.of(y)
    >>> root, width = hook_svg(draw(g).svg(), "u1", g, {"n0": "x", "n1": "3", "n2": "y"})
    >>> text = svg_text(root)
    >>> 'data-node="x" data-field="data" data-number="2.0"' in text, 'id="u1-n0"' in text
    (True, True)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ..graph import Graph
from ..render.svgread import SVG, SVG_NS, length_px, parse_svg
from ..render.themes import Theme

__all__ = ["SVG_NS", "compact_svg", "hook_svg", "page_svg", "rounded_rects", "svg_text"]


def _hook_number(tx: ET.Element, prefix: str, name: str, field: str, value: float) -> None:
    content = tx.text or ""
    tx.text = prefix
    span = ET.SubElement(
        tx,
        SVG + "tspan",
        {"data-node": name, "data-field": field, "data-number": repr(float(value))},
    )
    span.text = content[len(prefix) :]
    if field == "grad":
        tx.set("class", "mg-grad")
        span.set("class", "mg-gv")


def hook_svg(
    svg: str, uid: str, graph: Graph, names: Mapping[str, str]
) -> tuple[ET.Element, float]:
    """The diagram's SVG as an element tree with the page hooks; also its width in CSS px.

    Example:
        >>> from microgrand import Value, Graph, draw
        >>> g = Graph.of(Value(1.0, label="a") + 1)
        >>> root, w = hook_svg(draw(g).svg(), "p", g, {"n0": "a", "n1": "1", "n2": "a + 1"})
        >>> sorted(e.get("data-id") for e in root.iter() if e.get("data-id"))
        ['n0', 'n1', 'n2']
    """
    root = parse_svg(svg)
    for el in root.iter():
        for title in [c for c in el if c.tag == SVG + "title"]:
            el.remove(title)
    ids = {n.id for n in graph.nodes}
    for g in root.iter(SVG + "g"):
        gid = g.get("id")
        if gid is None:
            continue
        classes = g.get("class", "").split()
        if "value" in classes and gid in ids:
            node = graph.node(gid)
            name = names.get(gid, node.label or gid)
            g.set("data-id", gid)
            for tx in g.iter(SVG + "text"):
                content = tx.text or ""
                if content.startswith("data = "):
                    _hook_number(tx, "data = ", name, "data", node.data)
                elif content.startswith("grad = "):
                    _hook_number(tx, "grad = ", name, "grad", node.grad)
        elif "op" in classes and gid.endswith("-op"):
            g.set("data-op", gid[: -len("-op")])
        g.set("id", f"{uid}-{gid}")
    width = length_px(root.get("width"), 800.0)
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.set("class", "mg-svg")
    return root, width


def svg_text(root: ET.Element) -> str:
    """The element tree as SVG markup for inlining into HTML.

    Example:
        >>> svg_text(ET.fromstring('<svg xmlns="http://www.w3.org/2000/svg"/>'))
        '<svg xmlns="http://www.w3.org/2000/svg" />'
    """
    return ET.tostring(root, encoding="unicode")


# --- smaller SVG for pages with many views ----------------------------------------------

_FONT = re.compile(r' font-family="[^"]*"')
_COORDS = re.compile(r' (d|points|x|y|transform)="([^"]*)"')
_DECIMALS = re.compile(r"(\d+\.\d)\d+")
_TEXT_QUOTE = re.compile(r'>[^<]*"[^<]*<')


_ROUNDED = re.compile(
    r"(<g class='(?:node value[^']*|node scope-box|cluster scope)'[^>]*>)"
    r"<path ([^>]*?)d='(M[^']*C[^']*)' ?/>"
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _rect(m: re.Match[str]) -> str:
    """A rounded box as ``<rect rx>`` (a fifth of the bytes of Graphviz's path)."""
    nums = [float(x) for x in _NUMBER.findall(m[3])]
    xs, ys = nums[0::2], nums[1::2]
    x0, y0 = min(xs), min(ys)
    return (
        f"{m[1]}<rect {m[2]}x='{x0:g}' y='{y0:g}' width='{max(xs) - x0:.1f}' "
        f"height='{max(ys) - y0:.1f}' rx='6'/>"
    )


def rounded_rects(svg: str) -> str:
    """Graphviz's rounded boxes (value boxes, group boxes, clusters) as ``<rect rx>``: a fifth
    of the bytes, the same picture (after :func:`compact_svg`).

    Example:
        >>> rounded_rects("<g class='node scope-box'><path d='M0,0C1,1 10,5 10,5'/>")
        "<g class='node scope-box'><rect x='0' y='0' width='10.0' height='5.0' rx='6'/>"
    """
    return _ROUNDED.sub(_rect, svg)


def _short(m: re.Match[str]) -> str:
    return m[1]


def compact_svg(svg: str) -> str:
    """Smaller SVG, same picture: no blank text between tags, coordinates to 0.1 pt, the font
    family from the page's CSS, attribute values in single quotes (no escaping in JSON).

    Example:
        >>> compact_svg('<a d="M1.25,2.5" x="3.75"> <b>say "hi"</b></a>')
        "<a d='M1.2,2.5' x='3.7'><b>say &quot;hi&quot;</b></a>"
    """
    svg = re.sub(r">\s+<", "><", svg)
    svg = _FONT.sub("", svg)
    svg = _COORDS.sub(lambda m: " " + m[1] + '="' + _DECIMALS.sub(_short, m[2]) + '"', svg)
    # attribute values never hold '"' (the serialiser escapes it), so after quoting every
    # "'" and every '"' of text content, the remaining '"' are attribute quotes
    svg = svg.replace("'", "&#39;")
    svg = _TEXT_QUOTE.sub(lambda m: m[0].replace('"', "&quot;"), svg)
    return svg.replace('"', "'")


def page_svg(root: ET.Element, theme: Theme) -> str:
    """A hooked diagram as the explorer's page holds it: compact (:func:`compact_svg`,
    :func:`rounded_rects`), with the edges' look and the text defaults left to the page's
    CSS and the ``<svg>`` element (classes ``mg-svg``, ``mg-e``, ``mg-a``).

    Example:
        >>> from microgrand import Value, Graph, draw
        >>> from microgrand.render.themes import THEMES
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> root, _ = hook_svg(draw(g).svg(), "x", g, {"n0": "x", "n1": "n1", "n2": "L"})
        >>> text = page_svg(root, THEMES["light"])
        >>> text.startswith("<svg") and "class='mg-svg'" in text and "mg-e" in text
        True
    """
    root.set("class", "mg-svg")
    root.attrib.pop("style", None)
    text = compact_svg(ET.tostring(root, encoding="unicode"))
    # the edges' default look comes from the page's CSS (classes mg-e, mg-a)
    edge = theme.edge
    text = text.replace(
        f"<path fill='none' stroke='{edge}' stroke-width='1.2' ", "<path class='mg-e' "
    ).replace(
        f"<polygon fill='{edge}' stroke='{edge}' stroke-width='1.2' ", "<polygon class='mg-a' "
    )
    text = rounded_rects(text)
    # text defaults (start anchor, the theme's text colour, 14 pt) inherited from <svg>
    text = text.replace(" text-anchor='start'", "").replace(
        f" font-size='14.00' fill='{theme.text}'", ""
    )
    defaults = f" class='mg-svg' font-size='14' fill='{theme.text}'>"
    text = text.replace(" class='mg-svg'>", defaults, 1)
    return text.replace(" />", "/>")
