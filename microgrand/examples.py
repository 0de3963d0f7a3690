"""Example graphs shared by the demo, the README, the tests and the benchmarks.

Example:
    >>> round(readme_example().data, 4)
    0.7064
    >>> g, a, b = micrograd_readme()
    >>> round(g.data, 4), round(a.grad, 4), round(b.grad, 4)
    (24.7041, 138.8338, 645.5773)
"""

from __future__ import annotations

from .value import Value

__all__ = ["micrograd_readme", "readme_example"]


def readme_example(backward: bool = True) -> Value:
    """The README's neuron ``tanh(x*w + b)`` at x = 2, w = -3, b = 6.88, labelled.

    With ``backward=True`` (the default) its backward pass is done.

    Example:
        >>> out = readme_example()
        >>> [v.label for v in out.inputs], round(out.inputs[0].grad, 4)
        (['n'], 0.501)
    """
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    b = Value(6.88, label="b")
    xw = x * w
    xw.label = "x*w"
    n = xw + b
    n.label = "n"
    out = n.tanh()
    out.label = "out"
    if backward:
        out.backward()
    return out


def micrograd_readme(*, labels: bool = False, backward: bool = True) -> tuple[Value, Value, Value]:
    """The expression from micrograd's README, built as micrograd builds it: ``(g, a, b)``.

    micrograd's README states g = 24.7041, dg/da = 138.8338, dg/db = 645.5773.

    Example:
        >>> g, a, b = micrograd_readme(labels=True, backward=False)
        >>> g.label, a.grad
        ('g', 0.0)
    """
    a = Value(-4.0, label="a" if labels else "")
    b = Value(2.0, label="b" if labels else "")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    if labels:
        g.label = "g"
    if backward:
        g.backward()
    return g, a, b
