"""Checks of lesson 03's second step, the student's backward pass: one node's chain rule
(``backward_step``), the topological order, ``backward()`` on the neuron, then tanh rebuilt
from ``exp`` and the gradients that add up where a node is used twice.
"""

from __future__ import annotations

import math
from typing import Any

from ..selfcheck import Verdict
from ..value import Value as _MgValue
from .messages import Problem, close, compare, fmt
from .nudging import nudge
from .operations import neuron_nodes
from .running import fields, leaf, need_function, need_method, run, walk

__all__ = [
    "check_accumulation",
    "check_backward",
    "check_backward_step",
    "check_tanh_from_exp",
    "check_topological_order",
]


def check_backward_step(backward_step: Any, Value: Any) -> Verdict:
    """Check one node's chain rule: after ``backward_step(c)`` each input of ``c`` has
    ``local × c.grad``.

    Every input starts at grad 0 here, so both ``=`` and ``+=`` pass this check (the
    difference shows when a node is used twice: :func:`check_accumulation`).

    Example:
        >>> from microgrand.buildcheck import todo
        >>> check_backward_step(todo("backward_step", "Exercise 4"), object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_function(backward_step, "backward_step")
    need_method(Value, "__mul__", "*", "Exercise 2")

    def body() -> str:
        a, b = leaf(Value, 2.0, "a"), leaf(Value, -3.0, "b")
        c = a * b
        c.grad = 0.5
        result = backward_step(c)
        if result is not None and not isinstance(result, Value):
            raise Problem("backward_step(node) changes the inputs' .grad; it returns nothing")
        if c.grad != 0.5:
            raise Problem(
                "backward_step(c) changed c.grad: it passes c's gradient on to c's "
                "inputs and leaves c.grad as it was"
            )
        want = {"a": -3.0 * 0.5, "b": 2.0 * 0.5}
        got = {"a": a.grad, "b": b.grad}
        case = "for c = a * b with a = 2, b = -3 and c.grad = 0.5"
        if got["a"] == 0 and got["b"] == 0:
            raise Problem(
                f"{case}, a.grad and b.grad are still 0: loop over "
                "zip(node.inputs, node.local) and give each input local × node.grad"
            )
        if close(got["a"], 0.5) and close(got["b"], 0.5):
            raise Problem(
                f"{case}, a.grad = b.grad = 0.5 = c.grad: multiply by the local "
                "derivative (the chain rule: local × node.grad)"
            )
        if close(got["a"], -3.0) and close(got["b"], 2.0):
            raise Problem(
                f"{case}, a.grad = -3 and b.grad = 2 are the local derivatives alone: "
                "multiply them by node.grad"
            )
        if close(got["a"], 1.0) and close(got["b"], -1.5):
            raise Problem(
                f"{case}, a.grad and b.grad are swapped: pair each input with its "
                "own local derivative, zip(node.inputs, node.local)"
            )
        for k in ("a", "b"):
            if close(got[k], -want[k]):
                raise Problem(
                    f"{case}, {k}.grad is {fmt(got[k])}, should be "
                    f"{fmt(want[k])}: the sign is flipped"
                )
            if not close(got[k], want[k]):
                raise Problem(
                    f"{case}, {k}.grad is {fmt(got[k])}, should be {fmt(want[k])} "
                    "(local × node.grad)"
                )
        return (
            "backward_step(c) gives each input local × c.grad (a.grad = -1.5, "
            "b.grad = 1 for c = a * b, a = 2, b = -3, c.grad = 0.5)"
        )

    return run("backward_step", body)


def _diamond(V: Any) -> dict[str, Any]:
    """r = (a·b + a)·(a·b): the nodes a and a·b are each used twice."""
    a, b = leaf(V, 3.0, "a"), leaf(V, -2.0, "b")
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
        >>> from microgrand.buildcheck import todo
        >>> placeholder = todo("topological_order", "Exercise 5")
        >>> check_topological_order(placeholder, object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_function(topological_order, "topological_order")
    need_method(Value, "tanh", "tanh", "Exercise 3")

    def body() -> str:
        for case, nodes, root in (
            ("the neuron", n := neuron_nodes(Value), n["o"]),
            ("(a·b + a)·(a·b)", d := _diamond(Value), d["r"]),
        ):
            order = topological_order(root)
            if order is None:
                raise Problem(f"topological_order returned None for {case}: return the list")
            try:
                order = list(order)
            except TypeError:
                raise Problem(
                    f"topological_order should return a list of nodes, got {type(order).__name__}"
                ) from None
            names = _names(nodes)
            strangers = [x for x in order if id(x) not in names]
            if strangers:
                raise Problem(
                    f"for {case}, your order holds {strangers[0]!r}, which is not a "
                    "node of the graph: append the nodes themselves"
                )
            listed = [names[id(x)] for x in order]
            twice = sorted({k for k in listed if listed.count(k) > 1})
            if twice:
                raise Problem(
                    f"for {case}, {twice[0]} appears {listed.count(twice[0])} times: "
                    "a node used twice is still one node; keep a set of the nodes "
                    "already visited and skip them"
                )
            missing = [k for k in nodes if k not in listed]
            if missing:
                raise Problem(
                    f"for {case}, {', '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} missing: visit every "
                    "input of every node, all the way down to the leaves"
                )
            place = {k: i for i, k in enumerate(listed)}
            if listed[0] == names[id(root)] and len(listed) > 1:
                raise Problem(
                    f"for {case}, your order starts with the output "
                    f"{names[id(root)]}: each node must come AFTER its inputs "
                    "(append a node once all its inputs are in; backward() reverses "
                    "the list)"
                )
            for k, v in nodes.items():
                for inp in v.inputs:
                    if place[names[id(inp)]] > place[k]:
                        raise Problem(
                            f"for {case}, {k} comes before its input "
                            f"{names[id(inp)]}: append a node only after visiting "
                            "all its inputs"
                        )
        return (
            "every node once, each after its inputs (the neuron, and (a·b + a)·(a·b) "
            "whose a and a·b are used twice)"
        )

    return run("topological_order", body)


def _simulate(root: Any, order: str) -> dict[int, float]:
    """The gradients backward() gives on the student's graph, visiting nodes in ``order``
    ("reversed", the right one, or "forward", from the inputs to the output)."""
    nodes = walk(root)
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
    need_method(Value, "backward", "backward()", "Exercise 6")

    def body() -> str:
        mine, ref = neuron_nodes(Value), neuron_nodes(_MgValue)
        mine["o"].backward()
        ref["o"].backward()
        lines = compare(mine, ref, grads=True)
        if not lines:
            return (
                "all 10 gradients of the neuron agree with microgrand's (d o/d w1 = "
                f"{fmt(ref['w1'].grad)}, d o/d b = {fmt(ref['b'].grad)})"
            )
        grads = {k: v.grad for k, v in mine.items()}
        if grads["o"] == 0:
            raise Problem(
                "o.grad is 0 after o.backward(): start with self.grad = 1 "
                "(d o/d o = 1), the seed the chain rule multiplies"
            )
        if all(g == 0 for k, g in grads.items() if k != "o"):
            raise Problem(
                "only o has a gradient: call backward_step(node) for every node of "
                "reversed(topological_order(self))"
            )
        forward = _simulate(mine["o"], "forward")
        if all(close(v.grad, forward[id(v)]) for v in mine.values()):
            raise Problem(
                "wrong order: you visited the nodes from the inputs to the output, so "
                "each node passed on its gradient before it had received it (n.grad "
                f"is {fmt(grads['n'])}, but x1w1.grad is {fmt(grads['x1w1'])}); go "
                "through reversed(topological_order(self))"
            )
        raise Problem("the gradients of the neuron differ from microgrand's: " + "; ".join(lines))

    return run("backward", body)


def check_tanh_from_exp(tanh_from_exp: Any, Value: Any) -> Verdict:
    """Check the VALUE of ``tanh_from_exp(n)``, ``(e**(2n) - 1) / (e**(2n) + 1)`` built from
    ``exp``, at a few ``n`` (its gradient is the next step of the lesson).

    Example:
        >>> from microgrand.buildcheck import todo
        >>> check_tanh_from_exp(todo("tanh_from_exp", "Exercise 8"), object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_function(tanh_from_exp, "tanh_from_exp")
    need_method(Value, "exp", "exp", "Exercise 7")

    def body() -> str:
        for x in (-1.2, 0.0, 0.8813735870195432):
            n = leaf(Value, x, "n")
            out = tanh_from_exp(n)
            fields(out, Value, f"tanh_from_exp(n) at n = {x:g}")
            if not close(out.data, math.tanh(x), 1e-9):
                raise Problem(
                    f"tanh_from_exp(n) at n = {x:g} is {fmt(out.data)}, should be "
                    f"tanh(n) = {fmt(math.tanh(x))}"
                )
            ops = [getattr(v, "op", "") for v in walk(out)]
            if "tanh" in ops:
                raise Problem("tanh_from_exp uses .tanh(): build it from exp, with the formula")
            if "exp" not in ops:
                raise Problem(
                    "tanh_from_exp has no exp node: build it from n.exp() (or "
                    "(2 * n).exp()), with the formula"
                )
            if ops.count("exp") > 1:
                raise Problem(
                    "the value is right, but your tanh_from_exp computes exp "
                    f"{ops.count('exp')} times: compute e = (2 * n).exp() once and use "
                    "that one node in both e - 1 and e + 1 (the next step is about a "
                    "node used twice)"
                )
        return (
            "tanh_from_exp(n) equals tanh(n) at n = -1.2, 0 and 0.88, built from exp; now its "
            "gradient"
        )

    return run("tanh_from_exp", body)


def check_accumulation(backward_step: Any, Value: Any, tanh_from_exp: Any) -> Verdict:
    """Check that gradients add up where a node is used twice: ``a + a``, the rebuilt tanh
    (whose node ``e`` feeds both ``e - 1`` and ``e + 1``), and the neuron, each against
    microgrand; plus the rebuilt tanh against nudging your engine.

    Example:
        >>> from microgrand.buildcheck import todo
        >>> placeholder = todo("backward_step", "Exercise 9")
        >>> check_accumulation(placeholder, object, None)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_function(backward_step, "backward_step")
    need_function(tanh_from_exp, "tanh_from_exp")
    need_method(Value, "backward", "backward()", "Exercise 6")

    def body() -> str:
        a = leaf(Value, 3.0, "a")
        (a + a).backward()
        if close(a.grad, 1.0):
            raise Problem(
                "in a + a, a.grad is 1, should be 2: a is used twice and gets two "
                "contributions of 1; your backward_step keeps only the last one. "
                "Write inp.grad += local * node.grad (add, do not overwrite)"
            )
        if not close(a.grad, 2.0):
            raise Problem(f"in a + a, a.grad is {fmt(a.grad)}, should be 2")
        n = leaf(Value, 0.8813735870195432, "n")
        tanh_from_exp(n).backward()
        if not close(n.grad, 0.5, 1e-7):
            raise Problem(
                f"through tanh_from_exp at n = 0.88, n.grad is {fmt(n.grad)}, should "
                "be 1 - tanh(n)² = 0.5"
            )
        lines = compare(_run_neuron(Value), _run_neuron(_MgValue), grads=True)
        if lines:
            raise Problem("the neuron: " + "; ".join(lines))
        report = nudge(tanh_from_exp, [0.3], Value, names=["n"])
        if not report.ok:
            raise Problem(f"tanh_from_exp at n = 0.3 disagrees with nudging:\n{report}")
        return (
            "contributions add up: a + a gives a.grad = 2, the rebuilt tanh gives "
            "1 - tanh(n)² (and agrees with nudging), the neuron still agrees with microgrand"
        )

    return run("accumulation", body)


def _run_neuron(V: Any) -> dict[str, Any]:
    nodes = neuron_nodes(V)
    nodes["o"].backward()
    return nodes
