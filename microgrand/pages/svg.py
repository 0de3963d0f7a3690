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

__all__ = ["SVG_NS", "hook_svg", "svg_text"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)
_Q = f"{{{SVG_NS}}}"


def _hook_number(tx: ET.Element, prefix: str, name: str, field: str, value: float) -> None:
    content = tx.text or ""
    tx.text = prefix
    span = ET.SubElement(
        tx,
        _Q + "tspan",
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
    text = re.sub(r"<\?xml[^>]*>|<!DOCTYPE[^>]*>|<!--.*?-->", "", svg, flags=re.S)
    root = ET.fromstring(text)
    for el in root.iter():
        for title in [c for c in el if c.tag == _Q + "title"]:
            el.remove(title)
    ids = {n.id for n in graph.nodes}
    for g in root.iter(_Q + "g"):
        gid = g.get("id")
        if gid is None:
            continue
        classes = g.get("class", "").split()
        if "value" in classes and gid in ids:
            node = graph.node(gid)
            name = names.get(gid, node.label or gid)
            g.set("data-id", gid)
            for tx in g.iter(_Q + "text"):
                content = tx.text or ""
                if content.startswith("data = "):
                    _hook_number(tx, "data = ", name, "data", node.data)
                elif content.startswith("grad = "):
                    _hook_number(tx, "grad = ", name, "grad", node.grad)
        elif "op" in classes and gid.endswith("-op"):
            g.set("data-op", gid[: -len("-op")])
        g.set("id", f"{uid}-{gid}")
    width = float(re.sub(r"[a-z]+$", "", root.get("width", "600pt")))
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.set("class", "mg-svg")
    return root, width * 4 / 3


def svg_text(root: ET.Element) -> str:
    """The element tree as SVG markup for inlining into HTML.

    Example:
        >>> svg_text(ET.fromstring('<svg xmlns="http://www.w3.org/2000/svg"/>'))
        '<svg xmlns="http://www.w3.org/2000/svg" />'
    """
    return ET.tostring(root, encoding="unicode")
