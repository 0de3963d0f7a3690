"""The array replay (NumPy, one operation per group of alike nodes) gives the scalar replay's
numbers bit for bit — values, gradients, extras — on random graphs and MLPs, and behaves as
it does with overflow and non-finite gradients; NumPy stays optional."""

from __future__ import annotations

import math
import random
import subprocess
import sys
import warnings
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_properties import VARS
from test_record import _bits, _numbers, _pick, _run_program, _steps

import microgrand as mg
from microgrand import Value
from microgrand.recording import record

np = pytest.importorskip("numpy")


def _run(rec: Any, params: list[Value], *inputs: Any) -> tuple[list[bytes], list[bytes]]:
    for p in params:
        p.grad = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mg.NonFiniteGradientWarning)
        out = rec(*inputs)
    extras = rec.extras if isinstance(rec.extras, list) else []
    return [_bits(out), *map(_bits, extras)], [_bits(p.grad) for p in params]


def _both(fn: Any, params: list[Value], *example: Any) -> tuple[Any, Any]:
    scalar = record(fn, params, *example, arrays=False)
    arrays = record(fn, params, *example, arrays=True)
    assert arrays.arrays and not scalar.arrays
    return scalar, arrays


_UNARY = st.sampled_from(["exp", "tanh", "sigmoid", "relu", "abs", "sqrt", "log", "softplus",
                          "sin", "leaky", "pow3", "pow.5", "div"])  # fmt: skip


def _unary(name: str, v: Value) -> Value:
    if name == "leaky":
        return v.leaky_relu(0.1)
    if name == "pow3":
        return v**3
    if name == "pow.5":
        return (v * v + 0.5) ** 0.5
    if name == "div":
        return 1.0 / (v * v + 0.25)
    if name in ("log", "sqrt"):
        return getattr(v * v + 1e-3, name)()
    if name == "exp":
        return (v * 0.1).exp()
    if name == "abs":
        return abs(v)
    return getattr(v, name)()


@settings(max_examples=300, deadline=None)
@given(
    _steps,
    st.lists(st.tuples(_UNARY, _pick), max_size=6),
    st.lists(st.lists(_pick, min_size=1, max_size=12), max_size=3),
    st.lists(_numbers, min_size=3, max_size=3),
    st.lists(_numbers, min_size=3, max_size=3),
    st.lists(_pick, max_size=3),
)
def test_random_graphs_replay_bit_for_bit(
    steps: list[Any], unary: list[tuple[str, int]], sums: list[list[int]], xs: list[float],
    xs2: list[float], extra: list[int],
) -> None:  # fmt: skip
    """Chains of additions, vsum (fsum) with cancellations, every kind of rule, zeros of
    both signs, infinite slopes at 0 — the same bits as the replay on floats."""
    params = [Value(x, label=n) for n, x in zip(VARS, xs, strict=True)]

    def build() -> list[Value]:
        vs = _run_program(steps, [*params, Value(0.3)])
        for name, p in unary:
            vs.append(_unary(name, vs[p % len(vs)]))
        for picks in sums:
            vs.append(mg.vsum([vs[p % len(vs)] * 1e8 if p % 3 == 0 else vs[p % len(vs)]
                               for p in picks]))  # fmt: skip
        return vs

    def fn() -> tuple[Value, list[Value]]:
        vs = build()
        root = mg.vsum(vs[3:]) if len(vs) > 4 else vs[-1]
        below = {id(v) for v in mg.topological_order(root)}
        return root, [vs[i % len(vs)] for i in extra if id(vs[i % len(vs)]) in below]

    try:
        scalar, arrays = _both(fn, params)
    except (ArithmeticError, ValueError):
        assume(False)
        return
    for numbers in (xs, xs2):
        for p, x in zip(params, numbers, strict=True):
            p.data = x
        try:
            want = _run(scalar, params)
        except (ArithmeticError, ValueError) as err:
            with pytest.raises(type(err)):
                arrays()
            continue
        assert _run(arrays, params) == want


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=3),
    st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu"]),
    st.sampled_from(["hinge", "mse", "bce_logits"]),
    st.integers(0, 10**6),
)
def test_mlp_training_steps_replay_bit_for_bit(
    hidden: list[int], act: str, loss_name: str, seed: int
) -> None:
    rng = random.Random(seed)
    model = mg.nn.MLP(2, [*hidden, 1], activation=act, rng=seed)
    params = model.parameters()
    loss_fn = mg.losses.LOSSES[loss_name]

    def loss(X: list[list[Value]], y: list[Value]) -> tuple[Value, list[Value]]:
        outs = [model(x) for x in X]
        return loss_fn(outs, y) + 1e-4 * mg.losses.l2(params), outs  # type: ignore[operator]

    def batch() -> tuple[list[list[float]], list[float]]:
        X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(7)]
        return X, [rng.choice([-1.0, 1.0] if loss_name == "hinge" else [0.0, 1.0]) for _ in X]

    scalar, arrays = _both(loss, params, *batch())
    for _ in range(3):
        X, y = batch()
        want = _run(scalar, params, X, y)
        assert _run(arrays, params, X, y) == want
        for p in params:
            p.data -= 0.1 * p.grad


@pytest.mark.parametrize(
    "terms",
    [
        [1e16, 1.0, -1e16],  # fsum: 1.0; a left fold: 0.0
        [0.1] * 10,
        [-0.0, -0.0],  # fsum gives +0.0
        [1e300, 1e300, -1e300],
        [1.0, 1e-16, 1e-16, 1e-16],
        [2.0**-1074, 1.0, -1.0],
    ],
)
def test_vsum_equals_fsum(terms: list[float]) -> None:
    ws = [Value(t) for t in terms]
    scalar, arrays = _both(lambda: mg.vsum([w * 1.0 for w in ws]) * 2.0, ws)
    assert _run(arrays, ws) == _run(scalar, ws)
    assert arrays() == 2.0 * math.fsum(terms)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=40), min_size=1, max_size=30))
def test_many_vsums_equal_fsum(rows: list[list[float]]) -> None:
    k = len(rows[0])
    rows = [(r * k)[:k] for r in rows]  # one group: same number of terms
    ws = [[Value(t) for t in r] for r in rows]
    flat = [w for r in ws for w in r]

    def fn() -> tuple[Value, list[Value]]:
        sums = [mg.vsum([w * 1.0 for w in r]) for r in ws]
        return mg.vsum([s * s for s in sums]), sums

    try:
        rec = record(fn, flat, arrays=True)
    except (ArithmeticError, ValueError):
        assume(False)
        return
    try:
        rec()
    except (ArithmeticError, ValueError):
        return
    assert rec.extras == [math.fsum(r) for r in rows]


def test_overflow_and_domain_errors_name_the_operation() -> None:
    ws = [Value(1.0), Value(1.0), Value(-1.0)]
    rec = record(lambda: mg.vsum([w * 10.0 for w in ws]), ws, arrays=True)
    for w in ws:
        w.data *= 1e307
    # A partial sum overflows but the exact sum is finite: the engine's exact_sum gives it.
    assert rec() == mg.vsum([w * 10.0 for w in ws]).data == 1e308
    ws[2].data = 1e307
    with pytest.raises(OverflowError, match="sum"):  # the sum itself is too large
        rec()
    w = Value(0.5)
    rec = record(lambda: mg.vsum([w * 1e308 + w * 1e308]) * w, [w], arrays=True)
    w.data = 1.0
    with pytest.raises(OverflowError, match="add"):
        rec()
    with pytest.raises(OverflowError, match="add"):
        rec.forward()
    v = Value(2.0)
    rec = record(lambda: (v - 1.0).log() + 1.0 / (v - 3.0), [v], arrays=True)
    v.data = 0.5
    with pytest.raises(ValueError, match="log"):
        rec()
    v.data = 3.0
    with pytest.raises(ZeroDivisionError, match="div"):
        rec()


def test_a_non_finite_gradient_warns_naming_the_node() -> None:
    x, w = Value(0.0, label="x"), Value(2.0, label="w")
    rec = record(lambda: (x * w).sqrt() + w, [x, w], arrays=True)
    with pytest.warns(mg.NonFiniteGradientWarning, match="sqrt"):
        rec()


def test_without_numpy_the_scalar_replay_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)  # import numpy now fails
    w = Value(1.5)
    rec = record(lambda x: (w * x).tanh(), [w], 2.0)
    assert not rec.arrays and rec(2.0) == math.tanh(3.0)
    with pytest.raises(ImportError, match="NumPy"):
        record(lambda x: (w * x).tanh(), [w], 2.0, arrays=True)
    with pytest.raises(TypeError, match="arrays"):
        record(lambda x: w * x, [w], 2.0, arrays="yes")  # type: ignore[arg-type]


def test_import_microgrand_does_not_import_numpy() -> None:
    code = "import sys, microgrand; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


wide = st.builds(lambda m, e: m * 2.0**e, st.floats(-1.0, 1.0), st.integers(-1070, 1000))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(wide, min_size=2, max_size=12), min_size=1, max_size=20), st.data())
def test_vsums_of_any_magnitudes_equal_fsum(rows: list[list[float]], data: Any) -> None:
    """Terms from the smallest subnormal to 1e300, cancelling or not: math.fsum's bits."""
    k = len(rows[0])
    rows = [(r * k)[:k] for r in rows]
    if data.draw(st.booleans()):  # exact cancellations and ties
        rows = [[*r[:-1], -math.fsum(r[:-1])] if math.isfinite(math.fsum(r[:-1])) else r
                for r in rows]  # fmt: skip
    ws = [[Value(t) for t in r] for r in rows]
    flat = [w for r in ws for w in r]

    def fn() -> tuple[Value, list[Value]]:
        sums = [mg.vsum(r) for r in ws]
        return mg.vsum([s * 0.0 for s in sums]), sums

    try:
        want = [math.fsum(r) for r in rows]
        rec = record(fn, flat, arrays=True)
    except (ArithmeticError, ValueError):
        assume(False)
        return
    rec()
    assert [_bits(x) for x in rec.extras] == [_bits(x) for x in want]
