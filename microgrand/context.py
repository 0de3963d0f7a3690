"""Context managers that change how new Values are made: :func:`no_grad` and :func:`scope`.

Example:
    >>> from microgrand import Value, no_grad, scope
    >>> w = Value(0.5)
    >>> with no_grad():
    ...     y = w * 2          # no graph: y has no inputs
    >>> y.inputs
    ()
    >>> with scope("layer1"):
    ...     z = w * 2
    >>> z.scope
    'layer1'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ._format import check_name
from .value import Scope, current_scope, grad_enabled, swap_grad_enabled, swap_scope

__all__ = ["Scope", "current_scope", "is_grad_enabled", "no_grad", "scope", "swap_scope"]


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, operations compute values but record no graph (fast, no memory).

    Use it for evaluation and for parameter updates. Nested use is fine.

    Example:
        >>> from microgrand import Value
        >>> with no_grad():
        ...     print((Value(2.0) * 3).inputs)
        ()
    """
    before = swap_grad_enabled(False)
    try:
        yield
    finally:
        swap_grad_enabled(before)


def is_grad_enabled() -> bool:
    """False inside :func:`no_grad`.

    Example:
        >>> is_grad_enabled()
        True
    """
    return grad_enabled()


@contextmanager
def scope(name: str) -> Iterator[Scope]:
    """Tag every Value created inside the block with ``name`` (nested scopes make a path).

    Diagrams use scopes to group nodes into a box (a Neuron, a Layer) and to collapse them.

    Example:
        >>> from microgrand import Value
        >>> with scope("mlp"):
        ...     with scope("layer1"):
        ...         v = Value(1.0) + 1
        >>> v.scope
        'mlp/layer1'
    """
    if not isinstance(name, str) or not name or "/" in name:
        raise ValueError(f"a scope name must be a non-empty str without '/', got {name!r}")
    check_name(name, "scope name", one_line=True)
    current = Scope(name, current_scope())
    before = swap_scope(current)
    try:
        yield current
    finally:
        swap_scope(before)
