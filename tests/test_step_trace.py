"""trace(): one step per node, contributions that add up, replay == backward() exactly."""

from __future__ import annotations

import math

import pytest
from graphs import micrograd_readme
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from microgrand import Value, scope, vsum
from microgrand.stepper import Trace, trace


def readme_graph() -> tuple[Value, Value, Value]:
    return micrograd_readme()


def fold(step_start: float, seed: float, terms: list[float]) -> float:
    total = step_start + seed
    for t in terms:
        total += t
    return total


def check_invariants(t: Trace) -> None:
    graph = t.graph
    # one step per node, each node once, root first, every consumer before its inputs
    assert len(t) == len(graph.nodes)
    assert sorted(s.id for s in t) == sorted(n.id for n in graph.nodes)
    assert t[0].id == graph.root
    position = {s.id: s.index for s in t}
    for e in graph.edges:
        assert position[e.dst] < position[e.src]
    for s in t:
        # the gradient is exactly the fold of what was added to it, in order
        assert fold(s.start, s.seed, [c.value for c in s.incoming]) == s.grad
        running = s.start + s.seed
        for c in s.incoming:
            assert c.input == s.id
            assert c.before == running
            assert c.after == running + c.value
            running = c.after
            assert c.step < s.index
        # each outgoing term is local × upstream, one per input edge (unless blocked)
        if s.grad == 0.0:
            assert s.outgoing == ()
        else:
            assert [c.input for c in s.outgoing] == list(s.node.inputs)
        for c in s.outgoing:
            assert c.node == s.id
            assert c.upstream == s.grad
            assert c.value == c.local * c.upstream
            edge = next(e for e in graph.edges if e.dst == s.id and e.position == c.position)
            assert c.local == edge.local


def test_readme_expression_trace_matches_backward_exactly() -> None:
    g, a, b = readme_graph()
    t = trace(g)
    check_invariants(t)
    # counted by hand: a, b, 6 constants (1, 1, 2, 3, 2.0, 10.0) and 25 operations
    assert len(t) == len(t.graph.nodes) == 33
    g.backward()
    assert t.replay() == {n.id: n.value.grad for n in t.graph.nodes}
    assert t.grads == t.replay()
    assert t.grad_of(a) == a.grad and t.grad_of(b) == b.grad
    assert round(t.grad_of(a), 4) == 138.8338
    assert round(t.grad_of(b), 4) == 645.5773
    # a and b are the last two gradients to become final (they feed everything)
    assert {t[-1].id, t[-2].id} == {t.graph.id_of(a), t.graph.id_of(b)}


def test_trace_does_not_change_values_and_apply_writes_them() -> None:
    g, a, _ = readme_graph()
    before = [(n.value.data, n.value.grad) for n in trace(g).graph.nodes]
    t = trace(g)
    assert [(n.value.data, n.value.grad) for n in t.graph.nodes] == before
    t.apply()
    assert a.grad == t.grad_of(a) != 0.0


def test_a_times_a_accumulates_explicitly() -> None:
    a = Value(3.0, label="a")
    b = a * a  # db/da = 2a = 6
    t = trace(b)
    assert [s.name for s in t] == ["a·a", "a"]
    step_a = t.step_of(a)
    assert [(c.position, c.local, c.upstream, c.value) for c in step_a.incoming] == [
        (0, 3.0, 1.0, 3.0),
        (1, 3.0, 1.0, 3.0),
    ]
    assert [(c.before, c.after) for c in step_a.incoming] == [(0.0, 3.0), (3.0, 6.0)]
    assert step_a.grad == 6.0
    b.backward()
    assert a.grad == 6.0


def test_weight_shared_by_three_neurons_accumulates() -> None:
    # w is shared: n_i = tanh(w * x_i); L = n0 + n1 + n2 (one Σ node)
    w = Value(0.5, label="w")
    xs = [Value(x, label=f"x{i}") for i, x in enumerate([1.0, -2.0, 3.0])]
    outs = []
    for i, x in enumerate(xs):
        with scope(f"neuron{i}"):
            outs.append((w * x).tanh())
    loss = vsum(outs)
    t = trace(loss)
    check_invariants(t)
    step_w = t.step_of(w)
    assert len(step_w.incoming) == 3
    # hand-computed: dL/dw = Σ x_i (1 - tanh(w x_i)^2)
    # The last neuron's term arrives first (reverse topological order).
    expected = [x * (1 - math.tanh(0.5 * x) ** 2) for x in (3.0, -2.0, 1.0)]
    for c, e in zip(step_w.incoming, expected, strict=True):
        assert c.value == pytest.approx(e, rel=1e-12)
    running = [c.after for c in step_w.incoming]
    assert running[0] == pytest.approx(expected[0])
    assert running[1] == pytest.approx(expected[0] + expected[1])
    assert running[2] == pytest.approx(sum(expected))
    assert step_w.grad == pytest.approx(sum(expected))
    # by hand (x_i · (1 − tanh²(w x_i))): 0.5421 − 0.8399 + 0.7864 = 0.4886
    assert [round(c.value, 4) for c in step_w.incoming] == [0.5421, -0.8399, 0.7864]
    assert round(step_w.grad, 4) == 0.4886
    loss.backward()
    assert t.replay()[t.graph.id_of(w)] == w.grad


def test_zero_gradient_blocks_flow() -> None:
    x = Value(-1.0, label="x")
    r = x.relu()  # relu'(−1) = 0, so r's input gets 0 and x stays 0
    y = r * Value(5.0, label="k")  # dy/dr = 5, dy/dk = r = 0
    t = trace(y)
    check_invariants(t)
    step_r = t.step_of(r)
    assert step_r.grad == 5.0 and not step_r.blocked
    assert t.grad_of(x) == 0.0
    # a node whose gradient is exactly 0 sends nothing (as backward skips it)
    z = Value(2.0, label="z")
    q = (z * 3) * 0.0
    tq = trace(q)
    mid = tq.step_of(tq.graph.nodes[2].value)
    assert mid.grad == 0.0 and mid.blocked and mid.outgoing == ()
    assert tq.step_of(z).incoming == ()


def test_accumulate_starts_from_existing_leaf_grads() -> None:
    x = Value(2.0, label="x")
    y = x * x
    y.backward()  # x.grad = 4
    fresh = trace(y)
    acc = trace(y, accumulate=True)
    assert fresh.grad_of(x) == 4.0
    assert acc.grad_of(x) == 8.0 and acc.step_of(x).start == 4.0
    y.backward()
    assert x.grad == acc.replay()[acc.graph.id_of(x)]


def test_seed_and_lone_value() -> None:
    x = Value(2.0, label="x")
    t = trace(x * 3, grad=0.5)
    assert t[0].seed == 0.5 and t.grad_of(x) == 1.5
    lone = trace(x)
    assert len(lone) == 1 and lone[0].grad == 1.0 and lone[0].is_root and lone[0].is_leaf


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="output Value"):
        trace(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="grad must be a real number"):
        trace(Value(1.0), grad="1")  # type: ignore[arg-type]
    t = trace(Value(1.0) + 1)
    with pytest.raises(KeyError, match="not part of this graph"):
        t.step_of(Value(9.0))
    with pytest.raises(IndexError):
        t.known_after(5)


_UNARY = ["tanh", "sigmoid", "exp", "sin", "cos", "relu", "softplus", "abs", "neg"]


@st.composite
def expressions(draw: st.DrawFn) -> tuple[Value, list[Value]]:
    leaves = [
        Value(draw(st.floats(-2, 2, allow_nan=False)), label=f"v{i}")
        for i in range(draw(st.integers(1, 4)))
    ]
    pool = list(leaves)
    for _ in range(draw(st.integers(1, 12))):
        if any(not math.isfinite(v.data) or abs(v.data) > 1e6 for v in pool):
            break
        kind = draw(st.sampled_from(["add", "mul", "sub", "unary", "const"]))
        a = draw(st.sampled_from(pool))
        b = draw(st.sampled_from(pool))  # may be the same node: accumulation
        if kind == "add":
            pool.append(a + b)
        elif kind == "mul":
            pool.append(a * b)
        elif kind == "sub":
            pool.append(a - b)
        elif kind == "const":
            pool.append(a * draw(st.sampled_from([0.0, 0.5, 2.0, -1.0])))
        else:
            op = draw(st.sampled_from(_UNARY))
            if op == "exp" and a.data > 700:  # would overflow: the engine refuses it
                continue
            pool.append(-a if op == "neg" else abs(a) if op == "abs" else getattr(a, op)())
    return pool[-1], leaves


@settings(max_examples=150, deadline=None)
@given(expressions())
def test_random_graphs_replay_equals_backward(case: tuple[Value, list[Value]]) -> None:
    root, _ = case
    t = trace(root)
    assume(all(math.isfinite(g) for g in t.grads.values()))
    check_invariants(t)
    root.backward()
    assert t.replay() == {n.id: n.value.grad for n in t.graph.nodes}
