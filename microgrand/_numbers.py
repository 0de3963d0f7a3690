"""The engine's number policy: what counts as a number, and the errors that name the
operation and the operands when a number is refused.

Example:
    >>> is_number(2.5), is_number(True)
    (True, False)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from .rules import Rule

__all__ = ["domain_error", "is_number", "not_finite"]


def is_number(x: object) -> bool:
    """True for a real number that is not a bool (what an operation accepts beside a Value).

    Example:
        >>> is_number(2), is_number(2.5), is_number(True), is_number("2")
        (True, True, False, False)
    """
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def domain_error(rule: Rule, inputs: Sequence[float], err: Exception) -> Exception:
    """The error an operation raises outside its domain or on overflow, naming the operation
    and its operands (``ZeroDivisionError``, ``OverflowError`` or ``ValueError``).

    Example:
        >>> from microgrand.rules import RULES
        >>> str(domain_error(RULES["log"], [-1.0], ValueError("the logarithm needs x > 0")))
        'log: log(x) is undefined for x = -1: the logarithm needs x > 0'
    """
    names = ("x", "y") if len(inputs) <= 2 else tuple(f"x{i}" for i in range(len(inputs)))
    operands = ", ".join(f"{n} = {_fmt(v)}" for n, v in zip(names, inputs, strict=False))
    if not all(map(math.isfinite, inputs)):
        return ValueError(
            f"{rule.name}: {rule.text} got a non-finite input ({operands}); microgrand works "
            "with finite numbers only: find where the NaN or infinity was written into .data"
        )
    if isinstance(err, OverflowError):
        valid = "" if rule.domain == "all real numbers" else f" (valid inputs: {rule.domain})"
        return OverflowError(
            f"{rule.name}: {rule.text} overflows for {operands}: the result is too large for "
            f"a float{valid}"
        )
    kind = ZeroDivisionError if isinstance(err, ZeroDivisionError) else ValueError
    return kind(f"{rule.name}: {rule.text} is undefined for {operands}: {err}")


def not_finite(what: str, x: float) -> ValueError:
    """The error for a NaN or an infinity where a finite number is needed.

    Example:
        >>> str(not_finite("Value()", float("nan"))).split(":")[0]
        'Value() must be a finite number, got nan'
    """
    return ValueError(
        f"{what} must be a finite number, got {x!r}: microgrand works with finite numbers only "
        "(NaN and ±inf are refused; a huge finite number such as 1e308 works)"
    )
