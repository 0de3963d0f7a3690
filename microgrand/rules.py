"""The table of operations: every piece of math the engine knows lives here.

Each :class:`Rule` says how an operation computes its output (``forward``), the local
derivative of that output with respect to each input (``local``), how to draw it
(``symbol``), how to explain it (``text``, ``dtext``, ``latex``, ``dlatex``), its SymPy
form, its domain and its JavaScript forms (``js``). Rules are registered by keyword with
:func:`defrule`; operations with a constant parameter (``x ** c``, ``leaky_relu(x, alpha)``,
the ``k``-th output of ``softmax``) are families registered with :func:`deffamily`, which
make one :class:`Rule` per parameter. Everything else reads this table: the
:class:`~microgrand.Value` operators and functions, :func:`microgrand.apply`, the
expression parser's function table, the command line's help, the diagrams, the stepper's
explanations and the JavaScript engine of the pages (``microgrand/web/engine.js``, fed by
:func:`rules_js`). Adding an operation means one :func:`defrule` call (plus, if you like, one
method on ``Value``); a rule registered at run time works everywhere at once.

Conventions
-----------
* ``forward(*inputs) -> float``; it raises ``ValueError`` or ``ZeroDivisionError`` outside
  its domain (checked *before* anything can overflow), with a short reason.
* ``local(out, *inputs) -> tuple[float, ...]``: one local derivative per input, from the
  inputs and the already computed output (``tanh`` reuses ``out``). It may be ±inf (the
  slope of ``sqrt`` at 0) but never raises inside the domain.
* ``text`` is the output written with the inputs called ``x`` and ``y`` (``x0, x1, …`` for
  operations on many inputs); ``dtext`` is each local derivative in the same names, where
  ``out`` is the operation's output (one entry, in ``xi``, for operations on many
  inputs). ``latex`` and ``dlatex`` are the same in LaTeX.
* ``sympy`` is the output as a SymPy expression string (the tests check every ``local``
  against SymPy's derivative).
* **Numbers policy.** The engine takes finite numbers only. An operation whose inputs are
  finite and whose output is not raises ``OverflowError`` naming the operation and the
  operands; ``Value(nan)``, ``Value(inf)`` and non-finite constants are refused.
* **JavaScript forms** (:class:`JSForms`) use the same names: ``x``, ``y`` and ``out``; for
  operations on many inputs the array ``xs``, the input index ``i`` and ``out``; ``p`` is a
  family's parameter (a bound rule's forms have it written in as a number). ``check`` is a
  JS expression that is ``null`` inside the domain and otherwise ``[kind, reason]``, where
  ``kind`` is the Python exception's name and ``reason`` Python's reason word for word. The
  forms may call ``fsum`` (Python's ``math.fsum``) besides ``Math``.

Example:
    >>> RULES["mul"].forward(2.0, 3.0), RULES["mul"].local(6.0, 2.0, 3.0)
    (6.0, (3.0, 2.0))
    >>> RULES["log"].js.check
    'x > 0 ? null : ["ValueError", "the logarithm needs x > 0"]'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "FAMILIES",
    "RULES",
    "Family",
    "JSForms",
    "Rule",
    "all_rules",
    "cross_entropy_rule",
    "deffamily",
    "defrule",
    "exact_sum",
    "leaky_relu_rule",
    "power_rule",
    "rule",
    "rules_js",
    "softmax_rule",
]

Forward = Callable[..., float]
Local = Callable[..., tuple[float, ...]]


@dataclass(frozen=True, slots=True)
class JSForms:
    """The JavaScript forms of one rule (see the module docstring for the variable names).

    Example:
        >>> RULES["tanh"].js.forward
        'Math.tanh(x)'
    """

    forward: str
    local: tuple[str, ...]
    check: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The forms as plain JSON data.

        Example:
            >>> RULES["add"].js.as_dict()
            {'forward': 'x + y', 'local': ['1', '1'], 'check': None}
        """
        return {"forward": self.forward, "local": list(self.local), "check": self.check}


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class Rule:
    """One operation: forward function, local derivatives, notation, domain, JS forms.

    Made by :func:`defrule` (or by a :class:`Family` for one parameter value).

    Example:
        >>> r = RULES["tanh"]
        >>> r.symbol, r.dtext
        ('tanh', ('1 − out²',))
    """

    name: str
    symbol: str  # drawn in diagrams
    arity: int  # number of inputs; 0 means "any number (at least one)"
    forward: Forward
    local: Local
    text: str
    dtext: tuple[str, ...]
    latex: str
    dlatex: tuple[str, ...]
    sympy: str
    js: JSForms
    domain: str = "all real numbers"
    operator: str | None = None  # the Python operator that makes it ("+", "**"), if any
    infix: str | None = None  # how a trace writes it between its two inputs ("·" for mul)
    function: bool = False  # callable by name in expressions and as microgrand.<name>
    doc: str = ""  # one line and an example, for the free function of the same name
    param: float | None = None  # a family's parameter
    # Optional: forward and local derivatives as Python expressions over x, y and out, exactly
    # equal to forward/local (tests/test_operators.py checks it); the engine then inlines them
    # into the operator method instead of calling forward and local (two calls per node).
    py_forward: str | None = None
    py_local: tuple[str, ...] | None = None

    @property
    def browser_exact(self) -> bool:
        """True when the JS forms use only exactly rounded IEEE operations (+ − × ÷, sqrt,
        comparisons, an exactly rounded sum), so a page computes Python's floats bit for bit.

        Rules that call a browser's ``Math.exp``, ``log``, ``sin``, ``cos``, ``tanh`` or
        ``pow`` may differ from CPython's C library in the last bit or two (V8's functions are
        not correctly rounded, and neither are all of the C library's).

        Example:
            >>> RULES["mul"].browser_exact, RULES["tanh"].browser_exact
            (True, False)
        """
        forms = " ".join((self.js.forward, *self.js.local))
        return _INEXACT_JS.search(forms) is None

    def __repr__(self) -> str:
        p = "" if self.param is None else f", param={self.param!r}"
        return f"Rule({self.name!r}, symbol={self.symbol!r}{p})"


# JavaScript Math functions whose results are not exactly rounded in every browser.
_INEXACT_JS = re.compile(
    r"Math\.(exp|expm1|log|log1p|log2|log10|sin|cos|tan|sinh|cosh|tanh|"
    r"asin|acos|atan|atan2|pow|cbrt|hypot)\("
)


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class Family:
    """Operations with one constant parameter: ``make(p)`` is the :class:`Rule` for ``p``.

    ``js`` holds the forms with the parameter as the variable ``p``.

    Example:
        >>> FAMILIES["powc"].make(3.0).symbol
        '^3'
    """

    name: str
    make: Callable[[float], Rule]
    default: float
    js: JSForms
    param_name: str = "p"
    function: bool = False  # callable in expressions as name(x) or name(x, p)


RULES: dict[str, Rule] = {}
"""Every operation without a parameter, by name (:func:`defrule` adds to it)."""

FAMILIES: dict[str, Family] = {}
"""Every operation with a constant parameter, by name (:func:`deffamily` adds to it)."""


def defrule(
    name: str,
    *,
    symbol: str,
    arity: int,
    forward: Forward,
    local: Local,
    text: str,
    dtext: tuple[str, ...] | list[str],
    latex: str,
    dlatex: tuple[str, ...] | list[str],
    sympy: str,
    js_forward: str,
    js_local: tuple[str, ...] | list[str],
    js_check: str | None = None,
    domain: str = "all real numbers",
    operator: str | None = None,
    infix: str | None = None,
    function: bool | None = None,
    doc: str = "",
    param: float | None = None,
    register: bool = True,
    py_forward: str | None = None,
    py_local: tuple[str, ...] | list[str] | None = None,
) -> Rule:
    """Make a :class:`Rule` from keywords and (by default) register it in :data:`RULES`.

    ``function`` (default: one input and no operator) makes the rule callable by name in
    expressions (``parse_expression("cube(x)", ...)``). Remove a rule with
    ``RULES.pop(name)``. ``py_forward`` and ``py_local`` (optional, for one or two inputs)
    restate ``forward`` and ``local`` as plain arithmetic in ``x``, ``y`` and ``out``, which
    the engine inlines into the operator method; they must compute exactly the same floats.

    Example:
        >>> r = defrule("twice", symbol="2×", arity=1,
        ...             forward=lambda x: 2.0 * x, local=lambda out, x: (2.0,),  # d(2x)/dx = 2
        ...             text="2x", dtext=["2"], latex="2x", dlatex=["2"], sympy="2*x",
        ...             js_forward="2 * x", js_local=["2"], register=False)
        >>> r.forward(4.0), r.function
        (8.0, True)
    """
    # Long because it validates every keyword of a rule before registering it.
    n = 1 if arity == 0 else arity
    dtext, dlatex, js_local = tuple(dtext), tuple(dlatex), tuple(js_local)
    if not (len(dtext) == len(dlatex) == len(js_local) == n):
        raise ValueError(
            f"rule {name!r}: dtext, dlatex and js_local need {n} entr{'y' if n == 1 else 'ies'} "
            f"(one per input; one in xi for an operation on many inputs)"
        )
    if not name.isidentifier():
        raise ValueError(f"rule name {name!r} must be an identifier")
    if (py_forward is None) != (py_local is None) or (
        py_local is not None and (arity not in (1, 2) or len(py_local) != arity)
    ):
        raise ValueError(
            f"rule {name!r}: give py_forward and py_local together, for one or two inputs, "
            "with one py_local entry per input"
        )
    r = Rule(
        name=name,
        symbol=symbol,
        arity=arity,
        forward=forward,
        local=local,
        text=text,
        dtext=dtext,
        latex=latex,
        dlatex=dlatex,
        sympy=sympy,
        js=JSForms(js_forward, js_local, js_check),
        domain=domain,
        operator=operator,
        infix=infix,
        function=(arity == 1 and operator is None) if function is None else function,
        doc=doc,
        param=param,
        py_forward=py_forward,
        py_local=None if py_local is None else tuple(py_local),
    )
    if register:
        if name in RULES or name in FAMILIES:
            raise ValueError(f"an operation named {name!r} is already registered")
        RULES[name] = r
    return r


def deffamily(
    name: str,
    make: Callable[[float], Rule],
    *,
    default: float,
    js_forward: str,
    js_local: tuple[str, ...] | list[str],
    js_check: str | None = None,
    param_name: str = "p",
    function: bool = False,
) -> Family:
    """Register a family of rules with one constant parameter (``p`` in its JS forms).

    ``make(p)`` builds the rule for one value (use :func:`bind_js` for its JS forms);
    :func:`rule` caches it.

    Example:
        >>> FAMILIES["leaky_relu"].default
        0.01
    """
    if name in RULES or name in FAMILIES:
        raise ValueError(f"an operation named {name!r} is already registered")
    f = Family(
        name=name,
        make=lru_cache(maxsize=1024)(make),
        default=default,
        js=JSForms(js_forward, tuple(js_local), js_check),
        param_name=param_name,
        function=function,
    )
    FAMILIES[name] = f
    return f


_P = re.compile(r"(?<![\w.$])p(?![\w$])")


def _js_number(p: float) -> str:
    if float(p).is_integer() and abs(p) < 1e15:
        return str(int(p))
    return repr(float(p))


def bind_js(forms: JSForms, p: float) -> JSForms:
    """The JS forms with the parameter ``p`` written in as a number.

    Example:
        >>> bind_js(JSForms("x > 0 ? x : p * x", ("p",)), -0.5).forward
        'x > 0 ? x : (-0.5) * x'
    """
    lit = f"({_js_number(p)})" if p < 0 else _js_number(p)

    def sub(s: str) -> str:
        return _P.sub(lit, s)

    return JSForms(
        sub(forms.forward),
        tuple(map(sub, forms.local)),
        None if forms.check is None else sub(forms.check),
    )


def _fmt_param(p: float) -> str:
    return str(int(p)) if float(p).is_integer() and abs(p) < 1e15 else repr(p)


# --- helpers with explicit domains -------------------------------------------------------


def _pow_or_inf(x: float, e: float) -> float:
    """``x ** e`` for a real result, ±inf where it overflows or divides by zero (as JS)."""
    try:
        return math.pow(x, e)
    except (OverflowError, ValueError):  # overflow, or 0 to a negative power
        odd = e.is_integer() and abs(e) % 2.0 == 1.0
        return -math.inf if odd and math.copysign(1.0, x) < 0.0 else math.inf


def _check_pow(x: float, y: float) -> None:
    if x < 0.0 and not float(y).is_integer():
        raise ValueError("a negative base needs an integer exponent (the result would be complex)")
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError("zero to a negative power")


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _sigmoid_neg(x: float) -> float:
    # σ(-x) = 1 - σ(x) without the cancellation of 1 - σ(x) for large x.
    if x >= 0.0:
        z = math.exp(-x)
        return z / (1.0 + z)
    return 1.0 / (1.0 + math.exp(x))


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


def _pow(x: float, y: float) -> float:
    _check_pow(x, y)
    if x < 0.0:
        raise ValueError(
            "the derivative with respect to the exponent is undefined for a negative base "
            "(use a plain number as the exponent, as in x ** 3)"
        )
    return math.pow(x, y)  # OverflowError when too large


def _pow_local(out: float, x: float, y: float) -> tuple[float, float]:
    # d/dx x^y = y·x^(y-1) (0 for y = 0);  d/dy x^y = x^y·ln x (0 at x = 0, the limit)
    return (0.0 if y == 0.0 else y * _pow_or_inf(x, y - 1.0), out * math.log(x) if x > 0.0 else 0.0)


def _tanh_local(out: float, x: float) -> tuple[float]:
    # 1 - tanh²x = sech²x = 4e^(-2|x|)/(1 + e^(-2|x|))², without cancellation near ±1
    e = math.exp(-2.0 * abs(x))
    return (4.0 * e / ((1.0 + e) * (1.0 + e)),)


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for any x.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def exact_sum(xs: tuple[float, ...] | list[float]) -> float:
    """The exactly rounded sum of ``xs`` (``math.fsum``), also when a partial sum overflows.

    ``math.fsum`` refuses an intermediate overflow even when the exact sum is finite
    (``[1e308, 1e308, -1e308]``); then the halves are summed (halving is exact but for the
    last bit of subnormal numbers, which cannot matter next to numbers that large) and
    doubled. An overflow of the sum itself still raises ``OverflowError``.

    Example:
        >>> exact_sum([1e308, 1e308, -1e308]), exact_sum([0.1] * 10)
        (1e+308, 1.0)
    """
    try:
        return math.fsum(xs)
    except OverflowError:
        half = math.fsum([x * 0.5 for x in xs])
        if abs(half) > _MAX_HALF:
            raise OverflowError("the sum is too large for a float") from None
        return half * 2.0


_MAX_HALF = 1.7976931348623157e308 / 2


def _nary_sum(*xs: float) -> float:
    return exact_sum(xs)


def _shifted_exps(xs: tuple[float, ...]) -> tuple[list[float], float]:
    # e^(xj - m) with m = max(x): every term ≤ 1, one of them exactly 1; their sum S ≥ 1.
    m = max(xs)
    es = [math.exp(x - m) for x in xs]
    return es, math.fsum(es)


def _logsumexp(*xs: float) -> float:
    # log Σ e^xj = m + log Σ e^(xj - m)
    m = max(xs)
    return m + math.log(math.fsum([math.exp(x - m) for x in xs]))


def _logsumexp_local(out: float, *xs: float) -> tuple[float, ...]:
    # d/dxi log Σ e^xj = softmax(x)_i = e^(xi - m) / Σ e^(xj - m)
    es, s = _shifted_exps(xs)
    return tuple(e / s for e in es)


_ONE = (1.0,)
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS = (1.0, -1.0)
_MINUS = (-1.0,)

_SIGMOID_JS = "(x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))"
_SIGMOID_NEG_JS = "(x >= 0 ? Math.exp(-x) / (1 + Math.exp(-x)) : 1 / (1 + Math.exp(x)))"
_SHIFTED_SUM_JS = "fsum(xs.map((v) => Math.exp(v - Math.max(...xs))))"
_OTHERS_JS = "fsum(xs.filter((v, j) => j !== p).map((v) => Math.exp(v - Math.max(...xs))))"
_POW_CHECK_JS = (
    'x < 0 && !Number.isInteger({e}) ? ["ValueError", "a negative base needs an integer '
    'exponent (the result would be complex)"] : x === 0 && {e} < 0 ? ["ZeroDivisionError", '
    '"zero to a negative power"]'
)

# --- the table ---------------------------------------------------------------------------------

# x + y: d/dx = 1, d/dy = 1
defrule(
    "add",
    symbol="+",
    arity=2,
    operator="+",
    infix="+",
    forward=lambda x, y: x + y,
    local=lambda out, x, y: _ONE_ONE,
    text="x + y",
    dtext=("1", "1"),
    latex="x + y",
    dlatex=("1", "1"),
    sympy="x + y",
    js_forward="x + y",
    js_local=("1", "1"),
    py_forward="x + y",
    py_local=("1.0", "1.0"),
)
# x - y: d/dx = 1, d/dy = -1
defrule(
    "sub",
    symbol="−",
    arity=2,
    operator="-",
    infix="−",
    forward=lambda x, y: x - y,
    local=lambda out, x, y: _ONE_MINUS,
    text="x − y",
    dtext=("1", "−1"),
    latex="x - y",
    dlatex=("1", "-1"),
    sympy="x - y",
    js_forward="x - y",
    js_local=("1", "-1"),
    py_forward="x - y",
    py_local=("1.0", "-1.0"),
)
# x·y: d/dx = y, d/dy = x
defrule(
    "mul",
    symbol="×",
    arity=2,
    operator="*",
    infix="·",
    forward=lambda x, y: x * y,
    local=lambda out, x, y: (y, x),
    text="x × y",
    dtext=("y", "x"),
    latex=r"x \cdot y",
    dlatex=("y", "x"),
    sympy="x*y",
    js_forward="x * y",
    js_local=("y", "x"),
    py_forward="x * y",
    py_local=("y", "x"),
)
# x/y: d/dx = 1/y, d/dy = -x/y² = -out/y
defrule(
    "div",
    symbol="÷",
    arity=2,
    operator="/",
    infix="/",
    domain="y ≠ 0",
    forward=_div,
    local=lambda out, x, y: (1.0 / y, -out / y),
    text="x ÷ y",
    dtext=("1/y", "−x/y²"),
    latex=r"\frac{x}{y}",
    dlatex=(r"\frac{1}{y}", r"-\frac{x}{y^2}"),
    sympy="x/y",
    js_forward="x / y",
    js_local=("1 / y", "-out / y"),
    js_check='y === 0 ? ["ZeroDivisionError", "division by zero"] : null',
)
# x^y: d/dx = y·x^(y-1), d/dy = x^y·ln x
defrule(
    "pow",
    symbol="^",
    arity=2,
    operator="**",
    infix="^",
    domain="x > 0, or x = 0 with y ≥ 0 (a Value exponent needs a base ≥ 0)",
    forward=_pow,
    local=_pow_local,
    text="x ^ y",
    dtext=("y · x^(y−1)", "out · ln x"),
    latex="x^{y}",
    dlatex=(r"y \cdot x^{y-1}", r"\mathrm{out} \cdot \ln x"),
    sympy="x**y",
    js_forward="Math.pow(x, y)",
    js_local=("y === 0 ? 0 : y * Math.pow(x, y - 1)", "x > 0 ? out * Math.log(x) : 0"),
    js_check=_POW_CHECK_JS.format(e="y") + ' : x < 0 ? ["ValueError", "the derivative with '
    "respect to the exponent is undefined for a negative base (use a plain number as the "
    'exponent, as in x ** 3)"] : null',
)
# -x: d/dx = -1
defrule(
    "neg",
    symbol="−",
    arity=1,
    operator="-",
    forward=lambda x: -x,
    local=lambda out, x: _MINUS,
    text="−x",
    dtext=("−1",),
    latex="-x",
    dlatex=("-1",),
    sympy="-x",
    js_forward="-x",
    js_local=("-1",),
    py_forward="-x",
    py_local=("-1.0",),
)
# |x|: d/dx = sign(x)  (0 at x = 0, a subgradient)
defrule(
    "abs",
    symbol="abs",
    arity=1,
    function=True,
    forward=abs,
    local=lambda out, x: (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,),
    text="|x|",
    dtext=("sign(x)",),
    latex=r"\lvert x \rvert",
    dlatex=(r"\operatorname{sign}(x)",),
    sympy="Abs(x)",
    js_forward="Math.abs(x)",
    js_local=("x > 0 ? 1 : x < 0 ? -1 : 0",),
)
# e^x: d/dx = e^x = out
defrule(
    "exp",
    symbol="exp",
    arity=1,
    domain="x ≤ 709.78 (larger overflows)",
    forward=math.exp,
    local=lambda out, x: (out,),
    text="exp(x)",
    dtext=("out",),
    latex="e^{x}",
    dlatex=(r"\mathrm{out}",),
    sympy="exp(x)",
    js_forward="Math.exp(x)",
    js_local=("out",),
    doc="``e^x`` as a new node. Example: ``exp(Value(0.0)).data == 1.0``.",
)
# ln x: d/dx = 1/x
defrule(
    "log",
    symbol="log",
    arity=1,
    domain="x > 0",
    forward=_log,
    local=lambda out, x: (1.0 / x,),
    text="log(x)",
    dtext=("1/x",),
    latex=r"\ln x",
    dlatex=(r"\frac{1}{x}",),
    sympy="log(x)",
    js_forward="Math.log(x)",
    js_local=("1 / x",),
    js_check='x > 0 ? null : ["ValueError", "the logarithm needs x > 0"]',
    doc="Natural logarithm. Example: ``log(Value(1.0)).data == 0.0``.",
)
# √x: d/dx = 1/(2√x) = 1/(2·out)  (infinite at x = 0)
defrule(
    "sqrt",
    symbol="√",
    arity=1,
    domain="x ≥ 0",
    forward=_sqrt,
    local=lambda out, x: (0.5 / out if out else math.inf,),
    text="√x",
    dtext=("1/(2·out)",),
    latex=r"\sqrt{x}",
    dlatex=(r"\frac{1}{2\,\mathrm{out}}",),
    sympy="sqrt(x)",
    js_forward="Math.sqrt(x)",
    js_local=("out !== 0 ? 0.5 / out : Infinity",),
    js_check='x < 0 ? ["ValueError", "the square root needs x ≥ 0"] : null',
    doc="Square root. Example: ``sqrt(Value(9.0)).data == 3.0``.",
)
# tanh x: d/dx = 1 - tanh²x (computed as sech²x, exact also where tanh x rounds to ±1)
defrule(
    "tanh",
    symbol="tanh",
    arity=1,
    forward=math.tanh,
    local=_tanh_local,
    text="tanh(x)",
    dtext=("1 − out²",),
    latex=r"\tanh x",
    dlatex=(r"1 - \mathrm{out}^2",),
    sympy="tanh(x)",
    js_forward="Math.tanh(x)",
    js_local=(
        "4 * Math.exp(-2 * Math.abs(x)) / ((1 + Math.exp(-2 * Math.abs(x))) "
        "* (1 + Math.exp(-2 * Math.abs(x))))",
    ),
    doc="Hyperbolic tangent. Example: ``tanh(Value(0.0)).data == 0.0``.",
)
# σ(x) = 1/(1 + e^-x): d/dx = σ(x)(1 - σ(x)) = out·σ(-x)
defrule(
    "sigmoid",
    symbol="σ",
    arity=1,
    forward=_sigmoid,
    local=lambda out, x: (out * _sigmoid_neg(x),),
    text="σ(x)",
    dtext=("out · (1 − out)",),
    latex=r"\sigma(x)",
    dlatex=(r"\mathrm{out}\,(1 - \mathrm{out})",),
    sympy="1/(1 + exp(-x))",
    js_forward=_SIGMOID_JS,
    js_local=(f"out * {_SIGMOID_NEG_JS}",),
    doc="Logistic sigmoid 1/(1+e^-x). Example: ``sigmoid(Value(0.0)).data == 0.5``.",
)
# max(0, x): d/dx = 1 if x > 0 else 0
defrule(
    "relu",
    symbol="ReLU",
    arity=1,
    forward=lambda x: x if x > 0.0 else 0.0,
    local=lambda out, x: (1.0 if x > 0.0 else 0.0,),
    text="ReLU(x)",
    dtext=("1 if x > 0 else 0",),
    latex=r"\max(0, x)",
    dlatex=(r"[x > 0]",),
    sympy="Max(0, x)",
    js_forward="x > 0 ? x : 0",
    js_local=("x > 0 ? 1 : 0",),
    doc="max(0, x). Example: ``relu(Value(-1.0)).data == 0.0``.",
)
# log(1 + e^x): d/dx = σ(x)
defrule(
    "softplus",
    symbol="softplus",
    arity=1,
    forward=_softplus,
    local=lambda out, x: (_sigmoid(x),),
    text="log(1 + eˣ)",
    dtext=("σ(x)",),
    latex=r"\ln(1 + e^{x})",
    dlatex=(r"\sigma(x)",),
    sympy="log(1 + exp(x))",
    js_forward="Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))",
    js_local=(_SIGMOID_JS,),
    doc="log(1 + e^x). Example: ``round(softplus(Value(0.0)).data, 4) == 0.6931``.",
)
# sin x: d/dx = cos x
defrule(
    "sin",
    symbol="sin",
    arity=1,
    forward=math.sin,
    local=lambda out, x: (math.cos(x),),
    text="sin(x)",
    dtext=("cos(x)",),
    latex=r"\sin x",
    dlatex=(r"\cos x",),
    sympy="sin(x)",
    js_forward="Math.sin(x)",
    js_local=("Math.cos(x)",),
    doc="Sine. Example: ``sin(Value(0.0)).data == 0.0``.",
)
# cos x: d/dx = -sin x
defrule(
    "cos",
    symbol="cos",
    arity=1,
    forward=math.cos,
    local=lambda out, x: (-math.sin(x),),
    text="cos(x)",
    dtext=("−sin(x)",),
    latex=r"\cos x",
    dlatex=(r"-\sin x",),
    sympy="cos(x)",
    js_forward="Math.cos(x)",
    js_local=("-Math.sin(x)",),
    doc="Cosine. Example: ``cos(Value(0.0)).data == 1.0``.",
)
# Σ xj: d/dxi = 1
defrule(
    "sum",
    symbol="Σ",
    arity=0,
    forward=_nary_sum,
    local=lambda out, *xs: _ONE * len(xs),
    text="x0 + x1 + …",
    dtext=("1",),
    latex=r"\sum_j x_j",
    dlatex=("1",),
    sympy="x0 + x1 + x2",
    js_forward="fsum(xs)",
    js_local=("1",),
)
# log Σ e^xj = m + log Σ e^(xj - m), m = max x: d/dxi = e^(xi - m) / Σ e^(xj - m)
defrule(
    "logsumexp",
    symbol="logΣexp",
    arity=0,
    forward=_logsumexp,
    local=_logsumexp_local,
    text="log(e^x0 + e^x1 + …)",
    dtext=("e^(xi − out)",),
    latex=r"\log \sum_j e^{x_j}",
    dlatex=(r"e^{x_i - \mathrm{out}}",),
    sympy="log(exp(x0) + exp(x1) + exp(x2))",
    js_forward=f"Math.max(...xs) + Math.log({_SHIFTED_SUM_JS})",
    js_local=(f"Math.exp(xs[i] - Math.max(...xs)) / {_SHIFTED_SUM_JS}",),
)


# --- families: one rule per constant parameter ------------------------------------------------


def _make_powc(c: float) -> Rule:
    cs = _fmt_param(c)

    def forward(x: float) -> float:
        _check_pow(x, c)
        if c in _EXACT_POWERS:  # the same IEEE operations as the pages' JavaScript
            return _EXACT_POWERS[c][0](x)
        return math.pow(x, c)  # OverflowError when too large

    def local(out: float, x: float) -> tuple[float]:
        # d x^c/dx = c·x^(c-1)  (0 for c = 0; ±inf at x = 0 for 0 < c < 1)
        if c in _EXACT_POWERS:
            return (_EXACT_POWERS[c][1](out, x),)
        return (0.0 if c == 0.0 else c * _pow_or_inf(x, c - 1.0),)

    return defrule(
        "powc",
        symbol=f"^{cs}",
        arity=1,
        operator="**",
        forward=forward,
        local=local,
        text=f"x^{cs}",
        dtext=(f"{cs} · x^{_fmt_param(c - 1.0)}",),
        latex=f"x^{{{cs}}}",
        dlatex=(rf"{cs}\, x^{{{_fmt_param(c - 1.0)}}}",),
        sympy=f"x**({c!r})",
        domain="x > 0, or any x for an integer exponent (x ≠ 0 for a negative one)",
        param=c,
        register=False,
        **_powc_js(c),
    )


# Exponents computed with exactly rounded IEEE operations instead of pow(), on both sides:
# CPython's math.pow (the C library) and a browser's Math.pow may differ in the last bit, x * x
# and sqrt may not. c: (forward, local, JS forward, JS local); the family's JS template below
# makes the same choices for a parameter that arrives at run time.
_EXACT_POWERS: dict[
    float, tuple[Callable[[float], float], Callable[[float, float], float], str, str]
] = {
    2.0: (lambda x: x * x, lambda out, x: 2.0 * x, "x * x", "2 * x"),
    # + 0.0 turns sqrt(-0.0) = -0.0 into pow's +0.0
    0.5: (
        lambda x: math.sqrt(x) + 0.0,
        lambda out, x: 0.5 / out if out != 0.0 else math.inf,
        "Math.sqrt(x) + 0",
        "out !== 0 ? 0.5 / out : Infinity",
    ),
    1.0: (lambda x: x, lambda out, x: 1.0, "x", "1"),
    0.0: (lambda x: 1.0, lambda out, x: 0.0, "1", "0"),
    -1.0: (lambda x: 1.0 / x, lambda out, x: -(1.0 / x) / x, "1 / x", "-(1 / x) / x"),
}


def _powc_js(c: float) -> dict[str, Any]:
    if c in _EXACT_POWERS:
        _, _, fwd, loc = _EXACT_POWERS[c]
        return {
            "js_forward": fwd,
            "js_local": (loc,),
            "js_check": bind_js(FAMILIES["powc"].js, c).check,
        }
    return _bound(FAMILIES["powc"].js, c)


def _make_leaky_relu(a: float) -> Rule:
    s = _fmt_param(a)

    def forward(x: float) -> float:
        return x if x > 0.0 else a * x

    def local(out: float, x: float) -> tuple[float]:
        return (1.0 if x > 0.0 else a,)

    return defrule(
        "leaky_relu",
        symbol="LReLU",
        arity=1,
        forward=forward,
        local=local,
        text=f"x if x > 0 else {s}·x",
        dtext=(f"1 if x > 0 else {s}",),
        latex=rf"\max({s}x, x)",
        dlatex=(rf"[x > 0] + {s}\,[x \le 0]",),
        sympy=f"Piecewise((x, x > 0), ({a!r}*x, True))",
        param=a,
        register=False,
        function=True,
        **_bound(FAMILIES["leaky_relu"].js, a),
    )


def _make_softmax(k: float) -> Rule:
    if not (float(k).is_integer() and k >= 0):
        raise ValueError(f"softmax: the output index must be a whole number ≥ 0, got {k!r}")
    i = int(k)

    def forward(*xs: float) -> float:
        if i >= len(xs):
            raise ValueError(f"output {i} of a softmax needs at least {i + 1} inputs")
        es, s = _shifted_exps(xs)
        return es[i] / s

    def local(out: float, *xs: float) -> tuple[float, ...]:
        # d pk/dxj = pk·([j = k] - pj), with pj = e^(xj - m) / Σ e^(xl - m); 1 - pk as
        # Σ_(l≠k) e^(xl - m) / Σ e^(xl - m), exact also when pk rounds to 1
        es, s = _shifted_exps(xs)
        return tuple(out * (_others(es, i) / s if j == i else -e / s) for j, e in enumerate(es))

    return defrule(
        "softmax",
        symbol=f"softmax{i}",
        arity=0,
        forward=forward,
        local=local,
        text=f"e^x{i} / (e^x0 + e^x1 + …)",
        dtext=(f"out · ([i = {i}] − softmax_i)",),
        latex=rf"\frac{{e^{{x_{{{i}}}}}}}{{\sum_j e^{{x_j}}}}",
        dlatex=(rf"\mathrm{{out}}\,([i = {i}] - \mathrm{{softmax}}_i)",),
        sympy=f"exp(x{i})/(exp(x0) + exp(x1) + exp(x2))",
        domain=f"at least {i + 1} inputs",
        param=float(i),
        register=False,
        **_bound(FAMILIES["softmax"].js, float(i)),
    )


def _make_cross_entropy(t: float) -> Rule:
    if not (float(t).is_integer() and t >= 0):
        raise ValueError(f"cross_entropy: the target must be a whole number ≥ 0, got {t!r}")
    i = int(t)

    def forward(*xs: float) -> float:
        if i >= len(xs):
            raise ValueError(f"target {i} of a cross-entropy needs at least {i + 1} inputs")
        _, s = _shifted_exps(xs)
        return (max(xs) - xs[i]) + math.log(s)

    def local(out: float, *xs: float) -> tuple[float, ...]:
        # d/dxj = pj - [j = t]; for j = t that is -Σ_(l≠t) pl (exact also when pt rounds to 1)
        es, s = _shifted_exps(xs)
        return tuple(-_others(es, i) / s if j == i else e / s for j, e in enumerate(es))

    return defrule(
        "cross_entropy",
        symbol=f"CE{i}",
        arity=0,
        forward=forward,
        local=local,
        text=f"−log(e^x{i} / (e^x0 + e^x1 + …))",
        dtext=(f"softmax_i − [i = {i}]",),
        latex=rf"-\log \frac{{e^{{x_{{{i}}}}}}}{{\sum_j e^{{x_j}}}}",
        dlatex=(rf"\mathrm{{softmax}}_i - [i = {i}]",),
        sympy=f"log(exp(x0) + exp(x1) + exp(x2)) - x{i}",
        domain=f"at least {i + 1} inputs, x{i} less than 1.8e308 below the largest",
        param=float(i),
        register=False,
        **_bound(FAMILIES["cross_entropy"].js, float(i)),
    )


def _others(es: list[float], k: int) -> float:
    return math.fsum(e for j, e in enumerate(es) if j != k)


def _bound(forms: JSForms, p: float) -> dict[str, Any]:
    b = bind_js(forms, p)
    return {"js_forward": b.forward, "js_local": b.local, "js_check": b.check}


# x^c for a constant c: d/dx = c·x^(c-1)
deffamily(
    "powc",
    _make_powc,
    default=2.0,
    param_name="c",
    js_forward=(
        "p === 0 ? 1 : p === 2 ? x * x : p === 0.5 ? Math.sqrt(x) + 0 : "
        "p === 1 ? x : p === -1 ? 1 / x : Math.pow(x, p)"
    ),
    js_local=(
        "p === 0 ? 0 : p === 2 ? 2 * x : p === 0.5 ? (out !== 0 ? 0.5 / out : "
        "Infinity) : p === 1 ? 1 : p === -1 ? -(1 / x) / x : "
        "p * Math.pow(x, p - 1)",
    ),
    js_check=_POW_CHECK_JS.format(e="p") + " : null",
)
# x if x > 0 else alpha·x: d/dx = 1 if x > 0 else alpha
deffamily(
    "leaky_relu",
    _make_leaky_relu,
    default=0.01,
    param_name="alpha",
    function=True,
    js_forward="x > 0 ? x : p * x",
    js_local=("x > 0 ? 1 : p",),
)
# pk = e^(xk - m) / Σ e^(xj - m), m = max x: d pk/dxi = pk·([i = k] - pi)
deffamily(
    "softmax",
    _make_softmax,
    default=0.0,
    param_name="k",
    js_forward=f"Math.exp(xs[p] - Math.max(...xs)) / {_SHIFTED_SUM_JS}",
    js_local=(
        f"out * ((i === p ? {_OTHERS_JS} : -Math.exp(xs[i] - Math.max(...xs))) / "
        f"{_SHIFTED_SUM_JS})",
    ),
    js_check='p < xs.length ? null : ["ValueError", "output " + p + " of a softmax needs '
    'at least " + (p + 1) + " inputs"]',
)


# -log softmax(x)_t = (m - xt) + log Σ e^(xj - m), m = max x: d/dxi = softmax(x)_i - [i = t]
deffamily(
    "cross_entropy",
    _make_cross_entropy,
    default=0.0,
    param_name="t",
    js_forward=f"(Math.max(...xs) - xs[p]) + Math.log({_SHIFTED_SUM_JS})",
    js_local=(
        f"(i === p ? -{_OTHERS_JS} : Math.exp(xs[i] - Math.max(...xs))) / {_SHIFTED_SUM_JS}",
    ),
    js_check='p < xs.length ? null : ["ValueError", "target " + p + " of a cross-entropy '
    'needs at least " + (p + 1) + " inputs"]',
)


def power_rule(c: float) -> Rule:
    """The rule for ``x ** c`` with a constant exponent ``c`` (one input); one Rule per ``c``.

    Example:
        >>> power_rule(2.0).local(9.0, 3.0)
        (6.0,)
    """
    return FAMILIES["powc"].make(float(c))


def leaky_relu_rule(alpha: float) -> Rule:
    """The rule for ``leaky_relu(x, alpha)``: ``x`` for ``x > 0``, else ``alpha · x``.

    Example:
        >>> leaky_relu_rule(0.1).forward(-2.0)
        -0.2
    """
    return FAMILIES["leaky_relu"].make(float(alpha))


def softmax_rule(k: int) -> Rule:
    """The rule for output ``k`` of a softmax over all its inputs (shifted by their maximum).

    Example:
        >>> softmax_rule(0).forward(1e308, 1e308)
        0.5
    """
    return FAMILIES["softmax"].make(float(k))


def cross_entropy_rule(target: int) -> Rule:
    """The rule for ``-log softmax(x)[target]`` over all its inputs (shifted by their maximum).

    Example:
        >>> cross_entropy_rule(1).forward(1e17, 1e17) == math.log(2)
        True
    """
    return FAMILIES["cross_entropy"].make(float(target))


def rule(name: str, param: float | None = None) -> Rule:
    """Look up a rule by name; families (``powc``, ``leaky_relu``, ``softmax``) take ``param``.

    Example:
        >>> rule("tanh").symbol
        'tanh'
        >>> rule("powc", 3).symbol
        '^3'
    """
    fam = FAMILIES.get(name)
    if fam is not None:
        return fam.make(float(fam.default if param is None else param))
    try:
        return RULES[name]
    except KeyError:
        known = ", ".join(sorted([*RULES, *FAMILIES]))
        raise KeyError(f"unknown operation {name!r}; known operations: {known}") from None


def all_rules() -> list[Rule]:
    """Every registered rule, with each family at its default parameter.

    Example:
        >>> "LReLU" in {r.symbol for r in all_rules()}
        True
    """
    return [*RULES.values(), *(f.make(float(f.default)) for f in FAMILIES.values())]


def rules_js() -> dict[str, dict[str, Any]]:
    """The JavaScript side of the table, as JSON data for ``microgrand/web/engine.js``.

    One entry per operation: its ``name``, ``text`` (for messages), ``arity``, ``domain``,
    the JS forms (``forward``, ``local``, ``check``) and ``family`` (true when the forms use
    the parameter ``p``).

    Example:
        >>> rules_js()["log"]["forward"], rules_js()["powc"]["family"]
        ('Math.log(x)', True)
    """
    out: dict[str, dict[str, Any]] = {}
    for r in RULES.values():
        out[r.name] = {
            "name": r.name,
            "text": r.text,
            "arity": r.arity,
            "domain": r.domain,
            "family": False,
            **r.js.as_dict(),
        }
    for f in FAMILIES.values():
        d = f.make(float(f.default))
        out[f.name] = {
            "name": f.name,
            "text": d.text,
            "arity": d.arity,
            "domain": d.domain,
            "family": True,
            **f.js.as_dict(),
        }
    return out
