"""Guards: a recorded function's decisions on numbers are checked on every replay, so a
replay is never silently different from running the function eagerly."""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrand as mg
from microgrand import Value
from microgrand.guards import Traced, Tracer, evaluate
from microgrand.nn import Module
from microgrand.recording import BatchRecordings, RecordMismatchError, record
from microgrand.train import fit


class Branchy(Module):
    """The reproducer of issue 26: a Python ``if`` on an input's number picks the graph."""

    def __init__(self) -> None:
        super().__init__()
        self.w = Value(0.5, label="w")
        self.b = Value(0.0, label="b")

    def forward(self, x: Any) -> Value:
        x0 = x[0] if isinstance(x[0], Value) else Value(x[0])  # fit passes floats eagerly
        return self.w * x0 + self.b if x0.data > 0 else self.w * x0 * 3.0 + self.b


def test_a_branch_that_flips_between_batches_is_caught_in_fit() -> None:
    # Steps 5-7 take the other branch: before guards, replays 1, 2, 4 and 8 were checked
    # and these three were replayed silently on the recorded branch.
    X = [[0.5], [1.0], [1.5], [2.0], [-0.5], [-1.0], [-2.0], [0.25]]
    y = [2.0 * x[0] for x in X]
    kw: dict[str, Any] = dict(loss="mse", optimizer="sgd", lr=0.05, epochs=1, batch_size=1,
                              shuffle=False, progress=False)  # fmt: skip
    eager, compiled = Branchy(), Branchy()
    fit(eager, X, y, **kw)
    fit(compiled, X, y, compiled=True, **kw)  # eight steps: too few to record, run eagerly
    assert [p.data for p in compiled.parameters()] == [p.data for p in eager.parameters()]
    with pytest.raises(RecordMismatchError, match="another path"):
        fit(Branchy(), X, y, compiled=True, **{**kw, "epochs": 3})
    # Without a flip the compiled run is the eager one, bit for bit.
    pos = [x for x in X if x[0] > 0]
    a, b = Branchy(), Branchy()
    ha = fit(a, pos, [2.0 * x[0] for x in pos], **{**kw, "epochs": 3})
    hb = fit(b, pos, [2.0 * x[0] for x in pos], compiled=True, **{**kw, "epochs": 3})
    assert ha.step_loss == hb.step_loss
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


# A branch condition on a number read from a Value, as a user may write it.
CONDITIONS: dict[str, Any] = {
    "x > t": lambda x, t: x > t,
    "t < x": lambda x, t: t < x,
    "2x - 1 > t": lambda x, t: 2 * x - 1 > t,
    "abs(x) <= t": lambda x, t: abs(x) <= t,
    "x / 4 + t >= 0.5": lambda x, t: x / 4 + t >= 0.5,
    "(x - t) ** 2 < 1": lambda x, t: (x - t) ** 2 < 1,
    "bool(x > t)": lambda x, t: bool(x > t),
    "round(x) == t": lambda x, t: round(x) == round(t),
    "math.floor(x)": lambda x, t: math.floor(x) % 2 == 0,
    "math.exp(x) > t": lambda x, t: math.exp(min(x, 50.0)) > abs(t),
    "int(x)": lambda x, t: int(x) > t,
    "float(x)": lambda x, t: float(x) > t,
    "x // 1": lambda x, t: x // 1 > t,
    "x % 2": lambda x, t: x % 2 > 1.0,
    "-x": lambda x, t: -x > t,
    "f-string": lambda x, t: f"{x:.1f}".startswith("-"),
    "Value comparison": None,  # v > t on the Value itself
}
numbers = st.floats(-3.0, 3.0, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(CONDITIONS)), numbers, st.lists(numbers, min_size=2, max_size=8))
def test_a_replay_equals_the_eager_run_or_raises(name: str, t: float, xs: list[float]) -> None:
    """Whatever the condition, every replay either equals the eager step exactly or raises
    RecordMismatchError, and it raises only when the eager graph really is another one."""
    cond = CONDITIONS[name]
    w = Value(0.7)

    def loss(x: Value) -> Value:
        taken = x > t if cond is None else cond(x.data, t)
        return (w * x).tanh() if taken else w * x * 3.0 + 1.0

    rec = record(loss, [w], xs[0], arrays=False)
    for x in xs[1:]:
        w.grad = 0.0
        eager = loss(Value(x))
        eager.backward()
        want = (eager.data, w.grad)
        same_path = (cond(x, t) if cond else x > t) == (cond(xs[0], t) if cond else xs[0] > t)
        w.grad = 0.0
        try:
            got = rec(x)
        except RecordMismatchError:
            assert not same_path
            return
        assert (got, w.grad) == want


def test_recording_restores_value_data_and_float_gives_floats() -> None:
    member = Value.__dict__["data"]
    w = Value(2.0)

    def fn() -> Value:
        f = float(w)
        assert type(f) is float
        assert isinstance(w.data, Traced)
        return w * f

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = record(fn, [w])
    assert Value.__dict__["data"] is member and type(w.data) is float
    assert rec.guards == 1  # float(w) pinned the number
    with pytest.raises(ZeroDivisionError):
        record(lambda: w / (w.data - 2.0), [w])  # the function fails while recording
    assert Value.__dict__["data"] is member


def test_a_number_used_as_a_constant_is_pinned() -> None:
    w, x = Value(1.0), Value(3.0)
    rec = record(lambda: w * x.data, [w, x])  # x's number became a constant of the graph
    assert rec() == 3.0
    x.data = 4.0  # a replay would still compute 1 * 3: the pin sees the change
    with pytest.raises(RecordMismatchError, match=r"the constant 3\.0, now the constant 4\.0"):
        rec()


def test_labels_read_by_a_loss_are_trusted_in_batch_recordings() -> None:
    model = mg.nn.MLP(2, [3, 1], rng=0)

    def graph(xs: Any, ys: Any) -> Value:
        return mg.losses.hinge([model(x) for x in xs], ys)  # reads the labels' numbers

    replays = BatchRecordings(graph, model.parameters(), labels_as_inputs=True)
    replays.step([[0.1, 0.2]], [1.0])
    replays.step([[0.1, 0.2]], [1.0])
    rec = next(iter(replays._recs.values()))
    assert rec.guards == 0 and rec.checkable


ops = st.sampled_from(["+", "-", "*", "/", "neg", "abs", "**"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(ops, numbers), min_size=1, max_size=8), numbers, numbers)
def test_traced_numbers_compute_like_floats(steps: list[tuple[str, float]], x: float,
                                             x2: float) -> None:  # fmt: skip
    """A Traced number has the float's value bit for bit, and its expression recomputes the
    float computation for another start value (the oracle: plain float arithmetic)."""
    fns = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "**": lambda a, b: a ** 2.0}  # fmt: skip

    def run(v: Any) -> Any:
        for op, c in steps:
            if op == "neg":
                v = -v
            elif op == "abs":
                v = abs(v)
            elif op == "/" and c == 0.0:
                v = v / 1.5
            else:
                v = fns[op](v, c) if hash(op) % 2 else fns[op](c, v) if op != "**" else v**2.0
        return v

    tracer = Tracer(())
    try:
        plain = run(x)
        traced = run(Traced(x, ("node", "x"), tracer))
    except (ArithmeticError, ValueError):
        return
    if not isinstance(plain, float):
        return  # a complex power: pinned instead
    assert isinstance(traced, Traced) and repr(traced) == f"Traced({plain!r})"
    try:
        other = run(x2)
    except (ArithmeticError, ValueError):
        return
    if isinstance(other, float):
        got = evaluate(traced.expr, {"x": x2}.__getitem__)
        assert (math.isnan(got) and math.isnan(other)) or got == other


def _shape_of(a: float, b: float, c: float) -> int:
    """Which of three graphs the nested branches below build (the oracle, on floats)."""
    if a > 0:
        return 1 if b > 0 else 2
    return 1 if c > 0 else 3


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(numbers, numbers, numbers), min_size=2, max_size=30))
def test_paths_learned_from_checks_stay_sound(steps: list[tuple[float, float, float]]) -> None:
    """Two paths through nested ifs build the same graph; a replay accepted through a path
    learned from an eager check must still equal the eager run (or raise)."""
    w = Value(0.3)

    def fn(x: list[Value]) -> Value:
        a, b, c = x
        graphs = {1: lambda: (w * a).tanh(), 2: lambda: w * b + 1.0, 3: lambda: (w - c) * w}
        if a.data > 0:
            return graphs[1 if b.data > 0 else 2]()
        return graphs[1 if c.data > 0 else 3]()

    rec = record(fn, [w], list(steps[0]))
    for abc in steps[1:]:
        w.grad = 0.0
        eager = fn([Value(v) for v in abc])
        eager.backward()
        want = (eager.data, w.grad)
        w.grad = 0.0
        try:
            got = rec(list(abc))
        except RecordMismatchError:
            assert _shape_of(*abc) != _shape_of(*steps[0])
            continue
        assert (got, w.grad) == want


def test_a_replay_that_fails_on_a_branch_the_function_no_longer_takes() -> None:
    w = Value(1.0)

    def fn(x: Value) -> Value:
        return (w * x).exp() if x.data < 100.0 else w * x  # the guard sits before the overflow

    rec = record(fn, [w], 1.0)
    with pytest.raises(RecordMismatchError, match="another path"):
        rec(1000.0)  # exp(1000) overflows in the replay; the function would not call exp
    with pytest.raises(RecordMismatchError, match="another path"):
        rec.forward(1000.0)
    plain = record(lambda x: (w * x).exp(), [w], 1.0)  # no branch: the engine's own error
    with pytest.raises(OverflowError, match="exp"):
        plain(1000.0)


def test_the_engine_computing_nodes_makes_no_guards() -> None:
    """vsum, softmax and the other free functions read .data to compute their node: those
    reads are the engine's, not decisions of the recorded function, so an MLP step summed
    with vsum, with L2 and a softmax (vsum in every neuron too) records no guard at all (a
    guard per number would make every replay check thousands of them)."""
    import microgrand as mg

    X, _ = mg.data.moons(20, noise=0.1, seed=0)
    net = mg.MLP(2, [4, 1], rng=0)

    def loss(xs: Any) -> Any:
        scores = [net(x) for x in xs]
        probs = mg.softmax([scores[0], scores[1]])
        squares = mg.vsum([s * s for s in scores])
        return squares + 1e-4 * mg.losses.l2(net.parameters()) + probs[0]

    rec = mg.record(loss, net.parameters(), X)
    assert rec.guards == 0
