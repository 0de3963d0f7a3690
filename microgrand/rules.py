"""The table of operations: every piece of math the engine knows lives here.

Each :class:`Rule` says how an operation computes its output (``forward``), the local
derivative of that output with respect to each input (``local``), how to draw it
(``symbol``) and how to explain it (``text`` and ``dtext``). The engine, the renderer, the
stepper and the tests all read this one table; adding an operation means adding one entry.

Conventions
-----------
* ``forward(*inputs) -> float``.
* ``local(out, *inputs) -> tuple[float, ...]``: one local derivative per input, computed
  from the inputs and the already computed output (``tanh`` reuses ``out``).
* ``text`` is the output written with the inputs called ``x`` and ``y`` (``x0, x1, …`` for
  operations on many inputs); ``dtext`` is each local derivative in the same names, where
  ``out`` is the operation's output. ``latex`` and ``dlatex`` are the same in LaTeX.
* ``sympy`` is the output as a SymPy expression string (used by the tests, which check
  every ``local`` against SymPy's derivative).
* A forward function raises ``ValueError``, ``ZeroDivisionError`` or ``OverflowError``
  outside its domain; the engine turns that into a message naming the operation and the
  operand (``domain`` says what the valid inputs are).

Example:
    >>> RULES["mul"].forward(2.0, 3.0), RULES["mul"].local(6.0, 2.0, 3.0)
    (6.0, (3.0, 2.0))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["RULES", "Rule", "leaky_relu_rule", "power_rule", "rule"]

Forward = Callable[..., float]
Local = Callable[..., tuple[float, ...]]


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    """One operation: forward function, local derivatives, symbol and explanation text.

    Example:
        >>> r = RULES["tanh"]
        >>> r.symbol, r.dtext
        ('tanh', ('1 − out²',))
    """

    name: str
    symbol: str
    arity: int  # number of inputs; 0 means "any number (at least one)"
    forward: Forward
    local: Local
    text: str
    dtext: tuple[str, ...]
    latex: str
    dlatex: tuple[str, ...]
    sympy: str
    domain: str = "all real numbers"
    param: float | None = None

    def __repr__(self) -> str:
        p = "" if self.param is None else f", param={self.param!r}"
        return f"Rule({self.name!r}, symbol={self.symbol!r}{p})"


def _fmt_param(p: float) -> str:
    return str(int(p)) if float(p).is_integer() and abs(p) < 1e15 else repr(p)


# --- forward functions with explicit domains ---------------------------------------------


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise ZeroDivisionError("division by zero")
    return x / y


def _log(x: float) -> float:
    if not x > 0.0:
        raise ValueError("the logarithm needs x > 0")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError("the square root needs x ≥ 0")
    return math.sqrt(x)


def _exp(x: float) -> float:
    return math.exp(x)  # OverflowError past x ≈ 709.78


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for any x.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _real_pow(x: float, y: float) -> float:
    if x < 0.0 and not float(y).is_integer():
        raise ValueError("a negative base needs an integer exponent (the result would be complex)")
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError("zero to a negative power")
    return float(x**y)  # OverflowError when too large


def _pow_local(out: float, x: float, y: float) -> tuple[float, float]:
    # d/dx x^y = y·x^(y-1);  d/dy x^y = x^y·ln x  (only defined for x > 0; limit 0 at x = 0).
    if x > 0.0:
        return (y * x ** (y - 1.0), out * math.log(x))
    if x == 0.0:
        return (_dpow_at_zero(y), 0.0)
    raise ValueError(
        "the derivative with respect to the exponent is undefined for a negative base "
        "(use a plain number as the exponent, as in x ** 3)"
    )


def _dpow_at_zero(c: float) -> float:
    # d/dx x^c at x = 0: 0 for c > 1, 1 for c == 1, c·0^(c-1) = ±inf for 0 < c < 1, 0 for c == 0.
    if c == 0.0 or c > 1.0:
        return 0.0
    if c == 1.0:
        return 1.0
    return math.inf


def _nary_sum(*xs: float) -> float:
    return math.fsum(xs)


def _logsumexp(*xs: float) -> float:
    m = max(xs)
    if math.isinf(m):
        return m
    return m + math.log(math.fsum(math.exp(x - m) for x in xs))


def _logsumexp_local(out: float, *xs: float) -> tuple[float, ...]:
    # d/dxi log Σ e^xj = e^(xi - out) = softmax(x)_i
    return tuple(math.exp(x - out) for x in xs)


_ONE = (1.0,)
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS = (1.0, -1.0)
_MINUS = (-1.0,)

# --- the table ---------------------------------------------------------------------------------

RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        # d(x+y)/dx = 1, d(x+y)/dy = 1
        Rule("add", "+", 2, lambda x, y: x + y, lambda out, x, y: _ONE_ONE,
             "x + y", ("1", "1"), "x + y", ("1", "1"), "x + y"),
        # d(x-y)/dx = 1, d(x-y)/dy = -1
        Rule("sub", "−", 2, lambda x, y: x - y, lambda out, x, y: _ONE_MINUS,
             "x − y", ("1", "−1"), "x - y", ("1", "-1"), "x - y"),
        # d(xy)/dx = y, d(xy)/dy = x
        Rule("mul", "×", 2, lambda x, y: x * y, lambda out, x, y: (y, x),
             "x × y", ("y", "x"), r"x \cdot y", ("y", "x"), "x*y"),
        # d(x/y)/dx = 1/y, d(x/y)/dy = -x/y²
        Rule("div", "÷", 2, _div, lambda out, x, y: (1.0 / y, -out / y),
             "x ÷ y", ("1/y", "−x/y²"), r"\frac{x}{y}", (r"\frac{1}{y}", r"-\frac{x}{y^2}"),
             "x/y", "y ≠ 0"),
        # d(x^y)/dx = y·x^(y-1), d(x^y)/dy = x^y·ln x
        Rule("pow", "^", 2, _real_pow, _pow_local,
             "x ^ y", ("y · x^(y−1)", "out · ln x"), "x^{y}",
             (r"y \cdot x^{y-1}", r"\mathrm{out} \cdot \ln x"), "x**y",
             "x > 0, or x < 0 with an integer y, or x = 0 with y ≥ 0"),
        # d(-x)/dx = -1
        Rule("neg", "−", 1, lambda x: -x, lambda out, x: _MINUS,
             "−x", ("−1",), "-x", ("-1",), "-x"),
        # d|x|/dx = sign(x)  (0 at x = 0, a subgradient)
        Rule("abs", "abs", 1, abs,
             lambda out, x: (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,),
             "|x|", ("sign(x)",), r"\lvert x \rvert", (r"\operatorname{sign}(x)",), "Abs(x)"),
        # d e^x/dx = e^x = out
        Rule("exp", "exp", 1, _exp, lambda out, x: (out,),
             "exp(x)", ("out",), "e^{x}", (r"\mathrm{out}",), "exp(x)",
             "x ≤ 709.78 (larger overflows)"),
        # d ln x/dx = 1/x
        Rule("log", "log", 1, _log, lambda out, x: (1.0 / x,),
             "log(x)", ("1/x",), r"\ln x", (r"\frac{1}{x}",), "log(x)", "x > 0"),
        # d √x/dx = 1/(2√x)  (infinite at x = 0)
        Rule("sqrt", "√", 1, _sqrt, lambda out, x: (0.5 / out if out else math.inf,),
             "√x", ("1/(2·out)",), r"\sqrt{x}", (r"\frac{1}{2\,\mathrm{out}}",), "sqrt(x)",
             "x ≥ 0"),
        # d tanh x/dx = 1 - tanh² x
        Rule("tanh", "tanh", 1, math.tanh, lambda out, x: (1.0 - out * out,),
             "tanh(x)", ("1 − out²",), r"\tanh x", (r"1 - \mathrm{out}^2",), "tanh(x)"),
        # d σ(x)/dx = σ(x)(1 - σ(x))
        Rule("sigmoid", "σ", 1, _sigmoid, lambda out, x: (out * (1.0 - out),),
             "σ(x)", ("out · (1 − out)",), r"\sigma(x)",
             (r"\mathrm{out}\,(1 - \mathrm{out})",), "1/(1 + exp(-x))"),
        # d relu(x)/dx = 1 if x > 0 else 0
        Rule("relu", "ReLU", 1, lambda x: x if x > 0.0 else 0.0,
             lambda out, x: (1.0 if x > 0.0 else 0.0,),
             "ReLU(x)", ("1 if x > 0 else 0",), r"\max(0, x)",
             (r"[x > 0]",), "Max(0, x)"),
        # d softplus(x)/dx = σ(x)
        Rule("softplus", "softplus", 1, _softplus, lambda out, x: (_sigmoid(x),),
             "log(1 + eˣ)", ("σ(x)",), r"\ln(1 + e^{x})", (r"\sigma(x)",), "log(1 + exp(x))"),
        # d sin x/dx = cos x
        Rule("sin", "sin", 1, math.sin, lambda out, x: (math.cos(x),),
             "sin(x)", ("cos(x)",), r"\sin x", (r"\cos x",), "sin(x)"),
        # d cos x/dx = -sin x
        Rule("cos", "cos", 1, math.cos, lambda out, x: (-math.sin(x),),
             "cos(x)", ("−sin(x)",), r"\cos x", (r"-\sin x",), "cos(x)"),
        # d Σxj/dxi = 1
        Rule("sum", "Σ", 0, _nary_sum, lambda out, *xs: _ONE * len(xs),
             "x0 + x1 + …", ("1",), r"\sum_j x_j", ("1",), "x0 + x1 + x2"),
        # d log Σ e^xj / dxi = e^(xi - out)
        Rule("logsumexp", "logΣexp", 0, _logsumexp, _logsumexp_local,
             "log(e^x0 + e^x1 + …)", ("e^(xi − out)",), r"\log \sum_j e^{x_j}",
             (r"e^{x_i - \mathrm{out}}",), "log(exp(x0) + exp(x1) + exp(x2))"),
    )
}


def power_rule(c: float) -> Rule:
    """The rule for ``x ** c`` with a constant exponent ``c`` (one input); one Rule per ``c``.

    Example:
        >>> power_rule(2.0).local(9.0, 3.0)
        (6.0,)
    """
    return _power_rule(float(c))


@lru_cache(maxsize=1024)
def _power_rule(c: float) -> Rule:
    cs = _fmt_param(c)

    def forward(x: float) -> float:
        return _real_pow(x, c)

    def local(out: float, x: float) -> tuple[float]:
        # d x^c/dx = c·x^(c-1)
        if x == 0.0:
            return (_dpow_at_zero(c),)
        return (c * _real_pow(x, c - 1.0),)

    return Rule(
        "powc", f"^{cs}", 1, forward, local,
        f"x^{cs}", (f"{cs} · x^{_fmt_param(c - 1.0)}",), f"x^{{{cs}}}",
        (rf"{cs}\, x^{{{_fmt_param(c - 1.0)}}}",), f"x**({c!r})",
        "x > 0, or any x for an integer exponent (x ≠ 0 for a negative one)", c,
    )


def leaky_relu_rule(alpha: float) -> Rule:
    """The rule for ``leaky_relu(x, alpha)``: ``x`` for ``x > 0``, else ``alpha · x``.

    Example:
        >>> leaky_relu_rule(0.1).forward(-2.0)
        -0.2
    """
    return _leaky_relu_rule(float(alpha))


@lru_cache(maxsize=1024)
def _leaky_relu_rule(a: float) -> Rule:
    s = _fmt_param(a)

    def forward(x: float) -> float:
        return x if x > 0.0 else a * x

    def local(out: float, x: float) -> tuple[float]:
        # d/dx = 1 if x > 0 else alpha
        return (1.0 if x > 0.0 else a,)

    return Rule(
        "leaky_relu", "LReLU", 1, forward, local,
        f"x if x > 0 else {s}·x", (f"1 if x > 0 else {s}",), rf"\max({s}x, x)",
        (rf"[x > 0] + {s}\,[x \le 0]",), f"Piecewise((x, x > 0), ({a!r}*x, True))",
        param=a,
    )


def rule(name: str, param: float | None = None) -> Rule:
    """Look up a rule by name; parameterised rules (``powc``, ``leaky_relu``) take ``param``.

    Example:
        >>> rule("tanh").symbol
        'tanh'
        >>> rule("powc", 3).symbol
        '^3'
    """
    if name == "powc":
        return power_rule(2.0 if param is None else param)
    if name == "leaky_relu":
        return leaky_relu_rule(0.01 if param is None else param)
    try:
        return RULES[name]
    except KeyError:
        known = ", ".join(sorted([*RULES, "powc", "leaky_relu"]))
        raise KeyError(f"unknown operation {name!r}; known operations: {known}") from None
