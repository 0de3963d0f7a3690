"""The one reader of Graphviz's SVG (microgrand.render.svgread), on real rendered diagrams, and
the two measures that read through it (the readable titles and the notebook cell's)."""

from __future__ import annotations

import re

import pytest

import microgrand as mg
from microgrand.pages.cell import diagram_width_px, smallest_text_px
from microgrand.render.diagram import readable_titles
from microgrand.render.engine import engines, layout
from microgrand.render.svgread import PX_PER_PT, SVG, length_px, parse_svg, read_svg

ENGINES = [e.name for e in engines()]


def _diagram(engine: str) -> mg.Diagram:
    x, y = mg.Value(2.0, label="x"), mg.Value(-3.0, label="y")
    L = (x * y).tanh() + x
    L.label = "L"
    L.backward()
    return mg.draw(L, edge_labels=True, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_drawing_has_every_part_with_its_title_and_texts(engine: str) -> None:
    d = _diagram(engine)
    svg = d.svg()
    drawing = read_svg(svg)
    # one part per <title>, in document order, the graph first
    assert [p.title for p in drawing.parts] == re.findall(r"<title>([^<]*)</title>", svg)
    assert drawing.parts[0].kind == "graph" and drawing.parts[0].title == "computation graph"
    kinds = {p.kind for p in drawing.parts[1:]}
    assert kinds == {"node", "edge"}
    boxes = [p for p in drawing.parts if "value" in p.classes]
    assert sorted(p.words[0] for p in boxes if p.words[0] in ("x", "y", "L")) == ["L", "x", "y"]
    x_box = next(p for p in boxes if p.words[0] == "x")
    assert x_box.words[1:] == ["data = 2.0000", "grad = " + x_box.words[2].split(" = ")[1]]
    # a box's text is 14 pt (Graphviz's units are points here), an edge label 12 pt
    assert {round(t.font_px, 1) for t in x_box.texts} == {round(14 * drawing.px_per_unit, 1)}
    assert drawing.px_per_unit == pytest.approx(PX_PER_PT, rel=2e-3)
    edge_sizes = {round(t.font_px, 1) for p in drawing.parts if p.kind == "edge" for t in p.texts}
    assert edge_sizes == {round(12 * drawing.px_per_unit, 1)}
    # the size in CSS px is the <svg>'s size in points
    width_pt = float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)[1])  # type: ignore[index]
    assert drawing.width_px == pytest.approx(width_pt * 4 / 3)
    assert drawing.height_px > 0
    # the cell's measures are the reader's
    assert diagram_width_px(d) == drawing.width_px
    assert smallest_text_px(d) == pytest.approx(12 * drawing.px_per_unit)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_titles_are_rewritten_in_place(engine: str) -> None:
    """readable_titles changes the text of the titles and nothing else of the SVG."""
    raw = layout(_diagram(engine).dot, "svg", engine).decode("utf-8")
    titled = readable_titles(raw)
    title = re.compile(r"<title>[^<]*</title>")
    assert title.split(raw) == title.split(titled)
    assert "edge from x to the × operation, ∂/∂x = -3.0000" in re.findall(
        r"<title>([^<]*)</title>", titled
    )
    assert read_svg(titled).parts[1:] != read_svg(raw).parts[1:]  # titles differ …
    assert [p.texts for p in read_svg(titled).parts] == [p.texts for p in read_svg(raw).parts]


def test_the_graphs_scale_counts() -> None:
    """A graph shrunk by Graphviz (``size``) is drawn with a ``scale()``: its text is smaller."""
    dot = 'digraph { size="1,1"; a -> b; a [label="hello world, a long label" fontsize=14] }'
    drawing = read_svg(layout(dot, "svg", "dot" if "dot" in ENGINES else None).decode("utf-8"))
    a = next(p for p in drawing.parts if p.title == "a")
    assert drawing.width_px <= 72 * PX_PER_PT + 1e-9
    assert a.texts[0].font_px < 14 * PX_PER_PT / 2


def test_the_tree_has_no_preamble_and_namespaced_tags() -> None:
    raw = layout(_diagram(ENGINES[0]).dot, "svg", ENGINES[0])
    root = parse_svg(raw)  # bytes or text
    assert root.tag == SVG + "svg"
    assert root.find(SVG + "g") is not None and root.find("g") is None
    assert parse_svg(raw.decode("utf-8")).attrib == root.attrib
    assert parse_svg(raw) is not parse_svg(raw)  # a new tree each time: callers edit it


def test_lengths() -> None:
    assert length_px("72pt") == 96.0 and length_px("1in") == 96.0 and length_px("10px") == 10.0
    assert length_px("3") == 3.0 and length_px("1e2pt") == pytest.approx(400 / 3)
    assert length_px(None) == 0.0 and length_px("auto", 7.0) == 7.0 and length_px("5em") == 0.0
