"""The renderer: SVG parsed with xml.etree, numbers checked against independent values."""

from __future__ import annotations

import itertools
import math
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from graphs import micrograd_readme

from microgrand import Diagram, DiagramTooLargeError, Graph, Value, draw, scope, vsum
from microgrand.render import format_number

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+\.\d+(?:e[+-]\d+)?")
LEGEND = "fill = gradient (×10 per step)"


def readme_graph() -> tuple[Value, dict[str, Value]]:
    """micrograd's README expression, labelled, after backward."""
    g, a, b = micrograd_readme(labels=True, backward=True)
    return g, {"a": a, "b": b}


def svg_root(d: Diagram) -> ET.Element:
    return ET.fromstring(d.svg())


def texts(el: ET.Element) -> list[str]:
    return [(t.text or "").strip() for t in el.iter(f"{SVG}text")]


def groups(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id", ""): g for g in root.iter(f"{SVG}g") if g.get("id")}


def test_readme_expression_every_node_shows_data_and_grad() -> None:
    g, leaves = readme_graph()
    # oracle: micrograd's README numbers
    assert round(g.data, 4) == 24.7041
    assert round(leaves["a"].grad, 4) == 138.8338
    graph = Graph.of(g)
    for precision in (2, 4):
        root = svg_root(draw(g, precision=precision))
        by_id = groups(root)
        for n in graph.nodes:
            node_texts = texts(by_id[n.id])
            assert f"data = {n.data:.{precision}f}" in node_texts
            assert f"grad = {n.grad:.{precision}f}" in node_texts
            if n.label:
                assert n.label in node_texts
            if n.rule is not None:
                assert texts(by_id[f"{n.id}-op"]) == [n.rule.symbol]
    root = svg_root(draw(g))
    assert "data = 24.7041" in texts(root)
    assert "grad = 138.8338" in texts(root)
    assert "grad = 645.5773" in texts(root)


def test_edge_labels_show_local_derivatives() -> None:
    g, _ = readme_graph()
    graph = Graph.of(g)
    root = svg_root(draw(g, edge_labels=True))
    by_id = groups(root)
    for e in graph.edges:
        el = by_id[f"e-{e.src}-{e.dst}-{e.position}"]
        label = graph.node(e.src).label
        name = label if label else f"input {e.position + 1}"
        name = name if re.fullmatch(r"[A-Za-z]\w*", name) else f"({name})"
        assert texts(el) == [f"∂/∂{name} = {e.local:.4f}"]
    # without the option, no edge carries text
    root = svg_root(draw(g))
    for e in graph.edges:
        assert texts(groups(root)[f"e-{e.src}-{e.dst}-{e.position}"]) == []


def test_edge_local_derivative_against_finite_differences() -> None:
    x = Value(0.3, label="x")
    y = (x * x).tanh()
    d = draw(y, edge_labels=True, precision=6)
    h = 1e-6
    fd = (math.tanh((0.3 + h) ** 2) - math.tanh((0.3 - h) ** 2)) / (2 * h)
    # the tanh edge's local derivative times the mul edges' (2 of them, each x) = dy/dx
    labels = [t for t in texts(svg_root(d)) if t.startswith("∂")]
    vals = sorted(float(t.split("=")[1]) for t in labels)
    assert vals[0] == pytest.approx(0.3) and vals[1] == pytest.approx(0.3)
    assert 2 * 0.3 * vals[2] == pytest.approx(fd, rel=1e-5)


def test_ids_and_classes_are_stable() -> None:
    g, _ = readme_graph()
    graph = Graph.of(g)
    by_id = groups(svg_root(draw(g)))
    for n in graph.nodes:
        assert "node" in by_id[n.id].get("class", "").split()
        assert "value" in by_id[n.id].get("class", "").split()
        if n.rule is not None:
            assert "op" in by_id[f"{n.id}-op"].get("class", "").split()
            assert f"e-{n.id}-op" in by_id
    assert "root" in by_id[graph.root].get("class", "").split()


def test_worksheet_has_no_gradient_numbers_and_answer_key_has_all() -> None:
    g, _ = readme_graph()
    graph = Graph.of(g)
    ws = draw(g, worksheet=True, color="grad")
    all_texts = texts(svg_root(ws))
    grad_texts = [t for t in all_texts if t.startswith("grad")]
    assert len(grad_texts) == len(graph.nodes)
    assert all(t == "grad = ________" for t in grad_texts)
    # every number in the output is a data value (none is a gradient that differs from one)
    datas = {f"{n.data:.4f}" for n in graph.nodes}
    grads = {f"{n.grad:.4f}" for n in graph.nodes} - datas
    assert len(grads) >= 5
    shown = set(NUMBER.findall(" ".join(all_texts)))
    assert shown <= datas
    assert not (grads & set(NUMBER.findall(ws.dot)))
    assert "legend" not in ws.dot and LEGEND not in all_texts
    key = ws.answer_key()
    key_texts = texts(svg_root(key))
    for n in graph.nodes:
        assert f"grad = {n.grad:.4f}" in key_texts
    assert LEGEND in key_texts  # colour comes back in the answer key


def test_known_grads_blank_the_others() -> None:
    g, _ = readme_graph()
    graph = Graph.of(g)
    known = [graph.root, graph.nodes[-2].value]
    by_id = groups(svg_root(draw(g, known_grads=known)))
    for n in graph.nodes:
        t = [x for x in texts(by_id[n.id]) if x.startswith("grad")]
        if n.id in (graph.root, graph.nodes[-2].id):
            assert t == [f"grad = {n.grad:.4f}"]
        else:
            assert t == ["grad ="]


def test_notes_and_edge_notes() -> None:
    x = Value(0.5, label="x")
    y = x * 3.0
    y.backward()
    d = draw(y, notes={"n2": "+= 0.5 × 3.0"}, edge_notes={("n0", "n2", 0): "upstream"})
    by_id = groups(svg_root(d))
    assert "+= 0.5 × 3.0" in texts(by_id["n2"])
    assert texts(by_id["e-n0-n2-0"]) == ["upstream"]
    with pytest.raises(ValueError, match="edge_notes"):
        draw(y, edge_notes={("n0", "n2", 5): "x"})
    with pytest.raises(ValueError, match="n9"):
        draw(y, notes={"n9": "x"})


def test_label_with_markup_is_escaped() -> None:
    x = Value(1.0, label='a <b> & "q"\nline2')
    y = x * 2
    y.label = "</TD></TR></TABLE>>]; evil [label=x"
    y.backward()
    d = draw(y)
    assert d.dot.count("evil") == 1
    root = svg_root(d)  # parses: nothing broke the XML
    by_id = groups(root)
    assert 'a <b> & "q"' in texts(by_id["n0"]) and "line2" in texts(by_id["n0"])
    assert "</TD></TR></TABLE>>]; evil [label=x" in texts(by_id["n2"])
    assert not list(root.iter(f"{SVG}b"))  # no injected element
    assert set(groups(root)) >= {"n0", "n1", "n2", "n2-op"}
    assert not any(k.startswith("evil") for k in groups(root))


def test_control_characters_do_not_break_svg() -> None:
    y = Value(1.0, label="a\x00b\x1bc\td") * 2
    ET.fromstring(draw(y).svg())


def test_dot_identical_across_runs_and_processes() -> None:
    g, _ = readme_graph()
    d1 = draw(g, edge_labels=True, color="grad").dot
    d2 = draw(readme_graph()[0], edge_labels=True, color="grad").dot
    assert d1 == d2
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import test_render as t; "
        "from microgrand import draw; "
        "sys.stdout.write(draw(t.readme_graph()[0], edge_labels=True, color='grad').dot)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent)],
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "123"},
    ).stdout.decode()
    assert out == d1


def test_svg_identical_across_runs() -> None:
    g, _ = readme_graph()
    assert draw(g).svg() == draw(readme_graph()[0]).svg()


def test_highlight_and_path_from() -> None:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    out = (x * w + b).tanh()
    out.backward()
    graph = Graph.of(out)
    by_id = groups(svg_root(draw(out, path_from=x)))
    hl = {k for k, el in by_id.items() if "highlight" in el.get("class", "").split()}
    # x -> x*w -> +  -> tanh: the values, their op nodes, the edges between them
    x_id, mul, add, th = "n0", "n2", "n4", "n5"
    assert graph.node(x).id == x_id
    assert {x_id, mul, add, th, f"{mul}-op", f"{add}-op", f"{th}-op"} <= hl
    assert {"n1", "n3"}.isdisjoint(hl)  # w and b are not on the path from x
    assert {f"e-{x_id}-{mul}-0", f"e-{mul}-{add}-0", f"e-{add}-{th}-0"} <= hl
    assert f"e-n1-{mul}-1" not in hl
    # highlight by id; an edge needs both ends highlighted
    by_id = groups(svg_root(draw(out, highlight=["n1", "n3"])))
    hl = {k for k, el in by_id.items() if "highlight" in el.get("class", "").split()}
    assert hl == {"n1", "n3"}
    with pytest.raises(ValueError, match="not part of this graph"):
        draw(out, highlight=[Value(1.0)])


def test_color_by_gradient_sign_and_legend() -> None:
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = x * w
    y.backward()  # x.grad = -3 (most negative), w.grad = 2, y.grad = 1
    d = draw(y, color="grad")
    fills = {}
    for el in svg_root(d).iter(f"{SVG}g"):
        if el.get("id") in ("n0", "n1", "n2"):
            path = el.find(f"{SVG}path")
            assert path is not None
            fills[el.get("id")] = path.get("fill")
    assert fills["n0"] == "#4393c3"  # -3 / 3: full blue
    # logarithmic scale over three decades: 2/3 of the largest is 1 + log10(2/3)/3 of the way
    t = 1 + math.log10(2 / 3) / 3
    white, red = (255, 255, 255), (0xDA, 0x6A, 0x57)
    expected = "#" + "".join(
        f"{round(a + (b - a) * t):02x}" for a, b in zip(white, red, strict=True)
    )
    assert fills["n1"] == expected
    # y.grad = 1 is a third of the largest: still clearly red, not washed out
    assert fills["n2"] != "#ffffff"
    assert LEGEND in texts(svg_root(d))
    assert "+3.0000" in texts(svg_root(d)) and "-3.0000" in texts(svg_root(d))
    print_fills = draw(y, color="grad", theme="print").dot
    assert "#4393c3" not in print_fills and "#da6a57" not in print_fills


def test_color_scale_shows_small_gradients_and_leaves_zero_white() -> None:
    z, t, b = Value(-4.0, label="z"), Value(2.0, label="t"), Value(1.0, label="b")
    y = z.relu() + t * 1e-6 + b * 1000.0
    y.backward()  # z.grad = 0 (relu of a negative), t.grad = 1e-6, b.grad = 1000 (largest)
    fills = {}
    for el in svg_root(draw(y, color="grad")).iter(f"{SVG}g"):
        if "value" in el.get("class", "").split():
            path = el.find(f"{SVG}path")
            assert path is not None
            fills[texts(el)[0]] = path.get("fill")
    assert (z.grad, t.grad, b.grad) == (0.0, 1e-6, 1000.0)
    assert fills["z"] == "#ffffff"  # exactly zero: no colour
    assert fills["t"] not in ("#ffffff", "#da6a57")  # 1e-9 of the largest: faint, not white
    assert fills["b"] == "#da6a57"  # the largest: full red


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_themes_render(theme: str) -> None:
    x = Value(2.0, label="x")
    y = x.tanh()
    y.backward()
    root = svg_root(draw(y, theme=theme, color="grad", highlight=[x]))
    bg = root.find(f"{SVG}g/{SVG}polygon")
    assert bg is not None
    assert bg.get("fill") == {"light": "#ffffff", "dark": "#1e1e1e", "print": "#ffffff"}[theme]


def mlp(sizes: list[int], scoped: bool = True) -> Value:
    """A hand-built MLP on one sample, each layer (and neuron) in its own scope."""
    import random

    rng = random.Random(1)
    acts = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(sizes[0])]
    for li, (nin, nout) in enumerate(itertools.pairwise(sizes)):
        new = []
        for j in range(nout):

            def neuron(acts: list[Value] = acts, nin: int = nin, li: int = li) -> Value:
                ws = [Value(rng.uniform(-1, 1), label=f"w{k}") for k in range(nin)]
                s = vsum([w * a for w, a in zip(ws, acts, strict=True)] + [Value(0.0, label="b")])
                return s.tanh() if li < len(sizes) - 2 else s

            if scoped:
                with scope(f"layer{li + 1}"), scope(f"neuron{j}"):
                    new.append(neuron())
            else:
                new.append(neuron())
        acts = new
    loss = (acts[0] - 1.0) ** 2
    loss.backward()
    return loss


def test_guard_refuses_large_graph_without_scopes() -> None:
    loss = mlp([2, 16, 16, 16, 1], scoped=False)
    n = len(Graph.of(loss))
    with pytest.raises(DiagramTooLargeError) as info:
        draw(loss)
    msg = str(info.value)
    assert str(n) in msg and "max_nodes" in msg and "collapse" in msg
    assert info.value.node_count == n and info.value.max_nodes == 300
    assert isinstance(info.value, ValueError)


def test_guard_never_hangs_on_100k_nodes() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(100_000):
        y = y + 1.0
    with pytest.raises(DiagramTooLargeError, match="200001 nodes"):
        draw(y)


def test_guard_collapses_scopes_automatically() -> None:
    loss = mlp([2, 16, 16, 16, 1])
    d = draw(loss)
    assert d.notes and "collapsed automatically" in d.notes[0]
    root = svg_root(d)
    by_id = groups(root)
    for layer in ("layer1", "layer2", "layer3", "layer4"):
        assert f"box-{layer}" in by_id
    graph = Graph.of(loss)
    count = sum(1 for n in graph.nodes if n.scope.startswith("layer1"))
    assert count == 16 * 7
    assert texts(by_id["box-layer1"]) == ["layer1", f"{count} nodes"]
    assert any("collapsed automatically" in t for t in texts(root))
    with pytest.raises(DiagramTooLargeError, match="collapse"):
        draw(loss, collapse=False)


def test_collapse_depth_list_and_expand() -> None:
    loss = mlp([2, 2, 1])
    graph = Graph.of(loss)
    by_id = groups(svg_root(draw(loss, collapse=2)))
    assert {"box-layer1--neuron0", "box-layer1--neuron1", "box-layer2--neuron0"} <= set(by_id)
    assert "cluster-layer1" in by_id  # the open layer is a labelled cluster
    # aggregated edges: x0 feeds both layer-1 neurons, one edge each
    x0 = next(n for n in graph.nodes if n.label == "x0")
    for j in (0, 1):
        assert texts(by_id[f"e-{x0.id}-box-layer1--neuron{j}"]) == []
    d = draw(loss, collapse=True, expand=["layer1"])
    by_id = groups(svg_root(d))
    assert "box-layer2" in by_id and "box-layer1" not in by_id
    n_layer1 = [n.id for n in graph.nodes if n.scope.startswith("layer1")]
    assert all(i in by_id for i in n_layer1)
    d = draw(loss, collapse=True, expand=["layer1/neuron1"])
    by_id = groups(svg_root(d))
    assert {"box-layer1--neuron0", "box-layer2"} <= set(by_id)
    assert "box-layer1--neuron1" not in by_id
    with pytest.raises(ValueError, match="no scope 'layer9'"):
        draw(loss, collapse=["layer9"])


def test_aggregated_edges_between_boxes() -> None:
    a = Value(1.0, label="a")
    with scope("one"):
        p, q = a * 2, a * 3
    with scope("two"):
        r = p + q
    r.backward()
    d = draw(r, collapse=True)
    by_id = groups(svg_root(d))
    assert texts(by_id["e-box-one-box-two"]) == ["2 edges"]
    assert texts(by_id["e-n0-box-one"]) == ["2 edges"]
    assert texts(by_id["box-one"]) == ["one", "4 nodes"]


def test_clusters_without_collapse() -> None:
    x = Value(1.0, label="x")
    with scope("mlp"), scope("layer1"):
        y = (x * 2).tanh()
    y.backward()
    root = svg_root(draw(y))
    by_id = groups(root)
    assert "cluster-mlp" in by_id and "cluster-mlp--layer1" in by_id
    assert "layer1" in texts(by_id["cluster-mlp--layer1"])


def test_png_and_save(tmp_path: Path) -> None:
    d = draw(Value(2.0, label="x") * 3)
    assert d.png()[:8] == b"\x89PNG\r\n\x1a\n"
    for suffix in (".svg", ".png", ".dot"):
        p = d.save(tmp_path / f"g{suffix}")
        assert p.stat().st_size > 0
    ET.parse(tmp_path / "g.svg")
    assert (tmp_path / "g.dot").read_text() == d.dot
    with pytest.raises(ValueError, match=r"unknown file type '\.jpg'"):
        d.save(tmp_path / "g.jpg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        d.save(tmp_path / "missing" / "g.svg")
    assert sorted(os.listdir(tmp_path)) == ["g.dot", "g.png", "g.svg"]  # no temp files left


def test_save_is_atomic_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = draw(Value(1.0, label="x") + 1)
    target = tmp_path / "g.svg"
    target.write_text("old")

    def boom(*a: object, **k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        d.save(target)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["g.svg"]


def test_mimebundle() -> None:
    d = draw(Value(1.0, label="x") + 1)
    b = d._repr_mimebundle_()
    assert set(b) == {"image/svg+xml", "image/png"}
    root = ET.fromstring(str(b["image/svg+xml"]))
    assert root.get("style") == "max-width: 100%; height: auto"  # fits the notebook's width
    assert root.get("viewBox")  # so that it scales
    assert ET.fromstring(d.svg()).get("style") is None  # files keep graphviz's own SVG
    png = bytes(b["image/png"])
    assert png[:4] == b"\x89PNG"

    width_72 = struct.unpack(">I", png[16:20])[0]
    width_144 = struct.unpack(">I", d.png()[16:20])[0]
    assert abs(width_144 - 2 * width_72) <= 2  # the inline fallback is at 72 dpi
    assert set(d._repr_mimebundle_(include=["image/png"])) == {"image/png"}
    assert set(d._repr_mimebundle_(exclude=["image/png"])) == {"image/svg+xml"}


def test_option_errors() -> None:
    y = Value(1.0) + 1
    with pytest.raises(ValueError, match="theme"):
        draw(y, theme="neon")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rankdir"):
        draw(y, rankdir="RL")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="precision"):
        draw(y, precision=-1)
    with pytest.raises(ValueError, match="show"):
        draw(y, show=["data", "colour"])
    with pytest.raises(ValueError, match="engine"):
        draw(y, engine="neato")
    with pytest.raises(TypeError, match="Value or a Graph"):
        draw(3.0)  # type: ignore[arg-type]


def test_rankdir_tb_and_show_fields() -> None:
    y = Value(1.0, label="x") * 2
    d = draw(y, rankdir="TB", show=("data",))
    assert "rankdir=TB" in d.dot
    assert not [t for t in texts(svg_root(d)) if t.startswith("grad")]
    d = draw(y, show=("id", "grad"))
    assert "n0" in texts(groups(svg_root(d))["n0"])


def test_graph_input_and_answer_key_keeps_options() -> None:
    x = Value(2.0, label="x")
    y = x * x
    y.backward()
    d = draw(Graph.of(y), worksheet=True, theme="dark", highlight=[x], edge_labels=True)
    k = d.answer_key()
    assert 'bgcolor="#1e1e1e"' in k.dot and "∂/∂x = 2.0000" in k.dot and "grad = 4.0000" in k.dot
    assert "highlight" in k.dot


@pytest.mark.parametrize(
    ("x", "p", "s"),
    [
        (3.14159, 2, "3.14"),
        (-0.0, 3, "0.000"),
        (1e-7, 4, "1.0000e-07"),
        (123456789.0, 1, "1.2e+08"),
        (float("inf"), 4, "inf"),
        (-2.5, 0, "-2"),
    ],
)
def test_format_number(x: float, p: int, s: str) -> None:
    assert format_number(x, p) == s


def test_blanks_leave_just_those_numbers_blank() -> None:
    x = Value(2.5, label="x")
    w = Value(-1.25, label="w")
    y = x * w
    y.label = "y"
    y.backward()
    d = draw(y, blanks={x: "data", "n2": ["data", "grad"]})
    boxes = {t for t in texts(svg_root(d))}
    assert "data = ________" in boxes and "grad = ________" in boxes
    assert "data = 2.5000" not in boxes and "data = -3.1250" not in boxes
    assert "data = -1.2500" in boxes and "grad = -1.2500" in boxes  # x's grad, w's data: kept
    key = d.answer_key()
    assert "________" not in key.dot and "data = 2.5000" in key.dot and "data = -3.1250" in key.dot
    with pytest.raises(ValueError, match="blanks"):
        draw(y, blanks={x: "label"})
    with pytest.raises(ValueError, match="blanks"):
        draw(y, blanks={"n9": "data"})
