"""Self-checking questions for the lessons: :func:`check` says whether an answer is right.

A lesson asks a question, the student writes an answer (a number, a letter, a word, a list),
and a check cell compares it with the expected one::

    q1 = 0.25                    # the student's answer
    check(q1, 0.25)              # ✓ right

The verdict displays as one line in a notebook and is truthy only when the answer is right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["Verdict", "check"]


class Verdict:
    """The result of :func:`check`: ``ok`` and a one-line ``message``; truthy when right.

    Example:
        >>> v = check(3, 3)
        >>> bool(v), v.ok, v.message
        (True, True, '✓ right')
    """

    __slots__ = ("message", "ok")

    def __init__(self, ok: bool, message: str) -> None:
        self.ok = ok
        self.message = message

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return self.message


def _same(answer: Any, expected: Any, rel_tol: float, abs_tol: float) -> bool:
    if isinstance(expected, bool) or isinstance(answer, bool):
        return isinstance(answer, bool) and isinstance(expected, bool) and answer == expected
    if isinstance(expected, int | float):
        if not isinstance(answer, int | float):
            return False
        return math.isclose(float(answer), float(expected), rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().lower() == expected.strip().lower()
    if isinstance(expected, Sequence):
        if isinstance(answer, str) or not isinstance(answer, Sequence):
            return False
        return len(answer) == len(expected) and all(
            _same(a, e, rel_tol, abs_tol) for a, e in zip(answer, expected, strict=True)
        )
    return bool(answer == expected)


def check(
    answer: Any,
    expected: Any,
    *,
    hint: str = "",
    rel_tol: float = 1e-3,
    abs_tol: float = 1e-6,
) -> Verdict:
    """Compare ``answer`` with ``expected`` and say whether it is right.

    Numbers are compared with a tolerance (``rel_tol``, ``abs_tol``: an answer rounded to
    three or four digits counts), text ignoring case and surrounding spaces (``"b"`` is
    ``"B"``), lists element by element, ``True``/``False`` exactly. An answer left as ``...``
    (or ``None``) is "not answered yet". When the answer is wrong, ``hint`` is shown.

    Args:
        answer: the student's answer.
        expected: the right answer.
        hint: what to look at again when the answer is wrong.
        rel_tol, abs_tol: the tolerance for numbers.

    Example:
        >>> check(0.2500, 0.25)
        ✓ right
        >>> check("c", "B", hint="a sign error makes the loss grow")
        ✗ not yet: you answered 'c'. Hint: a sign error makes the loss grow
        >>> check(..., 1.0)
        … not answered yet: replace the ... with your answer and run the cell again
    """
    if answer is Ellipsis or answer is None:
        return Verdict(
            False, "… not answered yet: replace the ... with your answer and run the cell again"
        )
    if _same(answer, expected, rel_tol, abs_tol):
        return Verdict(True, "✓ right")
    message = f"✗ not yet: you answered {answer!r}."
    if hint:
        message += f" Hint: {hint}"
    return Verdict(False, message)
