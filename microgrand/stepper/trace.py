"""Record the backward pass one node at a time: :func:`trace` returns a :class:`Trace`.

The trace does the same arithmetic as :meth:`Value.backward`, in the same order, but on a
private table of gradients, so tracing never changes the Values. Each :class:`Step` is one
node whose gradient has just become final (the output first, the inputs last): where that
gradient came from (``incoming``) and what it sends on to the node's own inputs
(``outgoing``, one :class:`Contribution` per input edge).

Example:
    >>> from microgrand import Value
    >>> a = Value(3.0, label="a")
    >>> t = trace(a * a)
    >>> [s.name for s in t]
    ['a·a', 'a']
    >>> [(c.before, c.value, c.after) for c in t[1].incoming]  # a is used twice
    [(0.0, 3.0, 3.0), (3.0, 3.0, 6.0)]
    >>> t.grads["n0"]
    6.0
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from ..graph import Graph, Node
from ..value import Value

__all__ = [
    "DEFAULT_MAX_STEPS",
    "Contribution",
    "PlayerTooLargeError",
    "Step",
    "Trace",
    "as_trace",
    "check_steps",
    "node_names",
    "trace",
]

DEFAULT_MAX_STEPS = 150
"""The most steps a player or an animation shows unless told otherwise (``max_steps=``)."""


class PlayerTooLargeError(ValueError):
    """The graph has more steps than ``max_steps`` of the player or the animation."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """One term of the chain rule: gradient sent from ``node`` back to its input ``input``.

    ``value = local × upstream``, where ``local`` is d node / d input (from the forward
    pass) and ``upstream`` is d root / d node. ``before`` and ``after`` are the input's
    gradient just before and just after this term was added.
    """

    node: str  # id of the node that sends (the consumer)
    input: str  # id of the input that receives
    position: int  # which input of ``node`` (0 for x, 1 for y, …)
    local: float
    upstream: float
    value: float
    before: float
    after: float
    step: int  # index of the step that sent it


@dataclass(frozen=True, slots=True)
class Step:
    """One node's gradient becoming final, and what that node passes back to its inputs.

    Attributes:
        index: position in the trace (0 is the output).
        node: the graph node (id, label, op, rule, data).
        name: a readable name (the label, a short expression, or the id).
        grad: the node's final gradient d root / d node.
        start: the gradient before this pass added anything (a leaf's earlier gradient
            when tracing with ``accumulate=True``, otherwise 0).
        seed: the seed added to the output (``backward(grad)``); 0 for other nodes.
        incoming: the terms that were added to this node's gradient, in order.
        outgoing: what this node sends to each input; empty for inputs (leaves) and when
            ``grad == 0`` (backward skips such nodes: nothing flows back through them).
    """

    index: int
    node: Node
    name: str
    grad: float
    start: float
    seed: float
    incoming: tuple[Contribution, ...]
    outgoing: tuple[Contribution, ...]

    @property
    def id(self) -> str:
        """The node id (``"n3"``)."""
        return self.node.id

    @property
    def is_root(self) -> bool:
        """True for the first step: the output whose gradient is seeded."""
        return self.index == 0

    @property
    def is_leaf(self) -> bool:
        """True for inputs and parameters: their gradient is the result of the pass."""
        return self.node.is_leaf

    @property
    def blocked(self) -> bool:
        """True when this node's gradient is 0, so nothing flows back through it."""
        return bool(self.node.inputs) and self.grad == 0.0


class Trace(Sequence[Step]):
    """The recorded backward pass: one :class:`Step` per node, in the order the gradients
    become final, plus the :class:`~microgrand.graph.Graph` snapshot it was recorded on.

    Example:
        >>> from microgrand import Value
        >>> x = Value(2.0, label="x")
        >>> t = trace(x * 3)
        >>> len(t), t[0].grad, t.grad_of(x)
        (3, 1.0, 3.0)
    """

    def __init__(
        self,
        graph: Graph,
        steps: Sequence[Step],
        initial: dict[str, float],
        seed: float,
    ) -> None:
        self.graph = graph
        self.steps: tuple[Step, ...] = tuple(steps)
        self.initial = dict(initial)
        self.seed = seed
        self.grads: dict[str, float] = {s.id: s.grad for s in self.steps}
        self._order = {s.id: s.index for s in self.steps}

    @overload
    def __getitem__(self, i: int) -> Step: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Step]: ...
    def __getitem__(self, i: int | slice) -> Step | Sequence[Step]:
        return self.steps[i]

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __repr__(self) -> str:
        root = self.steps[0]
        return f"<Trace of {root.name}: {len(self)} steps>"

    @property
    def root(self) -> Value:
        """The Value the trace starts from."""
        return self.graph.nodes[-1].value

    def step_of(self, key: str | Value) -> Step:
        """The step of a node, by id (``"n3"``) or by Value.

        Example:
            >>> from microgrand import Value
            >>> x = Value(2.0, label="x"); t = trace(x + 1)
            >>> t.step_of(x).grad
            1.0
        """
        nid = self.graph.node(key).id
        return self.steps[self._order[nid]]

    def grad_of(self, key: str | Value) -> float:
        """The final gradient of a node, by id or by Value.

        Example:
            >>> from microgrand import Value
            >>> x = Value(2.0); t = trace(x * x)
            >>> t.grad_of(x)
            4.0
        """
        return self.grads[self.graph.node(key).id]

    def replay(self) -> dict[str, float]:
        """Re-run the recorded steps from the starting gradients; returns ``{id: grad}``.

        The additions happen in the recorded order, so the result equals (``==``, not
        approximately) what :meth:`Value.backward` leaves in ``grad``.

        Example:
            >>> from microgrand import Value
            >>> x = Value(2.0); y = x * x + x
            >>> t = trace(y); y.backward()
            >>> t.replay()[t.graph.id_of(x)] == x.grad
            True
        """
        g = dict(self.initial)
        root = self.steps[0].id
        g[root] += self.seed
        for s in self.steps:
            for c in s.outgoing:
                g[c.input] += c.local * g[s.id]
        return g

    def apply(self) -> None:
        """Write the traced gradients into the Values' ``grad`` (as ``backward()`` would).

        Example:
            >>> from microgrand import Value
            >>> x = Value(2.0); t = trace(x * 5); t.apply(); x.grad
            5.0
        """
        for n in self.graph.nodes:
            n.value.grad = self.grads[n.id]

    def known_after(self, index: int) -> tuple[str, ...]:
        """Ids of the nodes whose gradient is final once step ``index`` is done.

        Example:
            >>> from microgrand import Value
            >>> t = trace(Value(1.0, label="x") * 2)
            >>> t.known_after(0)
            ('n2',)
        """
        if not -1 <= index < len(self):
            raise IndexError(f"step {index} out of range (0 … {len(self) - 1})")
        return tuple(s.id for s in self.steps[: index + 1])


def node_names(graph: Graph) -> dict[str, str]:
    """A readable name per node id, never the id itself: the label; else a short expression
    of named inputs (``x·w``, ``tanh(n)``); else a letter no label uses: ``u``, ``v``, ``p`` …
    for an operation whose expression would be too long, ``c`` (``c2``, ``c3`` …) for an
    unlabelled constant. ``L`` (the output's name on a page) and the letters of the notation
    (``d``, ``o``) are never given out.

    Example:
        >>> from microgrand import Value
        >>> x, w = Value(2.0, label="x"), Value(3.0, label="w")
        >>> names = node_names(Graph.of((x * w).tanh()))
        >>> [names[n] for n in ("n2", "n3")]
        ['x·w', 'tanh(x·w)']
        >>> a = Value(1.0, label="a")
        >>> names = node_names(Graph.of(((a * 2 + a * a) * (a + 3)).exp()))
        >>> [names[i] for i in sorted(names, key=lambda i: int(i[1:]))]
        ['a', 'c', 'a·2', 'a·a', 'a·2 + a·a', 'c2', 'a + 3', 'u', 'exp(u)']
    """
    names: dict[str, str] = {}
    # In an expression an unlabelled input (a constant) reads best as its number.
    inner: dict[str, str] = {}
    uses: dict[str, int] = {}
    for e in graph.edges:
        uses[e.src] = uses.get(e.src, 0) + 1
    letters = _Letters({n.label for n in graph.nodes if n.label})
    for n in graph.nodes:
        if n.label:
            names[n.id] = inner[n.id] = n.label
            continue
        if n.rule is None:
            name = letters.take("c")
            once = n.data >= 0 and uses.get(n.id, 0) == 1
            inner[n.id] = f"{n.data:.4g}" if once else name
            names[n.id] = name
            continue
        expr = None
        if n.inputs and len(n.inputs) <= 2:
            expr = _short_expr(n, [inner[i] for i in n.inputs])
        if expr is None or len(expr) > 14:
            expr = letters.take()
        names[n.id] = inner[n.id] = expr
    return names


class _Letters:
    """Short names no label uses, handed out in order: ``u``, ``v``, ``p`` … then ``u2`` …"""

    POOL = ("u", "v", "p", "q", "r", "s", "t", "h", "k", "m")

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken) | {"L", "d", "o"}
        self.count: dict[str, int] = {}

    def take(self, first: str | None = None) -> str:
        pool = (first,) if first is not None else self.POOL
        for letter in pool:
            if letter not in self.taken:
                self.taken.add(letter)
                return letter
        base = pool[0]
        k = self.count.get(base, 1)
        while f"{base}{k + 1}" in self.taken:
            k += 1
        self.count[base] = k + 1
        self.taken.add(f"{base}{k + 1}")
        return f"{base}{k + 1}"


def _short_expr(n: Node, parts: list[str]) -> str | None:
    op = n.op
    if n.rule is not None and n.rule.infix and len(parts) == 2:  # "x·w", from the rules table
        wrapped = [p if _is_atom(p) else f"({p})" for p in parts]
        sep = n.rule.infix
        if sep in "·^/":
            return f"{wrapped[0]}{sep}{wrapped[1]}"
        return f"{wrapped[0]} {sep} {wrapped[1]}"
    if op == "powc" and n.rule is not None and len(parts) == 1:
        p = parts[0] if _is_atom(parts[0]) else f"({parts[0]})"
        return f"{p}{n.rule.symbol}"
    if op == "neg" and len(parts) == 1:
        return f"−{parts[0]}" if _is_atom(parts[0]) else f"−({parts[0]})"
    if n.rule is not None and len(parts) == 1 and n.rule.arity == 1:
        return f"{n.rule.symbol}({parts[0]})"
    return None


def _is_atom(s: str) -> bool:
    return all(ch.isalnum() or ch in "_·^()" for ch in s) and not s.startswith("(")


def trace(root: Value, grad: float = 1.0, *, accumulate: bool = False) -> Trace:
    """Record the backward pass from ``root``, one :class:`Step` per node.

    The arithmetic is exactly that of ``root.backward(grad)``: gradients of interior nodes
    start at 0, the root is seeded with ``grad``, each node (in reverse topological order)
    adds ``local × its gradient`` to each input, and a node whose gradient is 0 sends
    nothing. The Values are not changed (call :meth:`Trace.apply` to write the gradients).

    By default the inputs start from 0, as after ``zero_grad()``: the trace shows one clean
    pass even if ``backward()`` was already called. With ``accumulate=True`` the inputs
    start from their current ``grad``, exactly as calling ``root.backward(grad)`` now would.

    Example:
        >>> from microgrand import Value
        >>> x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
        >>> t = trace((x * w + b).tanh())
        >>> [s.name for s in t]
        ['tanh(x·w + b)', 'x·w + b', 'b', 'x·w', 'w', 'x']
        >>> round(t.grad_of(w), 4)
        1.0019
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace() takes the output Value, got {type(root).__name__}")
    if not isinstance(grad, numbers.Real) or isinstance(grad, bool):
        raise TypeError(f"trace() grad must be a real number, got {type(grad).__name__}")
    if not isinstance(accumulate, bool):
        raise TypeError("trace() accumulate must be True or False")
    graph = Graph.of(root)
    names = node_names(graph)
    nodes = graph.nodes
    # Starting gradients, as backward() leaves them before its sweep.
    initial = {n.id: (0.0 if n.inputs else (n.value.grad if accumulate else 0.0)) for n in nodes}
    g = dict(initial)
    seed = float(grad)
    root_id = graph.root
    g[root_id] += seed
    incoming: dict[str, list[Contribution]] = {n.id: [] for n in nodes}
    # Each node's input edges in input order, with the local derivatives the snapshot holds.
    edges_in: dict[str, list[tuple[str, float]]] = {n.id: [] for n in nodes}
    for e in sorted(graph.edges, key=lambda e: e.position):
        edges_in[e.dst].append((e.src, e.local))
    steps: list[Step] = []
    for k, n in enumerate(reversed(nodes)):
        upstream = g[n.id]
        out: list[Contribution] = []
        if upstream != 0.0:
            for pos, (src, local) in enumerate(edges_in[n.id]):
                before = g[src]
                value = local * upstream
                g[src] = after = before + value
                c = Contribution(n.id, src, pos, local, upstream, value, before, after, k)
                out.append(c)
                incoming[src].append(c)
        steps.append(
            Step(
                k,
                n,
                names[n.id],
                upstream,
                initial[n.id],
                seed if n.id == root_id else 0.0,
                tuple(incoming[n.id]),
                tuple(out),
            )
        )
    return Trace(graph, steps, initial, seed)


def as_trace(x: Value | Trace) -> Trace:
    """``x`` if it is a :class:`Trace`, else :func:`trace` of the output Value ``x``.

    Example:
        >>> from microgrand import Value
        >>> t = as_trace(Value(2.0) * 3)
        >>> as_trace(t) is t
        True
    """
    if isinstance(x, Trace):
        return x
    if isinstance(x, Value):
        return trace(x)
    raise TypeError(f"expected an output Value or a Trace, got {type(x).__name__}")


def check_steps(t: Trace, max_steps: int) -> None:
    """Refuse a trace longer than ``max_steps`` with a message saying how to narrow it.

    Example:
        >>> from microgrand import Value
        >>> check_steps(trace(Value(1.0) * 2), 3)
        >>> check_steps(trace(Value(1.0) * 2), 2)
        Traceback (most recent call last):
        ...
        microgrand.stepper.trace.PlayerTooLargeError: this graph has 3 nodes, more than ...
    """
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
    if len(t) > max_steps:
        raise PlayerTooLargeError(
            f"this graph has {len(t)} nodes, more than max_steps={max_steps}: a player with "
            f"{len(t)} steps is too long to follow. Step through a smaller piece (one neuron, "
            f"one loss term), build it inside `with scope(...)` blocks (then step() opens "
            f"it layer by layer) or pass max_steps={len(t)} if you really want every step"
        )
