"""The parts of a page model every view shares: numbers as JSON, the graph snapshot as JSON.

Example:
    >>> from microgrand import Value, Graph
    >>> x = Value(2.0, label="x"); y = x * 3
    >>> m = graph_model(Graph.of(y), {"n0": "x", "n1": "3", "n2": "y"})
    >>> [n["name"] for n in m["nodes"]], m["edges"][0]["id"], m["root"]
    (['x', '3', 'y'], 'e-n0-n2-0', 'n2')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..graph import Graph

__all__ = ["edge_id", "graph_model", "number"]


def number(x: float) -> float | str:
    """A float for JSON: finite numbers as they are, others as ``"nan"``, ``"inf"``, ``"-inf"``.

    JSON has no NaN or infinity; the runtime reads these three strings back as numbers.

    Example:
        >>> number(0.5), number(float("-inf"))
        (0.5, '-inf')
    """
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def edge_id(src: str, dst: str, position: int) -> str:
    """The id the diagram gives the edge from ``src`` into input ``position`` of ``dst``.

    Example:
        >>> edge_id("n0", "n2", 1)
        'e-n0-n2-1'
    """
    return f"e-{src}-{dst}-{position}"


def graph_model(graph: Graph, names: Mapping[str, str]) -> dict[str, Any]:
    """The graph snapshot as plain JSON: nodes (topological order) and edges, by stable id.

    Each node: ``id``, ``name`` (the name the diagram shows), ``label``, ``op`` (rule name,
    ``""`` for an input), ``symbol``, ``data``, ``grad``, ``leaf``, ``scope``, ``inputs`` (ids).
    Each edge: ``id``, ``src``, ``dst``, ``position``, ``local`` (the local derivative
    d dst / d src). ``root`` is the output's id.

    Example:
        >>> from microgrand import Value, Graph
        >>> m = graph_model(Graph.of(Value(1.0, label="a").tanh()), {"n0": "a", "n1": "t"})
        >>> m["nodes"][1]["op"], m["nodes"][1]["inputs"]
        ('tanh', ['n0'])
    """
    nodes = [
        {
            "id": n.id,
            "name": names.get(n.id, n.label or n.id),
            "label": n.label,
            "op": n.op,
            "symbol": n.rule.symbol if n.rule is not None else "",
            "data": number(n.data),
            "grad": number(n.grad),
            "leaf": n.is_leaf,
            "scope": n.scope,
            "inputs": list(n.inputs),
        }
        for n in graph.nodes
    ]
    edges = [
        {
            "id": edge_id(e.src, e.dst, e.position),
            "src": e.src,
            "dst": e.dst,
            "position": e.position,
            "local": number(e.local),
        }
        for e in graph.edges
    ]
    return {"root": graph.root, "nodes": nodes, "edges": edges}
