"""The saved HTML player in a real browser (Chromium through Playwright), opened from disk."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import RecordingPage, axe_violations, describe_violations, min_text_px
from graphs import lesson01_neuron, lesson02_by_hand

from microgrand import Value, scope, vsum
from microgrand._format import format_short
from microgrand.pages.player import Player, save_player, step
from microgrand.pages.player_page import FALLBACK_DPI
from microgrand.render import format_number
from microgrand.stepper import trace
from microgrand.stepper.explain import explain_step
from microgrand.stepper.record import step_names

pytestmark = pytest.mark.browser


class Page(RecordingPage):
    """A page with every request and console message recorded."""

    def __init__(self, browser: Any) -> None:
        super().__init__(browser, 1200, 800)

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(
            """() => {
              const root = document.querySelector('.mg-player');
              const cur = root.querySelectorAll('g.mg-current');
              const known = [...root.querySelectorAll('g.mg-known')].map(g => g.dataset.id);
              const shown = {}, numbers = {};
              root.querySelectorAll('g[data-id]').forEach(g => {
                const gv = g.querySelector('.mg-gv');
                if (gv && getComputedStyle(gv).visibility === 'visible') {
                  shown[g.dataset.id] = gv.textContent;
                }
              });
              root.querySelectorAll('[data-node][data-field="grad"]').forEach(e => {
                numbers[e.dataset.node] = e.dataset.number;
              });
              const res = root.querySelector('.mg-result');
              const eq = [...root.querySelectorAll('.mg-lhs, .mg-rhs, .mg-note-text')]
                .map(e => e.textContent);
              const now = [...root.querySelectorAll('g.mg-now')].map(g => g.dataset.edge);
              const visibleNotes = [...root.querySelectorAll('.mg-note')]
                .filter(t => getComputedStyle(t).visibility === 'visible').length;
              return {
                frame: root.dataset.frame,
                current: [...cur].map(g => g.dataset.id),
                known, shown, now, visibleNotes, numbers, eq,
                step: root.querySelector('[data-step]').textContent,
                result: res ? res.dataset.number : null,
                head: root.querySelector('.mg-head').textContent,
              };
            }"""
        )
        return result


def neuron_with_shared_weight() -> Value:
    w = Value(0.5, label="w")
    b = Value(-0.25, label="b")
    outs = []
    for i, x in enumerate([1.0, -2.0]):
        with scope(f"neuron{i}"):
            xi = Value(x, label=f"x{i}")
            outs.append((w * xi + b).tanh())
    loss = vsum(outs)
    loss.label = "loss"
    return loss


@pytest.mark.parametrize("make", [neuron_with_shared_weight, lambda: Value(3.0, label="a") ** 2])
def test_click_next_through_every_step(browser: Any, tmp_path: Path, make: Any) -> None:
    root = make()
    t = trace(root)
    path = save_player(t, tmp_path / "player.html")
    pg = Page(browser)
    pg.open(path)
    start = pg.state()
    assert start["frame"] == "0" and start["current"] == [] and start["shown"] == {}
    assert start["step"] == f"0/{len(t)}"
    assert set(start["numbers"].values()) == {""}  # no gradient known yet
    names = step_names(t)
    for k, s in enumerate(t, start=1):
        pg.page.click('[data-action="next"]')
        st = pg.state()
        assert st["frame"] == str(k) and st["step"] == f"{k}/{len(t)}"
        # data-number: the exact gradient of every node reached so far, empty for the others
        assert st["numbers"] == {
            names[x.id]: (repr(x.grad) if x.index < k else "") for x in t.steps
        }
        # the panel's chain-rule line, built in the page from the structured step, reads
        # exactly as explain() writes it
        line = explain_step(s, t, names=names)
        rebuilt = st["eq"][0] + "".join(" " + e for e in st["eq"][1:] if e.startswith("= "))
        notes = [e for e in st["eq"][1:] if not e.startswith("= ")]
        assert rebuilt + "".join(f"   {n}" for n in notes) == line
        # exactly the traced node is highlighted
        assert st["current"] == [s.id]
        # gradients fill in: exactly the steps done so far show a number, and it is the trace's
        expected = {x.id: format_number(x.grad, 4) for x in t.steps[:k]}
        assert st["shown"] == expected
        assert sorted(st["known"]) == sorted(expected)
        # the panel's result is this step's gradient, exactly
        assert float(st["result"]) == s.grad
        assert f"Step {k} of {len(t)}" in st["head"]
        # this step's contributions are lit up on its input edges
        assert sorted(st["now"]) == sorted(f"e-{c.input}-{c.node}-{c.position}" for c in s.outgoing)
        assert st["visibleNotes"] == sum(len(x.outgoing) for x in t.steps[:k])
    assert pg.page.is_disabled('[data-action="next"]')
    # keyboard: arrows move, Home goes back to the start
    pg.page.focus(".mg-player")
    pg.page.keyboard.press("ArrowLeft")
    assert pg.state()["frame"] == str(len(t) - 1)
    pg.page.keyboard.press("Home")
    assert pg.state()["frame"] == "0"
    pg.page.keyboard.press("ArrowRight")
    assert pg.state()["current"] == [t[0].id]
    # the slider jumps
    pg.page.fill("[data-scrub]", str(len(t)))
    assert pg.state()["current"] == [t[-1].id]
    # nothing but the file itself was requested, and nothing went wrong
    assert pg.requests == [pg.url]
    assert pg.errors == []
    pg.page.close()


def test_play_runs_to_the_end(browser: Any, tmp_path: Path) -> None:
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    path = step(y, interval=0.05).save(tmp_path / "fast.html")
    pg = Page(browser)
    pg.open(path)
    pg.page.click('[data-action="play"]')
    pg.page.wait_for_function("document.querySelector('.mg-player').dataset.frame === '3'")
    assert pg.page.text_content('[data-action="play"]') == "▶ Play"  # stopped at the end
    assert pg.errors == []
    pg.page.close()


def test_two_players_on_one_page_do_not_clash(browser: Any, tmp_path: Path) -> None:
    a = Value(1.5, label="a")
    p1, p2 = step(a * a), step((a + 1).exp())
    html1, html2 = p1._repr_html_(), p2._repr_html_()
    page = tmp_path / "two.html"
    page.write_text(f"<!DOCTYPE html><html><body>{html1}{html2}</body></html>", encoding="utf-8")
    pg = Page(browser)
    pg.open(page)
    ids = pg.page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))
    players = pg.page.query_selector_all(".mg-player")
    assert len(players) == 2
    players[1].query_selector('[data-action="next"]').click()
    players[1].query_selector('[data-action="next"]').click()
    frames = [p.get_attribute("data-frame") for p in players]
    assert frames == ["0", "2"]
    assert pg.errors == []
    pg.page.close()


def test_without_javascript_the_finished_pass_is_shown(browser: Any, tmp_path: Path) -> None:
    x = Value(2.0, label="x")
    path = save_player(x * 3, tmp_path / "p.html")
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(path.resolve().as_uri())
    # the picture of the finished pass and one line; no stripped diagram text
    img = page.query_selector(".mg-fallback img")
    assert img is not None
    assert page.evaluate("i => i.complete && i.naturalWidth > 100", img)
    assert page.inner_text(".mg-page").strip() == "Run this cell to step through the backward pass."
    ctx.close()


# --- a classroom: readable at 900 px, keyboard only, screen readers, reduced motion ----------


def lesson02_expression() -> Value:
    """Lesson 02's expression (notebooks/02_backprop.py): L = (a·b + c)·f, before backward()."""
    return lesson02_by_hand(backward=False)


LESSONS = {
    "lesson01": (lesson01_neuron, {}),  # by default laid out for the width: top to bottom
    "lesson01-lr": (lesson01_neuron, {"rankdir": "LR"}),
    "lesson01-tb": (lesson01_neuron, {"rankdir": "TB", "precision": 3}),
    "lesson02": (lesson02_expression, {"rankdir": "TB", "precision": 2}),
}


def frame(pg: RecordingPage) -> int:
    return int(pg.page.get_attribute(".mg-player", "data-frame") or "-1")


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_text_is_readable_in_a_900_px_cell(browser: Any, tmp_path: Path, lesson: str) -> None:
    make, options = LESSONS[lesson]
    path = step(make(), **options).save(tmp_path / "p.html")
    pg = RecordingPage(browser, 900, 800)
    pg.open(path)
    page = pg.page
    for key in ("Home", "End"):  # before the pass, and with every gradient and edge note shown
        page.focus(".mg-player")
        page.keyboard.press(key)
        size, text = min_text_px(page, ".mg-page")
        assert size >= 11, (lesson, key, size, text)
    # Fit shrinks a wide diagram to the cell's width; the other buttons and 0 get back
    page.click('[data-zoom="fit"]')
    svg_w = page.evaluate("document.querySelector('.mg-stage svg').getBoundingClientRect().width")
    stage_w = page.evaluate("document.querySelector('.mg-stage').clientWidth")
    assert svg_w <= stage_w + 1
    assert pg.errors == []
    page.close()


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
@pytest.mark.parametrize("lesson", ["lesson01", "lesson02"])
def test_axe_finds_nothing_at_any_frame(
    browser: Any, tmp_path: Path, lesson: str, theme: str
) -> None:
    make, options = LESSONS[lesson]
    path = step(make(), theme=theme, **options).save(tmp_path / "p.html")  # type: ignore[arg-type]
    pg = RecordingPage(browser, 900, 800)
    pg.open(path)
    page = pg.page
    last = int(page.get_attribute("[data-scrub]", "max") or "0")
    for k in (0, last // 2, last):
        page.fill("[data-scrub]", str(k))
        assert frame(pg) == k
        found = axe_violations(page)
        assert found == [], f"frame {k}:\n" + describe_violations(found)
    page.close()


def test_every_action_by_keyboard_alone(browser: Any, tmp_path: Path) -> None:
    o = lesson01_neuron()
    t = trace(o)
    path = step(o, interval=0.05).save(tmp_path / "p.html")
    pg = RecordingPage(browser, 900, 800)
    pg.open(path)
    page, kb = pg.page, pg.page.keyboard

    def focused() -> str:
        got: str = page.evaluate(
            """() => { const e = document.activeElement;
                return e.dataset.action || (e.dataset.zoom && 'zoom-' + e.dataset.zoom) ||
                  e.dataset.id || e.dataset.edge || (e.matches('[data-scrub]') && 'slider') ||
                  (e.classList.contains('mg-stage') && 'stage') ||
                  (e.classList.contains('mg-player') && 'player') || e.tagName; }"""
        )
        return got

    kb.press("Tab")  # the player itself is the first stop: arrows step, Home / End jump
    assert focused() == "player"
    kb.press("ArrowRight")
    kb.press("ArrowRight")
    assert frame(pg) == 2
    kb.press("ArrowLeft")
    assert frame(pg) == 1
    kb.press("End")
    assert frame(pg) == len(t)
    kb.press("Home")
    assert frame(pg) == 0
    # space plays (here fast) to the end; space again pauses
    kb.press(" ")
    page.wait_for_function(f"document.querySelector('.mg-player').dataset.frame === '{len(t)}'")
    kb.press("Home")
    page.evaluate("() => {}")
    # the buttons, in order (Start and Prev are disabled at frame 0, so not stops)
    kb.press("Tab")
    assert focused() == "play"
    kb.press("Enter")  # Play …
    kb.press("Enter")  # … and Pause at once: the frame stays where it was
    paused_at = frame(pg)
    page.wait_for_timeout(200)
    assert frame(pg) == paused_at and page.text_content('[data-action="play"]') == "▶ Play"
    kb.press("Home")
    kb.press("Tab")
    assert focused() == "next"
    kb.press("Enter")
    kb.press("Enter")
    assert frame(pg) == 2
    kb.press("Shift+Tab")
    kb.press("Shift+Tab")  # back over Play to Prev, enabled now
    assert focused() == "prev"
    kb.press("Enter")
    assert frame(pg) == 1
    kb.press("Shift+Tab")
    assert focused() == "start"
    kb.press("Enter")  # Start disables itself (and Prev): the focus goes to Next, not lost
    assert frame(pg) == 0 and focused() == "next"
    kb.press("End")  # the player's keys work from its buttons; Next is disabled at the end:
    assert frame(pg) == len(t) and focused() == "prev"  # the focus goes back to Prev
    kb.press("Enter")
    assert frame(pg) == len(t) - 1
    kb.press("Home")
    assert frame(pg) == 0 and focused() == "next"
    kb.press("Enter")
    assert frame(pg) == 1
    # the slider jumps: End takes it to the last step
    kb.press("Tab")
    assert focused() == "slider"
    kb.press("End")
    assert frame(pg) == len(t)
    kb.press("ArrowLeft")
    assert frame(pg) == len(t) - 1
    # zoom by buttons and keys on the stage
    kb.press("Tab")
    assert focused() == "zoom-out"
    scale = "document.querySelector('.mg-stage svg').getBoundingClientRect().width"
    w0 = page.evaluate(scale)
    kb.press("Tab")
    kb.press("Enter")  # Zoom in
    assert page.evaluate(scale) == pytest.approx(w0 * 1.25, rel=0.01)
    kb.press("Tab")
    kb.press("Tab")
    assert focused() == "stage"
    kb.press("-")
    assert page.evaluate(scale) == pytest.approx(w0, rel=0.01)
    kb.press("0")
    assert page.evaluate(scale) <= page.evaluate("document.querySelector('.mg-stage').clientWidth")
    kb.press("+")
    kb.press("+")  # zooming keeps the centre in place
    left = page.evaluate("document.querySelector('.mg-stage').scrollLeft")
    kb.press("ArrowRight")  # on the stage, arrows pan instead of stepping
    assert page.evaluate("document.querySelector('.mg-stage').scrollLeft") == left + 40
    at = frame(pg)
    # the nodes and edges: one Tab stop, arrows between them in backward order, Enter shows
    kb.press("Tab")
    order = [s.id for s in t]
    assert focused() in order
    kb.press("Home")
    assert focused() == order[0]
    kb.press("ArrowRight")  # the output's first input edge
    first_edge = f"e-{t[0].outgoing[0].input}-{t[0].id}-{t[0].outgoing[0].position}"
    assert focused() == first_edge
    assert frame(pg) == at  # moving does not step
    kb.press("Enter")  # an edge shows the step that sends along it
    assert frame(pg) == 1
    w1 = next(s for s in t if s.name == "w1")
    for _ in range(40):
        if focused() == w1.id:
            break
        kb.press("ArrowRight")
    kb.press("Enter")
    assert frame(pg) == w1.index + 1
    assert page.get_attribute(f'g[data-id="{w1.id}"]', "aria-label") == (
        f"w1: data = −3.0000, grad = {format_number(w1.grad, 4).replace('-', '−')}"
    )
    kb.press("Tab")  # out of the diagram, onward
    assert focused() not in order
    assert pg.errors == []
    page.close()


def test_every_node_and_edge_is_named_in_words(browser: Any, tmp_path: Path) -> None:
    o = lesson01_neuron()
    t = trace(o)
    names = step_names(t)
    path = step(o).save(tmp_path / "p.html")
    pg = RecordingPage(browser, 900, 800)
    pg.open(path)
    page = pg.page
    labels = page.eval_on_selector_all(
        ".mg-stage g.node, .mg-stage g.edge",
        "gs => gs.map(g => [g.dataset.id || (g.dataset.op && 'op ' + g.dataset.op) || "
        "g.dataset.edge || g.id, "
        "g.getAttribute('role'), g.getAttribute('aria-label')])",
    )
    assert labels and all(role in ("button", "img") and name for _, role, name in labels)
    got = {k: name for k, _, name in labels}
    neg = lambda s: s.replace("-", "−")  # noqa: E731
    for s in t:
        data = neg(format_number(s.node.data, 4))
        assert got[s.id] == f"{names[s.id]}: data = {data}, grad = not known yet"
    for c in (c for s in t for c in s.outgoing):
        eid = f"e-{c.input}-{c.node}-{c.position}"
        assert got[eid] == (
            f"edge from {names[c.input]} to {names[c.node]}, local derivative "
            f"{neg(format_short(c.local, 4))}"
        )
    assert got["op n2"] == "operation × making x1·w1 from x1 and w1"
    assert got[f"op {t[0].id}"] == "operation tanh making o from n"
    # at the end every gradient is known, and every edge says what it sent back
    page.focus(".mg-player")
    page.keyboard.press("End")
    for s in t:
        label = page.get_attribute(f'g[data-id="{s.id}"]', "aria-label") or ""
        assert label.endswith(f", grad = {neg(format_number(s.grad, 4))}"), label
    c = t[0].outgoing[0]
    label = page.get_attribute(f'g[data-edge="e-{c.input}-{c.node}-{c.position}"]', "aria-label")
    assert label and label.endswith(f", sent back {neg(format_short(c.value, 4))}")
    page.close()


def test_reduced_motion_no_transitions_and_nothing_plays_by_itself(
    browser: Any, tmp_path: Path
) -> None:
    path = step(lesson01_neuron(), interval=0.1, rankdir="LR").save(tmp_path / "p.html")
    durations = """() => [...document.querySelectorAll('.mg-player, .mg-player *')]
        .map(e => getComputedStyle(e).transitionDuration.split(',').map(parseFloat))
        .flat().reduce((a, b) => Math.max(a, b), 0)"""
    ctx = browser.new_context(viewport={"width": 900, "height": 800})
    normal = ctx.new_page()
    normal.goto(path.resolve().as_uri())
    jump = """() => {  // the scroll to the output at the first step: smooth, or at once
        const st = document.querySelector('.mg-stage'), before = st.scrollLeft;
        document.querySelector('.mg-player').dispatchEvent(
          new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
        return st.scrollLeft - before;
      }"""
    assert normal.evaluate(durations) > 0  # with motion allowed, highlights ease in
    assert normal.evaluate(jump) == 0  # … and the stage scrolls smoothly, not yet moved
    ctx.close()
    ctx = browser.new_context(viewport={"width": 900, "height": 800}, reduced_motion="reduce")
    page = ctx.new_page()
    page.goto(path.resolve().as_uri())
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    assert page.evaluate(durations) == 0
    page.wait_for_timeout(400)  # four intervals: nothing started by itself
    assert page.get_attribute(".mg-player", "data-frame") == "0"
    assert page.evaluate(jump) > 100  # the stage jumped to the output at once
    # Play steps (at once, no transition) and has a pause
    page.focus(".mg-player")
    page.keyboard.press("Home")
    page.keyboard.press(" ")
    page.wait_for_function("document.querySelector('.mg-player').dataset.frame >= '2'")
    page.keyboard.press(" ")
    at = page.get_attribute(".mg-player", "data-frame")
    page.wait_for_timeout(300)
    assert page.get_attribute(".mg-player", "data-frame") == at
    assert page.evaluate(durations) == 0
    ctx.close()


@pytest.mark.parametrize("lesson", ["lesson01-lr", "lesson02"])
def test_stored_picture_at_the_notebook_width(browser: Any, tmp_path: Path, lesson: str) -> None:
    """Where scripts do not run, the picture of the finished pass is the narrower layout when
    the diagram is wider than a cell: lesson 02's text is 9 px or more at 900 px; lesson 01's
    neuron asked for left to right (boxes of four decimals side by side) gets the most its
    layouts allow."""
    make, options = LESSONS[lesson]
    p = step(make(), **options)
    assert isinstance(p, Player)
    path = p.save(tmp_path / "p.html")
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 900, "height": 800})
    page = ctx.new_page()
    page.goto(path.resolve().as_uri())
    shown, natural = page.eval_on_selector(".mg-fallback img", "i => [i.width, i.naturalWidth]")
    ctx.close()
    still = p.still()
    least_pt = min(float(f) for f in re.findall(r'font-size="([0-9.]+)"', still.svg()))
    text_px = least_pt * FALLBACK_DPI / 72 * shown / natural
    if lesson == "lesson02":
        assert text_px >= 9, text_px
    else:  # the picture top to bottom (narrower) although the player runs left to right
        assert p.rankdir == "LR" and "rankdir=TB" in still.dot and text_px >= 8.5, text_px


def test_by_default_the_player_is_laid_out_for_the_width() -> None:
    """Left to right where its text is 11 px fitted to a 900 px cell, else the narrower."""
    small = step(Value(2.0, label="x") * 3)
    wide = step(lesson01_neuron())
    assert isinstance(small, Player) and isinstance(wide, Player)
    assert small.rankdir == "LR" and "rankdir=LR" in small.diagram().dot
    assert wide.rankdir == "TB" and "rankdir=TB" in wide.diagram().dot
    assert step(lesson01_neuron(), rankdir="LR").rankdir == "LR"  # asked for: kept
