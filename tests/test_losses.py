"""Losses: exact values (by hand / math), gradients against finite differences, errors."""

from __future__ import annotations

import math

import mpmath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from microgrand import Value, gradcheck, losses, no_grad

finite = st.floats(-4.0, 4.0, allow_nan=False)
probs = st.floats(0.02, 0.98)


def _vals(xs: list[float]) -> list[Value]:
    return [Value(x) for x in xs]


# --- exact values ---------------------------------------------------------------------------


def test_mse_and_mae_values_and_gradients() -> None:
    p = _vals([0.5, 2.0, -1.0])
    loss = losses.mse(p, [1.0, 2.0, 1.0])
    assert loss.data == pytest.approx((0.25 + 0 + 4) / 3)
    loss.backward()
    assert [v.grad for v in p] == pytest.approx([2 * -0.5 / 3, 0.0, 2 * -2 / 3])
    q = _vals([0.5, 3.0])
    loss = losses.mae(q, [1.0, 2.0])
    assert loss.data == pytest.approx(0.75)
    loss.backward()
    assert [v.grad for v in q] == pytest.approx([-0.5, 0.5])


def test_single_example_is_not_averaged() -> None:
    assert losses.mse(Value(3.0), 1.0).data == 4.0
    assert losses.mse(3.0, 1.0).data == 4.0


def test_hinge_matches_micrograd_formula() -> None:
    scores = _vals([2.0, 0.5, -0.3, 0.2])
    labels = [1, -1, -1, 1]
    loss = losses.hinge(scores, labels)
    # micrograd: mean(relu(1 - y·s)) = (0 + 1.5 + 0.7 + 0.8) / 4
    assert loss.data == pytest.approx(3.0 / 4)
    loss.backward()
    assert [s.grad for s in scores] == pytest.approx([0.0, 0.25, 0.25, -0.25])


def test_bce_from_probabilities_by_hand() -> None:
    p = _vals([0.8, 0.3])
    loss = losses.binary_cross_entropy(p, [1, 0])
    assert loss.data == pytest.approx((-math.log(0.8) - math.log(0.7)) / 2)
    loss.backward()
    assert p[0].grad == pytest.approx(-1 / 0.8 / 2)
    assert p[1].grad == pytest.approx(1 / 0.7 / 2)


def test_short_names() -> None:
    assert losses.bce is losses.binary_cross_entropy
    assert losses.LOSSES["bce"].fn is losses.binary_cross_entropy
    assert losses.LOSSES["binary_cross_entropy"] is losses.LOSSES["bce"]
    z = Value(0.3)
    assert losses.LOSSES["bce_logits"](z, 1).data == losses.bce(z, 1, from_logits=True).data


def test_bce_soft_labels() -> None:
    loss = losses.binary_cross_entropy(Value(0.6), 0.25)
    assert loss.data == pytest.approx(-(0.25 * math.log(0.6) + 0.75 * math.log(0.4)))


@given(z=st.floats(-30, 30), y=st.sampled_from([0.0, 1.0, 0.3]))
@example(z=28.0, y=1.0)  # softplus(z) - z would lose digits to cancellation here
@example(z=-28.0, y=0.0)
@settings(max_examples=60, deadline=None)
def test_bce_logits_equals_bce_of_sigmoid(z: float, y: float) -> None:
    # Oracle: the probability form evaluated with 50 significant digits (mpmath).
    with mpmath.workdps(50):
        p = 1 / (1 + mpmath.exp(-mpmath.mpf(z)))
        expected = float(-(y * mpmath.log(p) + (1 - y) * mpmath.log(1 - p)))
    got = losses.binary_cross_entropy(Value(z), y, from_logits=True).data
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_bce_logits_is_stable_for_huge_scores() -> None:
    assert losses.binary_cross_entropy(Value(1000.0), 1, from_logits=True).data == 0.0
    assert losses.binary_cross_entropy(Value(-1000.0), 1, from_logits=True).data == 1000.0
    z = Value(-1000.0)
    losses.binary_cross_entropy(z, 1, from_logits=True).backward()
    assert z.grad == pytest.approx(-1.0)  # sigmoid(z) - y


def test_bce_probability_zero_is_clamped_like_pytorch() -> None:
    assert losses.binary_cross_entropy(Value(0.0), 1).data == 100.0
    assert losses.binary_cross_entropy(Value(1.0), 0).data == 100.0
    assert losses.binary_cross_entropy(Value(1.0), 1).data == 0.0


def test_cross_entropy_by_hand_and_stable() -> None:
    z = _vals([1.0, 2.0, 0.5])
    loss = losses.cross_entropy(z, 1)
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(0.5))
    assert loss.data == pytest.approx(lse - 2.0)
    loss.backward()
    soft = [math.exp(v - lse) for v in (1.0, 2.0, 0.5)]
    assert [v.grad for v in z] == pytest.approx([soft[0], soft[1] - 1, soft[2]])
    big = losses.cross_entropy([Value(1000.0), Value(0.0)], 1)
    assert big.data == pytest.approx(1000.0)
    batch = losses.cross_entropy([[0.0, 0.0], [3.0, 0.0]], [0, 0])
    assert batch.data == pytest.approx((math.log(2) + math.log1p(math.exp(-3))) / 2)


def test_penalties() -> None:
    w = _vals([3.0, -4.0, 0.5])
    l2 = losses.l2(w)
    assert l2.data == pytest.approx(25.25)
    l2.backward()
    assert [p.grad for p in w] == [6.0, -8.0, 1.0]
    w2 = _vals([3.0, -4.0])
    l1 = losses.l1(w2)
    assert l1.data == 7.0
    l1.backward()
    assert [p.grad for p in w2] == [1.0, -1.0]


def test_batch_loss_is_one_sum_node() -> None:
    loss = losses.mse(_vals([1.0, 2.0, 3.0]), [0.0, 0.0, 0.0])
    assert loss.op == "div"
    assert loss.inputs[0].op == "sum" and len(loss.inputs[0].inputs) == 3


def test_losses_work_under_no_grad() -> None:
    with no_grad():
        assert losses.mse(_vals([1.0, 3.0]), [1.0, 1.0]).data == 2.0


# --- gradients against finite differences ---------------------------------------------------


@given(xs=st.lists(finite, min_size=1, max_size=4), data=st.data())
@settings(max_examples=40, deadline=None)
def test_regression_losses_gradcheck(xs: list[float], data: st.DataObject) -> None:
    ts = data.draw(st.lists(finite, min_size=len(xs), max_size=len(xs)))
    # mae's kink at p == t has no derivative: keep predictions away from their targets.
    ts = [t if abs(t - x) > 1e-3 else t + 0.5 for x, t in zip(xs, ts, strict=True)]
    assert gradcheck(lambda *p: losses.mse(list(p), ts), xs).ok
    assert gradcheck(lambda *p: losses.mae(list(p), ts), xs).ok


@given(xs=st.lists(finite, min_size=1, max_size=4), data=st.data())
@settings(max_examples=40, deadline=None)
def test_hinge_gradcheck(xs: list[float], data: st.DataObject) -> None:
    ys = data.draw(st.lists(st.sampled_from([-1, 1]), min_size=len(xs), max_size=len(xs)))
    xs = [x if abs(1 - y * x) > 1e-3 else x + 0.1 for x, y in zip(xs, ys, strict=True)]
    assert gradcheck(lambda *p: losses.hinge(list(p), ys), xs).ok


@given(ps=st.lists(probs, min_size=1, max_size=4), data=st.data())
@settings(max_examples=40, deadline=None)
def test_bce_gradcheck(ps: list[float], data: st.DataObject) -> None:
    ys = data.draw(st.lists(st.sampled_from([0.0, 1.0, 0.4]), min_size=len(ps), max_size=len(ps)))
    assert gradcheck(lambda *p: losses.binary_cross_entropy(list(p), ys), ps).ok
    assert gradcheck(lambda *z: losses.binary_cross_entropy(list(z), ys, from_logits=True), ps).ok


@given(zs=st.lists(finite, min_size=2, max_size=5), data=st.data())
@settings(max_examples=40, deadline=None)
def test_cross_entropy_gradcheck(zs: list[float], data: st.DataObject) -> None:
    t = data.draw(st.integers(0, len(zs) - 1))
    assert gradcheck(lambda *z: losses.cross_entropy(list(z), t), zs).ok
    half = len(zs) // 2 or 1
    assert gradcheck(
        lambda *z: losses.cross_entropy([list(z[:half]), list(z[half : 2 * half])], [0, half - 1]),
        zs[: 2 * half] if len(zs) >= 2 * half else zs,
    ).ok


@given(ws=st.lists(finite.filter(lambda w: abs(w) > 1e-3), min_size=1, max_size=5))
@settings(max_examples=30, deadline=None)
def test_penalties_gradcheck(ws: list[float]) -> None:
    assert gradcheck(lambda *p: losses.l2(p), ws).ok
    assert gradcheck(lambda *p: losses.l1(p), ws).ok


# --- errors ---------------------------------------------------------------------------------


def _shape(root: Value) -> list[tuple[str | None, int]]:
    from microgrand.value import topological_order

    return [(v.op, len(v.inputs)) for v in topological_order(root)]


@settings(max_examples=60, deadline=None)
@given(
    zs=st.lists(finite, min_size=1, max_size=4),
    name=st.sampled_from(["mse", "mae", "hinge", "bce", "bce_logits"]),
    data=st.data(),
)
def test_value_targets_give_the_same_numbers_and_a_label_free_graph(
    zs: list[float], name: str, data: st.DataObject
) -> None:
    """A target given as a Value is an input of the graph: same loss and gradients as the
    number, and a graph whose shape does not depend on the label (what record() relies on)."""
    n = len(zs)
    if name == "hinge":
        labels = data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n))
    elif name.startswith("bce"):
        labels = data.draw(st.lists(st.sampled_from([0.0, 1.0, 0.25]), min_size=n, max_size=n))
    else:
        labels = data.draw(st.lists(finite, min_size=n, max_size=n))
    if name == "bce":
        zs = [1 / (1 + math.exp(-z)) for z in zs]  # probabilities
    fn = losses.LOSSES[name]
    plain, as_values = _vals(zs), _vals(zs)
    a = fn(plain, labels)  # type: ignore[operator]
    targets = _vals(labels)
    b = fn(as_values, targets)  # type: ignore[operator]
    assert a.data == b.data
    a.backward()
    b.backward()
    assert [v.grad for v in plain] == [v.grad for v in as_values]  # 0.0 == -0.0 counts as equal
    if name in ("mse", "mae"):  # the loss depends on pred - target only
        assert [t.grad for t in targets] == [-v.grad for v in as_values]
    other = fn(_vals(zs), _vals([-t if name == "hinge" else 1.0 - t for t in labels]))  # type: ignore[operator]
    assert _shape(other) == _shape(b)


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: losses.mse([Value(1.0)], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
        (lambda: losses.mse([], []), ValueError, "empty batch"),
        (lambda: losses.mse([Value(1.0)], 1.0), ValueError, "one target"),
        (lambda: losses.mse(Value(1.0), [1.0, 2.0]), ValueError, "one prediction but 2 targets"),
        (lambda: losses.mse("a", 1.0), TypeError, "predictions must be"),
        (lambda: losses.mse([Value(1.0)], [math.nan]), TypeError, "finite number"),
        (lambda: losses.hinge([Value(1.0)], [0]), ValueError, "labels must be -1 or \\+1.*to_pm1"),
        (lambda: losses.binary_cross_entropy([Value(0.5)], [2]), ValueError, r"in \[0, 1\]"),
        (
            lambda: losses.binary_cross_entropy([Value(0.5)], [-1]),
            ValueError,
            "to_01",
        ),
        (
            lambda: losses.binary_cross_entropy([Value(1.5)], [1]),
            ValueError,
            "not a probability.*from_logits=True",
        ),
        (
            lambda: losses.cross_entropy([Value(1.0), Value(2.0)], 2),
            ValueError,
            "out of range for 2",
        ),
        (lambda: losses.cross_entropy([Value(1.0), Value(2.0)], -1), ValueError, "out of range"),
        (lambda: losses.cross_entropy([Value(1.0)], 0.5), TypeError, "class index"),  # type: ignore[arg-type]
        (lambda: losses.cross_entropy([], 0), ValueError, "non-empty"),
        (lambda: losses.cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, "1 logit lists but 2"),
        (lambda: losses.cross_entropy([[1.0, 2.0], [1.0]], [0, 0]), ValueError, "has 1 logits"),
        (lambda: losses.l2([]), ValueError, "no parameters"),
        (lambda: losses.l2(Value(1.0)), TypeError, "list of parameters"),  # type: ignore[arg-type]
    ],
)
def test_bad_inputs_raise_clear_errors(call: object, err: type[Exception], match: str) -> None:
    with pytest.raises(err, match=match):
        call()  # type: ignore[operator]
