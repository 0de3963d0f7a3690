"""Topological order and the :class:`Graph` snapshot that every view reads.

The renderer, the stepper, statistics and exporters never walk Values themselves: they read
a :class:`Graph`, whose nodes have stable ids (``n0, n1, …`` in topological order), so the
same graph always gives the same drawing and the same explanation.

Example:
    >>> from microgrand import Value
    >>> x = Value(2.0, label="x"); y = (x * 3).tanh()
    >>> g = Graph.of(y)
    >>> [n.id for n in g.nodes], g.depth
    (['n0', 'n1', 'n2', 'n3'], 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._format import check_name
from .rules import Rule
from .value import Value, topological_order

__all__ = ["Edge", "Graph", "Node", "topological_order"]


@dataclass(frozen=True, slots=True)
class Node:
    """One node of a :class:`Graph` snapshot."""

    id: str
    index: int
    value: Value
    label: str
    data: float
    grad: float
    op: str  # rule name, "" for an input
    rule: Rule | None
    scope: str  # "layer1/neuron0", "" when created outside any scope
    inputs: tuple[str, ...]  # ids of the inputs, in order

    @property
    def is_leaf(self) -> bool:
        """True for inputs and parameters (nodes not made by an operation)."""
        return self.rule is None


@dataclass(frozen=True, slots=True)
class Edge:
    """``src`` feeds input number ``position`` of ``dst``; ``local`` is d dst / d src there."""

    src: str
    dst: str
    position: int
    local: float


@dataclass(frozen=True)
class Graph:
    """A read-only snapshot of the graph below ``root``: nodes, edges, scopes, stats.

    Nodes are in topological order (inputs first, the root last) and numbered ``n0, n1, …``
    in that order. The snapshot copies ``data`` and ``grad``; call :meth:`of` again after
    ``backward()`` to see new gradients.

    Example:
        >>> from microgrand import Value
        >>> a = Value(3.0, label="a"); b = a * a
        >>> g = Graph.of(b)
        >>> [(e.src, e.dst, e.local) for e in g.edges]
        [('n0', 'n1', 3.0), ('n0', 'n1', 3.0)]
    """

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    root: str
    _by_value: dict[int, str] = field(repr=False, compare=False)

    @classmethod
    def of(cls, root: Value) -> Graph:
        """Snapshot the graph that ``root`` was computed from."""
        if not isinstance(root, Value):
            raise TypeError(f"Graph.of() takes a Value, got {type(root).__name__}")
        order = topological_order(root)
        ids = {id(v): f"n{i}" for i, v in enumerate(order)}
        nodes: list[Node] = []
        edges: list[Edge] = []
        for i, v in enumerate(order):
            me = ids[id(v)]
            if v.label:
                check_name(v.label, "label")
            ins = tuple(ids[id(u)] for u in v.inputs)
            nodes.append(Node(me, i, v, v.label, v.data, v.grad, v.op, v.rule, v.scope, ins))
            edges.extend(
                Edge(src, me, k, d)
                for k, (src, d) in enumerate(zip(ins, v.local_grads, strict=True))
            )
        return cls(tuple(nodes), tuple(edges), ids[id(root)], ids)

    def __len__(self) -> int:
        return len(self.nodes)

    def node(self, key: str | Value) -> Node:
        """The node with id ``"n3"``, or the node of a given Value.

        Example:
            >>> from microgrand import Value
            >>> x = Value(1.0, label="x"); g = Graph.of(x + 1)
            >>> g.node(x).label
            'x'
        """
        if isinstance(key, str):
            if key.startswith("n") and key[1:].isdigit() and int(key[1:]) < len(self.nodes):
                return self.nodes[int(key[1:])]
            raise KeyError(f"no node {key!r} in this graph (ids are n0 … n{len(self) - 1})")
        nid = self._by_value.get(id(key))
        if nid is None or self.nodes[int(nid[1:])].value is not key:
            raise KeyError(f"{key!r} is not part of this graph")
        return self.nodes[int(nid[1:])]

    def id_of(self, value: Value) -> str:
        """The stable id (``"n3"``) of a Value in this graph."""
        return self.node(value).id

    @property
    def leaves(self) -> tuple[Node, ...]:
        """Input and parameter nodes."""
        return tuple(n for n in self.nodes if n.is_leaf)

    @property
    def depth(self) -> int:
        """Number of operations on the longest path from an input to the root."""
        level: list[int] = []
        for n in self.nodes:
            level.append(1 + max(level[int(i[1:])] for i in n.inputs) if n.inputs else 0)
        return level[-1] if level else 0

    @property
    def scopes(self) -> dict[str, tuple[str, ...]]:
        """Scope path -> ids of the nodes created directly in it (not in a sub-scope).

        Example:
            >>> from microgrand import Value, scope
            >>> x = Value(1.0)
            >>> with scope("layer1"):
            ...     y = x * 2
            >>> Graph.of(y).scopes
            {'layer1': ('n1', 'n2')}
        """
        out: dict[str, list[str]] = {}
        for n in self.nodes:
            if n.scope:
                out.setdefault(n.scope, []).append(n.id)
        return {k: tuple(v) for k, v in out.items()}

    def stats(self) -> dict[str, int]:
        """Counts: nodes, edges, inputs (leaves), operations, depth.

        Example:
            >>> from microgrand import Value
            >>> Graph.of(Value(1.0) + 2).stats()
            {'nodes': 3, 'edges': 2, 'leaves': 2, 'operations': 1, 'depth': 1}
        """
        leaves = len(self.leaves)
        return {
            "nodes": len(self.nodes),
            "edges": len(self.edges),
            "leaves": leaves,
            "operations": len(self.nodes) - leaves,
            "depth": self.depth,
        }
