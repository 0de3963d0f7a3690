"""Checks of lesson 03's first step, the operations of the student's engine: ``a + b``,
``a * b``, ``x.tanh()`` and ``x.exp()``, each compared with microgrand's (the value, the inputs
in order, the local derivatives), and the neuron of lessons 01–02 built with either engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..selfcheck import Verdict
from ..value import Value as _MgValue
from .messages import Problem, close, compare, fmt
from .running import fields, leaf, need_method, run

__all__ = ["check_add", "check_exp", "check_mul", "check_tanh", "neuron_nodes"]


def neuron_nodes(V: Any) -> dict[str, Any]:
    """o = tanh(x1·w1 + x2·w2 + b), the neuron of lessons 01–02, built with the class ``V``
    (the student's ``Value`` or microgrand's); every node by name.

    Example:
        >>> from microgrand import Value
        >>> nodes = neuron_nodes(Value)
        >>> len(nodes), round(nodes["o"].data, 4)
        (10, 0.7071)
    """
    x1, x2 = leaf(V, 2.0, "x1"), leaf(V, 0.0, "x2")
    w1, w2 = leaf(V, -3.0, "w1"), leaf(V, 1.0, "w2")
    b = leaf(V, 6.8813735870195432, "b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    s = x1w1 + x2w2
    n = s + b
    o = n.tanh()
    return {
        "x1": x1,
        "x2": x2,
        "w1": w1,
        "w2": w2,
        "b": b,
        "x1w1": x1w1,
        "x2w2": x2w2,
        "x1w1 + x2w2": s,
        "n": n,
        "o": o,
    }


def _check_op(
    V: Any,
    what: str,
    made: Any,
    leaves: Sequence[Any],
    data: float,
    local: Sequence[float],
    names: Sequence[str],
) -> None:
    inputs, loc = fields(made, V, what)
    if not close(made.data, data):
        raise Problem(
            f"{what}: .data is {fmt(made.data)}, should be {fmt(data)}: check the forward value"
        )
    if made.grad != 0:
        raise Problem(f"{what}: a new Value starts with grad 0, yours has {made.grad!r}")
    if any(not isinstance(i, V) for i in inputs):
        raise Problem(
            f"{what}: .inputs should hold the Values themselves ({', '.join(names)}), "
            f"not their numbers: got {inputs!r}"
        )
    if [id(i) for i in inputs] != [id(v) for v in leaves]:
        raise Problem(
            f"{what}: .inputs should be ({', '.join(names)}), in that order, so that "
            "each local derivative sits beside its input"
        )
    for name, got, want in zip(names, loc, local, strict=True):
        if not close(got, want):
            hint = ""
            if close(got, -want):
                hint = ": the sign is flipped"
            raise Problem(
                f"{what}: the local derivative for {name} is {fmt(got)}, should be "
                f"{fmt(want)}{hint}"
            )


def _numbers(V: Any, op: str, f: Callable[[Any], Any], want: float) -> None:
    """The operation also takes a plain number on the right (``a + 1``, ``a * 2``, a = 2)."""
    try:
        out = f(leaf(V, 2.0, "a"))
    except (AttributeError, TypeError) as e:
        raise Problem(
            f"a {op} {1 if op == '+' else 2} (a plain number) fails ({e}): start with "
            "other = other if isinstance(other, Value) else Value(other)"
        ) from None
    if not (isinstance(out, V) and close(out.data, want)):
        raise Problem(
            f"a {op} {1 if op == '+' else 2} with a = 2 should be a Value with data "
            f"{fmt(want)}, got {out!r}"
        )


def check_add(Value: Any) -> Verdict:
    """Check ``a + b``: the forward value, the inputs ``(a, b)`` and the local derivatives.

    Example:
        >>> check_add(type("V", (), {}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_method(Value, "__add__", "+", "Exercise 1")

    def body() -> str:
        a, b = leaf(Value, 2.0, "a"), leaf(Value, -3.0, "b")
        c = a + b
        _, loc = fields(c, Value, "a + b")
        if close(c.data, 5.0):
            raise Problem("a + b with a = 2, b = -3: .data is 5, should be -1: that is a - b")
        if [fmt(x) for x in loc] == ["1", "0"] or [fmt(x) for x in loc] == ["0", "1"]:
            raise Problem(
                "a + b: the local derivatives are "
                f"({', '.join(fmt(x) for x in loc)}), should be (1, 1): c moves by "
                "as much as a does, and by as much as b does"
            )
        _check_op(Value, "a + b", c, (a, b), -1.0, (1.0, 1.0), ("a", "b"))
        if a.data != 2.0 or b.data != -3.0:
            raise Problem(
                "a + b changed a or b: an operation makes a new Value and leaves its "
                "inputs as they were"
            )
        _numbers(Value, "+", lambda x: x + 1, 3.0)
        return "a + b: the value, the inputs (a, b) and the local derivatives (1, 1) are right"

    return run("add", body)


def check_mul(Value: Any) -> Verdict:
    """Check ``a * b``: its value, its inputs and the local derivatives ``(b, a)``.

    Example:
        >>> check_mul(type("V", (), {}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_method(Value, "__mul__", "*", "Exercise 2")

    def body() -> str:
        a, b = leaf(Value, 2.0, "a"), leaf(Value, -3.0, "b")
        c = a * b
        _, loc = fields(c, Value, "a * b")
        got = [fmt(x) for x in loc]
        if got == ["2", "-3"]:
            raise Problem(
                "a * b with a = 2, b = -3: you stored the local derivatives (a, b) = "
                "(2, -3); each input's local derivative is the OTHER input: "
                "∂(ab)/∂a = b and ∂(ab)/∂b = a"
            )
        if got == ["1", "1"]:
            raise Problem(
                "a * b: the local derivatives are (1, 1), those of +; for a product "
                "∂(ab)/∂a = b and ∂(ab)/∂b = a"
            )
        _check_op(Value, "a * b with a = 2, b = -3", c, (a, b), -6.0, (-3.0, 2.0), ("a", "b"))
        _numbers(Value, "*", lambda x: x * 2, 4.0)
        return "a * b: the value, the inputs and the local derivatives (b, a) are right"

    return run("mul", body)


def check_tanh(Value: Any) -> Verdict:
    """Check ``x.tanh()`` (local derivative ``1 - t**2``, with ``t`` the output), then the
    forward pass of the neuron ``tanh(x1·w1 + x2·w2 + b)`` against microgrand, node by node.

    Example:
        >>> check_tanh(type("V", (), {}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_method(Value, "tanh", "tanh", "Exercise 3")

    def body() -> str:
        x = leaf(Value, 0.5, "x")
        t = x.tanh()
        _, loc = fields(t, Value, "x.tanh()")
        tv = math.tanh(0.5)
        if len(loc) == 1 and close(loc[0], 1 - 0.5**2):
            raise Problem(
                "x.tanh() at x = 0.5: the local derivative is 1 - x² = 0.75, taken "
                f"from the input; it is 1 - t² with t = tanh(x), the output: "
                f"{fmt(1 - tv**2)}"
            )
        if len(loc) == 1 and close(loc[0], tv**2):
            raise Problem(
                f"x.tanh() at x = 0.5: the local derivative is t² = {fmt(tv**2)}; it is 1 - t²"
            )
        _check_op(Value, "x.tanh() at x = 0.5", t, (x,), tv, (1 - tv**2,), ("x",))
        lines = compare(neuron_nodes(Value), neuron_nodes(_MgValue), grads=False)
        if lines:
            raise Problem("the neuron tanh(x1·w1 + x2·w2 + b): " + "; ".join(lines))
        return (
            "tanh is right, and all 10 values of the neuron tanh(x1·w1 + x2·w2 + b) agree "
            "with microgrand"
        )

    return run("tanh", body)


def check_exp(Value: Any) -> Verdict:
    """Check ``x.exp()``: the value ``e**x`` and the local derivative ``e**x`` (itself).

    Example:
        >>> check_exp(type("V", (), {}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_method(Value, "exp", "exp", "Exercise 7")

    def body() -> str:
        x = leaf(Value, 0.7, "x")
        e = x.exp()
        _, loc = fields(e, Value, "x.exp()")
        if len(loc) == 1 and close(loc[0], 0.7):
            raise Problem(
                "x.exp() at x = 0.7: the local derivative is x = 0.7; the derivative "
                f"of e^x is e^x itself, the output: {fmt(math.exp(0.7))}"
            )
        _check_op(Value, "x.exp() at x = 0.7", e, (x,), math.exp(0.7), (math.exp(0.7),), ("x",))
        return "exp: the value and the local derivative e^x are right"

    return run("exp", body)
