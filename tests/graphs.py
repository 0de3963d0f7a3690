"""Example graphs shared by the tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from microgrand import Value
from microgrand.examples import micrograd_readme as _micrograd_readme


def micrograd_readme(*, labels: bool = False, backward: bool = False) -> tuple[Value, Value, Value]:
    """The expression from micrograd's README (no backward pass unless asked): ``(g, a, b)``."""
    return _micrograd_readme(labels=labels, backward=backward)
