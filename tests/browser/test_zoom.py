"""``MG.zoom`` (web/runtime.js), the zoom and pan every diagram shares, in Chromium: its
options on a page of its own, and the four diagram pages that use it (player, live view,
quiz, explorer)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import graphs
import pytest
from browser_support import RecordingPage, axe_violations, describe_violations, min_text_px

import microgrand as mg
from microgrand.pages import web_text

pytestmark = pytest.mark.browser

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>zoom</title></head>
<body><main><h1>zoom</h1><div id="wrap"><div id="stage" style="overflow:auto;width:400px">
<svg id="svg" viewBox="0 0 800 200" xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="800" height="200" fill="none" stroke="currentColor"/>
<text x="10" y="100" font-size="14">a diagram twice as wide as its stage</text></svg>
</div></div></main><script>{runtime}
window.z = MG.zoom(document.getElementById("stage"), document.getElementById("svg"),
  {{width: 800}});</script></body></html>"""


def _open(browser: Any, tmp_path: Path) -> RecordingPage:
    path = tmp_path / "zoom.html"
    path.write_text(
        PAGE.format(runtime=web_text("runtime.js").replace("</", "<\\/")), encoding="utf-8"
    )
    pg = RecordingPage(browser, 900, 700)
    pg.open(path)
    return pg


def _width(pg: RecordingPage) -> float:
    w: float = pg.page.evaluate("document.getElementById('svg').getBoundingClientRect().width")
    return w


def test_buttons_keys_and_fit(browser: Any, tmp_path: Path) -> None:
    pg = _open(browser, tmp_path)
    page = pg.page
    assert _width(pg) == pytest.approx(400, abs=1)  # fitted to the stage's width at first
    names = page.eval_on_selector_all(
        "[data-zoom]", "bs => bs.map(b => [b.dataset.zoom, b.getAttribute('aria-label')])"
    )
    assert names == [["out", "Zoom out"], ["in", "Zoom in"], ["fit", "Fit to width"]]
    page.click('[data-zoom="in"]')
    assert _width(pg) == pytest.approx(500, abs=1)
    # keys while the stage has focus: + zooms in, arrows pan, - zooms out, 0 fits
    page.focus("#stage")
    assert page.evaluate("document.activeElement.id") == "stage"
    page.keyboard.press("+")
    assert _width(pg) == pytest.approx(625, abs=1)
    before = page.evaluate("document.getElementById('stage').scrollLeft")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.getElementById('stage').scrollLeft") == before + 40
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.getElementById('stage').scrollLeft") == before
    # up and down (no vertical overflow here) are left to the page: nothing around sees them
    page.evaluate(
        "window.seen = []; document.getElementById('wrap')"
        ".addEventListener('keydown', e => seen.push(e.key))"
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("window.seen") == []
    page.keyboard.press("-")
    assert _width(pg) == pytest.approx(500, abs=1)
    page.keyboard.press("0")
    assert _width(pg) == pytest.approx(400, abs=1)
    page.click('[data-zoom="in"]')
    page.click('[data-zoom="fit"]')
    assert page.evaluate("z.scale()") == pytest.approx(0.5)
    # fit follows the stage's width
    page.evaluate("document.getElementById('stage').style.width = '600px'")
    page.wait_for_function("Math.abs(z.scale() - 0.75) < 1e-6")
    # Ctrl + wheel (a touchpad pinch) zooms in
    page.hover("#stage")
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.wait_for_function("z.scale() > 0.8")
    assert page.get_attribute("#stage", "tabindex") == "0"
    assert page.get_attribute("#stage", "role") == "group"
    assert pg.errors == []
    page.close()


# --- MG.zoom's options, on a page of its own ---------------------------------------------------

OPTIONS_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>zoom</title>
</head><body><main><h1>zoom</h1><div id="bar"><button type="button" data-action="zoom-in"
aria-label="Zoom in">+</button></div>
<div id="stage" style="overflow:auto;width:400px;height:{height}">
<svg id="svg" viewBox="0 0 800 400" xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="800" height="400" fill="none" stroke="currentColor"/>
<g id="far" tabindex="-1"><rect x="700" y="300" width="60" height="40" fill="none"
stroke="currentColor"/></g>
<text x="10" y="100" font-size="{font}">text {font} units high</text></svg>
</div><p id="clicks">0</p></main><script>{runtime}
document.getElementById("svg").addEventListener("click", function () {{
  var c = document.getElementById("clicks"); c.textContent = String(+c.textContent + 1); }});
window.z = MG.zoom(document.getElementById("stage"), document.getElementById("svg"),
  {options});</script></body></html>"""


def _options_page(
    browser: Any, tmp_path: Path, options: str, *, font: int = 14, height: str = "auto"
) -> RecordingPage:
    path = tmp_path / "options.html"
    path.write_text(
        OPTIONS_PAGE.format(
            runtime=web_text("runtime.js").replace("</", "<\\/"),
            options=options,
            font=font,
            height=height,
        ),
        encoding="utf-8",
    )
    pg = RecordingPage(browser, 900, 700)
    pg.open(path)
    return pg


def _stage(pg: RecordingPage, what: str) -> Any:
    return pg.page.evaluate(f"document.getElementById('stage').{what}")


def test_readable_start_hidden_buttons_and_a_tab_stop_only_while_it_scrolls(
    browser: Any, tmp_path: Path
) -> None:
    # text 4 units high, fitted at 0.5: 2 px. The smallest readable scale (11 px) is 2.75
    options = "{bar: document.getElementById('bar'), minText: 11, hideWhenReadable: true, "
    options += "tabStop: 'scroll', min: 'fit', level: true}"
    pg = _options_page(browser, tmp_path, options, font=4)
    page = pg.page
    assert page.evaluate("z.scale()") == pytest.approx(2.75)  # opens readable, scrolling
    assert page.evaluate("z.readable()") == pytest.approx(2.75)
    assert page.is_visible('[data-zoom="fit"]') and page.is_visible('[data-zoom="in"]')
    # the button already in the bar is used, and the missing ones are made beside it
    assert page.locator('[data-action="zoom-in"]').count() == 1
    assert page.get_attribute('[data-action="zoom-in"]', "data-zoom") == "in"
    assert page.inner_text(".mg-zoom-level") == "275%"
    assert _stage(pg, "getAttribute('tabindex')") == "0"  # it scrolls: a Tab stop
    page.click('[data-zoom="fit"]')
    assert page.evaluate("z.scale()") == pytest.approx(0.5)
    assert _stage(pg, "getAttribute('tabindex')") is None  # fits: no stop of its own
    page.click('[data-zoom="out"]')
    assert page.evaluate("z.scale()") == pytest.approx(0.5)  # min "fit": never smaller
    pg.page.close()
    # text readable when fitted: the buttons stay hidden, the diagram fits
    pg = _options_page(browser, tmp_path, options, font=40)
    assert pg.page.evaluate("z.scale()") == pytest.approx(0.5)
    assert not pg.page.is_visible('[data-zoom="fit"]')
    assert not pg.page.is_visible('[data-zoom="in"]')
    assert _stage(pg, "getAttribute('tabindex')") is None
    assert pg.errors == []
    pg.page.close()


def test_drag_pans_frame_and_reveal(browser: Any, tmp_path: Path) -> None:
    options = "{drag: true, fitAll: true, fitMax: 2}"
    pg = _options_page(browser, tmp_path, options, height="150px")
    page = pg.page
    # fitAll: it opens whole, its height too, and Fit shows it whole again
    assert page.evaluate("z.scale()") == pytest.approx(150 / 400, abs=0.01)
    page.click('[data-zoom="in"]')
    page.click('[data-zoom="fit"]')
    assert page.evaluate("z.scale()") == pytest.approx(150 / 400, abs=0.01)
    # a rectangle of the diagram, as large as the stage allows, in the middle of it
    page.evaluate("z.frame([100, 100, 200, 100])")
    assert page.evaluate("z.scale()") == pytest.approx(1.5, abs=0.01)  # 150 px / 100 units
    assert _stage(pg, "scrollLeft") == pytest.approx(100 * 1.5 + 100 * 1.5 - 200, abs=2)
    # dragging pans (the click that ends a drag does not reach the diagram); a click clicks
    box = page.locator("#stage").bounding_box()
    x, y = box["x"] + 200, box["y"] + 75
    left, top = _stage(pg, "scrollLeft"), _stage(pg, "scrollTop")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 50, y - 30, steps=5)
    page.mouse.up()
    assert _stage(pg, "scrollLeft") == pytest.approx(left + 50, abs=1)
    assert _stage(pg, "scrollTop") == pytest.approx(top + 30, abs=1)
    assert page.inner_text("#clicks") == "0"
    page.mouse.click(x, y)
    assert page.inner_text("#clicks") == "1"
    # reveal: the least scroll that shows an element
    page.evaluate("z.reveal(document.getElementById('far'))")
    page.wait_for_function(
        """() => { const s = document.getElementById('stage').getBoundingClientRect(),
                     r = document.getElementById('far').getBoundingClientRect();
                   return r.left >= s.left && r.right <= s.right
                     && r.top >= s.top && r.bottom <= s.bottom; }""",
        timeout=5000,
    )
    assert pg.errors == []
    pg.page.close()


# --- the four diagram pages ----------------------------------------------------------------------

CELL = 900


def _player() -> Any:
    return mg.step(graphs.lesson02_by_hand(), rankdir="TB", precision=2)


def _live() -> Any:
    return mg.live(graphs.lesson02_neuron())


def _quiz() -> Any:  # a sum of eight products: too wide for the cell at a readable size
    xs = [mg.Value(float(i + 1), label=f"x{i + 1}") for i in range(8)]
    terms = [x * mg.Value(0.5 - i, label=f"w{i + 1}") for i, x in enumerate(xs)]
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return mg.quiz(out)


def _explore() -> Any:
    return mg.explore(graphs.lesson06_tiny(), rankdir="TB")


PAGES: dict[str, tuple[Callable[[], Any], str, str]] = {
    # page, its diagram's stage, where the keys are pressed
    "player": (_player, ".mg-stage", ".mg-stage"),
    "live": (_live, ".mg-stage", "g[data-id]"),
    "quiz": (_quiz, ".mg-stage", ".mg-stage"),
    "explore": (_explore, ".mg-canvas", ".mg-canvas"),
}


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_diagram_page_zooms_with_the_buttons_and_keys(
    browser: Any, tmp_path: Path, kind: str
) -> None:
    make, stage, keys = PAGES[kind]
    pg = RecordingPage(browser, CELL + 32, 900)
    pg.open(make().save(tmp_path / f"{kind}.html"))
    page = pg.page

    def size() -> dict[str, float]:
        found: dict[str, float] = page.evaluate(
            """(sel) => { const s = document.querySelector(sel), r = s.querySelector('svg')
                 .getBoundingClientRect();
               return {w: r.width, h: r.height, sw: s.clientWidth, sh: s.clientHeight}; }""",
            stage,
        )
        return found

    def fitted() -> None:
        now = size()
        assert now["w"] <= now["sw"] + 1, (kind, now)
        if kind == "explore":  # Fit shows everything: as wide or as high as the canvas
            assert now["w"] >= now["sw"] - 2 or now["h"] >= now["sh"] - 2, now
        else:
            assert now["w"] == pytest.approx(now["sw"], abs=2), (kind, now)

    buttons = page.eval_on_selector_all(
        '[data-zoom], [data-action^="zoom-"], [data-action="fit"]',
        "bs => bs.map(b => [b.dataset.zoom, b.dataset.action, b.getAttribute('aria-label')])",
    )
    assert sorted(b[0] for b in buttons) == ["fit", "in", "out"], buttons
    assert sorted(b[1] for b in buttons) == ["fit", "zoom-in", "zoom-out"], buttons
    assert all(b[2] for b in buttons), buttons
    min_size, text = min_text_px(page, stage)
    assert min_size >= 11, (kind, min_size, text)  # opens readable at the cell's width
    w0 = size()["w"]
    page.click('[data-action="zoom-in"]')
    assert size()["w"] == pytest.approx(w0 * 1.25, rel=0.01)
    page.click('[data-zoom="out"]')
    assert size()["w"] == pytest.approx(w0, rel=0.01)
    page.click('[data-action="fit"]')
    fitted()
    # by keyboard, in the diagram
    page.click('[data-zoom="in"]')
    page.locator(keys).first.focus()
    w1 = size()["w"]
    page.keyboard.press("+")
    assert size()["w"] == pytest.approx(w1 * 1.25, rel=0.01)
    page.keyboard.press("-")
    assert size()["w"] == pytest.approx(w1, rel=0.01)
    page.keyboard.press("0")
    fitted()
    page.keyboard.press("=")
    page.keyboard.press("=")
    assert size()["w"] > size()["sw"] + 10  # wider than its stage now: it scrolls
    page.locator(keys).first.focus()
    page.keyboard.press("_")
    page.keyboard.press("0")
    fitted()
    found = axe_violations(page)
    assert found == [], describe_violations(found)
    assert pg.errors == []
    page.close()


def test_the_explorer_zooms_around_the_pointer(browser: Any, tmp_path: Path) -> None:
    pg = RecordingPage(browser, CELL + 32, 900)
    pg.open(_explore().save(tmp_path / "explore.html"))
    page = pg.page
    box = page.locator(".mg-canvas").bounding_box()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4
    under = """([x, y]) => { const s = document.querySelector('.mg-canvas svg'),
        p = s.createSVGPoint(); p.x = x; p.y = y;
        const q = p.matrixTransform(s.getScreenCTM().inverse());
        return [q.x, q.y, s.getBoundingClientRect().width]; }"""
    before = page.evaluate(under, [x, y])
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.wait_for_function(
        f"document.querySelector('.mg-canvas svg')"
        f".getBoundingClientRect().width > {before[2] * 1.2}"
    )
    after = page.evaluate(under, [x, y])
    assert after[0] == pytest.approx(before[0], abs=1)  # the same point under the pointer
    assert after[1] == pytest.approx(before[1], abs=1)
    assert pg.errors == []
    page.close()
