"""BatchRecordings: one recording per batch shape, replayed on other examples and labels,
exactly equal to building the graph and calling backward(); labels that pick a branch are
recorded per batch; a changed branch is caught on the replay where it changes, by the
guards, without eager runs."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgrand import Value, losses
from microgrand.nn import MLP
from microgrand.recording import BatchRecordings, RecordMismatchError

coords = st.floats(-3.0, 3.0, allow_nan=False)


def _eager(graph: Any, params: list[Value], xs: Any, ys: Any) -> tuple[float, list[float]]:
    for p in params:
        p.grad = 0.0
    loss = graph(xs, ys)
    loss.backward()
    return loss.data, [p.grad for p in params]


@settings(max_examples=25, deadline=None)
@given(
    loss_name=st.sampled_from(["mse", "mae", "hinge", "bce_logits"]),
    batches=st.lists(
        st.lists(st.tuples(coords, coords, st.sampled_from([0, 1])), min_size=3, max_size=3),
        min_size=2,
        max_size=4,
    ),
    seed=st.integers(0, 50),
)
def test_labels_as_inputs_one_recording_serves_every_batch(
    loss_name: str, batches: list[list[tuple[float, float, int]]], seed: int
) -> None:
    model = MLP(2, [4, 1], activation="tanh", rng=seed)
    params = model.parameters()
    fn = losses.LOSSES[loss_name]

    def graph(xs: Any, ys: Any) -> Value:
        return fn([model(x) for x in xs], ys) + 1e-3 * losses.l2(params)  # type: ignore[operator]

    replays = BatchRecordings(graph, params, labels_as_inputs=True)
    for n, batch in enumerate(batches):
        xs = [[a, b] for a, b, _ in batch]
        ys = [2.0 * c - 1.0 if loss_name == "hinge" else float(c) for _, _, c in batch]
        want = _eager(graph, params, xs, ys)
        for p in params:
            p.grad = 0.0
        got = replays.step(xs, ys)
        if n == 0:  # first sight: run eagerly
            assert got is None
            continue
        assert (got, [p.grad for p in params]) == want
    assert replays.recordings == 1


def test_labels_in_the_graph_are_recorded_when_they_repeat() -> None:
    model = MLP(2, [3, 2], rng=0)
    params = model.parameters()

    def graph(xs: Any, ys: Any) -> Value:
        return losses.cross_entropy([model(x) for x in xs], ys)

    replays = BatchRecordings(graph, params, labels_as_inputs=False, limit=2)
    xs = [[0.5, -1.0], [1.5, 2.0]]
    assert replays.step(xs, [0, 1]) is None  # first sight: run it eagerly
    assert replays.recordings == 0
    want = _eager(graph, params, [[2.0, 1.0], [0.0, 0.5]], [0, 1])
    for p in params:
        p.grad = 0.0
    got = replays.step([[2.0, 1.0], [0.0, 0.5]], [0, 1])  # the same labels again: recorded
    assert (got, [p.grad for p in params]) == want and replays.recordings == 1
    assert replays.step(xs, [1, 0]) is None  # other labels: another graph
    assert replays.step(xs, [1, 0]) is not None and replays.recordings == 2
    assert replays.step(xs, [1, 1]) is None and replays.step(xs, [1, 1]) is None  # the limit


def test_a_changed_branch_is_caught_on_the_replay_where_it_changes() -> None:
    w = Value(1.0)

    def graph(xs: Any, ys: Any) -> Value:  # a Python if on a Value: not recordable
        s = w * xs[0]
        return (s.relu() if s.data > 0 else -s) - ys[0]

    replays = BatchRecordings(graph, [w], labels_as_inputs=True)
    assert replays.step([2.0], [0.0]) is None  # first sight: eagerly
    assert replays.step([2.0], [0.0]) == 2.0  # recorded with x = 2: the relu branch
    for x in (3.0, 0.5, 7.0, 1.0, 2.5):  # the same branch: replays, no eager runs
        assert replays.step([x], [0.0]) == x
    with pytest.raises(RecordMismatchError, match="recorded as relu, now neg"):
        replays.step([-2.0], [0.0])  # another branch


def test_replays_run_no_eager_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    from microgrand.recording import Recorded

    checks: list[int] = []
    real = Recorded._check

    def spy(self: Recorded, inputs: Any, *, learn: bool) -> None:
        checks.append(1)
        real(self, inputs, learn=learn)

    monkeypatch.setattr(Recorded, "_check", spy)
    w = Value(0.5)
    replays = BatchRecordings(lambda xs, ys: (w * xs[0] - ys[0]) ** 2, [w], labels_as_inputs=True)
    for k in range(10):
        replays.step([float(k)], [1.0])
    assert checks == []
    # A guard that fails but leads to the same graph costs one eager check, and no error.
    v = Value(0.5)

    def same_either_way(xs: Any, ys: Any) -> Value:
        if xs[0].data > 0:
            return v * xs[0] * 2.0
        return v * xs[0] * 2.0

    replays = BatchRecordings(same_either_way, [v], labels_as_inputs=True)
    for x in (1.0, 1.0, 2.0, -1.0, 3.0):
        replays.step([x], [0.0])
    assert len(checks) == 1


def test_a_recording_that_cannot_be_checked_is_not_kept() -> None:
    w = Value(0.5)
    side = Value(0.0)

    def graph(xs: Any, ys: Any) -> Value:
        off = w * 3.0  # not part of the loss: a replay does not compute it
        side.data = off.data  # read: the loss's graph might depend on it
        return (w * xs[0] - ys[0]) ** 2

    replays = BatchRecordings(graph, [w], labels_as_inputs=True)
    assert [replays.step([1.0], [0.0]) for _ in range(4)] == [None] * 4
    assert replays.recordings == 0
