"""Example graphs shared by the tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from microgrand import Value
from microgrand.examples import micrograd_readme as _micrograd_readme


def micrograd_readme(*, labels: bool = False, backward: bool = False) -> tuple[Value, Value, Value]:
    """The expression from micrograd's README (no backward pass unless asked): ``(g, a, b)``."""
    return _micrograd_readme(labels=labels, backward=backward)


# The graphs of the lessons' pages, built as the lessons build them (tests of the live view,
# the quiz and tests/classroom_pages.py use them). Each leaves the gradients at 0 unless
# ``backward``.


def _labelled(v: Value, label: str) -> Value:
    v.label = label
    return v


def lesson01_neuron(*, backward: bool = False) -> Value:
    """Lesson 01's neuron ``o = tanh(x1·w1 + x2·w2 + b)``, every intermediate labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    bias = Value(6.8813735870195432, label="b")
    s = _labelled(_labelled(x1 * w1, "x1·w1") + _labelled(x2 * w2, "x2·w2"), "s")
    o = _labelled(_labelled(s + bias, "n").tanh(), "o")
    if backward:
        o.backward()
    return o


def lesson02_neuron(*, backward: bool = True) -> Value:
    """Lesson 02's neuron: only ``n`` and ``o`` labelled (the sum of products is unnamed)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    bias = Value(6.8813735870195432, label="b")
    o = _labelled(_labelled(x1 * w1 + x2 * w2 + bias, "n").tanh(), "o")
    if backward:
        o.backward()
    return o


def lesson02_worksheet(*, backward: bool = False) -> Value:
    """Lesson 02's exercise 1: ``L = (x·y + z)(x + 1)`` at x = 2, y = -1, z = 3."""
    x, y, z = Value(2.0, label="x"), Value(-1.0, label="y"), Value(3.0, label="z")
    p = _labelled(x * y + z, "p")
    q = _labelled(x + Value(1.0, label="1"), "q")
    L = _labelled(p * q, "L")
    if backward:
        L.backward()
    return L


def lesson02_by_hand(*, backward: bool = True) -> Value:
    """Lesson 02's first example: ``L = (a·b + c)·f``, every node labelled."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    L = _labelled(_labelled(_labelled(a * b, "e") + c, "d") * f, "L")
    if backward:
        L.backward()
    return L


def lesson06_tiny() -> Value:
    """Lesson 06's 2-3-3-1 network on the first point of its moons, after backward()."""
    from microgrand import data
    from microgrand.nn import MLP

    X, _ = data.moons(100, noise=0.1, seed=1)
    score = MLP(2, [3, 3, 1], rng=0)(X[0])
    score.backward()
    return score
