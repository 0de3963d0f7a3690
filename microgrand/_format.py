"""How numbers are written for people: one formatter per meaning, one precision range.

* :func:`format_fixed` — diagrams and tables: exactly ``precision`` decimals, so that the
  numbers of a column line up (``-3.0000``).
* :func:`format_short` — sentences (explanations, captions, the player's lines): at most
  ``precision`` decimals with trailing zeros dropped (``3.0``, ``12.125``), so that sums agree
  with their terms.

Both take a precision in decimals from :data:`PRECISION_MIN` to :data:`PRECISION_MAX`, the range
every function with a ``precision`` argument (``draw``, ``explain``, ``step``, the CLI) accepts.

Example:
    >>> format_fixed(0.5), format_short(0.5)
    ('0.5000', '0.5')
"""

from __future__ import annotations

import math

__all__ = ["PRECISION_MAX", "PRECISION_MIN", "check_precision", "format_fixed", "format_short"]

PRECISION_MIN = 0
"""The fewest decimals a number may be written with."""
PRECISION_MAX = 12
"""The most decimals a number may be written with (a float holds about 16 digits)."""


def check_precision(precision: object, name: str = "precision") -> int:
    """``precision`` if it is an int in the shared range, else a ``ValueError`` saying so.

    Example:
        >>> check_precision(3)
        3
        >>> check_precision(13)
        Traceback (most recent call last):
        ...
        ValueError: precision must be an int from 0 to 12 (decimals), got 13
    """
    if (
        isinstance(precision, bool)
        or not isinstance(precision, int)
        or not PRECISION_MIN <= precision <= PRECISION_MAX
    ):
        raise ValueError(
            f"{name} must be an int from {PRECISION_MIN} to {PRECISION_MAX} (decimals), "
            f"got {precision!r}"
        )
    return precision


def _special(x: float) -> str | None:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return None


def format_fixed(x: float, precision: int = 4) -> str:
    """A number as diagrams show it: fixed ``precision`` decimals, scientific when huge or tiny.

    Example:
        >>> format_fixed(-3.0), format_fixed(0.70638, 2), format_fixed(-0.0)
        ('-3.0000', '0.71', '0.0000')
        >>> format_fixed(1.5e-9), format_fixed(2.5e7), format_fixed(float("nan"))
        ('1.5000e-09', '2.5000e+07', 'nan')
    """
    special = _special(x)
    if special is not None:
        return special
    if x == 0.0:
        return f"{0.0:.{precision}f}"
    a = abs(x)
    if a >= 1e6 or a < 0.5 * 10.0**-precision:
        return f"{x:.{precision}e}"
    return f"{x:.{precision}f}"


def format_short(x: float, precision: int = 4) -> str:
    """A number for a sentence: at most ``precision`` decimals, trailing zeros dropped.

    Fixed decimals (not significant digits) keep sums consistent with their terms
    (``4.5 + 2.125 = 6.625``, not ``6.62``). Very large or very small numbers use
    scientific notation with ``max(precision, 1)`` significant digits.

    Example:
        >>> [format_short(v) for v in (3.0, 0.70641, 12.125, 645.57731)]
        ['3.0', '0.7064', '12.125', '645.5773']
        >>> format_short(-1e-7), format_short(2.5e9), format_short(-0.00001)
        ('-1e-07', '2.5e+09', '-1e-05')
        >>> format_short(10.0, 0), format_short(-0.2, 0)
        ('10', '0')
    """
    special = _special(x)
    if special is not None:
        return special
    if x != 0.0 and not 10.0**-precision <= abs(x) < 1e6 and precision > 0:
        return f"{x:.{precision}g}"
    s = f"{x:.{precision}f}"
    if "." in s:
        s = s.rstrip("0")
        if s.endswith("."):
            s += "0"
    return s.lstrip("-") if float(s) == 0.0 else s


MAX_NAME_LENGTH = 1000
"""The longest label or scope name: it is drawn in a box (Graphviz refuses very long ones)."""


def check_name(text: str, what: str, *, one_line: bool = False) -> str:
    """``text`` if a diagram can draw it, else a ``ValueError`` saying why.

    Refused: lone surrogates (they cannot be written as UTF-8), more than
    :data:`MAX_NAME_LENGTH` characters, and with ``one_line=True`` (scope names, which are
    parts of a path) control characters such as a newline or a tab.

    Example:
        >>> check_name("w1", "label")
        'w1'
        >>> check_name("a\\tb", "scope name", one_line=True)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: scope name 'a\\tb' has a control character ('\\t' at position 1); ...
    """
    if len(text) > MAX_NAME_LENGTH:
        raise ValueError(
            f"{what} {text[:20]!r}… has {len(text):,} characters; at most {MAX_NAME_LENGTH:,} "
            "can be drawn"
        )
    for i, ch in enumerate(text):
        if one_line and (ch < " " or "\x7f" <= ch < "\xa0" or ch in "\u2028\u2029"):
            raise ValueError(
                f"{what} {text!r} has a control character ({ch!r} at position {i}); a {what} "
                "is one line of text"
            )
        if "\ud800" <= ch <= "\udfff":
            raise ValueError(
                f"{what} {text!r} has a lone surrogate (U+{ord(ch):04X} at position {i}), "
                "which cannot be written as text; use the character itself"
            )
    return text
