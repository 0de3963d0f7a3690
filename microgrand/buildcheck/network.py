"""Checks of lesson 03's second part, a neural network on the student's engine: ``Neuron``,
``Layer`` and ``MLP`` (their parameters, output and gradients against the same network in
microgrand) and the training loop (against microgrand's training from the same start).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from typing import Any

from ..selfcheck import Verdict
from ..value import Value as _MgValue
from .messages import Problem, close, fmt
from .running import fields, need_function, run

__all__ = ["check_layer_and_mlp", "check_neuron", "check_training"]


_X = [2.0, 3.0, -1.0]


def _values(params: Sequence[Any]) -> list[float]:
    return [float(p.data) for p in params]


def _need_params(obj: Any, what: str, Value: Any, count: int) -> list[Any]:
    if not hasattr(obj, "parameters"):
        raise Problem(f"{what} has no parameters() method: return every weight and bias")
    params = obj.parameters()
    if params is None:
        raise Problem(f"{what}.parameters() returned None: return the list")
    params = list(params)
    if len(params) != count:
        raise Problem(f"{what}.parameters() has {len(params)} Values, should have {count}")
    if not all(isinstance(p, Value) for p in params):
        raise Problem(
            f"{what}.parameters() should hold Values (your Value class), got "
            f"{sorted({type(p).__name__ for p in params})}"
        )
    if len({id(p) for p in params}) != len(params):
        raise Problem(f"{what}.parameters() lists the same Value twice")
    return params


def check_neuron(Neuron: Any, Value: Any) -> Verdict:
    """Check ``Neuron(n_in)``: ``n_in`` weights and a bias drawn at random in [-1, 1],
    ``neuron(x) = tanh(w·x + b)``, ``parameters()`` the weights then the bias, and the gradients
    ``backward()`` gives them.

    Example:
        >>> from microgrand.buildcheck import todo
        >>> check_neuron(todo("Neuron", "Exercise 10"), object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_function(Neuron, "Neuron")

    def body() -> str:
        neuron = Neuron(3)
        params = _need_params(neuron, "Neuron(3)", Value, 4)
        vals = _values(params)
        if any(abs(v) > 1 for v in vals) or len(set(vals)) < 4:
            raise Problem(
                f"Neuron(3)'s weights and bias are {[round(v, 3) for v in vals]}: "
                "draw each at random in [-1, 1] (random.uniform(-1, 1))"
            )
        out = neuron(_X)
        if isinstance(out, list | tuple):
            raise Problem("a neuron returns one Value, not a list")
        fields(out, Value, "neuron(x)")
        *w, b = vals
        act = sum(wi * xi for wi, xi in zip(w, _X, strict=True)) + b
        if not close(out.data, math.tanh(act), 1e-9):
            if close(out.data, act, 1e-9):
                why = "that is w·x + b without the tanh"
            elif close(out.data, math.tanh(act - b), 1e-9):
                why = "that is tanh(w·x): the bias is missing"
            else:
                why = (
                    "check the sum of w_i·x_i, and that parameters() lists the weights then "
                    "the bias"
                )
            raise Problem(
                f"neuron(x) at x = {_X} is {fmt(out.data)}, should be "
                f"tanh(w·x + b) = {fmt(math.tanh(act))}: {why}"
            )
        out.backward()
        local = 1 - math.tanh(act) ** 2
        want = [local * xi for xi in _X] + [local]
        for i, (p, g) in enumerate(zip(params, want, strict=True)):
            if not close(p.grad, g, 1e-7):
                name = f"w{i + 1}" if i < 3 else "b"
                raise Problem(
                    f"after neuron(x).backward(), {name}.grad is {fmt(p.grad)}, should be {fmt(g)}"
                )
        return "Neuron(3): 3 weights and a bias, tanh(w·x + b), and its gradients are right"

    return run("neuron", body)


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
        >>> from microgrand.buildcheck import todo
        >>> check_layer_and_mlp(todo("Layer", "Exercise 11"), None, object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    need_function(Layer, "Layer")
    need_function(MLP, "MLP")

    def body() -> str:
        layer = Layer(3, 2)
        _need_params(layer, "Layer(3, 2)", Value, 8)
        outs = layer(_X)
        if not isinstance(outs, list | tuple) or len(outs) != 2:
            raise Problem(
                f"Layer(3, 2)(x) should be a list of 2 Values (one per neuron), got {outs!r}"
            )
        one = Layer(3, 1)(_X)
        if isinstance(one, list | tuple):
            raise Problem(
                "Layer(3, 1)(x) returns a list of one Value: return the Value itself "
                "when the layer has one neuron (the network's output is then a number "
                "the loss can use)"
            )
        mlp = MLP(3, [4, 4, 1])
        params = _need_params(mlp, "MLP(3, [4, 4, 1])", Value, 41)
        out = mlp(_X)
        if isinstance(out, list | tuple):
            raise Problem(
                "MLP(3, [4, 4, 1])(x) should be one Value (the last layer has one "
                "neuron), got a list"
            )
        fields(out, Value, "MLP(3, [4, 4, 1])(x)")
        leaves, act = _mlp_forward([3, 4, 4, 1], _values(params), _X)
        if not close(out.data, act[0].data, 1e-9):
            raise Problem(
                f"MLP(3, [4, 4, 1])(x) is {fmt(out.data)}, but three tanh layers with "
                f"your parameters give {fmt(act[0].data)}: does each layer take the "
                "previous layer's outputs (x = layer(x))? And does parameters() list "
                "the layers in order, each neuron's weights then its bias?"
            )
        out.backward()
        act[0].backward()
        for i, (p, r) in enumerate(zip(params, leaves, strict=True)):
            if not close(p.grad, r.grad, 1e-7):
                raise Problem(
                    f"after backward(), parameter {i} has grad {fmt(p.grad)}, "
                    f"microgrand says {fmt(r.grad)}"
                )
        return (
            "Layer and MLP: MLP(3, [4, 4, 1]) has 41 parameters, its output and all 41 "
            "gradients agree with microgrand"
        )

    return run("mlp", body)


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
        >>> from microgrand.buildcheck import todo
        >>> check_training(todo("train", "Exercise 12"), None, object)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.buildcheck.NotWrittenYet: … not answered yet: ...
    """
    # Long because it runs the student's loop and microgrand's side by side, step by step,
    # and names the first difference of each kind.
    need_function(train, "train")
    need_function(MLP, "MLP")
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
            raise Problem("train(...) returned None: return the list of the losses, one per step")
        losses = [float(getattr(v, "data", v)) for v in losses]
        if len(losses) != steps:
            raise Problem(
                f"train(model, xs, ys, {steps}, lr) returned {len(losses)} losses, "
                f"should return {steps} (one per step)"
            )
        end = _values(params)
        want_losses, want_end = _reference_training(start, steps, lr)
        if not close(losses[0], want_losses[0], 1e-7):
            if close(losses[0], want_losses[0] / len(_XS), 1e-7):
                why = "that is the mean; the lesson's loss is the sum Σ (ŷ - y)²"
            else:
                why = "the loss is Σ (ŷ - y)² over the four examples, with the model's outputs ŷ"
            raise Problem(
                f"the first loss is {fmt(losses[0])}, should be {fmt(want_losses[0])}: {why}"
            )
        if end == start:
            raise Problem(
                "after training, the parameters have not changed: update every p in "
                "model.parameters() with p.data -= lr * p.grad (after backward(), "
                "and not after resetting the gradients)"
            )

        def same(values: Sequence[float]) -> bool:
            return all(close(a, b, 1e-7) for a, b in zip(end, values, strict=True))

        if same(want_end):
            return (
                f"{steps} step{'s' if steps > 1 else ''} of your loop "
                f"agree{'' if steps > 1 else 's'} with microgrand: "
                "the loss, backward() and the update"
                + (", with the gradients reset before each backward()" if steps > 1 else "")
            )
        if same(_reference_training(start, steps, lr, sign=+1.0)[1]):
            raise Problem(
                "the parameters moved UP the gradient, so the loss grows: "
                "p.data -= lr * p.grad (minus)"
            )
        if steps > 1 and same(_reference_training(start, steps, lr, zero=False)[1]):
            forgot = _reference_training(start, steps, lr, zero=False)[0]
            raise Problem(
                "the gradients pile up from step to step: backward() ADDS to p.grad (that is "
                "how a node used twice gets both contributions), so from step 2 on your update "
                "uses the sum of all the gradients so far. Set p.grad = 0 for every parameter "
                "before loss.backward() in each step. (Your losses: "
                + ", ".join(fmt(x) for x in losses)
                + "; they would be "
                + ", ".join(fmt(x) for x in want_losses)
                + "; without the reset: "
                + ", ".join(fmt(x) for x in forgot)
                + ")"
            )
        if not all(close(a, b, 1e-7) for a, b in zip(losses, want_losses, strict=True)):
            raise Problem(
                "the losses differ from microgrand's ("
                + ", ".join(fmt(x) for x in losses)
                + " instead of "
                + ", ".join(fmt(x) for x in want_losses)
                + ")"
            )
        raise Problem(
            f"the parameters after {steps} steps differ from microgrand's: update "
            "each p with p.data -= lr * p.grad, once per step, using this step's "
            "gradient"
        )

    return run("training", body)
