"""How a check of lesson 03 reports: the ✗ message it stops with, the verdict it returns (and
logs for the lessons' tests), and the numbers as its messages compare and write them.

These helpers are shared by the checks of :mod:`microgrand.buildcheck`; students never call
them.

Example:
    >>> fmt(0.1 + 0.2), close(0.1 + 0.2, 0.3), close("0.3", 0.3)
    ('0.3', True, False)
"""

from __future__ import annotations

import math
from typing import Any

from ..selfcheck import Verdict, log_verdict

__all__ = ["TOL", "Problem", "close", "compare", "fmt", "verdict"]

TOL = 1e-9
"""The relative and absolute tolerance of :func:`close` unless a check says otherwise."""


class _Step:
    """What a check logged (for the lessons' tests): the step's name, never a value."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"buildcheck.{self.name}"


class Problem(Exception):
    """Raised inside a check to stop it with a ✗ message (see
    :func:`~microgrand.buildcheck.running.run`).

    Example:
        >>> str(Problem("a + b: .data is 5, should be -1"))
        'a + b: .data is 5, should be -1'
    """


def verdict(step: str, ok: bool, message: str) -> Verdict:
    """The verdict of the check ``step`` (``"add"``, ``"training"``, …), logged by name only
    (:func:`~microgrand.selfcheck.log_verdict`: ``buildcheck.add``, never a value).

    Example:
        >>> verdict("add", True, "✓ a + b is right")
        ✓ a + b is right
    """
    log_verdict(_Step(f"{step}:yours"), _Step(step), ok)
    return Verdict(ok, message)


def fmt(x: float) -> str:
    """A number as the messages write it: six significant digits.

    Example:
        >>> fmt(-1.5), fmt(2 / 3), fmt(1e-12)
        ('-1.5', '0.666667', '1e-12')
    """
    return f"{x:.6g}"


def close(x: Any, y: float, tol: float = TOL) -> bool:
    """True when ``x`` (whatever the student's code gave) is a number within ``tol`` of ``y``,
    relatively or absolutely.

    Example:
        >>> close(1.0 + 1e-12, 1.0), close(1.1, 1.0), close(None, 0.0)
        (True, False, False)
    """
    return isinstance(x, int | float) and math.isclose(float(x), y, rel_tol=tol, abs_tol=tol)


def compare(mine: dict[str, Any], ref: dict[str, Any], grads: bool) -> list[str]:
    """What differs between the student's nodes and microgrand's, one line per node: the
    ``data`` of each node, then (with ``grads``) its ``grad``.

    Example:
        >>> from microgrand import Value
        >>> compare({"a": Value(1.0)}, {"a": Value(2.0)}, grads=False)
        ['a.data is 1, should be 2']
    """
    lines = []
    for name, m in mine.items():
        r = ref[name]
        if not close(m.data, r.data, 1e-9):
            lines.append(f"{name}.data is {fmt(m.data)}, should be {fmt(r.data)}")
        elif grads and not close(m.grad, r.grad, 1e-7):
            lines.append(f"{name}.grad is {fmt(m.grad)}, should be {fmt(r.grad)}")
    return lines
