"""The live view's page model and diagram hooks, shared with the quiz: names on the page,
slider ranges, the model the page recomputes from (:func:`live_model`) and the SVG hooks.

Example:
    >>> from microgrand import Value
    >>> slider_range(2.0)
    (-5.0, 5.0)
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from typing import Any

from .._format import check_precision
from ..graph import Graph, Node
from ..render.diagram import Diagram
from ..rules import rules_js
from ..stepper.notation import (
    chain_stages,
    local_derivative,
    named_inputs,
    needs_parens,
    partial_derivative,
    remark,
    stages_json,
    terms_of,
    total_derivative,
)
from ..stepper.trace import node_names, trace
from .cell import readable_width_px
from .model import edge_id, graph_model, number
from .svg import SVG_NS, hook_svg, svg_text

__all__ = [
    "SHOWN_DIGITS",
    "diagram_svg",
    "hook_edges",
    "hook_nodes",
    "live_model",
    "name_diagram",
    "named_graph",
    "page_names",
    "slider_range",
]

_Q = f"{{{SVG_NS}}}"
# render.build's edge label, "∂/∂w = 2.0000", and the room the live view keeps after it
_EDGE_LABEL = re.compile(r"(∂/∂.* = )(\S+)(\s*)")


SHOWN_DIGITS = 13
"""The most significant digits a live page shows when its graph has a rule that is not
:attr:`~microgrand.rules.Rule.browser_exact`: such a rule may differ from Python's float by a
few units in the last place (about 1e-15 of the number), which 13 digits never show except on
an exact rounding boundary."""


def page_names(graph: Graph) -> dict[str, str]:
    """The name each node has on a page: :func:`node_names`, the output ``L`` when it has no
    label (as in the player), and `` #2``, `` #3`` … added to a name that would repeat.

    Example:
        >>> from microgrand import Value
        >>> x = Value(2.0, label="x")
        >>> names = page_names(Graph.of(x * x + x * x))
        >>> [names[i] for i in ("n1", "n2", "n3")]
        ['x·x', 'x·x #2', 'L']
    """
    base = node_names(graph)
    root = graph.node(graph.root)
    base[root.id] = root.label or "L"
    seen: dict[str, int] = {}
    taken = set(base.values())
    out: dict[str, str] = {}
    for n in graph.nodes:
        name = base[n.id]
        k = seen.get(name, 0) + 1
        seen[name] = k
        if k > 1:
            while f"{name} #{k}" in taken:
                k += 1
            seen[name] = k
            name = f"{name} #{k}"
            taken.add(name)
        out[n.id] = name
    return out


_MAX = 1.7976931348623157e308  # the largest float


def _nice(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is at least ``x`` (the largest float beyond 1e308)."""
    x = min(x, _MAX)
    e = math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0**e >= x * (1 - 1e-12):
            return min(m * 10.0**e, _MAX)
    return min(10.0 ** (e + 1), _MAX)  # pragma: no cover


def slider_range(value: float) -> tuple[float, float]:
    """A slider range for a leaf at ``value``: round numbers, 0 inside, ``value`` well
    inside (twice its size each way, at least ±1).

    Example:
        >>> slider_range(2.0), slider_range(-3.0), slider_range(0.0), slider_range(6.88)
        ((-5.0, 5.0), (-10.0, 10.0), (-1.0, 1.0), (-20.0, 20.0))
        >>> slider_range(1.7e308)  # near the largest float: the range ends there
        (-1.7976931348623157e+308, 1.7976931348623157e+308)
    """
    half = _nice(max(1.0, 2.0 * abs(value)))
    if abs(value) > 0.8 * half and half < _MAX:
        half = _nice(half * 1.01)
    return -half, half


def _forward_pieces(node_op: str, text: str, arity: int, n_inputs: int) -> list[Any]:
    """The rule's text split into strings and input positions: ``"x × y"`` -> ``[0, " × ", 1]``."""
    if arity == 0:
        return [f"{node_op}(", *_joined(n_inputs), ")"]
    out: list[Any] = []
    for part in re.split(r"(?<![A-Za-z])(x|y)(?![A-Za-z])", text):
        if part == "x":
            out.append(0)
        elif part == "y":
            out.append(1)
        elif part:
            out.append(part)
    return out


def _joined(n: int) -> list[Any]:
    out: list[Any] = []
    for i in range(n):
        if i:
            out.append(", ")
        out.append(i)
    return out


def live_model(
    graph: Graph, names: Mapping[str, str], precision: int, editable: Mapping[str, bool]
) -> dict[str, Any]:
    """The page model shared by the live view and the quiz (plain JSON).

    ``graph`` is :func:`graph_model`'s snapshot; ``engine`` the graph as ``engine.js`` reads
    it (``id``, ``op``, ``param``, ``inputs``, ``value`` of a leaf, ``text``); ``rules`` the
    JavaScript forms of the operations used (:func:`microgrand.rules.rules_js`); ``leaves``
    one entry per input (``id``, ``name``, ``value``, ``min``, ``max``, ``editable``);
    ``forms`` per operation node: ``forward`` (the rule's text as strings and input
    positions), ``symbol`` and per input edge its chain-rule term in symbols (``symbol``,
    ``total``, ``local``), the local derivative worded from the rule table (``worded``) and
    the numbers that wording names (``needs``, ``out``); ``lhs`` per node ``"dL/dx"``;
    ``chains`` per node the right-hand side of its chain-rule line as stages whose number
    slots the page fills in (:func:`microgrand.stepper.notation.chain_stages`), with the
    ``terms`` they refer to; ``remarks`` the remarks the page shows; ``inexact`` is true
    when a rule of the graph calls a browser's ``Math.exp``, ``log``, ``tanh`` … (not
    :attr:`~microgrand.rules.Rule.browser_exact`), and the page then shows at most
    ``SHOWN_DIGITS`` significant digits.

    Example:
        >>> from microgrand import Value
        >>> x = Value(2.0, label="x"); g = Graph.of((x * 3).tanh())
        >>> m = live_model(g, page_names(g), 4, {"n0": True, "n1": False})
        >>> sorted(m["rules"]), m["forms"]["n2"]["forward"], m["forms"]["n3"]["edges"][0]["worded"]
        (['mul', 'tanh'], [0, ' × ', 1], '(1 − L²)')
        >>> m["inexact"], m["shown_digits"]
        (True, 13)
    """
    check_precision(precision)
    top = names[graph.root]
    table = rules_js()
    used = sorted({n.op for n in graph.nodes if n.op})
    lhs = {n.id: total_derivative(top, names[n.id]) for n in graph.nodes}
    forms = {n.id: _forms(n, names, lhs[n.id]) for n in graph.nodes if n.rule is not None}
    leaves = []
    for n in graph.nodes:
        if n.rule is not None:
            continue
        lo, hi = slider_range(n.data)
        leaves.append(
            {
                "id": n.id,
                "name": names[n.id],
                "value": number(n.data),
                "min": lo,
                "max": hi,
                "editable": bool(editable.get(n.id, False)),
                "labelled": bool(n.label),
            }
        )
    return {
        "precision": precision,
        "inexact": any(n.rule is not None and not n.rule.browser_exact for n in graph.nodes),
        "shown_digits": SHOWN_DIGITS,
        "graph": graph_model(graph, names),
        "engine": {
            "root": graph.root,
            "nodes": [
                {
                    "id": n.id,
                    "op": n.op,
                    "inputs": list(n.inputs),
                    "param": None if n.rule is None else n.rule.param,
                    "text": None if n.rule is None else n.rule.text,
                    "value": number(n.data) if n.rule is None else None,
                }
                for n in graph.nodes
            ],
        },
        "rules": {k: table[k] for k in used},
        "leaves": leaves,
        "forms": forms,
        "lhs": lhs,
        "chains": {n.id: _chain(graph, n.id, names) for n in graph.nodes if n.id != graph.root},
        "remarks": {"start": remark("start", "the output")},
        "paren": {n.id: needs_parens(names[n.id]) for n in graph.nodes},
    }


def _forms(n: Node, names: Mapping[str, str], lhs: str) -> dict[str, Any]:
    """What the page writes about operation node ``n``: its forward formula and, per input
    edge, the chain-rule term in symbols and the worded local derivative."""
    assert n.rule is not None
    edges = []
    for pos, src in enumerate(n.inputs):
        local = partial_derivative(names[n.id], names[src])
        edges.append(
            {
                "id": edge_id(src, n.id, pos),
                "src": src,
                "position": pos,
                "symbol": f"{lhs} · {local}",
                "total": lhs,
                "local": local,
                "worded": local_derivative(n, pos, names),
                # which numbers the worded local derivative names (tanh: the output; x·y: y)
                **named_inputs(n, pos),
            }
        )
    r = n.rule
    return {
        "forward": _forward_pieces(r.symbol, r.text, r.arity, len(n.inputs)),
        "symbol": r.symbol,
        "edges": edges,
    }


def _chain(graph: Graph, node: str, names: Mapping[str, str]) -> dict[str, Any]:
    """A node's chain-rule line for the page: its terms and the stages to fill in."""
    terms = terms_of(graph, node, names)
    return {"terms": [t.json() for t in terms], "stages": stages_json(chain_stages(terms))}


def named_graph(graph: Graph, names: Mapping[str, str]) -> Graph:
    """The graph with every node labelled by its page name (so the diagram shows it) and
    the gradients of one clean backward pass (:func:`~microgrand.stepper.trace.trace`; the
    Values are not changed).

    Example:
        >>> from microgrand import Value
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> [(n.label, n.grad) for n in named_graph(g, page_names(g)).nodes]
        [('x', 3.0), ('c', 2.0), ('L', 1.0)]
    """
    grads = trace(graph.node(graph.root).value).grads
    nodes = tuple(dataclasses.replace(n, label=names[n.id], grad=grads[n.id]) for n in graph.nodes)
    return dataclasses.replace(graph, nodes=nodes)


def hook_edges(root: Any, uid: str) -> None:
    """Give each input edge's local-derivative label ``data-edge``/``data-field="local"``.

    Example:
        >>> from microgrand import Value, draw
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> root, _ = hook_svg(draw(g, edge_labels=True).svg(), "u", g, page_names(g))
        >>> hook_edges(root, "u")
        >>> sorted(e.get("data-edge") for e in root.iter() if e.get("data-field") == "local")
        ['e-n0-n2-0', 'e-n1-n2-1']
    """
    for g in root.iter(_Q + "g"):
        gid = (g.get("id") or "")[len(uid) + 1 :]
        if not gid.startswith("e-") or gid.count("-") != 3:
            continue
        g.set("data-edge", gid)
        for tx in g.iter(_Q + "text"):
            m = _EDGE_LABEL.fullmatch(tx.text or "")
            if m:
                tx.text = m[1]
                span = tx.makeelement(
                    _Q + "tspan", {"data-edge": gid, "data-field": "local", "class": "mg-lv"}
                )
                span.text = m[2]
                span.tail = m[3]
                tx.append(span)


def hook_nodes(root: Any) -> None:
    """Mark each value box's outline (``class="mg-box"``) so pages can colour it.

    Example:
        >>> from microgrand import Value, draw
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> root, _ = hook_svg(draw(g).svg(), "u", g, page_names(g))
        >>> hook_nodes(root)
        >>> sum(1 for e in root.iter() if e.get("class") == "mg-box")
        3
    """
    for g in root.iter(_Q + "g"):
        if g.get("data-id") is None:
            continue
        for child in g:
            if child.tag in (_Q + "path", _Q + "polygon"):
                child.set("class", "mg-box")
                break


def name_diagram(root: Any, uid: str, graph: Graph, names: Mapping[str, str]) -> None:
    """Give the diagram's parts accessible names that say what they are (the page adds the
    numbers): each operation ``role="img"`` "the × operation that makes x·w from x and w";
    each edge "edge from w into x·w (×)" (``data-name``: the same, for the page to add the
    local derivative) or "edge from the × operation to x·w"; the value boxes ``data-name``
    with their name. Graphviz's ``<title>`` (the internal ids) is already gone
    (:func:`~microgrand.pages.svg.hook_svg`).

    Example:
        >>> from microgrand import Value, draw
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> root, _ = hook_svg(draw(g).svg(), "u", g, page_names(g))
        >>> name_diagram(root, "u", g, page_names(g))
        >>> for label in sorted(e.get("aria-label") for e in root.iter() if e.get("role") == "img"):
        ...     print(label)
        edge from c into L (×)
        edge from the × operation to L
        edge from x into L (×)
        the × operation that makes L from x and c
    """
    ops = {n.id: n for n in graph.nodes if n.rule is not None}
    sym = {n.id: n.rule.symbol for n in graph.nodes if n.rule is not None}
    for g in root.iter(_Q + "g"):
        gid = (g.get("id") or "")[len(uid) + 1 :]
        op = g.get("data-op")
        label = None
        if g.get("data-id") is not None:
            g.set("data-name", names[g.get("data-id")])
            continue
        if op in ops:
            ins = " and ".join(dict.fromkeys(names[i] for i in ops[op].inputs))
            label = f"the {sym[op]} operation that makes {names[op]} from {ins}"
        elif gid.startswith("e-") and gid.endswith("-op") and gid[2:-3] in ops:
            label = f"edge from the {sym[gid[2:-3]]} operation to {names[gid[2:-3]]}"
        elif gid.startswith("e-") and gid.count("-") == 3:
            _, src, dst, _pos = gid.split("-")
            label = f"edge from {names[src]} into {names[dst]} ({sym.get(dst, '')})"
            g.set("data-name", label)
        if label is not None:
            g.set("role", "img")
            g.set("aria-label", label)
    top = names[graph.root]
    root.set("role", "group")
    root.set("aria-label", f"Diagram of {top}: {len(graph)} values")


def diagram_svg(diagram: Diagram, uid: str, graph: Graph, names: Mapping[str, str]) -> str:
    """The diagram's SVG with every page hook, inside its scrolling stage.

    Example:
        >>> from microgrand import Value, draw
        >>> g = Graph.of(Value(2.0, label="x") * 3)
        >>> s = diagram_svg(draw(g, edge_labels=True), "u", g, page_names(g))
        >>> 'data-field="local"' in s and 'class="mg-box"' in s
        True
    """
    root, width = hook_svg(diagram.svg(), uid, graph, names)
    hook_edges(root, uid)
    hook_nodes(root)
    name_diagram(root, uid, graph, names)
    # as wide as the cell, never wider than drawn, never so narrow that text is under 11 px
    # (the stage scrolls then); the page's zoom buttons change the width
    readable = readable_width_px(diagram)
    readable = math.ceil(readable) + 1  # (the SVG says its width in whole points)
    root.set("style", f"width:100%;max-width:{width:.0f}px;min-width:{readable}px")
    root.set("data-natural", f"{width:.1f}")
    root.set("data-readable", str(readable))
    return f'<div class="mg-stage">{svg_text(root)}</div>'
