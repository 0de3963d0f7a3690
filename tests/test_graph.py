"""Graph snapshots: stable ids, edges with local derivatives, depth, scopes, determinism."""

from __future__ import annotations

import subprocess
import sys

import pytest

import microgrand as mg
from microgrand import Graph, Value


def neuron() -> Value:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    out = (x * w + b).tanh()
    out.backward()
    return out


def test_nodes_are_in_topological_order_with_stable_ids() -> None:
    g = Graph.of(neuron())
    assert [n.id for n in g.nodes] == [f"n{i}" for i in range(6)]
    assert [n.label or n.op for n in g.nodes] == ["x", "w", "mul", "b", "add", "tanh"]
    assert g.root == "n5"
    pos = {n.id: i for i, n in enumerate(g.nodes)}
    for e in g.edges:
        assert pos[e.src] < pos[e.dst]


def test_edges_carry_local_derivatives_in_input_order() -> None:
    g = Graph.of(neuron())
    assert [(e.src, e.dst, e.position, e.local) for e in g.edges[:2]] == [
        ("n0", "n2", 0, -3.0),
        ("n1", "n2", 1, 2.0),
    ]
    tanh_edge = g.edges[-1]
    assert tanh_edge.local == pytest.approx(1 - g.nodes[-1].data ** 2)


def test_node_lookup_and_snapshot_copies_values() -> None:
    x = Value(1.0, label="x")
    y = x * 3
    g = Graph.of(y)
    assert g.node(x).id == g.id_of(x) == "n0"
    assert g.node("n2").op == "mul"
    with pytest.raises(KeyError, match="no node 'n9'"):
        g.node("n9")
    with pytest.raises(KeyError, match="is not part of this graph"):
        g.node(Value(5.0))
    y.backward()
    assert g.node(x).grad == 0.0  # snapshot taken before backward
    assert Graph.of(y).node(x).grad == 3.0
    with pytest.raises(TypeError, match=r"Graph\.of\(\) takes a Value, got float"):
        Graph.of(1.0)  # type: ignore[arg-type]


def test_depth_and_stats() -> None:
    x = Value(1.0)
    y = x
    for _ in range(10):
        y = y.tanh()
    assert Graph.of(y).depth == 10
    s = Graph.of(mg.vsum([Value(1.0), Value(2.0), Value(3.0)])).stats()
    assert s == {"nodes": 4, "edges": 3, "leaves": 3, "operations": 1, "depth": 1}
    assert Graph.of(Value(1.0)).depth == 0


def test_shared_node_appears_once() -> None:
    a = Value(2.0, label="a")
    b = a * a + a
    g = Graph.of(b)
    assert len([n for n in g.nodes if n.label == "a"]) == 1
    assert len(g.edges) == 4


def test_scopes_group_nodes() -> None:
    x = Value(1.0, label="x")
    with mg.scope("layer1"):
        h = (x * 2).relu()
        with mg.scope("neuron1"):
            o = h + 1
    g = Graph.of(o)
    assert g.scopes == {"layer1": ("n1", "n2", "n3"), "layer1/neuron1": ("n4", "n5")}
    assert g.node(x).scope == ""


def test_same_graph_same_snapshot_across_processes() -> None:
    code = (
        "import microgrand as mg\n"
        "from microgrand.examples import readme_example\n"
        "g = mg.Graph.of(readme_example())\n"
        "print([(n.id, n.label, n.op, n.inputs) for n in g.nodes])\n"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(runs) == 1


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("a\ud800", "lone surrogate"),
        ("w" * 1001, "1,001 characters"),
    ],
)
def test_labels_that_cannot_be_drawn_are_refused_by_name(label: str, message: str) -> None:
    v = mg.Value(1.0, label=label)
    with pytest.raises(ValueError, match=message):
        mg.Graph.of(v * 2.0)
    with pytest.raises(ValueError, match=message):
        mg.draw(v * 2.0)
    mg.Graph.of(mg.Value(1.0, label='w · x ∂ <b> "q"\nline 2 ' + "y" * 900))  # drawable


def test_scope_names_are_one_line() -> None:
    with (
        pytest.raises(ValueError, match="scope name 'a\\\\nb' has a control character"),
        mg.scope("a\nb"),
    ):
        pass
