"""Checks for lesson 03, where students build their own autograd engine, step by step.

Each ``check_*`` function takes what the student wrote (their ``Value`` class, their
functions), runs it on small cases, compares the results with microgrand's (the oracle), and
returns a :class:`~microgrand.selfcheck.Verdict` whose message says precisely what differs: a
sign, a local derivative taken from the wrong input, a contribution overwritten (``=`` instead
of ``+=``), a node visited twice, nodes in the wrong order, a forgotten ``zero_grad``…

The student's ``Value`` is expected to keep the fields the lesson gives it::

    class Value:
        def __init__(self, data, inputs=(), local=(), op="", label=""):
            self.data = float(data)   # the number
            self.grad = 0.0           # d(output)/d(self), filled in by backward()
            self.inputs = inputs      # the Values this one was made from
            self.local = local        # ∂(self)/∂(input), one number per input
            self.op = op
            self.label = label

A step the student has not written yet (a method missing from the class, or a function still
bound to a :func:`todo` placeholder) makes the check raise :class:`NotWrittenYet`, which says
what to write and where; in Jupyter it shows as that one message, not a traceback, and "Run
all" stops there. Anything the student's code raises while being checked is caught and
reported in the verdict.

Example:
    >>> class V:
    ...     def __init__(self, data, inputs=(), local=(), op="", label=""):
    ...         self.data, self.grad = float(data), 0.0
    ...         self.inputs, self.local, self.op, self.label = inputs, local, op, label
    ...     def __add__(self, other):
    ...         other = other if isinstance(other, V) else V(other)
    ...         return V(self.data + other.data, (self, other), (1.0, 1.0), "+")
    >>> check_add(V)
    ✓ a + b: the value, the inputs (a, b) and the local derivatives (1, 1) are right
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from .selfcheck import Verdict, log_verdict
from .value import Value as _MgValue

__all__ = [
    "NotWrittenYet",
    "NudgeReport",
    "check_accumulation",
    "check_add",
    "check_backward",
    "check_backward_step",
    "check_exp",
    "check_layer_and_mlp",
    "check_mul",
    "check_neuron",
    "check_tanh",
    "check_tanh_from_exp",
    "check_topological_order",
    "check_training",
    "nudge",
    "todo",
]

_TOL = 1e-9


class NotWrittenYet(NotImplementedError):
    """A step of the build has not been written yet; the message says what to write.

    In Jupyter the error shows as its message alone (no traceback), and "Run all" stops at it.

    Example:
        >>> try:  # doctest: +ELLIPSIS
        ...     todo("backward_step", "Exercise 4")(None)
        ... except NotWrittenYet as e:
        ...     print(e)
        … not answered yet: backward_step is not written yet: write it in the empty cell under ...
    """

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead
        return [f"NotWrittenYet: {self}"]


class _Todo:
    """A placeholder for a function or class the student will write (see :func:`todo`)."""

    def __init__(self, name: str, where: str) -> None:
        self.name = name
        self.where = where

    def message(self) -> str:
        return (
            f"… not answered yet: {self.name} is not written yet: write it in the empty "
            f"cell under {self.where}, then run this cell again"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotWrittenYet(self.message())

    def __repr__(self) -> str:
        return f"<{self.name}: not written yet ({self.where})>"


def todo(name: str, where: str) -> Callable[..., Any]:
    """A placeholder for a function (or class) the student writes later in the lesson.

    Calling it raises :class:`NotWrittenYet`, and a check given it says what to write, so a
    lesson run from the top stops at the first step not written yet.

    Example:
        >>> topological_order = todo("topological_order", "Exercise 5")
        >>> topological_order
        <topological_order: not written yet (Exercise 5)>
    """
    return _Todo(name, where)


# --- shared helpers ----------------------------------------------------------------------------


class _Step:
    """What a check logged (for the lessons' tests): the step's name, never a value."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"buildcheck.{self.name}"


class _Problem(Exception):
    """Raised inside a check to stop it with a ✗ message."""


def _verdict(step: str, ok: bool, message: str) -> Verdict:
    log_verdict(_Step(f"{step}:yours"), _Step(step), ok)
    return Verdict(ok, message)


def _run(step: str, body: Callable[[], str]) -> Verdict:
    """Run a check's body: its return is the ✓ message, a _Problem the ✗ message; anything
    the student's code raises is reported, NotWrittenYet passes through."""
    try:
        return _verdict(step, True, "✓ " + body())
    except NotWrittenYet:
        raise
    except _Problem as p:
        return _verdict(step, False, "✗ " + str(p))
    except RecursionError:
        return _verdict(
            step,
            False,
            "✗ your code called itself without end (RecursionError): "
            "does a function call itself on the same node?",
        )
    except Exception as e:  # the student's code failed: say where, without a traceback
        return _verdict(step, False, f"✗ your code raised {type(e).__name__}: {e}")


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _close(x: Any, y: float, tol: float = _TOL) -> bool:
    return isinstance(x, int | float) and math.isclose(float(x), y, rel_tol=tol, abs_tol=tol)


def _need_method(V: Any, attr: str, what: str, where: str) -> None:
    if not isinstance(V, type):
        raise NotWrittenYet(f"… not answered yet: pass your Value class (got {V!r})")
    if getattr(V, attr, None) is None:
        raise NotWrittenYet(
            f"… not answered yet: your Value has no {what} yet: write it in the empty cell "
            f"under {where} (and attach it: Value.{attr} = ...), then run this cell again"
        )


def _need_function(f: Any, name: str) -> None:
    if isinstance(f, _Todo):
        raise NotWrittenYet(f.message())
    if not callable(f):
        raise _Problem(f"{name} should be a function, got {type(f).__name__}")


def _leaf(V: Any, x: float, label: str) -> Any:
    v = V(x)
    v.label = label
    return v


def _fields(node: Any, V: Any, what: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """A node's inputs and local derivatives, after checking it is a Value that has them."""
    if not isinstance(node, V):
        raise _Problem(
            f"{what} should be a new Value, got {type(node).__name__} {node!r}: return Value(...)"
        )
    for attr in ("data", "grad", "inputs", "local"):
        if not hasattr(node, attr):
            raise _Problem(f"{what} has no .{attr}: keep the fields of the lesson's __init__")
    inputs, local = tuple(node.inputs), tuple(node.local)
    if len(inputs) != len(local):
        raise _Problem(
            f"{what} has {len(inputs)} inputs but {len(local)} local derivatives: "
            "one local derivative per input"
        )
    return inputs, local


def _graph(root: Any) -> list[Any]:
    """Every node below ``root`` once, each after its inputs (iterative depth-first search)."""
    order: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for inp in reversed(tuple(getattr(node, "inputs", ()))):
            if id(inp) not in seen:
                stack.append((inp, False))
    return order


# --- expressions built with either engine ----------------------------------------------------


def _neuron(V: Any) -> dict[str, Any]:
    """o = tanh(x1·w1 + x2·w2 + b), the neuron of lessons 01–02; every node by name."""
    x1, x2 = _leaf(V, 2.0, "x1"), _leaf(V, 0.0, "x2")
    w1, w2 = _leaf(V, -3.0, "w1"), _leaf(V, 1.0, "w2")
    b = _leaf(V, 6.8813735870195432, "b")
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


def _compare(mine: dict[str, Any], ref: dict[str, Any], grads: bool) -> list[str]:
    """What differs between the student's nodes and microgrand's, one line per node."""
    lines = []
    for name, m in mine.items():
        r = ref[name]
        if not _close(m.data, r.data, 1e-9):
            lines.append(f"{name}.data is {_fmt(m.data)}, should be {_fmt(r.data)}")
        elif grads and not _close(m.grad, r.grad, 1e-7):
            lines.append(f"{name}.grad is {_fmt(m.grad)}, should be {_fmt(r.grad)}")
    return lines


# --- step 1: +, *, tanh, exp -----------------------------------------------------------------


def _check_op(
    V: Any,
    what: str,
    made: Any,
    leaves: Sequence[Any],
    data: float,
    local: Sequence[float],
    names: Sequence[str],
) -> None:
    inputs, loc = _fields(made, V, what)
    if not _close(made.data, data):
        raise _Problem(
            f"{what}: .data is {_fmt(made.data)}, should be {_fmt(data)}: check the forward value"
        )
    if made.grad != 0:
        raise _Problem(f"{what}: a new Value starts with grad 0, yours has {made.grad!r}")
    if any(not isinstance(i, V) for i in inputs):
        raise _Problem(
            f"{what}: .inputs should hold the Values themselves ({', '.join(names)}), "
            f"not their numbers: got {inputs!r}"
        )
    if [id(i) for i in inputs] != [id(v) for v in leaves]:
        raise _Problem(
            f"{what}: .inputs should be ({', '.join(names)}), in that order, so that "
            "each local derivative sits beside its input"
        )
    for name, got, want in zip(names, loc, local, strict=True):
        if not _close(got, want):
            hint = ""
            if _close(got, -want):
                hint = ": the sign is flipped"
            raise _Problem(
                f"{what}: the local derivative for {name} is {_fmt(got)}, should be "
                f"{_fmt(want)}{hint}"
            )


def _numbers(V: Any, op: str, f: Callable[[Any], Any], want: float) -> None:
    """The operation also takes a plain number on the right (``a + 1``, ``a * 2``, a = 2)."""
    try:
        out = f(_leaf(V, 2.0, "a"))
    except (AttributeError, TypeError) as e:
        raise _Problem(
            f"a {op} {1 if op == '+' else 2} (a plain number) fails ({e}): start with "
            "other = other if isinstance(other, Value) else Value(other)"
        ) from None
    if not (isinstance(out, V) and _close(out.data, want)):
        raise _Problem(
            f"a {op} {1 if op == '+' else 2} with a = 2 should be a Value with data "
            f"{_fmt(want)}, got {out!r}"
        )


def check_add(Value: Any) -> Verdict:
    """Check ``a + b``: the forward value, the inputs ``(a, b)`` and the local derivatives.

    Example:
        >>> check_add(type("V", (), {}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_method(Value, "__add__", "+", "Exercise 1")

    def body() -> str:
        a, b = _leaf(Value, 2.0, "a"), _leaf(Value, -3.0, "b")
        c = a + b
        _, loc = _fields(c, Value, "a + b")
        if _close(c.data, 5.0):
            raise _Problem("a + b with a = 2, b = -3: .data is 5, should be -1: that is a - b")
        if [_fmt(x) for x in loc] == ["1", "0"] or [_fmt(x) for x in loc] == ["0", "1"]:
            raise _Problem(
                "a + b: the local derivatives are "
                f"({', '.join(_fmt(x) for x in loc)}), should be (1, 1): c moves by "
                "as much as a does, and by as much as b does"
            )
        _check_op(Value, "a + b", c, (a, b), -1.0, (1.0, 1.0), ("a", "b"))
        if a.data != 2.0 or b.data != -3.0:
            raise _Problem(
                "a + b changed a or b: an operation makes a new Value and leaves its "
                "inputs as they were"
            )
        _numbers(Value, "+", lambda x: x + 1, 3.0)
        return "a + b: the value, the inputs (a, b) and the local derivatives (1, 1) are right"

    return _run("add", body)


def check_mul(Value: Any) -> Verdict:
    """Check ``a * b``: its value, its inputs and the local derivatives ``(b, a)``.

    Example:
        >>> check_mul(type("V", (), {}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_method(Value, "__mul__", "*", "Exercise 2")

    def body() -> str:
        a, b = _leaf(Value, 2.0, "a"), _leaf(Value, -3.0, "b")
        c = a * b
        _, loc = _fields(c, Value, "a * b")
        got = [_fmt(x) for x in loc]
        if got == ["2", "-3"]:
            raise _Problem(
                "a * b with a = 2, b = -3: you stored the local derivatives (a, b) = "
                "(2, -3); each input's local derivative is the OTHER input: "
                "∂(ab)/∂a = b and ∂(ab)/∂b = a"
            )
        if got == ["1", "1"]:
            raise _Problem(
                "a * b: the local derivatives are (1, 1), those of +; for a product "
                "∂(ab)/∂a = b and ∂(ab)/∂b = a"
            )
        _check_op(Value, "a * b with a = 2, b = -3", c, (a, b), -6.0, (-3.0, 2.0), ("a", "b"))
        _numbers(Value, "*", lambda x: x * 2, 4.0)
        return "a * b: the value, the inputs and the local derivatives (b, a) are right"

    return _run("mul", body)


def check_tanh(Value: Any) -> Verdict:
    """Check ``x.tanh()`` (local derivative ``1 - t**2``, with ``t`` the output), then the
    forward pass of the neuron ``tanh(x1·w1 + x2·w2 + b)`` against microgrand, node by node.

    Example:
        >>> check_tanh(type("V", (), {}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_method(Value, "tanh", "tanh", "Exercise 3")

    def body() -> str:
        x = _leaf(Value, 0.5, "x")
        t = x.tanh()
        _, loc = _fields(t, Value, "x.tanh()")
        tv = math.tanh(0.5)
        if len(loc) == 1 and _close(loc[0], 1 - 0.5**2):
            raise _Problem(
                "x.tanh() at x = 0.5: the local derivative is 1 - x² = 0.75, taken "
                f"from the input; it is 1 - t² with t = tanh(x), the output: "
                f"{_fmt(1 - tv**2)}"
            )
        if len(loc) == 1 and _close(loc[0], tv**2):
            raise _Problem(
                f"x.tanh() at x = 0.5: the local derivative is t² = {_fmt(tv**2)}; it is 1 - t²"
            )
        _check_op(Value, "x.tanh() at x = 0.5", t, (x,), tv, (1 - tv**2,), ("x",))
        lines = _compare(_neuron(Value), _neuron(_MgValue), grads=False)
        if lines:
            raise _Problem("the neuron tanh(x1·w1 + x2·w2 + b): " + "; ".join(lines))
        return (
            "tanh is right, and all 10 values of the neuron tanh(x1·w1 + x2·w2 + b) agree "
            "with microgrand"
        )

    return _run("tanh", body)


def check_exp(Value: Any) -> Verdict:
    """Check ``x.exp()``: the value ``e**x`` and the local derivative ``e**x`` (itself).

    Example:
        >>> check_exp(type("V", (), {}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_method(Value, "exp", "exp", "Exercise 7")

    def body() -> str:
        x = _leaf(Value, 0.7, "x")
        e = x.exp()
        _, loc = _fields(e, Value, "x.exp()")
        if len(loc) == 1 and _close(loc[0], 0.7):
            raise _Problem(
                "x.exp() at x = 0.7: the local derivative is x = 0.7; the derivative "
                f"of e^x is e^x itself, the output: {_fmt(math.exp(0.7))}"
            )
        _check_op(Value, "x.exp() at x = 0.7", e, (x,), math.exp(0.7), (math.exp(0.7),), ("x",))
        return "exp: the value and the local derivative e^x are right"

    return _run("exp", body)


# --- step 2: backward_step, topological order, backward ----------------------------------------


def check_backward_step(backward_step: Any, Value: Any) -> Verdict:
    """Check one node's chain rule: after ``backward_step(c)`` each input of ``c`` has
    ``local × c.grad``.

    Every input starts at grad 0 here, so both ``=`` and ``+=`` pass this check (the
    difference shows when a node is used twice: :func:`check_accumulation`).

    Example:
        >>> check_backward_step(todo("backward_step", "Exercise 4"), object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_function(backward_step, "backward_step")
    _need_method(Value, "__mul__", "*", "Exercise 2")

    def body() -> str:
        a, b = _leaf(Value, 2.0, "a"), _leaf(Value, -3.0, "b")
        c = a * b
        c.grad = 0.5
        result = backward_step(c)
        if result is not None and not isinstance(result, Value):
            raise _Problem("backward_step(node) changes the inputs' .grad; it returns nothing")
        if c.grad != 0.5:
            raise _Problem(
                "backward_step(c) changed c.grad: it passes c's gradient on to c's "
                "inputs and leaves c.grad as it was"
            )
        want = {"a": -3.0 * 0.5, "b": 2.0 * 0.5}
        got = {"a": a.grad, "b": b.grad}
        case = "for c = a * b with a = 2, b = -3 and c.grad = 0.5"
        if got["a"] == 0 and got["b"] == 0:
            raise _Problem(
                f"{case}, a.grad and b.grad are still 0: loop over "
                "zip(node.inputs, node.local) and give each input local × node.grad"
            )
        if _close(got["a"], 0.5) and _close(got["b"], 0.5):
            raise _Problem(
                f"{case}, a.grad = b.grad = 0.5 = c.grad: multiply by the local "
                "derivative (the chain rule: local × node.grad)"
            )
        if _close(got["a"], -3.0) and _close(got["b"], 2.0):
            raise _Problem(
                f"{case}, a.grad = -3 and b.grad = 2 are the local derivatives alone: "
                "multiply them by node.grad"
            )
        if _close(got["a"], 1.0) and _close(got["b"], -1.5):
            raise _Problem(
                f"{case}, a.grad and b.grad are swapped: pair each input with its "
                "own local derivative, zip(node.inputs, node.local)"
            )
        for k in ("a", "b"):
            if _close(got[k], -want[k]):
                raise _Problem(
                    f"{case}, {k}.grad is {_fmt(got[k])}, should be "
                    f"{_fmt(want[k])}: the sign is flipped"
                )
            if not _close(got[k], want[k]):
                raise _Problem(
                    f"{case}, {k}.grad is {_fmt(got[k])}, should be {_fmt(want[k])} "
                    "(local × node.grad)"
                )
        return (
            "backward_step(c) gives each input local × c.grad (a.grad = -1.5, "
            "b.grad = 1 for c = a * b, a = 2, b = -3, c.grad = 0.5)"
        )

    return _run("backward_step", body)


def _diamond(V: Any) -> dict[str, Any]:
    """r = (a·b + a)·(a·b): the nodes a and a·b are each used twice."""
    a, b = _leaf(V, 3.0, "a"), _leaf(V, -2.0, "b")
    p = a * b
    q = p + a
    r = q * p
    return {"a": a, "b": b, "a*b": p, "a*b + a": q, "r": r}


def _names(nodes: dict[str, Any]) -> dict[int, str]:
    return {id(v): k for k, v in nodes.items()}


def check_topological_order(topological_order: Any, Value: Any) -> Verdict:
    """Check ``topological_order(root)``: every node of the graph once, each after its inputs.

    Tried on the neuron and on ``(a·b + a)·(a·b)``, where ``a`` and ``a·b`` are used twice.

    Example:
        >>> placeholder = todo("topological_order", "Exercise 5")
        >>> check_topological_order(placeholder, object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_function(topological_order, "topological_order")
    _need_method(Value, "tanh", "tanh", "Exercise 3")

    def body() -> str:
        for case, nodes, root in (
            ("the neuron", n := _neuron(Value), n["o"]),
            ("(a·b + a)·(a·b)", d := _diamond(Value), d["r"]),
        ):
            order = topological_order(root)
            if order is None:
                raise _Problem(f"topological_order returned None for {case}: return the list")
            try:
                order = list(order)
            except TypeError:
                raise _Problem(
                    f"topological_order should return a list of nodes, got {type(order).__name__}"
                ) from None
            names = _names(nodes)
            strangers = [x for x in order if id(x) not in names]
            if strangers:
                raise _Problem(
                    f"for {case}, your order holds {strangers[0]!r}, which is not a "
                    "node of the graph: append the nodes themselves"
                )
            listed = [names[id(x)] for x in order]
            twice = sorted({k for k in listed if listed.count(k) > 1})
            if twice:
                raise _Problem(
                    f"for {case}, {twice[0]} appears {listed.count(twice[0])} times: "
                    "a node used twice is still one node; keep a set of the nodes "
                    "already visited and skip them"
                )
            missing = [k for k in nodes if k not in listed]
            if missing:
                raise _Problem(
                    f"for {case}, {', '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} missing: visit every "
                    "input of every node, all the way down to the leaves"
                )
            place = {k: i for i, k in enumerate(listed)}
            if listed[0] == names[id(root)] and len(listed) > 1:
                raise _Problem(
                    f"for {case}, your order starts with the output "
                    f"{names[id(root)]}: each node must come AFTER its inputs "
                    "(append a node once all its inputs are in; backward() reverses "
                    "the list)"
                )
            for k, v in nodes.items():
                for inp in v.inputs:
                    if place[names[id(inp)]] > place[k]:
                        raise _Problem(
                            f"for {case}, {k} comes before its input "
                            f"{names[id(inp)]}: append a node only after visiting "
                            "all its inputs"
                        )
        return (
            "every node once, each after its inputs (the neuron, and (a·b + a)·(a·b) "
            "whose a and a·b are used twice)"
        )

    return _run("topological_order", body)


def _simulate(root: Any, order: str) -> dict[int, float]:
    """The gradients backward() gives on the student's graph, visiting nodes in ``order``
    ("reversed", the right one, or "forward", from the inputs to the output)."""
    nodes = _graph(root)
    grad = {id(v): 0.0 for v in nodes}
    grad[id(root)] = 1.0
    for v in reversed(nodes) if order == "reversed" else nodes:
        for inp, loc in zip(v.inputs, v.local, strict=True):
            grad[id(inp)] += loc * grad[id(v)]
    return grad


def check_backward(Value: Any) -> Verdict:
    """Check ``o.backward()`` on the neuron: every gradient against microgrand's, and when they
    differ, whether the seed ``o.grad = 1`` or the order of the nodes is the cause.

    Example:
        >>> check_backward(type("V", (), {"tanh": 1}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_method(Value, "backward", "backward()", "Exercise 6")

    def body() -> str:
        mine, ref = _neuron(Value), _neuron(_MgValue)
        mine["o"].backward()
        ref["o"].backward()
        lines = _compare(mine, ref, grads=True)
        if not lines:
            return (
                "all 10 gradients of the neuron agree with microgrand's (d o/d w1 = "
                f"{_fmt(ref['w1'].grad)}, d o/d b = {_fmt(ref['b'].grad)})"
            )
        grads = {k: v.grad for k, v in mine.items()}
        if grads["o"] == 0:
            raise _Problem(
                "o.grad is 0 after o.backward(): start with self.grad = 1 "
                "(d o/d o = 1), the seed the chain rule multiplies"
            )
        if all(g == 0 for k, g in grads.items() if k != "o"):
            raise _Problem(
                "only o has a gradient: call backward_step(node) for every node of "
                "reversed(topological_order(self))"
            )
        forward = _simulate(mine["o"], "forward")
        if all(_close(v.grad, forward[id(v)]) for v in mine.values()):
            raise _Problem(
                "wrong order: you visited the nodes from the inputs to the output, so "
                "each node passed on its gradient before it had received it (n.grad "
                f"is {_fmt(grads['n'])}, but x1w1.grad is {_fmt(grads['x1w1'])}); go "
                "through reversed(topological_order(self))"
            )
        raise _Problem("the gradients of the neuron differ from microgrand's: " + "; ".join(lines))

    return _run("backward", body)


# --- the finite-difference check of the student's engine ------------------------------------------


class NudgeReport:
    """What :func:`nudge` found: for each input, the gradient ``backward()`` gave and the slope
    measured by nudging it; ``ok`` when every pair agrees, ``diagnosis`` when not.

    Example:
        >>> class V:
        ...     def __init__(self, data, inputs=(), local=()):
        ...         self.data, self.grad, self.inputs, self.local = float(data), 0.0, inputs, local
        >>> NudgeReport(["x"], [2.0], [2.0], [2.0]).ok
        True
    """

    def __init__(
        self,
        names: Sequence[str],
        data: Sequence[float],
        grads: Sequence[float],
        slopes: Sequence[float],
        diagnosis: str = "",
    ) -> None:
        self.names = list(names)
        self.data = list(data)
        self.grads = list(grads)
        self.slopes = list(slopes)
        self.diagnosis = diagnosis

    @property
    def agree(self) -> list[bool]:
        """For each input, whether the gradient and the slope agree (relative 1e-4)."""
        return [
            math.isclose(g, s, rel_tol=1e-4, abs_tol=1e-6)
            for g, s in zip(self.grads, self.slopes, strict=True)
        ]

    @property
    def ok(self) -> bool:
        """True when every input's gradient agrees with its slope."""
        return all(self.agree)

    def __repr__(self) -> str:
        lines = [f"{'input':<8}{'value':>10}{'backward()':>14}{'nudging':>14}"]
        for name, x, g, s, same in zip(
            self.names, self.data, self.grads, self.slopes, self.agree, strict=True
        ):
            lines.append(
                f"{name:<8}{x:>10.4g}{g:>14.6g}{s:>14.6g}   {'agree' if same else 'DIFFER'}"
            )
        if self.ok:
            lines.append("backward() and nudging agree on every input")
        else:
            lines.append(self.diagnosis or "backward() and nudging disagree")
        return "\n".join(lines)


def _overwritten(root: Any) -> str:
    """The name (label) of a node used twice whose gradient kept one contribution only."""
    users: dict[int, list[tuple[Any, float]]] = {}
    for v in _graph(root):
        for inp, loc in zip(v.inputs, v.local, strict=True):
            users.setdefault(id(inp), []).append((v, loc))
    for v in _graph(root):
        uses = users.get(id(v), [])
        if len(uses) < 2:
            continue
        parts = [loc * u.grad for u, loc in uses]
        if not _close(v.grad, sum(parts), 1e-7) and any(_close(v.grad, p, 1e-7) for p in parts):
            label = getattr(v, "label", "")
            return (
                f"the node {label}"
                if label
                else f"the {getattr(v, 'op', '')} node".replace("the  node", "a node")
            )
    return ""


def nudge(
    f: Callable[..., Any],
    inputs: Sequence[float],
    Value: Any,
    names: Sequence[str] = (),
    h: float = 1e-6,
) -> NudgeReport:
    """Check your engine's ``backward()`` against nudging, with your engine only.

    Builds ``out = f(*leaves)`` with ``Value`` at ``inputs``, runs ``out.backward()``, then
    measures each input's slope by central differences, ``(f(x + h) - f(x - h)) / 2h``, with
    new Values each time. The report lists both numbers for each input; when they disagree,
    it says whether a node used twice kept only one of its contributions (``=`` for ``+=``).

    Example:
        >>> from microgrand import Value
        >>> nudge(lambda x, y: x * y + x, [2.0, 3.0], Value, names=["x", "y"]).ok
        True
    """
    names = list(names) or [f"x{i + 1}" for i in range(len(inputs))]
    if len(names) != len(inputs):
        raise ValueError(f"nudge() got {len(inputs)} inputs but {len(names)} names")
    leaves = [_leaf(Value, x, k) for x, k in zip(inputs, names, strict=True)]
    out = f(*leaves)
    out.backward()
    grads = [float(v.grad) for v in leaves]

    def at(i: int, dx: float) -> float:
        xs = [x + (dx if j == i else 0.0) for j, x in enumerate(inputs)]
        return float(f(*[Value(x) for x in xs]).data)

    slopes = [(at(i, h) - at(i, -h)) / (2 * h) for i in range(len(inputs))]
    diagnosis = ""
    if not all(
        math.isclose(g, s, rel_tol=1e-4, abs_tol=1e-6) for g, s in zip(grads, slopes, strict=True)
    ):
        node = _overwritten(out)
        diagnosis = (
            f"backward() and nudging disagree: {node} is used more than once, "
            "and its gradient kept only ONE of its contributions: backward_step must "
            "add them up (+=), not overwrite them (=)"
            if node
            else "backward() and nudging disagree: look at the local derivatives of the "
            "operations between that input and the output"
        )
    return NudgeReport(names, inputs, grads, slopes, diagnosis)


# --- tanh from exp, and accumulation ------------------------------------------------------------


def check_tanh_from_exp(tanh_from_exp: Any, Value: Any) -> Verdict:
    """Check the VALUE of ``tanh_from_exp(n)``, ``(e**(2n) - 1) / (e**(2n) + 1)`` built from
    ``exp``, at a few ``n`` (its gradient is the next step of the lesson).

    Example:
        >>> check_tanh_from_exp(todo("tanh_from_exp", "Exercise 8"), object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_function(tanh_from_exp, "tanh_from_exp")
    _need_method(Value, "exp", "exp", "Exercise 7")

    def body() -> str:
        for x in (-1.2, 0.0, 0.8813735870195432):
            n = _leaf(Value, x, "n")
            out = tanh_from_exp(n)
            _fields(out, Value, f"tanh_from_exp(n) at n = {x:g}")
            if not _close(out.data, math.tanh(x), 1e-9):
                raise _Problem(
                    f"tanh_from_exp(n) at n = {x:g} is {_fmt(out.data)}, should be "
                    f"tanh(n) = {_fmt(math.tanh(x))}"
                )
            ops = [getattr(v, "op", "") for v in _graph(out)]
            if "tanh" in ops:
                raise _Problem("tanh_from_exp uses .tanh(): build it from exp, with the formula")
            if "exp" not in ops:
                raise _Problem(
                    "tanh_from_exp has no exp node: build it from n.exp() (or "
                    "(2 * n).exp()), with the formula"
                )
            if ops.count("exp") > 1:
                raise _Problem(
                    "the value is right, but your tanh_from_exp computes exp "
                    f"{ops.count('exp')} times: compute e = (2 * n).exp() once and use "
                    "that one node in both e - 1 and e + 1 (the next step is about a "
                    "node used twice)"
                )
        return (
            "tanh_from_exp(n) equals tanh(n) at n = -1.2, 0 and 0.88, built from exp; now its "
            "gradient"
        )

    return _run("tanh_from_exp", body)


def check_accumulation(backward_step: Any, Value: Any, tanh_from_exp: Any) -> Verdict:
    """Check that gradients add up where a node is used twice: ``a + a``, the rebuilt tanh
    (whose node ``e`` feeds both ``e - 1`` and ``e + 1``), and the neuron, each against
    microgrand; plus the rebuilt tanh against nudging your engine.

    Example:
        >>> placeholder = todo("backward_step", "Exercise 9")
        >>> check_accumulation(placeholder, object, None)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_function(backward_step, "backward_step")
    _need_function(tanh_from_exp, "tanh_from_exp")
    _need_method(Value, "backward", "backward()", "Exercise 6")

    def body() -> str:
        a = _leaf(Value, 3.0, "a")
        (a + a).backward()
        if _close(a.grad, 1.0):
            raise _Problem(
                "in a + a, a.grad is 1, should be 2: a is used twice and gets two "
                "contributions of 1; your backward_step keeps only the last one. "
                "Write inp.grad += local * node.grad (add, do not overwrite)"
            )
        if not _close(a.grad, 2.0):
            raise _Problem(f"in a + a, a.grad is {_fmt(a.grad)}, should be 2")
        n = _leaf(Value, 0.8813735870195432, "n")
        tanh_from_exp(n).backward()
        if not _close(n.grad, 0.5, 1e-7):
            raise _Problem(
                f"through tanh_from_exp at n = 0.88, n.grad is {_fmt(n.grad)}, should "
                "be 1 - tanh(n)² = 0.5"
            )
        lines = _compare(_run_neuron(Value), _run_neuron(_MgValue), grads=True)
        if lines:
            raise _Problem("the neuron: " + "; ".join(lines))
        report = nudge(tanh_from_exp, [0.3], Value, names=["n"])
        if not report.ok:
            raise _Problem(f"tanh_from_exp at n = 0.3 disagrees with nudging:\n{report}")
        return (
            "contributions add up: a + a gives a.grad = 2, the rebuilt tanh gives "
            "1 - tanh(n)² (and agrees with nudging), the neuron still agrees with microgrand"
        )

    return _run("accumulation", body)


def _run_neuron(V: Any) -> dict[str, Any]:
    nodes = _neuron(V)
    nodes["o"].backward()
    return nodes


# --- part 2: a neural network on the student's engine --------------------------------------------


_X = [2.0, 3.0, -1.0]


def _values(params: Sequence[Any]) -> list[float]:
    return [float(p.data) for p in params]


def _need_params(obj: Any, what: str, Value: Any, count: int) -> list[Any]:
    if not hasattr(obj, "parameters"):
        raise _Problem(f"{what} has no parameters() method: return every weight and bias")
    params = obj.parameters()
    if params is None:
        raise _Problem(f"{what}.parameters() returned None: return the list")
    params = list(params)
    if len(params) != count:
        raise _Problem(f"{what}.parameters() has {len(params)} Values, should have {count}")
    if not all(isinstance(p, Value) for p in params):
        raise _Problem(
            f"{what}.parameters() should hold Values (your Value class), got "
            f"{sorted({type(p).__name__ for p in params})}"
        )
    if len({id(p) for p in params}) != len(params):
        raise _Problem(f"{what}.parameters() lists the same Value twice")
    return params


def check_neuron(Neuron: Any, Value: Any) -> Verdict:
    """Check ``Neuron(n_in)``: ``n_in`` weights and a bias drawn at random in [-1, 1],
    ``neuron(x) = tanh(w·x + b)``, ``parameters()`` the weights then the bias, and the gradients
    ``backward()`` gives them.

    Example:
        >>> check_neuron(todo("Neuron", "Exercise 10"), object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_function(Neuron, "Neuron")

    def body() -> str:
        neuron = Neuron(3)
        params = _need_params(neuron, "Neuron(3)", Value, 4)
        vals = _values(params)
        if any(abs(v) > 1 for v in vals) or len(set(vals)) < 4:
            raise _Problem(
                f"Neuron(3)'s weights and bias are {[round(v, 3) for v in vals]}: "
                "draw each at random in [-1, 1] (random.uniform(-1, 1))"
            )
        out = neuron(_X)
        if isinstance(out, list | tuple):
            raise _Problem("a neuron returns one Value, not a list")
        _fields(out, Value, "neuron(x)")
        *w, b = vals
        act = sum(wi * xi for wi, xi in zip(w, _X, strict=True)) + b
        if not _close(out.data, math.tanh(act), 1e-9):
            if _close(out.data, act, 1e-9):
                why = "that is w·x + b without the tanh"
            elif _close(out.data, math.tanh(act - b), 1e-9):
                why = "that is tanh(w·x): the bias is missing"
            else:
                why = (
                    "check the sum of w_i·x_i, and that parameters() lists the weights then "
                    "the bias"
                )
            raise _Problem(
                f"neuron(x) at x = {_X} is {_fmt(out.data)}, should be "
                f"tanh(w·x + b) = {_fmt(math.tanh(act))}: {why}"
            )
        out.backward()
        local = 1 - math.tanh(act) ** 2
        want = [local * xi for xi in _X] + [local]
        for i, (p, g) in enumerate(zip(params, want, strict=True)):
            if not _close(p.grad, g, 1e-7):
                name = f"w{i + 1}" if i < 3 else "b"
                raise _Problem(
                    f"after neuron(x).backward(), {name}.grad is {_fmt(p.grad)}, "
                    f"should be {_fmt(g)}"
                )
        return "Neuron(3): 3 weights and a bias, tanh(w·x + b), and its gradients are right"

    return _run("neuron", body)


def _mlp_forward(sizes: Sequence[int], params: Sequence[float], x: Sequence[float]) -> list[Any]:
    """The network ``sizes`` (tanh everywhere) with these parameter values, in microgrand."""
    leaves = [_MgValue(p) for p in params]
    it = iter(leaves)
    act: list[Any] = [_MgValue(v) for v in x]
    for n_in, n_out in itertools.pairwise(sizes):
        nxt = []
        for _ in range(n_out):
            w = [next(it) for _ in range(n_in)]
            b = next(it)
            nxt.append((sum((wi * xi for wi, xi in zip(w, act, strict=True)), b)).tanh())
        act = nxt
    return [leaves, act]


def check_layer_and_mlp(Layer: Any, MLP: Any, Value: Any) -> Verdict:
    """Check ``Layer(n_in, n_out)`` (a list of neurons; returns their outputs, or the one Value
    when ``n_out == 1``) and ``MLP(n_in, sizes)`` (layers that feed each other), their
    parameters (layer by layer, each neuron's weights then its bias) and the output.

    Example:
        >>> check_layer_and_mlp(todo("Layer", "Exercise 11"), None, object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    _need_function(Layer, "Layer")
    _need_function(MLP, "MLP")

    def body() -> str:
        layer = Layer(3, 2)
        _need_params(layer, "Layer(3, 2)", Value, 8)
        outs = layer(_X)
        if not isinstance(outs, list | tuple) or len(outs) != 2:
            raise _Problem(
                f"Layer(3, 2)(x) should be a list of 2 Values (one per neuron), got {outs!r}"
            )
        one = Layer(3, 1)(_X)
        if isinstance(one, list | tuple):
            raise _Problem(
                "Layer(3, 1)(x) returns a list of one Value: return the Value itself "
                "when the layer has one neuron (the network's output is then a number "
                "the loss can use)"
            )
        mlp = MLP(3, [4, 4, 1])
        params = _need_params(mlp, "MLP(3, [4, 4, 1])", Value, 41)
        out = mlp(_X)
        if isinstance(out, list | tuple):
            raise _Problem(
                "MLP(3, [4, 4, 1])(x) should be one Value (the last layer has one "
                "neuron), got a list"
            )
        _fields(out, Value, "MLP(3, [4, 4, 1])(x)")
        leaves, act = _mlp_forward([3, 4, 4, 1], _values(params), _X)
        if not _close(out.data, act[0].data, 1e-9):
            raise _Problem(
                f"MLP(3, [4, 4, 1])(x) is {_fmt(out.data)}, but three tanh layers with "
                f"your parameters give {_fmt(act[0].data)}: does each layer take the "
                "previous layer's outputs (x = layer(x))? And does parameters() list "
                "the layers in order, each neuron's weights then its bias?"
            )
        out.backward()
        act[0].backward()
        for i, (p, r) in enumerate(zip(params, leaves, strict=True)):
            if not _close(p.grad, r.grad, 1e-7):
                raise _Problem(
                    f"after backward(), parameter {i} has grad {_fmt(p.grad)}, "
                    f"microgrand says {_fmt(r.grad)}"
                )
        return (
            "Layer and MLP: MLP(3, [4, 4, 1]) has 41 parameters, its output and all 41 "
            "gradients agree with microgrand"
        )

    return _run("mlp", body)


_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
_YS = [1.0, -1.0, -1.0, 1.0]


def _reference_training(
    start: Sequence[float], steps: int, lr: float, zero: bool = True, sign: float = -1.0
) -> tuple[list[float], list[float]]:
    """Train MLP(3, [4, 4, 1]) from the parameter values ``start`` in microgrand: the losses
    and the final parameter values."""
    params = [_MgValue(p) for p in start]
    losses = []
    for _ in range(steps):
        total: Any = 0.0
        for x, y in zip(_XS, _YS, strict=True):
            it = iter(params)  # the same parameters for every example
            act: list[Any] = [_MgValue(v) for v in x]
            for n_in, n_out in ((3, 4), (4, 4), (4, 1)):
                nxt = []
                for _ in range(n_out):
                    w = [next(it) for _ in range(n_in)]
                    b = next(it)
                    nxt.append((sum((wi * xi for wi, xi in zip(w, act, strict=True)), b)).tanh())
                act = nxt
            total = total + (act[0] - y) ** 2
        if zero:
            for p in params:
                p.grad = 0.0
        total.backward()
        for p in params:
            p.data += sign * lr * p.grad
        losses.append(float(total.data))
    return losses, [p.data for p in params]


def check_training(train: Any, MLP: Any, Value: Any, steps: int = 3) -> Verdict:
    """Check ``train(model, xs, ys, steps, lr)``: the loss ``Σ (ŷ - y)²`` over the four examples,
    ``backward()``, ``p.data -= lr * p.grad`` for every parameter, and the gradients reset to
    0 before each ``backward()`` — by training ``MLP(3, [4, 4, 1])`` for ``steps`` steps
    and comparing with the same training in microgrand from the same starting values.

    With ``steps=1`` a forgotten reset does not show (the gradients start at 0); from 2 steps
    on it does, and the message says so.

    Example:
        >>> check_training(todo("train", "Exercise 12"), None, object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    # Long because it runs the student's loop and microgrand's side by side, step by step,
    # and names the first difference of each kind.
    _need_function(train, "train")
    _need_function(MLP, "MLP")
    lr = 0.05

    def body() -> str:
        state = random.getstate()
        try:
            random.seed(1234)
            model = MLP(3, [4, 4, 1])
        finally:
            random.setstate(state)
        params = _need_params(model, "MLP(3, [4, 4, 1])", Value, 41)
        start = _values(params)
        losses = train(model, [list(x) for x in _XS], list(_YS), steps, lr)
        if losses is None:
            raise _Problem("train(...) returned None: return the list of the losses, one per step")
        losses = [float(getattr(v, "data", v)) for v in losses]
        if len(losses) != steps:
            raise _Problem(
                f"train(model, xs, ys, {steps}, lr) returned {len(losses)} losses, "
                f"should return {steps} (one per step)"
            )
        end = _values(params)
        want_losses, want_end = _reference_training(start, steps, lr)
        if not _close(losses[0], want_losses[0], 1e-7):
            if _close(losses[0], want_losses[0] / len(_XS), 1e-7):
                why = "that is the mean; the lesson's loss is the sum Σ (ŷ - y)²"
            else:
                why = "the loss is Σ (ŷ - y)² over the four examples, with the model's outputs ŷ"
            raise _Problem(
                f"the first loss is {_fmt(losses[0])}, should be {_fmt(want_losses[0])}: {why}"
            )
        if end == start:
            raise _Problem(
                "after training, the parameters have not changed: update every p in "
                "model.parameters() with p.data -= lr * p.grad (after backward(), "
                "and not after resetting the gradients)"
            )

        def same(values: Sequence[float]) -> bool:
            return all(_close(a, b, 1e-7) for a, b in zip(end, values, strict=True))

        if same(want_end):
            return (
                f"{steps} step{'s' if steps > 1 else ''} of your loop "
                f"agree{'' if steps > 1 else 's'} with microgrand: "
                "the loss, backward() and the update"
                + (", with the gradients reset before each backward()" if steps > 1 else "")
            )
        if same(_reference_training(start, steps, lr, sign=+1.0)[1]):
            raise _Problem(
                "the parameters moved UP the gradient, so the loss grows: "
                "p.data -= lr * p.grad (minus)"
            )
        if steps > 1 and same(_reference_training(start, steps, lr, zero=False)[1]):
            forgot = _reference_training(start, steps, lr, zero=False)[0]
            raise _Problem(
                "the gradients pile up from step to step: backward() ADDS to p.grad (that is "
                "how a node used twice gets both contributions), so from step 2 on your update "
                "uses the sum of all the gradients so far. Set p.grad = 0 for every parameter "
                "before loss.backward() in each step. (Your losses: "
                + ", ".join(_fmt(x) for x in losses)
                + "; they would be "
                + ", ".join(_fmt(x) for x in want_losses)
                + "; without the reset: "
                + ", ".join(_fmt(x) for x in forgot)
                + ")"
            )
        if not all(_close(a, b, 1e-7) for a, b in zip(losses, want_losses, strict=True)):
            raise _Problem(
                "the losses differ from microgrand's ("
                + ", ".join(_fmt(x) for x in losses)
                + " instead of "
                + ", ".join(_fmt(x) for x in want_losses)
                + ")"
            )
        raise _Problem(
            f"the parameters after {steps} steps differ from microgrand's: update "
            "each p with p.data -= lr * p.grad, once per step, using this step's "
            "gradient"
        )

    return _run("training", body)
