"""The backward pass: the topological order of a graph, and the sweep of the chain rule over it.

:meth:`Value.backward <microgrand.value.Value.backward>` is :func:`backpropagate`. It sorts
the graph below the root (inputs before the nodes that use them) without recursion, then
walks that order backwards once, adding ``local derivative × upstream gradient`` to each
input's ``grad``. Both loops read a node's input slots directly (``_a``/``_b`` with
``_la``/``_lb``, or ``_xs``/``_ls``; see :mod:`microgrand.value`): they are the hot path of
every training step, and the slots are the engine's own, read and written only by the
modules of the value floor. :class:`Node` says what the pass needs of a node; a
:class:`~microgrand.value.Value` is one.

It stands below :mod:`microgrand.value` (which builds ``Value.backward`` on it) and
imports nothing from it.

Example:
    >>> from microgrand import Value
    >>> x = Value(3.0, label="x"); y = x * x + x
    >>> [v.label or v.op for v in topological_order(y)]
    ['x', 'mul', 'add']
    >>> backpropagate(y, 1.0); x.grad
    7.0
"""

from __future__ import annotations

import gc
import math
import warnings
from typing import Any, Protocol, TypeVar

from ._numbers import is_number

__all__ = ["Node", "NonFiniteGradientWarning", "backpropagate", "topological_order"]


class Node(Protocol):
    """What the backward pass reads and writes on a node (a :class:`~microgrand.value.Value`):
    its gradient, its input slots, and, to name a node in a warning, its number and label."""

    grad: float

    @property
    def data(self) -> float: ...
    @property
    def label(self) -> str: ...
    @property
    def op(self) -> str: ...
    @property
    def inputs(self) -> tuple[Node, ...]: ...
    @property
    def local_grads(self) -> tuple[float, ...]: ...

    # The input slots: first and second input with their local derivatives (None and 0.0
    # when absent), or, for a node with any number of inputs, ``_a is None`` and the tuples.
    @property
    def _a(self) -> Node | None: ...
    @property
    def _b(self) -> Node | None: ...
    @property
    def _la(self) -> float: ...
    @property
    def _lb(self) -> float: ...
    @property
    def _xs(self) -> tuple[Node, ...]: ...
    @property
    def _ls(self) -> tuple[float, ...]: ...


N = TypeVar("N", bound=Node)


class NonFiniteGradientWarning(RuntimeWarning):
    """Warned by :meth:`Value.backward <microgrand.value.Value.backward>` when a gradient
    becomes NaN or infinite.

    Example:
        >>> import warnings
        >>> from microgrand import Value
        >>> with warnings.catch_warnings(record=True) as w:
        ...     warnings.simplefilter("always")
        ...     Value(0.0, label="x").sqrt().backward()
        >>> w[0].category.__name__, "'x'" in str(w[0].message)
        ('NonFiniteGradientWarning', True)
    """


def backpropagate(root: Node, grad: float) -> None:
    """``root.backward(grad)``: fill in ``grad`` on every node below ``root`` by the chain
    rule (see :meth:`Value.backward <microgrand.value.Value.backward>` for what accumulates).

    Example:
        >>> from microgrand import Value
        >>> x = Value(2.0); y = x * 5
        >>> backpropagate(y, 0.5); x.grad
        2.5
    """
    if not is_number(grad):
        raise TypeError(f"backward() grad must be a real number, got {type(grad).__name__}")
    # The pass allocates no reference cycles, so the cyclic garbage collector has nothing
    # to find; pausing it avoids full scans of the (possibly huge) graph while the
    # topological sort allocates. It is switched back on even if something fails.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        topo = topological_order(root)
        for v in topo:
            if v._a is not None or v._xs:  # not a leaf (data, parameter, constant)
                v.grad = 0.0
        root.grad += float(grad)
        # The sum of all gradients, for the check below: it is finite exactly when every
        # gradient is (or, rarely, it overflows; then the scan finds nothing to warn
        # about). A node's gradient is final when the sweep reaches it.
        total = 0.0
        for v in reversed(topo):
            g = v.grad
            if g == 0.0:
                continue
            total += g
            a = v._a
            if a is not None:
                a.grad += v._la * g
                b = v._b
                if b is not None:
                    b.grad += v._lb * g
            elif v._xs:
                for u, d in zip(v._xs, v._ls, strict=True):
                    u.grad += d * g
    finally:
        if gc_was_on:
            gc.enable()
    if not math.isfinite(total):
        _warn_non_finite(topo)


def topological_order(root: N) -> list[N]:
    """Every node the root depends on, inputs before the nodes that use them; root last.

    Depth-first search with an explicit stack, so a chain of a million nodes works at
    Python's default recursion limit. The order is deterministic and exactly that of the
    recursive search ``visit(v): for u in v.inputs: visit(u) if new; emit v``: a node's
    inputs are pushed in reverse, so the first one is explored first, and a node is marked
    when it is taken off the stack (an input reached again meanwhile is skipped). Below a
    node the stack holds the marker ``_EMIT`` and the node itself, so the node is emitted
    once everything pushed above it — all of its inputs — is done.

    Example:
        >>> from microgrand import Value
        >>> a = Value(1.0, label="a"); b = a + 1
        >>> [v.label or v.op for v in topological_order(b)]
        ['a', '', 'add']
    """
    order: list[N] = []
    emit = order.append
    visited: set[Any] = set()
    mark = visited.add
    stack: list[Any] = [root]
    push = stack.append
    extend = stack.extend
    pop = stack.pop
    while stack:
        v = pop()
        if v is _EMIT:
            emit(pop())
            continue
        if v in visited:
            continue
        mark(v)
        a = v._a
        if a is not None:  # one or two inputs
            b = v._b
            if a not in visited:
                push(v)
                push(_EMIT)
                if b is not None and b not in visited:
                    push(b)
                push(a)
            elif b is not None and b not in visited:
                push(v)
                push(_EMIT)
                push(b)
            else:
                # Every input is done already (in a graph without cycles a visited node has
                # been emitted), so v comes next, as in the recursive search; emitting it
                # now saves four stack operations on the most common kind of node.
                emit(v)
        elif v._xs:  # any number of inputs: pushed in one go; visited ones are skipped above
            push(v)
            push(_EMIT)
            extend(reversed(v._xs))
        else:  # a leaf: nothing to explore
            emit(v)
    return order


_EMIT = object()
"""Stack marker in :func:`topological_order`: emit the node below it."""


def _warn_non_finite(topo: list[Node]) -> None:
    for i in range(len(topo) - 1, -1, -1):  # backward order: the first node where it happened
        v = topo[i]
        if math.isfinite(v.grad):
            continue
        via = ""
        for u in topo[i + 1 :]:  # the node that passed it on, with its local derivative
            for w, d in zip(u.inputs, u.local_grads, strict=True):
                if w is v and not math.isfinite(d * u.grad):
                    via = f" through {_describe(u)} (local derivative {d!r}, upstream {u.grad!r})"
                    break
            if via:
                break
        warnings.warn(
            f"gradient became {v.grad} at {_describe(v)} (data = {v.data!r}){via}; "
            "look for a division by a tiny number, a log or sqrt at 0, or an overflow",
            NonFiniteGradientWarning,
            stacklevel=4,  # the caller of Value.backward (this, backpropagate, backward)
        )
        return


def _describe(v: Node) -> str:
    if v.label:
        return repr(v.label)
    return f"the {v.op} node" if v.op else "an input"
