"""The :class:`Value`: one float, one node of a scalar computation graph.

A Value keeps its inputs and the local derivative of its output with respect to each
input, computed in the forward pass (read them as :attr:`Value.inputs` and
:attr:`Value.local_grads`). A node with one or two inputs — nearly every node — keeps them
in its own slots (``_a``, ``_b`` and ``_la``, ``_lb``), so it is a single object that
Python's cyclic garbage collector tracks, with no tuples; only a node with any number of
inputs (``vsum``, ``softmax``) keeps tuples (``_xs``, ``_ls``). There are no closures per
node, so a graph is freed by reference counting as soon as it goes out of scope. All the
math comes from :mod:`microgrand.rules`; the backward pass (the topological order and the
sweep of the chain rule) is :mod:`microgrand.backprop`, which reads the same slots.

Numbers: a Value holds a finite float. ``Value(nan)``, ``Value(inf)`` and non-finite
constants (``x + float("inf")``) are refused with a ``ValueError``, and an operation whose
inputs are finite but whose result is not (``Value(1e200) * 1e200``, ``exp(1000)``) raises
``OverflowError`` naming the operation and its operands, so no NaN or infinity ever enters
a graph silently. (A *gradient* can still become infinite, e.g. the slope of ``sqrt`` at 0;
:meth:`Value.backward` then warns with :class:`NonFiniteGradientWarning`.)

Example:
    >>> from microgrand import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + 1
    >>> y.backward()
    >>> y.data, x.grad
    (5.0, 4.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from . import rules as _rules
from ._codegen import BINARY_SOURCE, UNARY_SOURCE, operator_code
from ._numbers import domain_error, is_number, not_finite
from .backprop import NonFiniteGradientWarning, backpropagate, topological_order
from .rules import Rule, leaky_relu_rule, power_rule

__all__ = [
    "NonFiniteGradientWarning",
    "Scope",
    "Value",
    "apply",
    "as_value",
    "assemble_node",
    "make_node",
    "topological_order",
]

Operand: TypeAlias = "Value | int | float"


@dataclass(frozen=True, slots=True)
class Scope:
    """A named group of nodes; nested scopes form a path such as ``"mlp/layer1/neuron0"``.

    Made by :func:`microgrand.scope`; every Value remembers the scope it was created in.

    Example:
        >>> Scope("neuron0", Scope("layer1")).path
        'layer1/neuron0'
    """

    name: str
    parent: Scope | None = None
    path: str = field(init=False, repr=False, compare=False)
    """The names from the outermost scope to this one, joined by ``/``: made once, from the
    parent's path, so reading it costs nothing however deep scopes nest."""

    def __post_init__(self) -> None:
        path = self.name if self.parent is None else f"{self.parent.path}/{self.name}"
        object.__setattr__(self, "path", path)


# Module state switched by microgrand.context (no_grad / scope). Plain globals: they are read
# on every operation, and a global is the cheapest thing Python can read.
_GRAD_ENABLED = True
_SCOPE: Scope | None = None


_is_number = is_number  # the name used inside this module
_not_finite = not_finite
_domain_error = domain_error


def swap_grad_enabled(enabled: bool) -> bool:
    """Turn graph recording on or off and return the previous setting: the switch behind
    :func:`microgrand.no_grad` (use that; this is the engine's side of it).

    Example:
        >>> before = swap_grad_enabled(False)
        >>> (Value(2.0) * 3).inputs, swap_grad_enabled(before)
        ((), False)
    """
    global _GRAD_ENABLED
    before = _GRAD_ENABLED
    _GRAD_ENABLED = bool(enabled)
    return before


def swap_scope(scope: Scope | None) -> Scope | None:
    """Make ``scope`` the one new Values are tagged with and return the previous one: the
    switch behind :func:`microgrand.scope` (use that; this is the engine's side of it).

    Example:
        >>> before = swap_scope(Scope("layer1", None))
        >>> v = Value(1.0); _ = swap_scope(before)
        >>> v.scope, swap_scope(before) is before
        ('layer1', True)
    """
    global _SCOPE
    before = _SCOPE
    _SCOPE = scope
    return before


def grad_enabled() -> bool:
    """False inside :func:`microgrand.no_grad` (see :func:`microgrand.is_grad_enabled`).

    Example:
        >>> grad_enabled()
        True
    """
    return _GRAD_ENABLED


def current_scope() -> Scope | None:
    """The scope new Values are tagged with now (None outside every scope).

    Example:
        >>> current_scope() is None
        True
    """
    return _SCOPE


def set_forward(target: Value, source: Value) -> None:
    """Give ``target`` the number and the local derivatives of ``source``, a node made by the
    same operation from new numbers; ``target`` keeps its inputs. This is how a live view
    brings the page's numbers back into the user's graph.

    Example:
        >>> x = Value(2.0); y = x * x
        >>> x.data = 3.0; set_forward(y, Value(3.0) * Value(3.0))
        >>> y.data, y.local_grads
        (9.0, (3.0, 3.0))
    """
    if target.op != source.op:
        raise ValueError(
            f"set_forward() needs two nodes of one operation, got {target.op!r} and {source.op!r}"
        )
    target.data = source.data
    target._la, target._lb, target._ls = source._la, source._lb, source._ls


def make_node(rule: Rule, inputs: tuple[Value, ...]) -> Value:
    """The node ``rule(*inputs)``: its forward value and local derivatives, checked against
    the numbers policy (a non-finite result or a domain error raises, naming the operation).

    For modules that build nodes from :class:`~microgrand.rules.Rule` objects (the free
    functions of :mod:`microgrand.functions`); users call :func:`apply` with a rule's name.

    Example:
        >>> from microgrand.rules import RULES
        >>> make_node(RULES["mul"], (Value(2.0), Value(3.0))).data
        6.0
    """
    xs = [v.data for v in inputs]
    try:
        out = rule.forward(*xs)
        if out - out != 0.0:  # inf or nan (the one check of the numbers policy)
            raise OverflowError
        local = rule.local(out, *xs)
    except (ArithmeticError, ValueError) as e:
        raise _domain_error(rule, xs, e) from None
    return assemble_node(out, inputs, local, rule)


def assemble_node(
    data: float, prev: tuple[Value, ...], local: tuple[float, ...], rule: Rule
) -> Value:
    """A node from numbers already computed (no checks): ``data`` from ``rule`` applied to
    ``prev``, with the local derivatives ``local``; inputs are kept only while gradients are
    on, and the node joins the current scope. :func:`make_node` is the checked way.

    Example:
        >>> from microgrand.rules import RULES
        >>> n = assemble_node(5.0, (Value(2.0), Value(3.0)), (1.0, 1.0), RULES["add"])
        >>> n.data, n.local_grads
        (5.0, (1.0, 1.0))
    """
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._op = rule
    v._a = v._b = None
    v._la = v._lb = 0.0
    v._xs = v._ls = ()
    if _GRAD_ENABLED:
        if rule.arity == 1:
            (v._a,) = prev
            (v._la,) = local
        elif rule.arity == 2:
            v._a, v._b = prev
            v._la, v._lb = local
        else:
            v._xs = prev
            v._ls = tuple(local)
    v._scope = _SCOPE
    return v


_new = object.__new__


# Types that never combine with a Value: refuse them with our own message, instead of letting
# Python try e.g. str * Value ("can't multiply sequence by non-int").
_REFUSED = (str, bytes, bool, type(None), list, tuple, dict, set, complex)


def _refuse(symbol: str, left: object, right: object) -> None:
    other = right if isinstance(left, Value) else left
    if isinstance(other, _REFUSED):
        raise TypeError(
            f"unsupported operand types for {symbol}: '{type(left).__name__}' and "
            f"'{type(right).__name__}' (a Value combines with real numbers and other Values)"
        )


def _constant(x: object) -> Value:
    """A leaf for a number used in an operation (``x * 2``); NotImplemented for non-numbers."""
    cls = x.__class__
    if cls is float:
        data: float = x  # type: ignore[assignment]
    elif cls is int or _is_number(x):
        try:
            data = float(x)  # type: ignore[arg-type]
        except OverflowError:  # an int too large for a float
            data = math.inf
    else:
        return NotImplemented  # type: ignore[no-any-return]
    if data - data != 0.0:
        raise _not_finite("a number combined with a Value", data)
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._op = None
    v._a = v._b = None
    v._la = v._lb = 0.0
    v._xs = v._ls = ()
    v._scope = _SCOPE
    return v


_BinOp: TypeAlias = "Callable[[Value, Operand], Value]"


def _generate(source: str, rule: Rule, *args: object) -> Any:
    """The operator function for ``rule`` from ``source`` (:mod:`microgrand._codegen`), run in
    this module's namespace so that it reads _GRAD_ENABLED and _SCOPE live."""
    namespace: dict[str, Any] = {}
    code = operator_code(source, rule)
    exec(compile(code, f"<microgrand operator {rule.name}>", "exec"), globals(), namespace)
    return namespace["make"](rule, rule.forward, rule.local, *args)


def _binary(rule: Rule) -> tuple[_BinOp, _BinOp]:
    """Build ``op(self, other)`` and the reflected ``op(other, self)`` for a binary rule."""
    symbol = rule.operator or rule.name
    op: _BinOp = _generate(BINARY_SOURCE, rule, symbol)

    def rop(self: Value, other: Any) -> Value:
        c = _constant(other)
        if c is NotImplemented:
            _refuse(symbol, other, self)
            return NotImplemented  # type: ignore[no-any-return]
        return op(c, self)

    op.__name__ = f"__{rule.name}__"
    rop.__name__ = f"__r{rule.name}__"
    return op, rop


def _unary(rule: Rule) -> Callable[[Value], Value]:
    op: Callable[[Value], Value] = _generate(UNARY_SOURCE, rule)
    op.__name__ = rule.name
    op.__doc__ = f"{rule.text}; local derivative {rule.dtext[0]}."
    return op


def apply(name: str, *inputs: Operand, param: float | None = None) -> Value:
    """Apply the rule ``name`` from :data:`microgrand.RULES` to Values (or numbers): one node.

    This is how every operation can be used, including one registered at run time with
    :func:`microgrand.rules.defrule`; families take their constant as ``param``
    (``apply("powc", x, param=3)`` is ``x ** 3``).

    Example:
        >>> apply("mul", Value(2.0), 3.0).data
        6.0
        >>> apply("leaky_relu", Value(-2.0), param=0.1).data
        -0.2
    """
    if param is not None and not (_is_number(param) and math.isfinite(param)):
        raise _not_finite(f"the parameter of {name}", param)
    if param is not None and name not in _rules.FAMILIES:
        raise TypeError(f"{name} takes no parameter (only {', '.join(_rules.FAMILIES)} do)")
    r = _rules.rule(name, param)
    xs = tuple(as_value(x, name) for x in inputs)
    if (r.arity and len(xs) != r.arity) or not xs:
        want = "at least one input" if r.arity == 0 else f"{r.arity} input{'s' * (r.arity > 1)}"
        raise TypeError(f"{name} takes {want}, got {len(xs)}")
    return make_node(r, xs)


_R = _rules.RULES
# x ** c: one unary operation per constant exponent, built once (2 and 2.0 share a key).
_POWC_METHODS: dict[object, Callable[[Value], Value]] = {}
_add, _radd = _binary(_R["add"])
_sub, _rsub = _binary(_R["sub"])
_mul, _rmul = _binary(_R["mul"])
_div, _rdiv = _binary(_R["div"])
_pow, _rpow = _binary(_R["pow"])


class Value:
    """A scalar that remembers how it was computed, so that it can compute gradients.

    Arithmetic (``+ - * / **``, unary ``-``, ``abs``) and the methods below build a graph;
    :meth:`backward` fills in ``grad`` on every node by the chain rule.

    Attributes:
        data: the forward value.
        grad: d(root)/d(this node) after ``root.backward()``.
        label: a name shown in diagrams and explanations (may be empty).

    Example:
        >>> a, b = Value(-4.0, label="a"), Value(2.0, label="b")
        >>> c = a * b + b ** 3
        >>> c.backward()
        >>> c.data, a.grad, b.grad
        (0.0, 2.0, 8.0)
    """

    __slots__ = ("_a", "_b", "_la", "_lb", "_ls", "_op", "_scope", "_xs", "data", "grad", "label")

    data: float
    grad: float
    label: str
    _op: Rule | None
    # The edges (see the module docstring): first and second input with their local
    # derivatives (None and 0.0 when absent), or, for a node with any number of inputs,
    # ``_a is None`` and the tuples ``_xs`` / ``_ls``.
    _a: Value | None
    _b: Value | None
    _la: float
    _lb: float
    _xs: tuple[Value, ...]
    _ls: tuple[float, ...]
    _scope: Scope | None

    def __init__(self, data: float, label: str = "") -> None:
        if data.__class__ is not float:
            if not _is_number(data):
                got = type(data).__name__
                hint = " (use the Value itself)" if isinstance(data, Value) else ""
                raise TypeError(f"Value() needs a real number, got {got}{hint}: {data!r}")
            try:
                data = float(data)
            except OverflowError:  # an int too large for a float
                data = math.inf
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        if data - data != 0.0:
            raise _not_finite("Value()", data)
        self.data = data
        self.grad = 0.0
        self.label = label
        self._op = None
        self._a = self._b = None
        self._la = self._lb = 0.0
        self._xs = self._ls = ()
        self._scope = _SCOPE

    # --- read-only views of the graph ---------------------------------------------------

    @property
    def op(self) -> str:
        """Name of the operation that made this node (``""`` for an input).

        Example:
            >>> (Value(1.0) * 2).op
            'mul'
        """
        return "" if self._op is None else self._op.name

    @property
    def rule(self) -> Rule | None:
        """The :class:`~microgrand.rules.Rule` that made this node, or ``None`` for an input."""
        return self._op

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The inputs of this node, in order (``a - b`` has ``(a, b)``).

        Example:
            >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
            >>> [u.label for u in (a - b).inputs], (-a).inputs == (a,), a.inputs
            (['a', 'b'], True, ())
        """
        a = self._a
        if a is None:
            return self._xs
        b = self._b
        return (a,) if b is None else (a, b)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(this node)/d(input) for each input, computed in the forward pass.

        Example:
            >>> (Value(2.0) * Value(3.0)).local_grads
            (3.0, 2.0)
        """
        if self._a is None:
            return self._ls
        return (self._la,) if self._b is None else (self._la, self._lb)

    @property
    def scope(self) -> str:
        """The ``/``-separated scope this node was created in (``""`` outside any scope)."""
        return "" if self._scope is None else self._scope.path

    def __repr__(self) -> str:
        lab = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{lab})"

    def __float__(self) -> float:
        return self.data

    # --- arithmetic -------------------------------------------------------------------------

    __add__, __radd__ = _add, _radd
    __sub__, __rsub__ = _sub, _rsub
    __mul__, __rmul__ = _mul, _rmul
    __truediv__, __rtruediv__ = _div, _rdiv

    def __pow__(self, other: Operand) -> Value:
        """``x ** c`` (constant exponent, one node) or ``x ** y`` (both Values)."""
        if other.__class__ is Value:
            return _pow(self, other)
        method = _POWC_METHODS.get(other) if other.__class__ is not bool else None
        if method is None:
            if not _is_number(other):
                _refuse("**", self, other)
                return NotImplemented
            c = _constant(other).data  # refuses nan and ±inf
            method = _unary(power_rule(c))
            if len(_POWC_METHODS) < 1024:
                _POWC_METHODS[other] = method
        return method(self)

    __rpow__ = _rpow

    __neg__ = _unary(_R["neg"])
    __abs__ = _unary(_R["abs"])

    def __pos__(self) -> Value:
        return self

    exp = _unary(_R["exp"])
    log = _unary(_R["log"])
    sqrt = _unary(_R["sqrt"])
    tanh = _unary(_R["tanh"])
    sigmoid = _unary(_R["sigmoid"])
    relu = _unary(_R["relu"])
    softplus = _unary(_R["softplus"])
    sin = _unary(_R["sin"])
    cos = _unary(_R["cos"])

    def leaky_relu(self, alpha: float = 0.01) -> Value:
        """``x`` for ``x > 0`` else ``alpha · x``.

        Example:
            >>> Value(-2.0).leaky_relu(0.1).data
            -0.2
        """
        if not _is_number(alpha):
            raise TypeError(f"leaky_relu alpha must be a real number, got {type(alpha).__name__}")
        if not math.isfinite(alpha):
            raise _not_finite("leaky_relu alpha", float(alpha))
        return make_node(leaky_relu_rule(float(alpha)), (self,))

    # comparisons compare the forward values (equality stays identity, so Values hash)
    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other)

    __hash__ = object.__hash__

    # --- gradients --------------------------------------------------------------------------

    def backward(self, grad: float = 1.0) -> None:
        """Fill in ``grad`` on every node of the graph below this one, by the chain rule.

        ``grad`` seeds this node's gradient (d root / d root = 1 by default; pass another
        number to backpropagate an upstream gradient). Gradients of the *inputs* (leaves:
        data and parameters) **accumulate** across calls, as in PyTorch, so call
        :func:`zero_grad` (or ``model.zero_grad()``) between training steps. Gradients of
        intermediate nodes are recomputed by each call. Warns
        :class:`NonFiniteGradientWarning` naming the first node whose gradient became
        NaN or infinite. (The pass itself: :func:`microgrand.backprop.backpropagate`.)

        Example:
            >>> x = Value(3.0)
            >>> y = x * x
            >>> y.backward(); x.grad
            6.0
            >>> y.backward(); x.grad   # accumulates
            12.0
        """
        backpropagate(self, grad)

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this node and every node below it.

        Example:
            >>> x = Value(2.0); y = x * 3; y.backward(); y.zero_grad(); x.grad
            0.0
        """
        for v in topological_order(self):
            v.grad = 0.0


def _data(x: Operand) -> float:
    if x.__class__ is Value:
        return x.data
    if _is_number(x):
        return float(x)
    raise TypeError(f"cannot compare a Value with {type(x).__name__}")


def as_value(x: Operand, what: str) -> Value:
    """``x`` itself if it is a Value, a new leaf if it is a number; otherwise a TypeError
    that names ``what`` (the function that was given ``x``).

    Example:
        >>> as_value(2, "vsum").data
        2.0
    """
    if isinstance(x, Value):
        return x
    if _is_number(x):
        return Value(x)
    raise TypeError(f"{what} takes Values or numbers, got {type(x).__name__}: {x!r}")
