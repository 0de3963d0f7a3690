"""The saved HTML player in a real browser (Chromium through Playwright), opened from disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import RecordingPage

from microgrand import Value, scope, vsum
from microgrand.pages.player import save_player, step
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
    assert page.inner_text("body").strip() == "Run this cell to step through the backward pass."
    ctx.close()
