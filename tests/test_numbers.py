"""No silent non-finite numbers, and an exact softmax family at every magnitude.

Oracles: hand-computed values, mpmath at 60 digits (shipped with SymPy) for softmax,
logsumexp and cross-entropy and their gradients.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrand as mg
from microgrand import Value, losses
from microgrand.cli import main

mpmath.mp.dps = 60
NAN, INF = math.nan, math.inf


# --- the policy -----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
def test_values_and_constants_must_be_finite(bad: float) -> None:
    with pytest.raises(ValueError, match=r"Value\(\) must be a finite number"):
        Value(bad)
    refused: list[Callable[[], Any]] = [
        lambda: Value(1.0) + bad,
        lambda: bad + Value(1.0),
        lambda: Value(2.0) * bad,
        lambda: Value(2.0) - bad,
        lambda: Value(2.0) / bad,
        lambda: bad / Value(2.0),
        lambda: Value(2.0) ** bad,
        lambda: bad ** Value(2.0),
        lambda: mg.vsum([Value(1.0), bad]),
        lambda: mg.softmax([1.0, bad]),
        lambda: mg.logsumexp([bad, 0.0]),
        lambda: losses.cross_entropy([0.0, bad], 0),
        lambda: mg.leaky_relu(Value(1.0), bad),
        lambda: mg.apply("powc", Value(1.0), param=bad),
    ]
    for f in refused:
        with pytest.raises(ValueError, match="finite number") as err:
            f()
        assert "negative base" not in str(err.value)  # a NaN base is not blamed as negative


def test_int_too_large_for_a_float_is_refused() -> None:
    with pytest.raises(ValueError, match="finite number"):
        Value(10**400)
    with pytest.raises(ValueError, match="finite number"):
        Value(1.0) * 10**400


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: Value(1e200) * Value(1e200),
            OverflowError,
            r"^mul: x × y overflows for x = 1e\+200, y = 1e\+200: the result is too large for a "
            r"float$",
        ),
        (lambda: Value(1e308) + 1e308, OverflowError, r"^add: x \+ y overflows for x = 1e\+308"),
        (lambda: Value(-1e308) - 1e308, OverflowError, r"^sub: x − y overflows"),
        (lambda: Value(1e300) / 1e-300, OverflowError, r"^div: x ÷ y overflows"),
        (lambda: Value(1e200) ** 2, OverflowError, r"^powc: x\^2 overflows for x = 1e\+200"),
        (lambda: Value(10.0) ** Value(400.0), OverflowError, r"^pow: x \^ y overflows"),
        (lambda: Value(710.0).exp(), OverflowError, r"^exp: exp\(x\) overflows for x = 710"),
        (lambda: mg.vsum([1e308, 1e308]), OverflowError, r"^sum: x0 \+ x1 \+ … overflows"),
    ],
)
def test_an_operation_whose_result_is_not_finite_raises(
    make: Callable[[], Value], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make()


def test_the_reproducers_of_the_report() -> None:
    x = Value(1e200)
    with pytest.raises(OverflowError, match="mul"):
        _ = x * x - x * x
    with pytest.raises(ValueError, match="finite number"):
        Value(NAN).relu()


def test_non_finite_data_written_later_is_caught_by_the_next_operation() -> None:
    x = Value(1.0, label="x")
    x.data = NAN  # e.g. an optimizer with a NaN learning rate
    for op in (lambda: x.relu(), lambda: x * 2, lambda: x.leaky_relu(), lambda: x.tanh()):
        with pytest.raises(ValueError, match="got a non-finite input"):
            op()


def test_cli_never_prints_nan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for argv in (
        ["explain", "x*x - x*x", "x=1e200"],
        ["explain", "exp(x)", "x=710"],
        ["explain", "x*y", "x=1e300", "y=1e10"],
    ):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code != 0 and "nan" not in out and "overflows" in err, argv
    for argv in (
        ["explain", "sqrt(x) - sqrt(x)", "x=0"],
        ["step", "sqrt(x)", "x=0", "-o", str(tmp_path / "p.html")],
        ["render", "x*0 + sqrt(x)", "x=0", "-o", str(tmp_path / "g.svg")],
    ):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2 and "nan" not in out and "inf" not in out, argv
        assert "cannot differentiate here: gradient became" in err, err
    assert not list(tmp_path.iterdir())


LEAF = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 1e-308, 5e-324, 1e154, 1e200, 0.0]),
)
UNARY = ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "abs", "neg"]
BINARY = ["add", "sub", "mul", "div", "pow"]
trees = st.recursive(
    st.integers(0, 2),
    lambda sub: st.one_of(
        st.tuples(st.sampled_from(UNARY), sub),
        st.tuples(st.sampled_from(BINARY), sub, sub),
        st.tuples(st.sampled_from(["powc"]), sub, st.sampled_from([2.0, 3.0, -1.0, 0.5, 7.0])),
        st.tuples(
            st.sampled_from(["softmax", "logsumexp", "sum"]), st.lists(sub, min_size=1, max_size=3)
        ),
    ),
    max_leaves=8,
)


def _build(tree: Any, leaves: list[Value]) -> Value:
    if isinstance(tree, int):
        return leaves[tree]
    name = tree[0]
    if name == "powc":
        return _build(tree[1], leaves) ** tree[2]
    if name in ("softmax", "logsumexp", "sum"):
        xs = [_build(t, leaves) for t in tree[1]]
        return mg.softmax(xs)[0] if name == "softmax" else mg.apply(name, *xs)
    args = [_build(t, leaves) for t in tree[1:]]
    if name in OPERATORS:  # the operators' own (inlined) code path
        return OPERATORS[name](*args)
    return getattr(args[0], name)() if hasattr(Value, name) else mg.apply(name, *args)


OPERATORS: dict[str, Callable[..., Value]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "neg": lambda a: -a,
    "abs": abs,
}


@settings(max_examples=400, deadline=None)
@given(trees, st.lists(LEAF, min_size=3, max_size=3))
def test_huge_or_tiny_inputs_never_give_a_silent_non_finite_number(
    tree: Any, xs: list[float]
) -> None:
    leaves = [Value(x) for x in xs]
    try:
        out = _build(tree, leaves)
    except (ArithmeticError, ValueError) as e:
        msg = str(e)
        assert msg and ":" in msg  # a clear error naming the operation
        return
    seen = mg.topological_order(out)
    assert all(math.isfinite(v.data) for v in seen)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out.backward()
    if not all(math.isfinite(v.grad) for v in seen):  # a gradient may overflow: never silently
        assert any(issubclass(w.category, mg.NonFiniteGradientWarning) for w in caught)


# --- softmax, logsumexp, cross-entropy ------------------------------------------------------


def _mp_softmax(xs: list[float]) -> list[mpmath.mpf]:
    zs = [mpmath.mpf(x) for x in xs]
    m = max(zs)
    es = [mpmath.exp(z - m) for z in zs]
    s = mpmath.fsum(es)
    return [e / s for e in es]


def _others(ps: list[mpmath.mpf], k: int) -> mpmath.mpf:
    """1 - ps[k], as the sum of the others (no cancellation when ps[k] is nearly 1)."""
    return mpmath.fsum(p for j, p in enumerate(ps) if j != k)


def _rel(a: float, b: mpmath.mpf) -> float:
    return 0.0 if a == b else float(abs(mpmath.mpf(a) - b) / max(abs(b), mpmath.mpf(1e-300)))


MAGNITUDES = [1.0, 1e3, 1e12, 1e17, 1e308]


@pytest.mark.parametrize("scale", MAGNITUDES)
@pytest.mark.parametrize("pattern", [[1.0, 1.0, 1.0], [1.0, -1.0, 0.5], [0.3, 1.0, -0.7, 0.999]])
def test_softmax_is_exact_at_every_magnitude(scale: float, pattern: list[float]) -> None:
    xs = [Value(p * scale) for p in pattern]
    ps = mg.softmax(xs)
    want = _mp_softmax([x.data for x in xs])
    for p, w in zip(ps, want, strict=True):
        assert _rel(p.data, w) < 1e-15 or abs(p.data - float(w)) < 1e-300
    # gradient of the first output: d p0 / d xj = p0·([j = 0] - pj)
    ps[0].backward()
    for j, x in enumerate(xs):
        g = want[0] * (_others(want, 0) if j == 0 else -want[j])
        assert abs(mpmath.mpf(x.grad) - g) <= 1e-15 * max(abs(g), mpmath.mpf(1e-300)) + 1e-300


def test_softmax_reproducers() -> None:
    assert [p.data for p in mg.softmax([Value(1e17)] * 3)] == [1 / 3] * 3
    xs = [Value(1e308), Value(1e308)]
    ps = mg.softmax(xs)
    assert [p.data for p in ps] == [0.5, 0.5]
    ps[0].backward()
    assert [x.grad for x in xs] == [0.25, -0.25]
    with pytest.raises(ValueError, match="finite number"):
        mg.softmax([-INF, -INF])  # ±inf is refused, as every non-finite number
    very_unlikely = mg.softmax([0.0, -1e308])  # write an impossible class as -1e308
    assert [p.data for p in very_unlikely] == [1.0, 0.0]


@pytest.mark.parametrize("scale", MAGNITUDES)
def test_logsumexp_and_its_gradient_are_exact(scale: float) -> None:
    xs = [Value(scale), Value(scale), Value(-scale * 0.5)]
    out = mg.logsumexp(xs)
    zs = [mpmath.mpf(x.data) for x in xs]
    want = mpmath.log(mpmath.fsum(mpmath.exp(z) for z in zs))
    assert _rel(out.data, want) < 1e-15
    out.backward()
    for x, p in zip(xs, _mp_softmax([x.data for x in xs]), strict=True):
        assert _rel(x.grad, p) < 1e-15 or abs(x.grad - float(p)) < 1e-300


@pytest.mark.parametrize("scale", MAGNITUDES)
@pytest.mark.parametrize("target", [0, 1, 2])
def test_cross_entropy_is_exact_at_every_magnitude(scale: float, target: int) -> None:
    zs = [Value(scale), Value(scale), Value(scale * 0.25)]
    loss = losses.cross_entropy(zs, target)
    ps = _mp_softmax([z.data for z in zs])
    want = -mpmath.log(ps[target])
    assert _rel(loss.data, want) < 1e-14 or abs(loss.data - float(want)) < 1e-300
    loss.backward()
    for j, z in enumerate(zs):
        g = -_others(ps, j) if j == target else ps[j]
        assert abs(mpmath.mpf(z.grad) - g) <= 1e-15 * max(abs(g), mpmath.mpf(1e-300)) + 1e-300


def test_cross_entropy_reproducer() -> None:
    logits = [1e308, 0.0, -1e308]
    assert losses.cross_entropy(logits, 0).data == 0.0
    assert losses.cross_entropy(logits, 1).data == 1e308  # exact: 1e308 + log(1 + e^-1e308)
    with pytest.raises(
        OverflowError,
        match=r"^cross_entropy: .* overflows for x0 = 1e\+308, "
        r"x1 = 0, x2 = -1e\+308",
    ):
        losses.cross_entropy(logits, 2)  # the loss is 2e308: more than a float holds
    assert losses.cross_entropy([1e17, 1e17], 1).data == math.log(2)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-1e308, 1e308), min_size=1, max_size=12))
def test_softmax_sums_to_one(xs: list[float]) -> None:
    ps = mg.softmax(xs)
    assert abs(math.fsum(p.data for p in ps) - 1.0) <= 1e-15
    assert all(0.0 <= p.data <= 1.0 for p in ps)
