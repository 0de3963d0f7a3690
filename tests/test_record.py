"""mg.record: replays equal the eager engine exactly, and a changed graph is caught."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_properties import BINARY, UNARY, VARS, trees

import microgrand as mg
from microgrand import Value
from microgrand.recording import RecordMismatchError, record


def _eager(fn: Any, params: list[Value], *inputs: Any) -> tuple[float, list[float]]:
    for p in params:
        p.grad = 0.0
    out = fn(*inputs)
    out.backward()
    return out.data, [p.grad for p in params]


def _replayed(rec: Any, params: list[Value], *inputs: Any) -> tuple[float, list[float]]:
    for p in params:
        p.grad = 0.0
    out = rec(*inputs)
    return out, [p.grad for p in params]


def _evaluate(tree: Any, env: dict[str, Any]) -> Any:
    if isinstance(tree, str):
        return env[tree]
    if isinstance(tree, float):
        return tree
    if len(tree) == 2:
        return UNARY[tree[0]](_evaluate(tree[1], env))
    return BINARY[tree[0]](_evaluate(tree[1], env), _evaluate(tree[2], env))


values = st.floats(-2, 2, allow_nan=False).filter(lambda v: v == 0.0 or abs(v) > 1e-3)


@settings(max_examples=300, deadline=None)
@given(trees, st.lists(values, min_size=3, max_size=3), st.lists(values, min_size=3, max_size=3))
def test_random_expressions_replay_exactly(tree: Any, xs: list[float], xs2: list[float]) -> None:
    params = [Value(x, label=n) for n, x in zip(VARS, xs, strict=True)]

    def fn() -> Value:
        out = _evaluate(tree, dict(zip(VARS, params, strict=True)))
        return out if isinstance(out, Value) else Value(out)

    try:
        rec = record(fn, params)
        eager = _eager(fn, params)
    except (ArithmeticError, ValueError):
        assume(False)
        return
    assert _replayed(rec, params) == eager
    # New numbers, same graph (no Python branches in these expressions).
    for p, x in zip(params, xs2, strict=True):
        p.data = x
    try:
        eager = _eager(fn, params)
    except (ArithmeticError, ValueError):
        with pytest.raises((ArithmeticError, ValueError)):
            rec()
        return
    assume(all(math.isfinite(g) for g in eager[1]))
    assert _replayed(rec, params) == eager


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=3),
    st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu"]),
    st.integers(0, 10**6),
)
def test_random_mlps_replay_exactly(hidden: list[int], act: str, seed: int) -> None:
    rng = random.Random(seed)
    model = mg.nn.MLP(2, [*hidden, 1], activation=act, rng=seed)
    params = model.parameters()

    def loss(X: list[list[float]], y: list[float]) -> Value:
        terms = [(1 + -yi * model(x)).relu() for x, yi in zip(X, y, strict=True)]
        reg = 1e-4 * mg.vsum([p * p for p in params])
        return sum(terms, Value(0.0)) * (1.0 / len(terms)) + reg

    def batch() -> tuple[list[list[float]], list[float]]:
        X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(6)]
        return X, [rng.choice([-1.0, 1.0]) for _ in X]

    rec = record(loss, params, *batch())
    for _ in range(3):  # new data each time; parameters updated as in training
        X, y = batch()
        assert _replayed(rec, params, X, y) == _eager(loss, params, X, y)
        for p in params:
            p.data -= 0.1 * p.grad


def test_replay_accumulates_like_backward() -> None:
    w = Value(1.5)
    rec = record(lambda x: (w * x).tanh() * w, [w], 2.0)
    w.grad = 0.25
    rec(2.0)
    expected = 0.25
    out = (w * 2.0).tanh() * w
    w.grad = 0.25
    out.backward()
    expected = w.grad
    w.grad = 0.25
    rec(2.0)
    assert w.grad == expected


def test_shared_values_and_fan_out() -> None:
    # A value used many times gets its contributions summed in backward()'s order.
    a, b = Value(0.3), Value(-1.7)
    def fn() -> Value:
        c = a * b
        d = c * c + c.exp() - c / b
        return mg.vsum([d, c, d * a, (a * a).tanh()]) * c
    rec = record(fn, [a, b])
    assert _replayed(rec, [a, b]) == _eager(fn, [a, b])


def test_check_mode_catches_a_changed_branch() -> None:
    w = Value(1.0, label="w")

    def fn(x: Value) -> Value:
        s = w * x
        return s if s.data > 0 else -s  # a Python branch on a number: decided when recording

    rec = record(fn, [w], 2.0)
    rec(2.0, check=True)  # same branch
    with pytest.raises(RecordMismatchError, match=r"node n3 differs: recorded as nothing .*, now neg"):
        rec(-2.0, check=True)


def test_check_mode_catches_a_changed_size() -> None:
    w = Value(1.0)
    rec = record(lambda n: mg.vsum([w * i for i in range(int(n.data))]), [w], 3.0)
    with pytest.raises(RecordMismatchError):
        rec(4.0, check=True)


def test_domain_errors_name_the_operation() -> None:
    w = Value(2.0)
    rec = record(lambda: w.log(), [w])
    w.data = -1.0
    with pytest.raises(ValueError, match="log"):
        rec()


def test_bad_arguments() -> None:
    w = Value(1.0)
    with pytest.raises(TypeError, match="function"):
        record(3, [w])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Values"):
        record(lambda: w * 2, [1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="leaves"):
        record(lambda: w * 2, [w * 3])
    with pytest.raises(TypeError, match="must return a Value"):
        record(lambda: 3.0, [w])  # type: ignore[arg-type, return-value]
    rec = record(lambda x: w * mg.vsum(x), [w], [1.0, 2.0])
    with pytest.raises(ValueError, match="another shape"):
        rec([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="numbers"):
        rec(["a", 2.0])


def test_deep_chain() -> None:
    w = Value(0.999)

    def fn() -> Value:
        y = Value(1.0)
        for _ in range(20_000):
            y = y * w + 0.001
        return y

    rec = record(fn, [w])
    assert _replayed(rec, [w]) == _eager(fn, [w])


def test_extra_results_are_replayed_too() -> None:
    model = mg.nn.MLP(2, [3, 2], rng=1)
    params = model.parameters()

    def fn(X: list[list[float]]) -> tuple[Value, list[list[Value]]]:
        outs = [model(x) for x in X]
        return mg.vsum([o * o for out in outs for o in out]), outs

    X1 = [[0.5, -1.0], [1.5, 0.25]]
    rec = record(fn, params, X1)
    X2 = [[-0.3, 0.7], [0.1, 2.0]]
    loss = rec(X2)
    eager_loss, eager_outs = fn(X2)
    assert loss == eager_loss.data
    assert rec.extras == [[o.data for o in out] for out in eager_outs]
    with pytest.raises(ValueError, match="part of the graph"):
        record(lambda: (w * 2, Value(3.0) * 2), [w := Value(1.0)])
    with pytest.raises(TypeError, match="pair"):
        record(lambda: (1.0, 2.0), [w])  # type: ignore[arg-type, return-value]
