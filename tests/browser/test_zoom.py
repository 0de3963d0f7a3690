"""``MG.zoom`` (web/runtime.js), the zoom and pan every diagram shares, in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import RecordingPage

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
