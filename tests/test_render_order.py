"""Collapsed scopes read in order: neuron1, neuron2, …, neuron16, on both layout engines.

The oracle is geometry: the centre of each box is read back from the SVG (xml.etree) and the
boxes of one layer must be sorted top to bottom (rankdir LR) or left to right (TB) in the
order of their numbers, compared as numbers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from microgrand import Value, draw, scope, vsum
from microgrand.nn import MLP
from microgrand.render import engines

SVG = "{http://www.w3.org/2000/svg}"
NUM = re.compile(r"-?\d+(?:\.\d+)?")
ENGINES = [e.name for e in engines()]


def centres(svg: str, prefix: str) -> dict[str, tuple[float, float]]:
    """Centre of the outline of every group whose id starts with ``prefix`` (SVG y points down)."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        gid = g.get("id", "")
        if not gid.startswith(prefix):
            continue
        shape = next(el for el in g if el.tag in (f"{SVG}path", f"{SVG}polygon"))
        nums = [float(v) for v in NUM.findall(shape.get("d") or shape.get("points") or "")]
        xs, ys = nums[0::2], nums[1::2]
        out[gid] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return out


def number(box_id: str) -> int:
    return int(re.findall(r"\d+", box_id)[-1])


def reading_order(pos: dict[str, tuple[float, float]], rankdir: str) -> list[str]:
    axis = 1 if rankdir == "LR" else 0  # LR: top to bottom; TB: left to right
    return [k for k, _ in sorted(pos.items(), key=lambda kv: kv[1][axis])]


def mlp_output() -> Value:
    return MLP(2, [16, 16, 1], rng=0)([0.1, 0.2])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_neuron_boxes_in_natural_order(engine: str, rankdir: str) -> None:
    d = draw(mlp_output(), collapse=2, rankdir=rankdir, engine=engine)
    pos = centres(d.svg(), "box-")
    assert len(pos) == 33
    for layer, n in (("layer1", 16), ("layer2", 16), ("layer3", 1)):
        boxes = {k: v for k, v in pos.items() if k.startswith(f"box-{layer}--")}
        order = reading_order(boxes, rankdir)
        assert [number(k) for k in order] == list(range(1, n + 1)), (layer, order)
        # one column (LR) or one row (TB): the boxes of a layer share a rank
        rank_axis = 0 if rankdir == "LR" else 1
        assert len({round(boxes[k][rank_axis]) for k in boxes}) == 1
    # and the layers follow each other along the rank axis
    firsts = [pos[f"box-{layer}--neuron1"] for layer in ("layer1", "layer2", "layer3")]
    along = [p[0] if rankdir == "LR" else p[1] for p in firsts]
    assert along == sorted(along) and len(set(along)) == 3


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("collapse", [True, 1])
def test_layer_boxes_left_to_right(engine: str, collapse: bool | int) -> None:
    pos = centres(draw(mlp_output(), collapse=collapse, engine=engine).svg(), "box-")
    assert sorted(pos) == ["box-layer1", "box-layer2", "box-layer3"]
    xs = [pos[f"box-layer{i}"][0] for i in (1, 2, 3)]
    assert xs == sorted(xs) and len(set(xs)) == 3


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_top_level_sibling_boxes_in_natural_order(engine: str, rankdir: str) -> None:
    x = Value(0.5, label="x")
    outs = []
    for i in range(1, 13):
        with scope(f"head{i}"):
            outs.append((x * (0.1 * i) + 0.2).tanh())
    y = vsum(outs)
    pos = centres(draw(y, collapse=True, rankdir=rankdir, engine=engine).svg(), "box-")
    assert [number(k) for k in reading_order(pos, rankdir)] == list(range(1, 13))


@pytest.mark.parametrize("engine", ENGINES)
def test_boxes_in_sequence_keep_their_own_ranks(engine: str) -> None:
    # block2 uses block1's output: it must stay to its right, not be pulled into its column
    x = Value(0.5, label="x")
    with scope("model"):
        with scope("block1"):
            h = (x * 2.0).tanh()
        with scope("block2"):
            y = (h * 3.0).tanh()
    d = draw(y, collapse=2, engine=engine)
    assert "rank=same" not in d.dot
    pos = centres(d.svg(), "box-")
    assert pos["box-model--block1"][0] < pos["box-model--block2"][0]


def test_ordinary_diagrams_unchanged_by_ordering() -> None:
    # no collapsed siblings: no ordering constraints, no change to the crossing reduction
    y = MLP(2, [3, 1], rng=0)([0.1, 0.2])
    dot = draw(y).dot
    assert "rank=same" not in dot and "remincross" not in dot and "invis" not in dot


def test_clusters_emitted_in_natural_order() -> None:
    y = MLP(2, [2, 11, 1], rng=0)([0.1, 0.2])
    dot = draw(y, max_nodes=1000).dot
    found = re.findall(r'subgraph "cluster_cluster-(layer\d+(?:--neuron\d+)?)"', dot)
    layers = [c for c in found if "--" not in c]
    assert layers == ["layer1", "layer2", "layer3"]
    layer2 = [number(c) for c in found if c.startswith("layer2--")]
    assert layer2 == list(range(1, 12))
