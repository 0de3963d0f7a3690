"""Property tests: random expression trees, backward vs central finite differences."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import microgrand as mg
from microgrand import Value

VARS = ("x", "y", "z")
UNARY: dict[str, Callable[[Any], Any]] = {
    "tanh": lambda v: v.tanh() if isinstance(v, Value) else math.tanh(v),
    "sigmoid": lambda v: v.sigmoid() if isinstance(v, Value) else 1 / (1 + math.exp(-v)),
    "sin": lambda v: v.sin() if isinstance(v, Value) else math.sin(v),
    "cos": lambda v: v.cos() if isinstance(v, Value) else math.cos(v),
    "exp": lambda v: v.exp() if isinstance(v, Value) else math.exp(v),
    "neg": lambda v: -v,
    "sq": lambda v: v**2,
    "cube": lambda v: v**3,
    "softplus": lambda v: v.softplus() if isinstance(v, Value) else math.log1p(math.exp(v)),
}
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}

leaf = st.one_of(
    st.sampled_from(VARS), st.floats(-3, 3, allow_nan=False).map(lambda c: round(c, 3))
)
# Inputs away from the subnormal range, where x/x or 1/x lose all precision in any engine.
inputs = st.lists(
    st.floats(-2, 2, allow_nan=False).filter(lambda v: v == 0.0 or abs(v) > 1e-3),
    min_size=3,
    max_size=3,
)

trees = st.recursive(
    leaf,
    lambda sub: st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), sub),
        st.tuples(st.sampled_from(sorted(BINARY)), sub, sub),
    ),
    max_leaves=12,
)


def evaluate(tree: Any, env: dict[str, Any]) -> Any:
    if isinstance(tree, str):
        return env[tree]
    if isinstance(tree, float):
        return tree
    if len(tree) == 2:
        return UNARY[tree[0]](evaluate(tree[1], env))
    return BINARY[tree[0]](evaluate(tree[1], env), evaluate(tree[2], env))


def float_eval(tree: Any, xs: list[float]) -> float:
    return float(evaluate(tree, dict(zip(VARS, xs, strict=True))))


def reference(tree: Any, xs: list[float], bound: float) -> float:
    """The tree's value at ``xs`` with plain floats; rejects the example outside the domain."""
    try:
        ref = float_eval(tree, xs)
    except (ArithmeticError, ValueError):
        ref = math.nan
    assume(math.isfinite(ref) and abs(ref) < bound)
    return ref


@settings(max_examples=300, deadline=None)
@given(trees, inputs)
def test_random_expressions_match_finite_differences(tree: Any, xs: list[float]) -> None:
    ref = reference(tree, xs, bound=1e4)
    vals = {n: Value(x, label=n) for n, x in zip(VARS, xs, strict=True)}
    out = evaluate(tree, vals)
    if not isinstance(out, Value):
        return  # the tree was a constant
    assert math.isclose(out.data, ref, rel_tol=1e-12, abs_tol=1e-12)
    out.backward()
    h = 1e-6
    for i, name in enumerate(VARS):
        hi, lo = list(xs), list(xs)
        hi[i] += h
        lo[i] -= h
        try:
            numeric = (float_eval(tree, hi) - float_eval(tree, lo)) / (2 * h)
            # skip points where the function bends sharply (central differences are unreliable)
            half = (float_eval(tree, hi) - ref) / h
        except (ArithmeticError, ValueError):
            continue
        assume(abs(numeric) < 1e4 and math.isclose(half, numeric, rel_tol=1e-2, abs_tol=1e-3))
        assert math.isclose(vals[name].grad, numeric, rel_tol=1e-4, abs_tol=1e-5), (
            name,
            vals[name].grad,
            numeric,
        )


@settings(max_examples=100, deadline=None)
@given(trees, inputs)
def test_gradcheck_agrees_on_random_expressions(tree: Any, xs: list[float]) -> None:
    reference(tree, xs, bound=100)

    def f(*vs: Value) -> Value:
        out = evaluate(tree, dict(zip(VARS, vs, strict=True)))
        return out if isinstance(out, Value) else vs[0] * 0.0 + out

    report = mg.gradcheck(f, xs, eps=1e-6, rtol=1e-3, atol=1e-4)
    assert len(report.rows) == 3
    sharp = False
    for row in report.rows:
        sharp |= not math.isfinite(row.numeric) or abs(row.numeric) > 1e3
    assume(not sharp)
    assert report.ok or any(abs(r.analytic) > 1e3 for r in report.rows), str(report)


@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=40))
def test_vsum_equals_chained_sum(xs: list[float]) -> None:
    a = [Value(x) for x in xs]
    b = [Value(x) for x in xs]
    s1 = mg.vsum(a)
    s2 = b[0]
    for v in b[1:]:
        s2 = s2 + v
    assert math.isclose(s1.data, s2.data, rel_tol=1e-9, abs_tol=1e-9)
    s1.backward()
    s2.backward()
    assert [v.grad for v in a] == [v.grad for v in b] == [1.0] * len(xs)


@given(st.lists(st.floats(-500, 500, allow_nan=False), min_size=1, max_size=10))
def test_softmax_is_a_distribution_without_overflow(xs: list[float]) -> None:
    ps = mg.softmax([Value(x) for x in xs])
    assert math.isclose(sum(p.data for p in ps), 1.0, rel_tol=1e-9)
    assert all(0.0 <= p.data <= 1.0 for p in ps)
