"""The free functions of the engine: ``exp(x)``, ``tanh(x)``, ``vsum(xs)``, ``softmax(xs)`` …

Each one-input function is the method of its rule as a function (``tanh(x)`` is
``x.tanh()`` and takes numbers too); the functions of many inputs build one node with an edge
per input. All the math comes from :mod:`microgrand.rules`; nodes are made by
:mod:`microgrand.value`.

Example:
    >>> from microgrand import Value
    >>> s = vsum([tanh(Value(0.0)), exp(0.0)])
    >>> s.data
    1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ._numbers import domain_error
from .rules import RULES, exact_sum, softmax_rule
from .value import Operand, Value, as_value, assemble_node, make_node

__all__ = [
    "cos",
    "exp",
    "function",
    "leaky_relu",
    "log",
    "logsumexp",
    "relu",
    "sigmoid",
    "sin",
    "softmax",
    "softplus",
    "sqrt",
    "tanh",
    "vsum",
    "zero_grad",
]


def function(name: str) -> Callable[[Operand], Value]:
    """The free function of a one-input rule, with the rule's ``doc`` as its docstring.

    Example:
        >>> function("tanh")(0.0).data
        0.0
    """
    r = RULES[name]
    method = getattr(Value, name, None)
    if method is None or getattr(method, "__name__", "") != name:  # a rule with no method

        def method(v: Value) -> Value:
            return make_node(r, (v,))

    def f(x: Operand) -> Value:
        out: Value = method(as_value(x, name))
        return out

    f.__name__ = f.__qualname__ = name
    f.__doc__ = r.doc or f"{r.text} as a new node; local derivative {r.dtext[0]}."
    return f


# One line per function only because type checkers need the names; the math, the name and
# the docstring come from the rule.
exp = function("exp")
log = function("log")
sqrt = function("sqrt")
tanh = function("tanh")
sigmoid = function("sigmoid")
relu = function("relu")
softplus = function("softplus")
sin = function("sin")
cos = function("cos")


def leaky_relu(x: Operand, alpha: float = 0.01) -> Value:
    """``x`` for ``x > 0`` else ``alpha · x``.

    Example:
        >>> leaky_relu(Value(-1.0), 0.2).data
        -0.2
    """
    return as_value(x, "leaky_relu").leaky_relu(alpha)


_JUST_VALUE = {Value}


def _values(xs: Iterable[Operand], what: str) -> tuple[Value, ...]:
    items: tuple[Operand, ...]
    if xs.__class__ is list:  # the common case: skip the isinstance checks below
        items = tuple(xs)
    elif isinstance(xs, Value | str | bytes) or not isinstance(xs, Iterable):
        raise TypeError(f"{what} takes a list of Values, got {type(xs).__name__}")
    else:
        items = tuple(xs)
    if not items:
        raise ValueError(f"{what} of an empty list is undefined; pass at least one Value")
    if set(map(type, items)) == _JUST_VALUE:  # the common case, checked in C
        return items  # type: ignore[return-value]
    return tuple(as_value(x, what) for x in items)


_SUM = RULES["sum"]
_ONES: dict[int, tuple[float, ...]] = {}
"""``(1.0,) * n`` by ``n``: the local derivatives of a Σ node, one shared tuple per length."""


def vsum(xs: Iterable[Operand]) -> Value:
    """Sum of many Values as **one** node with one edge per input (not a deep chain).

    ``sum(values)`` builds a chain of ``+`` nodes as deep as the list is long; ``vsum``
    builds a single ``Σ`` node, which is faster, shallower and easier to read in a diagram.

    Example:
        >>> s = vsum([Value(1.0), Value(2.0), 3.0])
        >>> s.data, len(s.inputs)
        (6.0, 3)
    """
    items = _values(xs, "vsum")
    # The node make_node(_SUM, items) makes, built here directly because every neuron makes
    # one: the rule's forward is exact_sum (math.fsum) and its local derivatives are all 1, and a
    # graph has few distinct lengths of sums, so the tuple of ones is shared.
    try:
        out = exact_sum([v.data for v in items])
        if out - out != 0.0:  # inf or nan (the one check of the numbers policy)
            raise OverflowError
    except (ArithmeticError, ValueError) as e:
        raise domain_error(_SUM, [v.data for v in items], e) from None
    n = len(items)
    ones = _ONES.get(n)
    if ones is None:
        ones = (1.0,) * n
        if n <= 1024:
            _ONES[n] = ones
    return assemble_node(out, items, ones, _SUM)


def logsumexp(xs: Iterable[Operand]) -> Value:
    """``log(Σ e^xi)`` as one node, computed stably (no overflow for large inputs).

    Example:
        >>> round(logsumexp([Value(1000.0), Value(1000.0)]).data, 4)
        1000.6931
    """
    return make_node(RULES["logsumexp"], _values(xs, "logsumexp"))


def softmax(xs: Iterable[Operand]) -> list[Value]:
    """``e^xi / Σ e^xj`` for each input: one node per output, exact at every magnitude.

    Each output is computed as ``e^(xi − m) / Σ e^(xj − m)`` with ``m`` the largest input
    (so nothing overflows and equal inputs give exactly equal shares), and its local
    derivatives ``pi·([i = j] − pj)`` come from the same shifted form. The outputs sum to 1
    within a few units in the last place. Inputs must be finite, as everywhere in the
    engine; write a very unlikely class as a very negative logit (``-1e308``), not ``-inf``.

    Example:
        >>> [round(p.data, 4) for p in softmax([Value(0.0), Value(0.0)])]
        [0.5, 0.5]
        >>> [p.data for p in softmax([1e308, 1e308])]
        [0.5, 0.5]
    """
    vals = _values(xs, "softmax")
    return [make_node(softmax_rule(k), vals) for k in range(len(vals))]


def zero_grad(params: Iterable[Value]) -> None:
    """Set ``grad`` to 0 on each Value in ``params`` (for example ``model.parameters()``).

    Example:
        >>> w = Value(1.0); (w * 2).backward(); zero_grad([w]); w.grad
        0.0
    """
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"zero_grad takes Values, got {type(p).__name__}")
        p.grad = 0.0
