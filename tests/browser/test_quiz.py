"""The quiz in Chromium at a 900 px wide page, as a class uses it: right and wrong said in
words (✓/✗, ``aria-invalid``, a polite live region, a message when all is right), boxes and
Tab order in the order of the backward pass, keyboard only, axe-core with zero violations in
every theme, text of 11 px or more, no overlaps, no answer shown with ``reveal=False``.

The oracle for the order is :func:`microgrand.stepper.trace`; for the numbers, the Python
engine (``Quiz.answers``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    RecordingPage,
    axe_violations,
    describe_violations,
    min_text_px,
    text_sizes,
)

import microgrand as mg
from microgrand._format import format_fixed, format_short
from microgrand.graph import Graph
from microgrand.pages.live import page_names
from microgrand.pages.quiz import QuizView
from microgrand.render.themes import THEMES
from microgrand.stepper.trace import trace

pytestmark = pytest.mark.browser

WIDTH = 900


def lesson02(**options: Any) -> QuizView:
    """Exercise 1 of lesson 02, built as the lesson builds it."""
    x, y, z = mg.Value(2.0, label="x"), mg.Value(-1.0, label="y"), mg.Value(3.0, label="z")
    p = x * y + z
    p.label = "p"
    q = x + mg.Value(1.0, label="1")
    q.label = "q"
    L = p * q
    L.label = "L"
    L.backward()
    return mg.quiz(L, precision=0, **{"reveal": False, **options})


def neuron(**options: Any) -> QuizView:
    """tanh(x·w + b): answers with many digits (no answer looks like a given number)."""
    x, w, b = mg.Value(2.0, label="x"), mg.Value(-3.0, label="w"), mg.Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    return mg.quiz(y, **options)


def wide(**options: Any) -> QuizView:
    """A sum of eight products: too wide for 900 px at a readable size."""
    xs = [mg.Value(float(i + 1), label=f"x{i + 1}") for i in range(8)]
    ws = [mg.Value(0.5 - i, label=f"w{i + 1}") for i in range(8)]
    terms = [x * w for x, w in zip(xs, ws, strict=True)]
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    out.label = "s"
    return mg.quiz(out, **options)


class Page(RecordingPage):
    def __init__(self, browser: Any) -> None:
        super().__init__(browser, WIDTH, 900)

    def clean(self) -> None:
        assert self.errors == []
        assert [u for u in self.requests if u != self.url] == []
        self.page.close()

    def box(self, name: str, field: str = "grad") -> str:
        return f'input[data-answer="{name}"][data-answer-field="{field}"]'

    def answer(self, name: str, text: str, field: str = "grad") -> None:
        self.page.fill(self.box(name, field), text)
        self.page.press(self.box(name, field), "Enter")

    def state(self, name: str, field: str = "grad") -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(
            """(sel) => {
              const box = document.querySelector(sel);
              const fb = document.getElementById(box.getAttribute('aria-describedby'));
              return {state: box.dataset.state || '', invalid: box.getAttribute('aria-invalid'),
                      feedback: fb.textContent, label: box.getAttribute('aria-label'),
                      status: document.querySelector('[data-status]').textContent,
                      score: document.querySelector('[data-score]').textContent};
            }""",
            self.box(name, field),
        )
        return result

    def focused(self) -> str:
        result: str = self.page.evaluate(
            """() => { const e = document.activeElement;
                 return e.dataset.answer !== undefined ? 'box:' + e.dataset.answer :
                   e.dataset.action !== undefined ? 'button:' + e.dataset.action : e.tagName; }"""
        )
        return result


def _open(browser: Any, view: QuizView, path: Path) -> Page:
    pg = Page(browser)
    pg.open(view.save(path))
    return pg


def test_right_and_wrong_are_said_in_words(browser: Any, tmp_path: Path) -> None:
    q = lesson02()
    answers = q.answers()
    n = len(answers)
    pg = _open(browser, q, tmp_path / "q.html")
    status = pg.page.locator("[data-status]")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    st = pg.state("y")
    assert st["feedback"] == "dL/dy = ?" and st["label"] == "gradient of y, dL/dy"
    assert st["invalid"] is None and st["state"] == ""
    # wrong: ✗ with words next to the box, aria-invalid, the live region says it
    pg.answer("y", "-6")
    st = pg.state("y")
    assert st["state"] == "wrong" and st["invalid"] == "true"
    assert st["feedback"] == "✗ not yet: check the sign"
    assert st["status"] == f"✗ dL/dy = -6: not yet, check the sign. 0 of {n} right."
    # one use of a node used twice: the page says to add the uses
    pg.answer("x", "-3")  # dL/dx = 3·(-1) + 1·1: -3 is the term through x·y alone
    assert pg.state("x")["feedback"] == "✗ not yet: add all 2 uses"
    pg.answer("z", "7")
    assert pg.state("z")["feedback"] == "✗ not yet: try Hint"
    pg.answer("z", "three")
    assert pg.state("z")["feedback"] == "✗ not yet: type a number"
    # right: ✓ right, no aria-invalid, the number shows on the diagram
    pg.answer("y", "6")
    st = pg.state("y")
    assert st["state"] == "right" and st["invalid"] is None and st["feedback"] == "✓ right"
    assert st["status"] == f"✓ dL/dy = 6: right. 1 of {n} right." and st["score"] == f"1/{n}"
    # every box right: the whole quiz says so
    for a in answers:
        pg.answer(a["name"], format_short(a["value"], 0))
    st = pg.state("x")
    assert st["status"] == f"✓ All {n} gradients right." and st["score"] == f"{n}/{n}"
    assert pg.page.locator(".mg-quiz[data-complete]").count() == 1
    marks = pg.page.eval_on_selector_all("[data-feedback]", "els => els.map(e => e.textContent)")
    assert marks == ["✓ right"] * n
    # a blank box is neither right nor wrong; Reset says what it did
    pg.page.click('[data-action="reset"]')
    st = pg.state("y")
    assert st["feedback"] == "dL/dy = ?" and st["invalid"] is None
    assert st["status"] == "Every box is empty again." and st["score"] == f"0/{n}"
    pg.clean()


def test_both_fields_of_a_node_get_their_own_words(browser: Any, tmp_path: Path) -> None:
    q = neuron(ask="both")
    pg = _open(browser, q, tmp_path / "q.html")
    assert pg.state("x·w", "data")["feedback"] == "x·w = ?; dy/d(x·w) = ?"
    pg.answer("x·w", "-6", "data")
    pg.answer("x·w", "1", "grad")
    st = pg.state("x·w", "data")
    assert st["feedback"].startswith("value ✓ right; gradient ✗ not yet")
    assert pg.state("x·w", "grad")["invalid"] == "true" and st["invalid"] is None
    pg.clean()


def _tab_sequence(pg: Page, presses: int) -> list[str]:
    seq = []
    for _ in range(presses):
        pg.page.keyboard.press("Tab")
        seq.append(pg.focused())
    return seq


@pytest.mark.parametrize("build", [lesson02, neuron, wide], ids=["lesson02", "neuron", "wide"])
def test_tab_order_is_the_backward_pass(browser: Any, tmp_path: Path, build: Any) -> None:
    q = build()
    L = q.root
    names = page_names(Graph.of(L))
    t = trace(L)
    backward = [names[s.id] for s in t.steps if s.id != Graph.of(L).root]
    assert [a["name"] for a in q.answers()] == backward
    pg = _open(browser, q, tmp_path / "q.html")
    seq = _tab_sequence(pg, 12 + len(backward))
    boxes = [s[len("box:") :] for s in seq if s.startswith("box:")]
    assert boxes[: len(backward)] == backward
    first = seq.index("box:" + backward[0])
    assert seq[first : first + len(backward)] == ["box:" + b for b in backward]  # no gap
    # and the boxes stand in that order in the page
    dom = pg.page.eval_on_selector_all(
        "input[data-answer]", "els => els.map(e => e.dataset.answer)"
    )
    assert dom == backward
    pg.clean()


def test_the_first_box_needs_no_later_answer() -> None:
    """Each gradient's chain rule needs only the gradients of the nodes that use it: all
    asked before it."""
    for q in (lesson02(), neuron(), wide(), mg.quiz.random(seed=7, difficulty=5)):
        g = Graph.of(q.root)
        place = {a["id"]: i for i, a in enumerate(q.answers())}
        for e in g.edges:
            if e.src in place and e.dst in place:
                assert place[e.dst] < place[e.src]


def test_keyboard_only(browser: Any, tmp_path: Path) -> None:
    """Every action by keyboard: Tab to each box in turn, type, Enter checks; Hint, Show
    answer and Reset are buttons in the Tab order."""
    q = lesson02(reveal=True)
    answers = q.answers()
    n = len(answers)
    pg = _open(browser, q, tmp_path / "q.html")
    kb = pg.page.keyboard
    while not pg.focused().startswith("box:"):
        kb.press("Tab")
    for i, a in enumerate(answers):
        assert pg.focused() == "box:" + a["name"]
        kb.type("100" if i == 0 else format_short(a["value"], 0))
        kb.press("Enter")
        if i == 0:  # wrong first, then right
            assert pg.state(a["name"])["invalid"] == "true"
            kb.press("Control+A")
            kb.type(format_short(a["value"], 0))
            kb.press("Enter")
        assert pg.state(a["name"])["state"] == "right"
        kb.press("Tab")
    assert pg.state("x")["status"] == f"✓ All {n} gradients right."
    # Reset, Show answer and Hint from the toolbar: Shift+Tab back to them
    while pg.focused() != "button:reset":
        kb.press("Shift+Tab")
    kb.press("Enter")
    assert pg.state("x")["score"] == f"0/{n}"
    kb.press("Tab")
    assert pg.focused() == "box:" + answers[0]["name"]
    kb.type("5")
    kb.press("Enter")
    kb.press("Shift+Tab")
    kb.press("Shift+Tab")
    assert pg.focused() == "button:show"
    kb.press("Enter")
    first = pg.state(answers[0]["name"])
    assert first["state"] == "shown" and first["feedback"] == "answer shown"
    kb.press("Shift+Tab")
    assert pg.focused() == "button:hint"
    kb.press("Enter")
    hint = pg.page.inner_text("[data-hint]")
    assert hint.startswith("Hint for dL/dq")
    # the focus ring is visible on a box
    kb.press("Tab")
    kb.press("Tab")
    kb.press("Tab")
    assert pg.focused().startswith("box:")
    ring = pg.page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] == "solid" and ring[1] >= 2
    pg.clean()


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("reveal", [True, False])
def test_axe_finds_nothing(browser: Any, tmp_path: Path, theme: str, reveal: bool) -> None:
    q = lesson02(reveal=reveal, theme=theme)
    pg = _open(browser, q, tmp_path / "q.html")
    found = axe_violations(pg.page)
    assert found == [], describe_violations(found)
    answers = q.answers()
    pg.answer(answers[0]["name"], format_short(answers[0]["value"], 0))
    pg.answer(answers[1]["name"], "12345")
    pg.page.focus(pg.box(answers[1]["name"]))
    pg.page.click('[data-action="hint"]')
    if reveal:
        pg.page.focus(pg.box(answers[2]["name"]))
        pg.page.click('[data-action="show"]')
    found = axe_violations(pg.page)
    assert found == [], describe_violations(found)
    pg.clean()


def test_axe_finds_nothing_with_zoom(browser: Any, tmp_path: Path) -> None:
    pg = _open(browser, wide(ask="both"), tmp_path / "q.html")
    assert pg.page.locator(".mg-zoom").is_visible()
    found = axe_violations(pg.page)
    assert found == [], describe_violations(found)
    pg.clean()


def _input_px(pg: Page) -> list[float]:
    """The rendered font size of every answer box (its CSS size times the diagram's scale)."""
    result: list[float] = pg.page.evaluate(
        """() => [...document.querySelectorAll('input[data-answer]')].map(e => {
             const m = e.closest('svg').getScreenCTM();
             return parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b); })"""
    )
    return result


def _overlaps(pg: Page) -> list[str]:
    """Pairs of things on the diagram whose boxes overlap: the answer boxes, the feedback
    lines and every other text, each inside its own node's outline."""
    result: list[str] = pg.page.evaluate(
        """() => {
          const r = (e) => e.getBoundingClientRect();
          const cut = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
                                a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
          const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 &&
                                   a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
          const out = [];
          const boxes = [...document.querySelectorAll('input[data-answer]')];
          const texts = [...document.querySelectorAll('svg text')].filter(t => t.textContent.trim());
          for (const b of boxes) {
            const name = b.dataset.answer;
            for (const t of texts) {
              if (cut(r(b), r(t))) out.push(name + ' box / text ' + t.textContent);
            }
            for (const c of boxes) {
              if (c !== b && cut(r(b), r(c))) out.push(name + ' box / box ' + c.dataset.answer);
            }
          }
          for (const g of document.querySelectorAll('g[data-id]')) {
            const outline = g.querySelector('.mg-box');
            for (const t of g.querySelectorAll('text')) {
              if (t.textContent.trim() && !inside(r(t), r(outline)))
                out.push('text outside its node: ' + t.textContent);
            }
          }
          for (const b of boxes) {
            const id = b.getAttribute('aria-describedby');
            const node = document.getElementById(id).closest('g[data-id]').querySelector('.mg-box');
            if (!inside(r(b), r(node))) out.push('box outside its node: ' + b.dataset.answer);
          }
          return out;
        }"""
    )
    return result


@pytest.mark.parametrize("build", [lesson02, neuron, wide], ids=["lesson02", "neuron", "wide"])
def test_readable_at_900px_and_nothing_overlaps(browser: Any, tmp_path: Path, build: Any) -> None:
    q = build(ask="both") if build is not lesson02 else build()
    pg = _open(browser, q, tmp_path / "q.html")
    # every answer typed in with the digits the diagram shows, half of them wrong (with a
    # minus sign: the longest feedback lines)
    for i, a in enumerate(q.answers()):
        text = format_fixed(a["value"], q.precision)
        pg.answer(a["name"], text if i % 2 else "-" + text.lstrip("-"), a["field"])
    size, text = min_text_px(pg.page, ".mg-view")
    assert size >= 11, f"{text!r} is {size:.1f} px"
    assert min(_input_px(pg)) >= 11
    assert _overlaps(pg) == []
    # every number fits its box
    spill = pg.page.evaluate(
        """() => [...document.querySelectorAll('input[data-answer]')]
             .filter(e => e.scrollWidth > e.clientWidth).map(e => e.dataset.answer)"""
    )
    assert spill == []
    pg.clean()


def test_zoom_and_fit_when_the_diagram_is_too_wide(browser: Any, tmp_path: Path) -> None:
    pg = _open(browser, wide(), tmp_path / "q.html")
    zoom = pg.page.locator(".mg-zoom")
    assert zoom.is_visible()

    def width() -> tuple[float, float]:
        w: list[float] = pg.page.evaluate(
            """() => { const s = document.querySelector('.mg-quiz svg');
                 return [s.getBoundingClientRect().width, s.parentNode.clientWidth]; }"""
        )
        return w[0], w[1]

    drawn, room = width()
    assert drawn > room  # readable, so it scrolls sideways
    assert min_text_px(pg.page, ".mg-quiz svg")[0] >= 11
    pg.page.click('[data-action="fit"]')
    drawn, room = width()
    assert drawn <= room + 0.5
    pg.page.click('[data-action="zoom-in"]')
    assert width()[0] == pytest.approx(drawn * 1.25, rel=1e-3)
    pg.page.click('[data-action="zoom-out"]')
    pg.page.click('[data-action="zoom-out"]')
    assert width()[0] == pytest.approx(drawn, rel=1e-3)  # never smaller than Fit
    # by keyboard: the zoom buttons are in the Tab order, and so is the diagram once it is
    # wider than the page; the arrow keys scroll it
    pg.page.focus('[data-action="zoom-in"]')
    pg.page.keyboard.press("Enter")
    assert width()[0] == pytest.approx(drawn * 1.25, rel=1e-3)
    while pg.focused() != "DIV":
        pg.page.keyboard.press("Tab")
    assert pg.page.evaluate("document.activeElement.classList.contains('mg-stage')")
    before = pg.page.evaluate("document.activeElement.scrollLeft")
    pg.page.keyboard.press("ArrowRight")
    pg.page.keyboard.press("ArrowRight")
    # (Chromium may scroll smoothly: wait for it)
    pg.page.wait_for_function(f"document.activeElement.scrollLeft > {before}", timeout=5000)
    pg.page.keyboard.press("Tab")
    assert pg.focused().startswith("box:")  # then the boxes
    pg.page.click('[data-action="fit"]')
    assert pg.page.get_attribute(".mg-stage", "tabindex") is None  # fits: no stop of its own
    pg.clean()
    small = _open(browser, lesson02(), tmp_path / "small.html")
    assert not small.page.locator(".mg-zoom").is_visible()  # fits and reads: no controls
    small.clean()


def _shown(pg: Page) -> str:
    """Everything the page shows or says: text (no scripts or styles) and every attribute
    value of every element, the SVG's included."""
    result: str = pg.page.evaluate(
        """() => {
          const out = [];
          for (const e of document.querySelectorAll('body *')) {
            if (e.closest('script, style')) continue;
            for (const a of e.attributes) out.push(a.value);
            for (const c of e.childNodes) if (c.nodeType === 3) out.push(c.data);
            if (e.value !== undefined && typeof e.value === 'string') out.push(e.value);
          }
          return out.join('\\n');
        }"""
    )
    return result


def test_reveal_false_shows_no_answer(browser: Any, tmp_path: Path) -> None:
    q = neuron(ask="both", reveal=False)
    answers = q.answers()
    pg = _open(browser, q, tmp_path / "q.html")

    def forms(x: float) -> set[str]:
        return {repr(x), format_short(x, 4), format_fixed(x, 4), format_short(x, 3)}

    def leaked() -> list[str]:
        shown = _shown(pg)
        words = set(re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?", shown))
        return [f for a in answers for f in forms(a["value"]) if f in words]

    assert leaked() == []
    assert pg.page.locator('[data-action="show"], .mg-key, [data-key], body title').count() == 0
    # wrong answers, hints, Check all and Reset give nothing away either
    for a in answers:
        pg.answer(a["name"], "0.123", a["field"])
        pg.page.click('[data-action="hint"]')
        assert leaked() == []
    pg.page.click('[data-action="check"]')
    pg.page.click('[data-action="reset"]')
    assert leaked() == []
    pg.clean()


def test_no_machine_ids_printed(browser: Any, tmp_path: Path) -> None:
    """The quiz prints only the page's names (microgrand.pages.live.page_names): an id
    ("n5") shows only where the page's name for that node is that id."""
    for i, q in enumerate((lesson02(reveal=True), neuron(ask="both"), wide())):
        g = Graph.of(q.root)
        names = page_names(g)
        ids = {n.id for n in g.nodes if names[n.id] != n.id}
        pg = _open(browser, q, tmp_path / f"q{i}.html")
        pg.answer(q.answers()[0]["name"], "0.5", q.answers()[0]["field"])
        pg.page.click('[data-action="hint"]')
        pg.page.click('[data-action="check"]')
        said = pg.page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(e => !e.closest('script, style'))
                 .flatMap(e => [e.getAttribute('aria-label') || '',
                   ...[...e.childNodes].filter(c => c.nodeType === 3).map(c => c.data)])
                 .join('\\n')"""
        )
        assert set(re.findall(r"\bn\d+\b", said)) & ids == set()
        pg.clean()


def test_reduced_motion_nothing_moves(browser: Any, tmp_path: Path) -> None:
    q = lesson02()
    pg = Page(browser)
    pg.page.emulate_media(reduced_motion="reduce")
    pg.open(q.save(tmp_path / "q.html"))
    for a in q.answers():
        pg.answer(a["name"], format_short(a["value"], 0))
    pg.page.click('[data-action="reset"]')
    moving = pg.page.evaluate(
        """() => [document.getAnimations().length,
                  ...[...document.querySelectorAll('.mg-quiz *')]
                    .map(e => getComputedStyle(e).transitionDuration)
                    .filter(d => d.split(',').some(x => parseFloat(x) > 0))]"""
    )
    assert moving == [0]
    pg.clean()


def test_text_sizes_include_the_feedback(browser: Any, tmp_path: Path) -> None:
    """The feedback lines are SVG text the size check sees (so the 11 px check covers them)."""
    q = lesson02()
    pg = _open(browser, q, tmp_path / "q.html")
    pg.answer("y", "1")
    sizes = dict((t, s) for s, t in text_sizes(pg.page, ".mg-view"))
    assert sizes["✗ not yet: try Hint"] >= 11
    pg.clean()
