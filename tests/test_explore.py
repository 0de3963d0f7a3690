"""The explorer's model: groups, views, aggregated edges, group numbers, steps, size limits."""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from microgrand import Graph, Value, draw, scope, vsum
from microgrand._format import format_short
from microgrand.cli import main
from microgrand.nn import MLP
from microgrand.pages.explore import Explorer, ExploreTooLargeError, explore
from microgrand.pages.player import Player, step
from microgrand.render.build import MAX_FRAME_DEPTH, DrawOptions, build_dot
from microgrand.render.themes import THEMES
from microgrand.render.views import ScopeViews, scope_groups
from microgrand.stepper import trace


def mlp_loss() -> tuple[Value, MLP]:
    """micrograd's demo network (2-16-16-1) on one example, with its hinge loss."""
    m = MLP(2, [16, 16, 1], activation="relu", init="uniform", rng=0)
    x = [Value(0.5, label="x1"), Value(-0.3, label="x2")]
    score = m(x)
    assert isinstance(score, Value)
    loss = (1 + -1.0 * score).relu()
    loss.label = "loss"
    return loss, m


@pytest.fixture(scope="module")
def mlp() -> tuple[Value, MLP, Explorer]:
    loss, m = mlp_loss()
    return loss, m, explore(loss)


def test_groups_and_views_follow_the_scopes(mlp: tuple[Value, MLP, Explorer]) -> None:
    loss, _, e = mlp
    g = Graph.of(loss)
    paths = {
        p for n in g.nodes if n.scope for p in ("/".join(n.scope.split("/")[:k]) for k in (1, 2))
    }
    assert set(e.groups) == paths and len(paths) == 3 + 33
    assert set(e.views) == paths | {""}
    top = e.views[""]
    assert top.boxes == ["layer1", "layer2", "layer3"]
    assert sorted(top.shown) == sorted(n.id for n in g.nodes if not n.scope)
    assert e.focus == ""
    # a layer shows its neurons as boxes, a neuron its own nodes
    assert e.views["layer2"].boxes == [
        "layer1",
        *[f"layer2/neuron{i}" for i in range(1, 17)],
        "layer3",
    ]
    n3 = e.views["layer2/neuron3"]
    assert {i for i in n3.shown if g.node(i).scope} == set(e.groups["layer2/neuron3"].direct)
    assert len(e.groups["layer2/neuron3"].direct) == 16 * 2 + 3  # w·x, b, Σ, relu
    assert e.groups["layer2"].size == sum(1 for n in g.nodes if n.scope.startswith("layer2/"))


def test_aggregated_edges_count_the_edges_between_groups(
    mlp: tuple[Value, MLP, Explorer],
) -> None:
    loss, _, e = mlp
    g = Graph.of(loss)
    layer = {n.id: n.scope.split("/")[0] for n in g.nodes}
    expected = Counter(
        (layer[x.src], layer[x.dst])
        for x in g.edges
        if layer[x.src] and layer[x.dst] and layer[x.src] != layer[x.dst]
    )
    assert expected == {("layer1", "layer2"): 256, ("layer2", "layer3"): 16}
    dot = e.views[""].dot
    found = {
        (a, b): int(n)
        for a, b, n in re.findall(r'"box-(\w+)" -> "box-(\w+)" \[[^\]]*label="(\d+) edges"', dot)
    }
    assert found == dict(expected)
    # inside layer2 the 256 edges fan out: 16 from layer1 into each neuron
    inner = e.views["layer2"].dot
    fan = re.findall(r'"box-layer1" -> "box-layer2--neuron\d+" \[[^\]]*label="(\d+) edges"', inner)
    assert [int(n) for n in fan] == [16] * 16


def test_group_numbers_agree_with_backward(mlp: tuple[Value, MLP, Explorer]) -> None:
    loss, m, e = mlp
    loss.backward()  # the oracle: the engine's own backward pass on the Values
    try:
        for k, layer in enumerate(m.layers, start=1):
            params = layer.parameters()
            s = e.group_stats(f"layer{k}")
            assert s["params"] == len(params)
            assert s["param_norm"] == pytest.approx(math.sqrt(sum(p.grad**2 for p in params)))
            assert s["param_max"] == max(abs(p.grad) for p in params)
            assert s["size"] == e.groups[f"layer{k}"].size
        stats = e.group_stats("layer3")
        assert stats["outputs"] == 1 and stats["inputs"] == 16
    finally:
        loss.zero_grad()


def test_top_level_steps_group_by_group(mlp: tuple[Value, MLP, Explorer]) -> None:
    _, _, e = mlp
    steps = e.view_steps("")
    groups = len(e.views[""].boxes)
    assert len(steps) <= groups + 2
    assert [s["title"] for s in steps] == [
        "outside groups",
        "layer3",
        "layer2",
        "layer1",
        "outside groups",
    ]
    assert steps[0]["text"].startswith("Start at the output loss")
    s3 = steps[1]["text"]
    stats = e.group_stats("layer3")
    assert "1 output of layer3" in s3 and "17 parameters" in s3
    assert f"norm {format_short(stats['param_norm'], 4)}" in s3
    assert s3.count(".") >= 1 and "\n" not in s3
    # every node of the graph is in exactly one step
    covered = Counter(i for s in steps for i in s["items"])
    assert set(covered.values()) == {1}


def test_neuron_steps_are_the_traces_node_steps(mlp: tuple[Value, MLP, Explorer]) -> None:
    loss, _, e = mlp
    t = trace(loss)
    members = set(e.groups["layer1/neuron4"].direct)
    expected = [s.id for s in t if s.id in members]
    got = e.view_steps("layer1/neuron4")
    assert [s["items"] for s in got] == [[i] for i in expected]
    assert got[0]["text"].startswith("d(loss)/d")


def test_model_is_json_and_holds_every_number_shown(mlp: tuple[Value, MLP, Explorer]) -> None:
    loss, _, e = mlp
    m = json.loads(json.dumps(e.model()))
    t = trace(loss)
    shown = {i for v in e.views.values() for i in v.shown}
    assert set(m["nodes"]) == shown == {n.id for n in t.graph.nodes}
    for nid, rec in m["nodes"].items():
        assert rec["d"] == t.graph.node(nid).data and rec["g"] == t.grads[nid]
    svg = m["views"]["layer1/neuron1"]["svg"].replace("`", "<")
    assert "data-field='grad'" in svg and "data-group='layer1/neuron1'" in svg


def test_page_fits_the_budget_and_is_self_contained(
    mlp: tuple[Value, MLP, Explorer], tmp_path: Path
) -> None:
    _, _, e = mlp
    out = e.save(tmp_path / "e.html")
    text = out.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 3_000_000
    assert "data:image/png;base64," in text and "Run this cell to explore" in text
    assert not re.search(r"(src|href)=[\"']https?:", text)


def test_views_over_max_nodes_are_refused_and_say_how() -> None:
    loss, _ = mlp_loss()
    e = explore(loss, max_nodes=40)
    # a neuron of layer2 shows its 35 nodes and one box for the rest (its siblings do not fit)
    n1 = e.views["layer2/neuron1"]
    assert not n1.refused and n1.outside == "layer2" and n1.size == 36
    assert not e.views["layer1/neuron1"].refused and e.views["layer1/neuron1"].outside is None
    e = explore(loss, max_nodes=30)
    assert e.views["layer2/neuron1"].refused and "max_nodes=36" in e.views["layer2/neuron1"].refused
    with pytest.raises(
        ExploreTooLargeError, match=r"shows 10 boxes at its top level.*max_nodes=10"
    ):
        explore(loss, max_nodes=9)


def test_unscoped_graph_over_the_limit_is_refused() -> None:
    y = Value(1.0, label="x")
    for _ in range(100):
        y = y * 1.001
    with pytest.raises(ExploreTooLargeError, match="no scopes to collapse"):
        explore(y)


def test_page_over_max_bytes_drops_views_or_refuses(tmp_path: Path) -> None:
    loss, _ = mlp_loss()
    e = explore(loss, max_bytes=600_000)
    page = e.page(uid="small")
    assert len(page.document().encode("utf-8")) <= 600_000
    dropped = [p for p, v in e.views.items() if v.refused]
    assert dropped and "" not in dropped and all(p.count("/") == 1 for p in dropped[:5])
    e2 = explore(loss, max_bytes=20_000)
    with pytest.raises(ExploreTooLargeError, match="max_bytes="):
        e2.save(tmp_path / "big.html")
    assert list(tmp_path.iterdir()) == []  # never a half-written file


def test_focus_and_bad_options() -> None:
    loss, _ = mlp_loss()
    assert explore(loss, focus="layer2").focus == "layer2"
    with pytest.raises(ValueError, match="no scope 'layer9'"):
        explore(loss, focus="layer9")
    with pytest.raises(ValueError, match="max_nodes"):
        explore(loss, max_nodes=1)
    with pytest.raises(TypeError, match="output Value or a Trace"):
        explore("x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\.html"):
        explore(Value(1.0) * 2).save("e.svg")


def test_a_graph_in_one_scope_opens_inside_it() -> None:
    with scope("batch"):
        m = MLP(2, [3, 1], rng=1)
        out = m([1.0, 2.0])
    assert isinstance(out, Value)
    e = explore(out * 2)
    assert e.focus == "batch"
    assert e.views["batch"].boxes == ["batch/layer1", "batch/layer2"]


def test_step_opens_big_scoped_graphs_in_the_explorer() -> None:
    loss, _ = mlp_loss()
    assert isinstance(step(loss), Explorer)
    assert isinstance(step(loss, max_steps=1000), Player)


def test_cli_explore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["explore", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "-o", "e.html"]) == 0
    assert (tmp_path / "e.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    capsys.readouterr()
    for argv in (
        ["explore", "x*", "x=2", "-o", "f.html"],
        ["explore", "x*2", "x=2", "-o", "f.svg"],
        ["explore", "x*2+x*3+x*4", "x=2", "-o", "f.html", "--max-nodes", "3"],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert err.startswith("microgrand explore: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.html"]


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_page_uses_only_its_theme_colours(theme: str) -> None:
    from test_web import WEB, allowed, colours_in  # the player's colour check, shared

    with scope("layer1"):
        h = (Value(2.0, label="x") * Value(-1.5, label="w")).tanh()
    e = explore(h * 3, theme=theme)  # type: ignore[arg-type]
    doc = e.html(uid="c1", standalone=True)
    page = re.sub(r'src="data:image/png;base64,[^"]*"', "", doc)
    hexes, named = colours_in(page)
    assert named == set()
    assert hexes <= allowed(THEMES[theme]), hexes - allowed(THEMES[theme])
    text = re.sub(
        r"/\*.*?\*/", "", WEB.joinpath("explore.css").read_text(encoding="utf-8"), flags=re.S
    )
    assert colours_in(text) == (set(), set())


def test_labels_are_text_not_markup() -> None:
    import xml.etree.ElementTree as ET

    bad = Value(2.0, label='<b>"it\'s"</b> & `x`')
    e = explore(bad * 3)
    svg = e.model()["views"][""]["svg"].replace("`", "<")
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert '<b>"it\'s"</b> & `x`' in texts
    assert root.find(".//{http://www.w3.org/2000/svg}b") is None


# --- scale: many scopes, deep nesting (issue 26) ------------------------------------------------


def nested(depth: int, op: str = "mul") -> Value:
    """A chain of ``depth`` scopes, each inside the last, one operation in each."""
    with contextlib.ExitStack() as stack:
        y = Value(0.5, label="x")
        for i in range(depth):
            stack.enter_context(scope(f"s{i}"))
            y = y * 1.001 if op == "mul" else y.tanh()
    return y + 1


def examples(n: int) -> Value:
    """``n`` scoped examples inside one ``batch`` scope, summed outside it."""
    x = Value(0.5, label="x")
    outs = []
    with scope("batch"):
        for i in range(1, n + 1):
            with scope(f"ex{i}"):
                outs.append((x * Value(0.1 * (i % 7), label="w")).tanh())
    return vsum(outs)


def view_reads(root: Value) -> int:
    """What building every view of an explorer reads (items and edge buckets), DOT included:
    the explorer's cost, counted instead of timed."""
    g = Graph.of(root)
    views = ScopeViews(g, scope_groups(g))
    for p in ["", *views.in_order()]:
        v = views.view(p, fit=150)
        if v.size <= 150:
            views.dot(v)
    return views.reads


def test_a_thousand_nested_scopes_explore_and_draw() -> None:
    root = nested(1000)
    e = explore(root, max_views=5)
    assert e.focus == "s0" and len(e.views) == 1001
    laid = [p for p, v in e.views.items() if not v.refused]
    assert len(laid) == 5 and laid[:2] == ["", "s0"]
    deepest = e.views["/".join(f"s{i}" for i in range(1000))]
    # a deep view shows three frames and one box for everything outside them
    assert deepest.frames[-1].endswith("s999") and len(deepest.frames) == 3
    assert deepest.outside is not None and deepest.outside.endswith("/s996")
    assert deepest.size == len(deepest.shown) + len(deepest.boxes) == 3 * 2 + 1
    assert "focus=" in deepest.refused and "max_views=" in deepest.refused
    assert len(e.page(uid="deep").document()) < 2_000_000
    # draw: the DOT nests at most MAX_FRAME_DEPTH clusters, and says so
    chain = nested(1000, op="tanh")
    built = build_dot(Graph.of(chain), DrawOptions(collapse=False, max_nodes=5000))
    depth = most = 0
    for line in built.source.splitlines():
        depth += line.count("{") - line.count("}")
        most = max(most, depth)
    assert most == MAX_FRAME_DEPTH + 1 and "nested more than 48 deep" in built.notes[-1]
    assert "<svg" in draw(chain).svg()  # collapsed automatically, and laid out


def test_explorer_cost_grows_linearly_with_scopes_and_depth() -> None:
    scopes = [view_reads(examples(n)) for n in (1000, 2000, 4000)]
    assert scopes[1] / scopes[0] < 2.3 and scopes[2] / scopes[1] < 2.3, scopes
    depths = [view_reads(nested(d)) for d in (50, 200, 1000)]
    assert depths[1] / depths[0] < 4.6 and depths[2] / depths[1] < 5.7, depths


def test_refusals_are_quick_and_say_how() -> None:
    flat = vsum([(Value(1.0, label="x") * i).tanh() for i in range(4000)])  # no scopes: one refusal
    with pytest.raises(ExploreTooLargeError, match="no scopes to collapse"):
        explore(flat)
    many = []
    for i in range(4000):
        with scope(f"ex{i}"):
            many.append(Value(1.0, label="x") * 2)
    t0 = time.perf_counter()
    with pytest.raises(ExploreTooLargeError, match="4001 boxes at its top level"):
        explore(vsum(many))
    assert time.perf_counter() - t0 < 10
