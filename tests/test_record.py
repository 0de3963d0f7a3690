"""mg.record: replays equal the eager engine exactly, and a changed graph is caught."""

from __future__ import annotations

import itertools
import math
import random
import struct
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from test_properties import BINARY, UNARY, VARS, trees

import microgrand as mg
from microgrand import Value
from microgrand.recording import RecordMismatchError, record
from microgrand.value import topological_order


def _eager(fn: Any, params: list[Value], *inputs: Any) -> tuple[float, list[float]]:
    for p in params:
        p.grad = 0.0
    out = fn(*inputs)
    out.backward()
    return out.data, [p.grad for p in params]


def _replayed(rec: Any, params: list[Value], *inputs: Any) -> tuple[float, list[float]]:
    for p in params:
        p.grad = 0.0
    with warnings.catch_warnings():  # gradients may become infinite or NaN here, on purpose
        warnings.simplefilter("ignore", mg.NonFiniteGradientWarning)
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
    with pytest.raises(
        RecordMismatchError, match=r"node n3 differs: recorded as nothing .*, now neg"
    ):
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


# --- chains of additions: the replay folds them into one sum node ------------------------------


def _bits(x: float) -> bytes:
    """The float's bytes, so 0.0 and -0.0 differ; every NaN is one NaN (IEEE 754 leaves the
    sign of a NaN that inf - inf makes unspecified: x86 gives -NaN, and the order in which
    C code adds may flip it)."""
    return struct.pack("<d", math.nan if math.isnan(x) else x)


def _same(a: tuple[float, list[float]], b: tuple[float, list[float]]) -> bool:
    return _bits(a[0]) == _bits(b[0]) and [_bits(g) for g in a[1]] == [_bits(g) for g in b[1]]


def _quiet_eager(fn: Any, params: list[Value], *inputs: Any) -> tuple[float, list[float]]:
    with warnings.catch_warnings():  # gradients may become infinite or NaN here, on purpose
        warnings.simplefilter("ignore", mg.NonFiniteGradientWarning)
        out = fn(*inputs)
        out = out[0] if isinstance(out, tuple) else out
        for p in params:
            p.grad = 0.0
        out.backward()
    return out.data, [p.grad for p in params]


_UNARY_DAG: dict[str, Callable[[Value], Value]] = {
    "relu": lambda v: v.relu(),  # zero gradients: backward() skips those nodes
    "tanh": lambda v: v.tanh(),
    "neg": lambda v: -v,
    "sq": lambda v: v * v,  # one input used twice by one node
    "sqrt": lambda v: (v * v).sqrt(),  # an infinite local derivative at 0: inf · 0 cases
}

# A random program over a growing list of Values (three parameters and a constant to start):
# ("chain", picks, keep) adds the picked Values with a Python loop, s = s + v (a chain of
# additions), and with keep=True also puts every partial sum in the list, so later steps can
# use the middle of a chain; the other steps apply one operation to picked Values.
_pick = st.integers(0, 10**6)
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("chain"), st.lists(_pick, min_size=2, max_size=8), st.booleans()),
        st.tuples(st.sampled_from(["+", "-", "*", "r+"]), _pick, _pick),
        st.tuples(st.sampled_from(sorted(_UNARY_DAG)), _pick),
    ),
    min_size=1,
    max_size=20,
)
# Zeros of both signs, and numbers whose sums round (so that the order of additions shows).
_numbers = st.sampled_from([0.0, -0.0, 1.0, -1.5, 0.1, -0.7, 3.3, 1e-9, 12345.678])


def _run_program(steps: list[Any], start: list[Value]) -> list[Value]:
    vs = list(start)
    for step in steps:
        kind = step[0]
        if kind == "chain":
            s = vs[step[1][0] % len(vs)]
            partials = []
            for p in step[1][1:]:
                s = s + vs[p % len(vs)]
                partials.append(s)
            vs.extend(partials if step[2] else [s])
        elif kind in ("+", "-", "*"):
            a, b = vs[step[1] % len(vs)], vs[step[2] % len(vs)]
            vs.append(a + b if kind == "+" else a - b if kind == "-" else a * b)
        elif kind == "r+":  # a chain link as the second input: not a left fold
            vs.append(vs[step[1] % len(vs)] + (vs[step[2] % len(vs)] + 1.0))
        else:
            vs.append(_UNARY_DAG[kind](vs[step[1] % len(vs)]))
    return vs


@settings(max_examples=300, deadline=None)
@given(
    _steps,
    st.lists(_numbers, min_size=3, max_size=3),
    st.lists(_numbers, min_size=3, max_size=3),
    st.lists(_pick, max_size=3),
)
@example(  # inf - inf in a gradient: NaN, whose sign the order of additions may flip
    [("+", 0, 0), ("neg", 0), ("chain", [0, 0], False), ("+", 0, 0), ("neg", 0), ("sqrt", 5126)],
    [0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0],
    [],
)
def test_random_graphs_with_chains_replay_bit_for_bit(
    steps: list[Any], xs: list[float], xs2: list[float], extra_picks: list[int]
) -> None:
    params = [Value(x, label=n) for n, x in zip(VARS, xs, strict=True)]
    # Which intermediate Values the function also returns (a chain's middle, maybe).
    probe = _run_program(steps, [*params, Value(0.3)])
    below = {id(v) for v in topological_order(probe[-1])}
    picks = [i % len(probe) for i in extra_picks if id(probe[i % len(probe)]) in below]

    def fn() -> tuple[Value, list[Value]]:
        vs = _run_program(steps, [*params, Value(0.3)])
        return vs[-1], [vs[i] for i in picks]

    try:
        rec = record(fn, params)
    except (ArithmeticError, ValueError):
        assume(False)
        return
    for numbers in (xs, xs2):
        for p, x in zip(params, numbers, strict=True):
            p.data = x
        try:
            eager = _quiet_eager(fn, params)
        except (ArithmeticError, ValueError):
            with pytest.raises((ArithmeticError, ValueError)):
                rec()
            continue
        assert _same(_replayed(rec, params), eager)
        assert rec.extras == [v.data for v in fn()[1]]


def test_a_chain_element_used_twice() -> None:
    a, b, c = Value(0.5), Value(-2.0), Value(3.0)

    def fn() -> Value:
        s = a + b  # folded into t
        t = s + c  # used twice: a sum of its own
        u = t + t + a * t
        return u * b

    rec = record(fn, [a, b, c])
    assert _replayed(rec, [a, b, c]) == _eager(fn, [a, b, c])


def test_chains_of_parameters() -> None:
    # Parameters as terms of a chain, the same one several times, one first in the chain.
    w, v = Value(0.3), Value(-1.1)

    def fn(x: Value) -> Value:
        s = w + w
        for _ in range(5):
            s = s + v * x + w
        return sum([w, v, s, w], Value(0.0)) * s

    rec = record(fn, [w, v], 2.0)
    for x in (2.0, -0.5, 0.0):
        assert _replayed(rec, [w, v], x) == _eager(fn, [w, v], x)


def test_zero_gradient_times_infinite_local_derivative() -> None:
    # sqrt at 0 has an infinite slope; backward() skips the node when its gradient is 0, so
    # the parameter gets no contribution (not inf · 0 = nan) — in a chain and out of one.
    w, u = Value(0.0), Value(1.0)

    def fn() -> Value:
        s = w.sqrt() + u + w.sqrt()
        return s * 0.0 + (u + w.sqrt()) * 0.0 + u

    rec = record(fn, [w, u])
    assert _same(_replayed(rec, [w, u]), _eager(fn, [w, u]))
    assert w.grad == 0.0


def test_a_chain_middle_returned_as_extra() -> None:
    a, b = Value(1.5), Value(-0.5)

    def fn() -> tuple[Value, list[Value]]:
        s1 = a + b
        s2 = s1 + a * b  # returned: the chain is split here
        s3 = s2 + b
        return (s3 * a).tanh(), [s1, s2, s3]

    rec = record(fn, [a, b])
    assert _same(_replayed(rec, [a, b]), _quiet_eager(fn, [a, b]))
    assert rec.extras == [v.data for v in fn()[1]]


def test_long_sums_and_right_nested_sums() -> None:
    ws = [Value(random.Random(i).uniform(-1, 1)) for i in range(3000)]

    def fn() -> Value:
        left = sum((w * w for w in ws), Value(0.0))  # a chain of 3,000 additions
        right = ws[0] + (ws[1] + (ws[2] + ws[3]))  # links as second inputs: no fold
        return left * right

    rec = record(fn, ws)
    assert _replayed(rec, ws) == _eager(fn, ws)


def test_overflow_in_a_replay_names_the_operation() -> None:
    w = Value(0.5)
    rec = record(lambda: mg.vsum([w * 1e308 + w * 1e308]) * w, [w])
    w.data = 1.0  # 1e308 + 1e308 is too large for a float: the engine refuses it
    with pytest.raises(OverflowError, match="add"):
        rec()
    with pytest.raises(OverflowError, match="add"):
        rec.forward()


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=3), st.integers(0, 10**6))
def test_micrograd_style_code_replays_exactly(hidden: list[int], seed: int) -> None:
    # micrograd's way of writing a network: each neuron is sum((w*x for ...), b), a chain of
    # additions, and the loss sums with sum() too; many chains of one length run side by side.
    rng = random.Random(seed)
    sizes = [2, *hidden, 1]
    layers = [
        [[Value(rng.uniform(-1, 1)) for _ in range(nin + 1)] for _ in range(nout)]
        for nin, nout in itertools.pairwise(sizes)
    ]
    params = [p for layer in layers for neuron in layer for p in neuron]

    def model(x: list[Value]) -> Value:
        for i, layer in enumerate(layers):
            outs = [sum((w * xi for w, xi in zip(n[:-1], x, strict=True)), n[-1]) for n in layer]
            x = [o.relu() for o in outs] if i < len(layers) - 1 else outs
        return x[0]

    def loss(X: list[list[Value]], y: list[Value]) -> Value:
        losses = [(1 + -yi * model(x)).relu() for x, yi in zip(X, y, strict=True)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)

    def batch() -> tuple[list[list[float]], list[float]]:
        X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(12)]
        return X, [rng.choice([-1.0, 1.0]) for _ in X]

    rec = record(loss, params, *batch())
    for _ in range(3):
        X, y = batch()
        assert _same(_replayed(rec, params, X, y), _quiet_eager(loss, params, X, y))
        for p in params:
            p.data -= 0.5 * p.grad


def test_results_computed_under_no_grad_are_constants() -> None:
    w, a = Value(2.0), Value(3.0)

    def fn() -> Value:
        with mg.no_grad():
            c = a + 1.0  # a number now: no inputs, no gradient
        return w * c + c + c

    rec = record(fn, [w])
    assert _replayed(rec, [w]) == _eager(fn, [w]) == (16.0, [4.0])
    a.data = 5.0  # a constant of the recording: the check mode sees the difference
    with pytest.raises(RecordMismatchError, match="replayed output"):
        rec.check()


def test_a_non_finite_gradient_warns_as_backward_does() -> None:
    x, w = Value(0.0, label="x"), Value(2.0, label="w")
    rec = record(lambda: (x * w).sqrt() + w, [x, w])  # the slope of sqrt at 0 is infinite
    for p in (x, w):
        p.grad = 0.5  # the replay adds to these, as backward() does
    with pytest.warns(mg.NonFiniteGradientWarning) as replayed:
        rec()
    got = [x.grad, w.grad]
    for p in (x, w):
        p.grad = 0.5
    with pytest.warns(mg.NonFiniteGradientWarning) as eager:
        ((x * w).sqrt() + w).backward()
    assert [_bits(g) for g in got] == [_bits(g) for g in [x.grad, w.grad]]
    assert str(replayed[0].message) == str(eager[0].message)
    assert "sqrt" in str(eager[0].message)
    x.data, x.grad, w.grad = 1.0, 0.0, 0.0  # finite again: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec()


def test_inputs_too_large_for_a_float_are_named() -> None:
    import pytest

    import microgrand as mg

    w = mg.Value(1.0)
    with pytest.raises(OverflowError, match="record\\(\\): an input of 1329 bits is too large"):
        mg.record(lambda x: w * x, [w], 10**400)
    rec = mg.record(lambda x: w * x, [w], 2.0)
    with pytest.raises(OverflowError, match="too large for a float"):
        rec(10**400)
