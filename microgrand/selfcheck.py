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

__all__ = ["Verdict", "check", "show_curves", "training_curve"]


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


def training_curve(
    lr: float, sign: float = -1.0, reset: bool = True, steps: int = 25
) -> tuple[list[float], list[float]]:
    """Fit ``2·w = 3`` by gradient descent from ``w = 0``: the loss and ``w`` after each step.

    The "diagnose this loss curve" questions of the lessons use it to make curves with known
    causes: a learning rate too large, the sign error ``sign=+1`` (``w += lr·grad``), and the
    forgotten ``zero_grad`` (``reset=False``).

    Example:
        >>> losses, ws = training_curve(0.1, steps=3)
        >>> [round(w, 3) for w in ws]
        [1.2, 1.44, 1.488]
    """
    from .context import no_grad
    from .value import Value

    w = Value(0.0)
    losses, ws = [], []
    for _ in range(steps):
        loss = (2.0 * w - 3.0) ** 2
        if reset:
            w.grad = 0.0
        loss.backward()
        with no_grad():
            w.data += sign * lr * w.grad
        losses.append(loss.data)
        ws.append(w.data)
    return losses, ws


def show_curves(curves: dict[str, tuple[list[float], list[float]]], title: str) -> None:
    """Plot curves made by :func:`training_curve`: the loss (top, log scale) and ``w`` (bottom).

    One column per curve, named by its key; the answer ``w = 1.5`` is a dashed line.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> show_curves({"A": training_curve(0.1)}, "one curve")
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(curves), figsize=(3.6 * len(curves), 4.6), sharex=True,
                             squeeze=False)
    for col, (name, (losses, ws)) in enumerate(curves.items()):
        steps = range(1, len(losses) + 1)
        axes[0, col].plot(steps, losses, marker="o", ms=3)
        axes[0, col].set(title=f"curve {name}", yscale="log")
        axes[1, col].plot(steps, ws, marker="o", ms=3, color="tab:green")
        axes[1, col].axhline(1.5, color="0.6", ls="--", lw=1)
        axes[1, col].set(xlabel="step")
    axes[0, 0].set_ylabel("loss")
    axes[1, 0].set_ylabel("w (answer: 1.5)")
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()
    plt.close(fig)
