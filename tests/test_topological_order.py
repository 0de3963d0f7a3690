"""The topological order and the per-node edge storage of :class:`microgrand.Value`.

The depth-first search of :func:`microgrand.topological_order` must give exactly the order
of the earlier implementation (a stack of ``(node, iterator over its inputs)`` pairs),
kept here as the oracle: node ids in ``Graph.of``, explanations and stored notebooks
depend on it.
"""

from __future__ import annotations

import gc

from hypothesis import given, settings
from hypothesis import strategies as st

import microgrand as mg
from microgrand import Value, topological_order


def oracle_order(root: Value) -> list[Value]:
    """The previous implementation: each stack entry is a node and an iterator over its
    remaining inputs; a node is emitted once the iterator is exhausted."""
    order: list[Value] = []
    visited = {root}
    stack = [(root, iter(root.inputs))]
    while stack:
        v, inputs = stack[-1]
        for u in inputs:
            if u not in visited:
                visited.add(u)
                stack.append((u, iter(u.inputs)))
                break
        else:
            stack.pop()
            order.append(v)
    return order


def recursive_order(root: Value) -> list[Value]:
    """The textbook recursive depth-first postorder (small graphs only)."""
    order: list[Value] = []
    seen: set[Value] = set()

    def visit(v: Value) -> None:
        if v in seen:
            return
        seen.add(v)
        for u in v.inputs:
            visit(u)
        order.append(v)

    visit(root)
    return order


# A random DAG: each step makes one node from earlier nodes (picked by index, so inputs are
# shared and repeated, as in x * x) with a unary, binary or n-ary operation, or a constant.
_step = st.tuples(
    st.sampled_from(["add", "sub", "mul", "tanh", "neg", "relu", "vsum", "softmax", "const"]),
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=4),
    st.floats(min_value=-2.0, max_value=2.0),
)


def build(n_leaves: int, steps: list[tuple[str, list[int], float]]) -> list[Value]:
    nodes = [Value(0.1 * (i + 1), label=f"x{i}") for i in range(n_leaves)]
    for op, picks, c in steps:
        ins = [nodes[i % len(nodes)] for i in picks]
        if op == "add":
            v = ins[0] + (ins[1] if len(ins) > 1 else c)
        elif op == "sub":
            v = (c - ins[0]) if len(ins) == 1 else ins[0] - ins[1]
        elif op == "mul":
            v = ins[0] * (ins[-1] if len(ins) > 1 else c)
        elif op == "tanh":
            v = ins[0].tanh()
        elif op == "neg":
            v = -ins[0]
        elif op == "relu":
            v = ins[0].relu()
        elif op == "vsum":
            v = mg.vsum(ins)
        elif op == "softmax":
            v = mg.softmax(ins)[picks[0] % len(ins)]
        else:
            v = Value(c)
        nodes.append(v)
    return nodes


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=5), st.lists(_step, min_size=0, max_size=40))
def test_order_equals_the_previous_implementation(n_leaves: int, steps: list) -> None:
    nodes = build(n_leaves, steps)
    for root in nodes[-3:]:  # several roots: each sees a different part of the DAG
        got = topological_order(root)
        assert got == oracle_order(root)
        assert got == recursive_order(root)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=4), st.lists(_step, min_size=1, max_size=30))
def test_backward_equals_the_sum_over_edges(n_leaves: int, steps: list) -> None:
    # The chain rule written out over the public edges (inputs, local_grads) in the oracle
    # order: the same float operations in the same order as backward(), so exactly equal.
    nodes = build(n_leaves, steps)
    root = nodes[-1]
    root.backward()
    order = oracle_order(root)
    grads = {v: 0.0 for v in order}
    grads[root] = 1.0
    for v in reversed(order):
        g = grads[v]
        if g == 0.0:
            continue
        for u, d in zip(v.inputs, v.local_grads, strict=True):
            grads[u] += d * g
    assert [grads[v] for v in order] == [v.grad for v in order]


def test_edges_of_each_arity() -> None:
    a, b, c = Value(2.0, label="a"), Value(3.0, label="b"), Value(-1.0, label="c")
    assert a.inputs == () and a.local_grads == ()
    assert (a * b).inputs == (a, b) and (a * b).local_grads == (3.0, 2.0)
    assert (a * a).inputs == (a, a) and (a * a).local_grads == (2.0, 2.0)
    assert (-a).inputs == (a,) and (-a).local_grads == (-1.0,)
    assert (a**3).inputs == (a,) and (a**3).local_grads == (12.0,)
    s = mg.vsum([a, b, c])
    assert s.inputs == (a, b, c) and s.local_grads == (1.0, 1.0, 1.0)
    one = mg.vsum([a])  # an n-ary node with one input
    assert one.inputs == (a,) and one.local_grads == (1.0,)
    assert (a + 1).inputs[0] is a and (a + 1).inputs[1].data == 1.0
    assert mg.apply("leaky_relu", c, param=0.5).local_grads == (0.5,)


def test_nodes_made_without_grad_are_leaves() -> None:
    a = Value(2.0)
    with mg.no_grad():
        frozen = a * 3  # an operation result, but with no edges: a leaf of later graphs
        u = a.tanh()
        s = mg.vsum([a, a])
    assert frozen.inputs == () and u.inputs == () and s.inputs == ()
    y = frozen * frozen
    y.backward()
    assert frozen.grad == 12.0 and a.grad == 0.0
    y.backward()  # a leaf accumulates, like any input
    assert frozen.grad == 24.0
    assert topological_order(y) == [frozen, y]


def test_a_binary_node_is_one_gc_tracked_object() -> None:
    # The garbage collector's cost grows with the number of tracked objects: a node with
    # one or two inputs owns no container (no tuple of inputs or of local derivatives).
    a, b = Value(1.0), Value(2.0)
    for v in (a * b, a + 1, a.tanh(), -a, a**2):
        tuples = [r for r in gc.get_referents(v) if isinstance(r, tuple) and r]
        assert tuples == []
    s = mg.vsum([a, b, a])  # a node with any number of inputs keeps them in tuples
    assert (a, b, a) in gc.get_referents(s)
