"""The live view in a classroom (Chromium through Playwright, from file://): readable in a
notebook cell 900 px wide, numbers that stay in their boxes whatever is typed, zero axe-core
violations, everything by keyboard, reduced motion honoured, a name for every node and edge,
and a friendly message for anything that is not a number.

The graphs are lessons 01's and 02's neuron, built as the notebooks build them
(``notebooks/01_derivatives.py``, ``notebooks/02_backprop.py``), with the options the lessons
pass and with the live view's defaults (edge labels, data and gradients, 4 decimals).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    RecordingPage,
    axe_violations,
    describe_violations,
    min_text_px,
)
from PIL import Image

import microgrand as mg
from microgrand._format import format_fixed
from microgrand.graph import Graph
from microgrand.pages.live import page_names

pytestmark = pytest.mark.browser

CELL = 900  # a notebook cell's width in CSS px


def lesson01() -> mg.Value:
    """Lesson 01's neuron, every intermediate labelled as the lesson labels it."""
    x1, x2 = mg.Value(2.0, label="x1"), mg.Value(0.0, label="x2")
    w1, w2 = mg.Value(-3.0, label="w1"), mg.Value(1.0, label="w2")
    bias = mg.Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1·w1"
    x2w2 = x2 * w2
    x2w2.label = "x2·w2"
    s = x1w1 + x2w2
    s.label = "s"
    n = s + bias
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def lesson02() -> mg.Value:
    """Lesson 02's neuron: only n and o labelled (the sum of products is unnamed)."""
    x1, x2 = mg.Value(2.0, label="x1"), mg.Value(0.0, label="x2")
    w1, w2 = mg.Value(-3.0, label="w1"), mg.Value(1.0, label="w2")
    bias = mg.Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + bias
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


VIEWS: dict[str, Callable[[], Any]] = {
    "01-lesson": lambda: mg.live(
        lesson01(), show=["data"], color=None, edge_labels=False, rankdir="TB", precision=2
    ),
    "01-default": lambda: mg.live(lesson01()),
    "02-lesson": lambda: mg.live(
        lesson02(), show=["grad"], edge_labels=False, rankdir="TB", precision=2
    ),
    "02-default": lambda: mg.live(lesson02()),
    # small enough to read left to right
    "small-LR": lambda: mg.live(
        mg.Value(2.0, label="x1") * mg.Value(-3.0, label="w1"), edge_labels=False
    ),
}


def _open(browser: Any, path: Path, **context: Any) -> RecordingPage:
    pg = RecordingPage(browser, CELL, 900)
    if context:
        pg.page.close()
        pg.page = browser.new_page(viewport={"width": CELL, "height": 900}, **context)
        pg.page.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.open(path)
    return pg


def _clean(pg: RecordingPage) -> None:
    assert pg.errors == []
    pg.page.close()


def _type(pg: RecordingPage, name: str, text: str) -> None:
    """Type ``text`` into a leaf's box with the keyboard, as a student would."""
    box = pg.page.locator(f'input[data-leaf="{name}"]')
    box.focus()
    pg.page.keyboard.press("Control+A")
    if text:
        pg.page.keyboard.type(text)
    else:
        pg.page.keyboard.press("Backspace")


def _numbers(pg: RecordingPage) -> dict[tuple[str, str], str]:
    return {
        (n, f): v
        for n, f, v in pg.page.evaluate(
            """() => [...document.querySelectorAll('[data-node][data-field]')]
                 .map(e => [e.dataset.node, e.dataset.field, e.dataset.number])"""
        )
    }


# --- 1. readable at the size shown -----------------------------------------------------------


@pytest.mark.parametrize("key", sorted(VIEWS))
def test_text_is_readable_in_a_900px_cell(browser: Any, tmp_path: Path, key: str) -> None:
    view = VIEWS[key]()
    pg = _open(browser, view.save(tmp_path / "live.html"))
    size, text = min_text_px(pg.page, ".mg-live svg")
    assert size >= 11, (size, text)
    size, text = min_text_px(pg.page, ".mg-live")  # the controls and panels too
    assert size >= 11, (size, text)
    # the diagram is laid out for the width: it fits the cell without scrolling
    over = pg.page.evaluate(
        "() => { const s = document.querySelector('.mg-stage'); "
        "return s.scrollWidth - s.clientWidth; }"
    )
    assert over <= 1
    _clean(pg)
    # the stored picture (where scripts do not run): 9 px or more at the notebook's width
    pg = _open(browser, view.save(tmp_path / "still.html"), java_script_enabled=False)
    shown = pg.page.evaluate(
        "() => { const i = document.querySelector('.mg-fallback img'); "
        "return [i.clientWidth, i.naturalWidth]; }"
    )
    diagram = view.diagram()
    png = Image.open(io.BytesIO(diagram.png(96)))
    assert png.width == shown[1]
    smallest_pt = min(float(s) for s in re.findall(r'font-size="([\d.]+)"', diagram.svg()))
    assert smallest_pt * 96 / 72 * shown[0] / shown[1] >= 9
    pg.page.close()


def test_direction_is_chosen_for_the_width() -> None:
    x = mg.Value(2.0, label="x")
    assert mg.live(x * 3).rankdir == "LR"  # three boxes fit side by side
    assert VIEWS["small-LR"]().rankdir == "LR"
    assert mg.live(lesson01()).rankdir == "TB"
    assert mg.live(lesson01(), rankdir="LR").rankdir == "LR"  # asked for: kept


# --- 1. numbers never leave their boxes ------------------------------------------------------

_OVERLAPS = """() => {
  const r = (e) => e.getBoundingClientRect();
  const boxes = [...document.querySelectorAll('.mg-live svg g.node')].map(g => {
    const shape = g.querySelector('.mg-box, ellipse, polygon, path');
    return {g, rect: r(shape)};
  });
  const texts = [...document.querySelectorAll('.mg-live svg text')]
    .filter(t => t.textContent.trim());
  const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 &&
    a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
    a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const bad = [];
  texts.forEach((t, i) => {
    const tr = r(t), own = boxes.find(b => b.g.contains(t));
    if (own && !inside(tr, own.rect)) { bad.push('outside its box: ' + t.textContent); }
    boxes.forEach(b => {
      if (b !== own && meet(tr, b.rect)) { bad.push(t.textContent + ' over a box'); }
    });
    texts.forEach((u, j) => {
      if (j > i && meet(tr, r(u))) { bad.push(t.textContent + ' over ' + u.textContent); }
    });
  });
  return bad;
}"""


@pytest.mark.parametrize("key", ["01-default", "01-lesson", "02-default", "small-LR"])
def test_numbers_stay_in_their_boxes_after_extreme_values(
    browser: Any, tmp_path: Path, key: str
) -> None:
    pg = _open(browser, VIEWS[key]().save(tmp_path / "live.html"))
    assert pg.page.evaluate(_OVERLAPS) == []
    # drag x1 to -2.57 (the slider), then type extreme numbers into its box
    pg.page.evaluate(
        """() => { const s = document.querySelector('input[data-scrub="x1"]');
                   s.value = '-2.57'; s.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    assert pg.page.input_value('input[data-leaf="x1"]') == "-2.57"
    assert pg.page.evaluate(_OVERLAPS) == []
    for text in ("1e3", "1e300", "-1e-300", "-999999.5", "123456.789"):
        _type(pg, "x1", text)
        assert float(_numbers(pg)[("x1", "data")] or "nan") == float(text) or "data" not in key
        assert pg.page.evaluate(_OVERLAPS) == [], text
    _clean(pg)


# --- 6. friendly input errors ----------------------------------------------------------------


def test_a_non_number_says_type_a_number_and_keeps_the_last_good_value(
    browser: Any, tmp_path: Path
) -> None:
    pg = _open(browser, VIEWS["01-default"]().save(tmp_path / "live.html"))
    _type(pg, "w1", "-2")
    before = _numbers(pg)
    assert before[("w1", "data")] == "-2.0"
    msg = pg.page.locator('input[data-leaf="w1"] ~ .mg-ctl-msg')
    box = pg.page.locator('input[data-leaf="w1"]')
    for text in ("abc", "1e309", "nan", "", "1e3e", "Infinity", "0x10"):
        box.fill(text)  # at once, as pasted (typed, "1e30" on the way to "1e309" is a number)
        assert box.get_attribute("aria-invalid") == "true", text
        assert msg.inner_text().startswith("type a number"), text
        assert msg.is_visible() and msg.get_attribute("aria-live") == "polite"
        assert box.get_attribute("aria-describedby") == msg.get_attribute("id")
        assert _numbers(pg) == before, text  # the last good value stays
        assert "Value()" not in pg.page.inner_text(".mg-live")
    _type(pg, "w1", "1e309")  # typed key by key: the message too
    assert msg.inner_text().startswith("type a number")
    _type(pg, "w1", "3")
    assert pg.page.locator('input[data-leaf="w1"]').get_attribute("aria-invalid") is None
    assert msg.inner_text() == ""
    assert _numbers(pg)[("w1", "data")] == "3.0"
    _clean(pg)


# --- 7. accessibility --------------------------------------------------------------------------


def test_axe_finds_nothing_on_the_saved_page_and_the_fragment(browser: Any, tmp_path: Path) -> None:
    for key in ("01-default", "02-lesson"):
        view = VIEWS[key]()
        pg = _open(browser, view.save(tmp_path / f"{key}.html"))
        found = axe_violations(pg.page)
        assert found == [], describe_violations(found)
        # after a node is opened and a box holds a non-number
        pg.page.locator("g[data-id]").nth(2).click()
        _type(pg, "x1", "abc")
        found = axe_violations(pg.page)
        assert found == [], describe_violations(found)
        _clean(pg)
        # the fragment as a notebook shows it (inside the notebook's own main landmark)
        host = tmp_path / f"{key}-fragment.html"
        host.write_text(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Notebook</title>'
            f"</head><body><main><h1>Lesson</h1>{view._repr_html_()}</main></body></html>",
            encoding="utf-8",
        )
        pg = _open(browser, host)
        found = axe_violations(pg.page, ".mg-page")
        assert found == [], describe_violations(found)
        _clean(pg)


def test_every_node_and_edge_has_a_name_that_says_what_it_is(browser: Any, tmp_path: Path) -> None:
    root = lesson02()
    pg = _open(browser, mg.live(root).save(tmp_path / "live.html"))
    assert pg.page.locator(".mg-live svg title").count() == 0
    names = pg.page.evaluate(
        """() => [...document.querySelectorAll('.mg-live svg g.node, .mg-live svg g.edge')]
             .map(g => [g.getAttribute('class'), g.getAttribute('role'),
                        g.getAttribute('aria-label')])"""
    )
    g = Graph.of(root)
    assert len(names) == 2 * len(g) - len(g.leaves) + len(g.edges) + len(g) - len(g.leaves)
    for cls, role, label in names:
        assert role in ("button", "img") and label, (cls, label)
        assert not re.search(r"\bn\d+\b", label), label  # never an internal id
    labels = {label for _, _, label in names}
    assert "w1, data = -3.0000, grad = 1.0000, an input" in labels
    assert "x1·w1 + x2·w2, data = -6.0000, grad = 0.5000, made by +" in labels
    assert "o, data = 0.7071, grad = 1.0000, the output" in labels
    assert "edge from w1 into x1·w1 (×), local derivative ∂/∂w1 = 2.0000" in labels
    assert "edge from the tanh operation to o" in labels
    assert "the × operation that makes x1·w1 from x1 and w1" in labels
    # the names follow the numbers
    _type(pg, "x1", "0.5")
    labels = set(
        pg.page.evaluate(
            "() => [...document.querySelectorAll('[aria-label]')].map(e => e.ariaLabel)"
        )
    )
    assert "edge from w1 into x1·w1 (×), local derivative ∂/∂w1 = 0.5000" in labels
    assert any(lb.startswith("x1, data = 0.5000, grad = ") for lb in labels)
    _clean(pg)


def test_everything_by_keyboard(browser: Any, tmp_path: Path) -> None:
    root = lesson01()
    pg = _open(browser, mg.live(root).save(tmp_path / "live.html"))
    kb = pg.page.keyboard

    def focused() -> dict[str, Any]:
        result: dict[str, Any] = pg.page.evaluate(
            """() => { const a = document.activeElement;
                 return {tag: a.tagName, id: a.getAttribute('data-id'),
                         leaf: a.getAttribute('data-leaf'), action: a.dataset.action,
                         label: a.getAttribute('aria-label')}; }"""
        )
        return result

    def width() -> float:
        return float(
            pg.page.evaluate("document.querySelector('.mg-svg').getBoundingClientRect().width")
        )

    # the first stop is x1's box: change a value by typing
    kb.press("Tab")
    assert focused()["leaf"] == "x1"
    kb.press("Control+A")
    kb.type("1.5")
    assert _numbers(pg)[("x1", "data")] == "1.5"
    # Tab on to the zoom buttons and then into the diagram: one stop for all the boxes
    stops = []
    for _ in range(30):
        kb.press("Tab")
        f = focused()
        stops.append(f["action"] or f["id"] or f["leaf"] or f["tag"])
        if f["id"]:
            break
    assert stops[-1] == "n0" and {"zoom-in", "zoom-out", "fit"} <= set(stops)
    # arrows move in graph order, Enter opens the chain-rule panel, Space too
    names = page_names(Graph.of(root))
    kb.press("ArrowRight")
    assert focused()["id"] == "n1"
    kb.press("End")
    assert focused()["id"] == f"n{len(names) - 1}"
    kb.press("Home")
    kb.press("ArrowDown")
    kb.press("Enter")
    explain = pg.page.inner_text(".mg-explain")
    assert explain.startswith("w1") and "d(o)/dw1 = " in explain
    assert "d(o)/dw1" in pg.page.inner_text(".mg-status")
    kb.press("ArrowRight")
    kb.press("ArrowRight")
    kb.press(" ")
    assert pg.page.inner_text(".mg-explain").startswith(names["n3"])
    assert focused()["id"] == "n3"
    # zoom in, out, fit and pan by keys
    w0 = width()
    kb.press("+")
    assert width() == pytest.approx(w0 * 1.25, rel=0.02)
    kb.press("+")
    left = pg.page.evaluate("document.querySelector('.mg-stage').scrollLeft")
    kb.press("Shift+ArrowRight")
    pg.page.wait_for_timeout(400)
    assert pg.page.evaluate("document.querySelector('.mg-stage').scrollLeft") > left
    kb.press("-")
    assert width() == pytest.approx(w0 * 1.25, rel=0.02)
    kb.press("0")
    stage = pg.page.evaluate("document.querySelector('.mg-stage').clientWidth")
    assert width() == pytest.approx(stage, abs=1)

    def tab_to(want: Callable[[dict[str, Any]], bool], key: str = "Shift+Tab") -> None:
        for _ in range(40):
            kb.press(key)
            if want(focused()):
                return
        raise AssertionError("not reached by Tab")

    # the buttons by keyboard: Shift+Tab back to Zoom in; Enter presses it
    tab_to(lambda f: f["action"] == "zoom-in")
    kb.press("Enter")
    assert width() == pytest.approx(stage * 1.25, rel=0.02)
    assert focused()["label"] == "Zoom in"
    # the slider by keyboard (the drag's alternative)
    tab_to(lambda f: f["label"] == "w1 slider")
    kb.press("ArrowRight")
    assert float(pg.page.input_value('input[data-leaf="w1"]')) != -3.0
    # the nudge panel: choose the input with the arrow keys, type the step
    tab_to(lambda f: f["tag"] == "SELECT", "Tab")
    assert pg.page.input_value("select[data-nudge-leaf]") == "n3"  # x2, opened by Space
    kb.press("ArrowDown")
    assert pg.page.input_value("select[data-nudge-leaf]") == "n4"  # w2
    kb.press("Tab")
    kb.press("Control+A")
    kb.type("0.5")
    assert "w2 + h" in pg.page.inner_text(".mg-nudge")
    assert pg.page.get_attribute('[data-nudge="predicted"]', "data-number") != ""
    _clean(pg)


def test_reduced_motion_is_honoured(browser: Any, tmp_path: Path) -> None:
    path = mg.live(lesson01()).save(tmp_path / "live.html")
    probe = """() => ({
        box: getComputedStyle(document.querySelector('.mg-box')).transitionDuration,
        stage: getComputedStyle(document.querySelector('.mg-stage')).scrollBehavior})"""
    pg = _open(browser, path)
    pg.page.emulate_media(reduced_motion="no-preference")
    assert pg.page.evaluate(probe) == {"box": "0.15s", "stage": "smooth"}
    pg.page.emulate_media(reduced_motion="reduce")
    assert pg.page.evaluate(probe) == {"box": "0s", "stage": "auto"}
    # and a step by key lands at once
    pg.page.locator("g[data-id]").first.focus()
    pg.page.keyboard.press("+")
    pg.page.keyboard.press("Shift+ArrowRight")
    assert pg.page.evaluate("document.querySelector('.mg-stage').scrollLeft") > 0
    _clean(pg)


def test_shown_numbers_are_the_diagrams_rounding(browser: Any, tmp_path: Path) -> None:
    """After a change, every number is still written as draw() writes it (format_fixed)."""
    pg = _open(browser, mg.live(lesson02()).save(tmp_path / "live.html"))
    _type(pg, "x2", "0.75")
    for name, field, text, num in pg.page.evaluate(
        """() => [...document.querySelectorAll('[data-node][data-field]')]
             .map(e => [e.dataset.node, e.dataset.field, e.textContent, e.dataset.number])"""
    ):
        assert text == format_fixed(float(num), 4), (name, field)
    _clean(pg)


def test_color_none_keeps_every_box_plain(browser: Any, tmp_path: Path) -> None:
    """Lesson 01 asks for no colours (color=None): the page keeps the theme's fill, before
    and after a change, and shows no colour scale."""
    from microgrand.render.themes import THEMES

    pg = _open(browser, VIEWS["01-lesson"]().save(tmp_path / "live.html"))
    fills = "() => [...document.querySelectorAll('.mg-box')].map(b => b.getAttribute('fill'))"
    assert set(pg.page.evaluate(fills)) == {THEMES["light"].node_fill}
    _type(pg, "w1", "2")
    assert set(pg.page.evaluate(fills)) == {THEMES["light"].node_fill}
    assert pg.page.inner_text(".mg-scale") == ""
    _clean(pg)


# --- 2. edge labels name their input and sit on their own edge -------------------------------

_NEAREST_EDGE = """() => {
  const edges = [...document.querySelectorAll('.mg-live svg g.edge')].map(g => {
    const path = g.querySelector('path'), n = path.getTotalLength(), pts = [];
    const m = path.getScreenCTM();
    for (let i = 0; i <= 60; i++) {
      const p = path.getPointAtLength(n * i / 60);
      pts.push([m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]);
    }
    return {g, pts};
  });
  const out = [];
  for (const e of edges) {
    const t = e.g.querySelector('text');
    if (!t) continue;
    const r = t.getBoundingClientRect();
    const dist = (pts) => Math.min(...pts.map(([x, y]) => Math.hypot(
      Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom))));
    const own = dist(e.pts);
    const others = edges.filter(o => o !== e).map(o => dist(o.pts));
    out.push([t.textContent.trim(), own, Math.min(...others)]);
  }
  return out;
}"""


@pytest.mark.parametrize("make", [lesson01, lesson02])
def test_edge_labels_name_their_input_and_sit_on_their_own_edge(
    browser: Any, tmp_path: Path, make: Callable[[], mg.Value]
) -> None:
    root = make()
    pg = _open(browser, mg.live(root).save(tmp_path / "live.html"))
    labels = pg.page.evaluate(_NEAREST_EDGE)
    g = Graph.of(root)
    names = page_names(g)
    want = set()
    for e in g.edges:
        name = names[e.src]
        name = name if re.fullmatch(r"[A-Za-z]\w*", name) else f"({name})"
        want.add(f"∂/∂{name} = {format_fixed(e.local, 4)}")
    assert {text for text, _, _ in labels} == want
    for text, own, other in labels:
        assert own < other, (text, own, other)  # nearer its own edge than any other
        assert own < 12, (text, own)  # and next to it
    _clean(pg)


@pytest.mark.parametrize("theme", ["dark", "print"])
def test_axe_finds_nothing_in_the_other_themes(browser: Any, tmp_path: Path, theme: str) -> None:
    pg = _open(browser, mg.live(lesson02(), theme=theme).save(tmp_path / "live.html"))
    pg.page.locator("g[data-id]").nth(4).focus()
    pg.page.keyboard.press("Enter")
    _type(pg, "x2", "1e309")
    found = axe_violations(pg.page)
    assert found == [], describe_violations(found)
    _clean(pg)


def _shown(pg: RecordingPage) -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (n, f): (t, num)
        for n, f, t, num in pg.page.evaluate(
            """() => [...document.querySelectorAll('[data-node][data-field]')]
                 .map(e => [e.dataset.node, e.dataset.field, e.textContent, e.dataset.number])"""
        )
    }


def test_a_page_with_browser_math_shows_at_most_13_significant_digits(
    browser: Any, tmp_path: Path
) -> None:
    """exp, tanh … may differ from Python's floats in the last bits in a browser (engine.js):
    such a page writes no number with more than 13 significant digits; a page of exactly
    rounded operations keeps every decimal asked for."""
    x = mg.Value(5.123456789, label="x")
    y = x.exp()  # 167.9...: 3 integer digits, so 10 decimals at most
    y.label = "y"
    y.backward()
    pg = _open(browser, mg.live(y, precision=12).save(tmp_path / "exp.html"))
    _type(pg, "x", "5.25")
    pg.page.keyboard.press("Enter")
    text, number = _shown(pg)[("y", "data")]
    assert float(number) == pytest.approx(math.exp(5.25), rel=1e-14)
    assert text == format_fixed(float(number), 10), text  # 3 + 10 = 13 digits
    _clean(pg)
    w = mg.Value(123.456, label="w")
    z = w * w
    z.label = "z"
    z.backward()
    pg = _open(browser, mg.live(z, precision=12).save(tmp_path / "mul.html"))
    _type(pg, "w", "321.123")
    pg.page.keyboard.press("Enter")
    text, number = _shown(pg)[("z", "data")]
    assert float(number) == 321.123 * 321.123  # bit for bit: an exactly rounded rule
    assert text == format_fixed(321.123 * 321.123, 12), text
    _clean(pg)
