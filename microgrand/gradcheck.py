"""Check ``backward()`` against central finite differences, input by input.

Example:
    >>> from microgrand import Value, gradcheck
    >>> report = gradcheck(lambda x, y: (x * y).tanh(), [Value(0.5), Value(-1.5)])
    >>> report.ok
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .context import no_grad
from .value import Value

__all__ = ["GradcheckError", "GradcheckReport", "GradcheckRow", "gradcheck"]


class GradcheckError(AssertionError):
    """Raised by ``gradcheck(..., raise_on_failure=True)``; ``report`` has the details.

    Example:
        >>> from microgrand import Value
        >>> try:
        ...     gradcheck(lambda x: x.log(), [Value(1e-9)], raise_on_failure=True)
        ... except GradcheckError as e:
        ...     print(len(e.report.failures))
        1
    """

    def __init__(self, report: GradcheckReport) -> None:
        super().__init__(f"gradient check failed:\n{report}")
        self.report = report


@dataclass(frozen=True, slots=True)
class GradcheckRow:
    """One input: its analytic gradient (backward), numeric gradient and their errors."""

    index: int
    label: str
    data: float
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool


@dataclass(frozen=True)
class GradcheckReport:
    """The result of :func:`gradcheck`: one :class:`GradcheckRow` per input.

    Example:
        >>> from microgrand import Value
        >>> r = gradcheck(lambda x: x ** 3, [Value(2.0, label="x")])
        >>> r.rows[0].label, round(r.rows[0].analytic, 6), round(r.rows[0].numeric, 4)
        ('x', 12.0, 12.0)
    """

    rows: tuple[GradcheckRow, ...]
    eps: float
    atol: float
    rtol: float

    @property
    def ok(self) -> bool:
        """True when every input's gradients agree within tolerance."""
        return all(r.ok for r in self.rows)

    @property
    def failures(self) -> tuple[GradcheckRow, ...]:
        """The rows that disagree."""
        return tuple(r for r in self.rows if not r.ok)

    def __str__(self) -> str:
        head = f"{'input':<12} {'data':>12} {'analytic':>14} {'numeric':>14} {'rel.err':>10}  ok"
        lines = [head]
        for r in self.rows:
            name = r.label or f"#{r.index}"
            lines.append(
                f"{name:<12.12} {r.data:>12.6g} {r.analytic:>14.8g} {r.numeric:>14.8g} "
                f"{r.rel_error:>10.2e}  {'yes' if r.ok else 'NO'}"
            )
        lines.append(f"(eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})")
        return "\n".join(lines)


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    raise_on_failure: bool = False,
) -> GradcheckReport:
    """Compare ``backward()`` with central differences ``(f(x+h) - f(x-h)) / 2h`` per input.

    ``f`` is called as ``f(*inputs)`` and must return a Value. Numbers in ``inputs`` are
    turned into Values. An input passes when ``|analytic - numeric| <= atol + rtol·|numeric|``.
    The inputs' ``grad`` is reset before the check. With ``raise_on_failure=True`` a
    disagreement raises :class:`GradcheckError` carrying the report.

    Example:
        >>> from microgrand import Value
        >>> print(gradcheck(lambda a, b: a / b, [Value(1.0, label="a"), 4.0]).ok)
        True
    """
    if not callable(f):
        raise TypeError(f"gradcheck needs a function, got {type(f).__name__}")
    if eps <= 0 or atol < 0 or rtol < 0:
        raise ValueError("gradcheck needs eps > 0, atol >= 0 and rtol >= 0")
    xs = [x if isinstance(x, Value) else Value(x) for x in inputs]
    if not xs:
        raise ValueError("gradcheck needs at least one input")
    for x in xs:
        x.grad = 0.0
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()
    rows = []
    for i, x in enumerate(xs):
        analytic = x.grad
        keep = x.data
        try:
            with no_grad():
                x.data = keep + eps
                hi = f(*xs).data
                x.data = keep - eps
                lo = f(*xs).data
            numeric = (hi - lo) / (2 * eps)
        except (ArithmeticError, ValueError):
            numeric = math.nan  # f is undefined next to this input
        finally:
            x.data = keep
        err = abs(analytic - numeric)
        scale = max(abs(analytic), abs(numeric), 1e-300)
        ok = err <= atol + rtol * abs(numeric)  # False when either is NaN
        rows.append(GradcheckRow(i, x.label, keep, analytic, numeric, err, err / scale, ok))
    report = GradcheckReport(tuple(rows), eps, atol, rtol)
    if raise_on_failure and not report.ok:
        raise GradcheckError(report)
    return report
