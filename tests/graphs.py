"""Example graphs shared by the tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from microgrand import Value


def micrograd_readme(*, labels: bool = False, backward: bool = False) -> tuple[Value, Value, Value]:
    """The expression from micrograd's README: returns ``(g, a, b)``.

    micrograd's README states g = 24.7041, dg/da = 138.8338, dg/db = 645.5773.
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
