"""Guards: the decisions a recorded function took by looking at numbers, checked on every replay.

A replay of :func:`microgrand.record` runs no Python code of the recorded function, so a
Python ``if`` on a Value's number (``x.data > 0``) is decided once, while recording. To know
whether a replay may still use the recording, the recording watches every number the
function reads from a Value whose number can change (a parameter, an input, or a result
computed from them): while the function runs, ``v.data`` (and ``float(v)``, ``v < 0``…)
give a :class:`Traced` number instead of a float. A Traced number computes like a float
(``+ - * / // % **``, ``abs``, unary minus, with numbers and other Traced numbers) and
remembers how it was computed from the nodes it came from. What the function then
*decides* from it becomes a guard:

* a comparison or a truth test (``x.data > 0``, ``if s.data:``) records its expression and
  its outcome: a replay recomputes the expression from the replayed numbers (a few float
  operations) and compares the outcome;
* anything else that takes the number out of the Traced world — ``float()``, ``int()``,
  ``round()``, ``math.exp(x.data)``, formatting, hashing, using it as a constant of the graph
  (``w * x.data``) — *pins* it: the replay's number must be the recorded one, bit for bit.

A replay whose guards all hold builds, by construction, the recorded graph; when one fails
the recording checks the step eagerly (:meth:`microgrand.Recorded.check`) and raises
:class:`~microgrand.recording.RecordMismatchError` if the graph differs.

What guards cannot see: numbers that do not come from a Value's ``data`` (a global, a
counter, ``random``, the time, a Value's ``grad``), code that asks whether a number is
exactly a ``float`` (``isinstance(x, float)`` is False for a Traced number; it is a
``numbers.Real``), and reads in another thread. A number read from a Value that is not part
of the graph of the result cannot be recomputed by a replay: such a recording is checked
eagerly on every replay (``BatchRecordings`` runs those steps eagerly instead).

Example:
    >>> from microgrand import Value
    >>> x = Value(2.0)
    >>> with Tracer({id(x)}) as t:
    ...     branch = x.data * 3.0 > 1.0
    >>> branch, len(t.guards), t.holds({id(x): 2.0}.__getitem__)
    (True, 1, True)
    >>> t.holds({id(x): 0.1}.__getitem__)         # 0.1 * 3 > 1 is False now
    False
"""

from __future__ import annotations

import math
import numbers
import operator
import sys
import threading
from collections.abc import Callable, Collection
from typing import Any

from . import backprop as _backprop_module
from . import functions as _functions_module
from . import value as _value_module
from .value import Value

__all__ = ["Guard", "Traced", "Tracer", "evaluate", "holds"]

Expr = tuple[Any, ...]  # ("node", id) | ("const", x) | (function, expr, ...)
_NODE, _CONST = "node", "const"

# The member descriptor of the ``data`` slot: while a Tracer is active, Value.data is
# replaced by a descriptor that reads through it.
_MEMBER: Any = Value.__dict__["data"]
_VALUE_GLOBALS = vars(_value_module)
# The engine's modules (the value floor's modules that compute nodes and gradients): their
# reads of .data are the engine's, not the function's.
_ENGINE_GLOBALS = {id(vars(m)) for m in (_value_module, _functions_module, _backprop_module)}
# The engine's own reads of .data (computing a node) are not decisions of the function;
# these methods of Value read it on the function's behalf, so their reads are.
_ON_BEHALF = {
    Value.__float__.__code__,
    Value.__lt__.__code__,
    Value.__le__.__code__,
    Value.__gt__.__code__,
    Value.__ge__.__code__,
    Value.__repr__.__code__,
    _VALUE_GLOBALS["_data"].__code__,
}
_FLOAT_CODE = Value.__float__.__code__
_ACTIVE: Tracer | None = None


def evaluate(expr: Expr, get: Callable[[Any], float]) -> Any:
    """The number an expression of a :class:`Traced` number has for other node numbers.

    ``get(key)`` returns the number of the node recorded under ``key``.

    Example:
        >>> evaluate((operator.mul, ("node", "x"), ("const", 3.0)), {"x": 2.0}.__getitem__)
        6.0
    """
    tag = expr[0]
    if tag is _NODE:
        return get(expr[1])
    if tag is _CONST:
        return expr[1]
    return tag(*[evaluate(e, get) for e in expr[1:]])


Guard = tuple[str, Expr, Any]  # ("test", expression, outcome) or ("pin", expression, number)


def holds(guards: list[Guard], get: Callable[[Any], float]) -> bool:
    """Whether every guard holds for the node numbers ``get(key)`` gives.

    Example:
        >>> holds([("test", (operator.gt, ("node", 0), ("const", 0.0)), True)], [1.5].__getitem__)
        True
    """
    try:
        for kind, expr, want in guards:
            got = evaluate(expr, get)
            if kind == "pin" and not _same(got, want):
                return False
            if kind == "test" and got != want:
                return False
    except (ArithmeticError, ValueError, TypeError):
        return False  # the expression fails for these numbers: the path may differ
    return True


def _same(a: Any, b: Any) -> bool:
    """Equal as numbers and in the sign of a zero (``str(-0.0)`` differs from ``str(0.0)``)."""
    if a != b:
        return False
    if isinstance(a, float) and isinstance(b, float):
        return math.copysign(1.0, a) == math.copysign(1.0, b)
    return True


class Tracer:
    """Watches the numbers a function reads from Values, and keeps the guards they give.

    ``varying`` holds the ``id`` of the leaves whose numbers change from replay to replay
    (parameters and inputs); a node computed from other nodes varies too. Use it as a
    context manager around the function's run.

    Example:
        >>> from microgrand import Value
        >>> w = Value(-1.0)
        >>> with Tracer({id(w)}) as t:
        ...     y = w.relu() if w.data > 0 else -w
        >>> [g[0] for g in t.guards], sorted(t.nodes) == [id(w)]
        (['test'], True)
    """

    def __init__(self, varying: Collection[int]) -> None:
        self.varying = set(varying)
        self.guards: list[Guard] = []
        """("test", expression, outcome) and ("pin", expression, number), in order."""
        self.nodes: dict[int, Value] = {}
        """The Values read (by id), kept alive so that ids stay unique while recording."""
        self._thread = threading.get_ident()
        self._previous: Tracer | None = None

    def read(self, v: Value, x: float) -> Any:
        """What ``v.data`` gives the function: a Traced number where ``v`` can change."""
        if id(v) not in self.varying and (v.rule is None or not v.inputs):
            return x  # a constant of the recording: its number never changes
        self.nodes[id(v)] = v
        return Traced(x, (_NODE, id(v)), self)

    def test(self, expr: Expr, outcome: Any) -> None:
        self.guards.append(("test", expr, outcome))

    def pin(self, expr: Expr, number: Any) -> None:
        self.guards.append(("pin", expr, number))

    def holds(self, get: Callable[[Any], float]) -> bool:
        """Whether every guard holds for the node numbers ``get(id)`` gives."""
        return holds(self.guards, get)

    def __enter__(self) -> Tracer:
        global _ACTIVE
        self._previous = _ACTIVE
        if _ACTIVE is None:
            type.__setattr__(Value, "data", _WatchedData())
        _ACTIVE = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _ACTIVE
        _ACTIVE = self._previous
        if _ACTIVE is None:
            type.__setattr__(Value, "data", _MEMBER)


class _WatchedData:
    """``Value.data`` while a Tracer is active: the slot, read through the Tracer."""

    def __get__(self, obj: Value | None, objtype: type | None = None) -> Any:
        if obj is None:
            return _MEMBER
        x = _MEMBER.__get__(obj, objtype)
        t = _ACTIVE
        if t is None or t._thread != threading.get_ident():
            return x
        caller = sys._getframe(1)
        g = caller.f_globals
        if id(g) in _ENGINE_GLOBALS and caller.f_code not in _ON_BEHALF:
            return x  # the engine computing a node
        r = t.read(obj, x)
        if caller.f_code is _FLOAT_CODE and isinstance(r, Traced):
            return r._escape()  # float(v) must return a float: the number is pinned
        return r

    def __set__(self, obj: Value, x: float) -> None:
        if isinstance(x, Traced):  # a Value holds a float: the number is pinned
            x = x._escape()
        _MEMBER.__set__(obj, x)

    def __delete__(self, obj: Value) -> None:
        _MEMBER.__delete__(obj)


def _expr(x: Any) -> Expr | None:
    if isinstance(x, Traced):
        return x.expr
    if isinstance(x, int | float):
        return (_CONST, x)
    return None


class Traced:
    """A number read from a Value while recording: computes like a float, and remembers how.

    Comparisons and truth tests become guards of the recording (their outcome is checked
    on every replay); everything else that needs a plain number (``float()``, ``math``
    functions, formatting) pins it (the replay's number must be this one). See the module
    docstring.

    Example:
        >>> t = Tracer(set())
        >>> x = Traced(1.5, ("const", 1.5), t)
        >>> y = 2 * x - 1
        >>> y, y > 1.0, t.guards[-1][2]
        (Traced(2.0), True, True)
    """

    __slots__ = ("expr", "tracer", "value")

    def __init__(self, value: float, expr: Expr, tracer: Tracer) -> None:
        self.value = value
        self.expr = expr
        self.tracer = tracer

    def _escape(self) -> float:
        self.tracer.pin(self.expr, self.value)
        return self.value

    def _op(self, other: Any, fn: Callable[[Any, Any], Any], swap: bool) -> Any:
        e = _expr(other)
        if e is None:
            return NotImplemented
        o = other.value if isinstance(other, Traced) else other
        a, b, ea, eb = (o, self.value, e, self.expr) if swap else (self.value, o, self.expr, e)
        r = fn(a, b)
        if isinstance(r, float):
            return Traced(r, (fn, ea, eb), self.tracer)
        self.tracer.pin(ea, a)  # a complex power, say: no longer a number we follow
        self.tracer.pin(eb, b)
        return r

    def _compare(self, other: Any, fn: Callable[[Any, Any], bool]) -> Any:
        e = _expr(other)
        if e is None:
            return NotImplemented
        r = fn(self.value, other.value if isinstance(other, Traced) else other)
        self.tracer.test((fn, self.expr, e), r)
        return r

    def __add__(self, o: Any) -> Any:
        return self._op(o, operator.add, False)

    def __radd__(self, o: Any) -> Any:
        return self._op(o, operator.add, True)

    def __sub__(self, o: Any) -> Any:
        return self._op(o, operator.sub, False)

    def __rsub__(self, o: Any) -> Any:
        return self._op(o, operator.sub, True)

    def __mul__(self, o: Any) -> Any:
        return self._op(o, operator.mul, False)

    def __rmul__(self, o: Any) -> Any:
        return self._op(o, operator.mul, True)

    def __truediv__(self, o: Any) -> Any:
        return self._op(o, operator.truediv, False)

    def __rtruediv__(self, o: Any) -> Any:
        return self._op(o, operator.truediv, True)

    def __floordiv__(self, o: Any) -> Any:
        return self._op(o, operator.floordiv, False)

    def __rfloordiv__(self, o: Any) -> Any:
        return self._op(o, operator.floordiv, True)

    def __mod__(self, o: Any) -> Any:
        return self._op(o, operator.mod, False)

    def __rmod__(self, o: Any) -> Any:
        return self._op(o, operator.mod, True)

    def __pow__(self, o: Any) -> Any:
        return self._op(o, operator.pow, False)

    def __rpow__(self, o: Any) -> Any:
        return self._op(o, operator.pow, True)

    def __neg__(self) -> Traced:
        return Traced(-self.value, (operator.neg, self.expr), self.tracer)

    def __pos__(self) -> Traced:
        return self

    def __abs__(self) -> Traced:
        return Traced(abs(self.value), (abs, self.expr), self.tracer)

    def __lt__(self, o: Any) -> Any:
        return self._compare(o, operator.lt)

    def __le__(self, o: Any) -> Any:
        return self._compare(o, operator.le)

    def __gt__(self, o: Any) -> Any:
        return self._compare(o, operator.gt)

    def __ge__(self, o: Any) -> Any:
        return self._compare(o, operator.ge)

    def __eq__(self, o: object) -> Any:
        return self._compare(o, operator.eq)

    def __ne__(self, o: object) -> Any:
        return self._compare(o, operator.ne)

    def __bool__(self) -> bool:
        r = bool(self.value)
        self.tracer.test((operator.truth, self.expr), r)
        return r

    # Everything else leaves the world of traced numbers: the number is pinned.
    def __float__(self) -> float:
        return self._escape()

    def __int__(self) -> int:
        return int(self._escape())

    def __trunc__(self) -> int:
        return math.trunc(self._escape())

    def __floor__(self) -> int:
        return math.floor(self._escape())

    def __ceil__(self) -> int:
        return math.ceil(self._escape())

    def __round__(self, ndigits: int | None = None) -> Any:
        return round(self._escape(), ndigits)

    def __divmod__(self, o: Any) -> Any:
        return divmod(self._escape(), float(o))

    def __rdivmod__(self, o: Any) -> Any:
        return divmod(float(o), self._escape())

    def __hash__(self) -> int:
        return hash(self._escape())

    def __format__(self, spec: str) -> str:
        return format(self._escape(), spec)

    def __str__(self) -> str:
        return str(self._escape())

    def __repr__(self) -> str:
        return f"Traced({self.value!r})"

    def __getattr__(self, name: str) -> Any:  # is_integer, hex, real, as_integer_ratio…
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._escape(), name)


numbers.Real.register(Traced)
