"""The playground's front-end in real Chromium: the replay page opened from disk, the same page
inside an nbconvert export, and the widget module driven by a stub model (as anywidget would)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import RecordingPage

from microgrand.play import Playground, playground
from microgrand.play.replay import css, module, payload

pytestmark = pytest.mark.browser
pytest.importorskip("numpy")

STATS = {
    "step": "step",
    "train-loss": "train_loss",
    "test-loss": "test_loss",
    "train-accuracy": "train_accuracy",
    "test-accuracy": "test_accuracy",
}


class Page(RecordingPage):
    """A page with every request and console message recorded."""

    def __init__(self, browser: Any) -> None:
        super().__init__(browser, 1200, 900)

    def stats(self) -> dict[str, float | None]:
        got = self.page.eval_on_selector_all(
            "[data-stat]", "es => es.map(e => [e.dataset.stat, e.dataset.number])"
        )
        return {k: (float(v) if v != "" else None) for k, v in got}

    def offline(self) -> None:
        assert self.errors == []
        assert [u for u in self.requests if u != self.url and not u.startswith("data:")] == []


def frame_stats(frame: dict[str, Any]) -> dict[str, float | None]:
    return {k: (None if frame[f] is None else float(frame[f])) for k, f in STATS.items()}


@pytest.fixture(scope="module")
def run() -> Playground:
    pg = playground(dataset="spirals", classes=3, layers=[6, 5], record_every=5, seed=1, lr=0.05)
    pg.step(22)
    return pg


def test_replay_page_scrub_play_step_reset(browser: Any, run: Playground, tmp_path: Path) -> None:
    frames = payload(run)["frames"]
    assert [f["step"] for f in frames] == [0, 5, 10, 15, 20, 22]
    pg = Page(browser)
    pg.open(run.save(tmp_path / "run.html"))
    page = pg.page
    page.wait_for_selector(".mg-pg [data-scrub]")
    # the interactive page replaced the fallback picture, styled by the theme's colours
    assert page.locator(".mg-fallback img").count() == 0
    border = page.eval_on_selector(".mg-pg", "e => getComputedStyle(e).borderTopStyle")
    assert border == "solid"
    assert page.get_attribute("[data-scrub]", "max") == str(len(frames) - 1)
    assert pg.stats() == frame_stats(frames[-1])
    # scrub to every frame: every number is the frame's, to the last digit
    for i in (0, 2, 4, 1):
        page.fill("[data-scrub]", str(i))
        page.dispatch_event("[data-scrub]", "input")
        assert pg.stats() == frame_stats(frames[i])
        # edges follow the frame's weights
        w = float(page.get_attribute('[data-edge="1-4-2"]', "data-number") or "nan")
        assert w == frames[i]["weights"][1][4][2]
    page.click('[data-action="step"]')
    assert pg.stats() == frame_stats(frames[2])
    page.click('[data-action="reset"]')
    assert pg.stats()["step"] == 0
    before = pg.stats()
    page.click('[data-action="play"]')
    page.wait_for_function(
        "() => document.querySelector('[data-action=play]').textContent === 'Play'", timeout=10_000
    )
    after = pg.stats()
    assert after == frame_stats(frames[-1]) and after["train-loss"] != before["train-loss"]
    # hover a weight: its value and gradient; click: the update explained (Adam's m and v)
    page.hover('[data-edge="0-0-1"]', force=True)
    tip = page.text_content(".mg-pg-tip") or ""
    assert "w = " in tip and "∂L/∂w" in tip
    page.dispatch_event('[data-edge="0-0-1"]', "click")
    explain = page.text_content(".mg-pg-explain") or ""
    assert "m = β1·m" in explain and "v̂" in explain and "Δw applied" in explain
    # a replay has nothing to set: no weight editor, knobs disabled
    assert page.locator("[data-weight-input]").count() == 0
    assert page.locator("[data-knob]").evaluate_all("es => es.every(e => e.disabled)")
    pg.offline()


def test_nbconvert_export_runs_the_replay(browser: Any, run: Playground, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    pytest.importorskip("anywidget")
    data, meta = run._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("pg")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
    nb.cells.append(cell)
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    # the exported page's own theme scripts load from a CDN (nbconvert's template): keep only ours
    path = tmp_path / "export.html"
    path.write_text(html, encoding="utf-8")
    pg = Page(browser)
    pg.page.route(re.compile(r"^https?://"), lambda route: route.abort())
    pg.open(path)
    pg.page.wait_for_selector(".mg-pg [data-scrub]")
    assert pg.stats() == frame_stats(payload(run)["frames"][-1])
    assert [e for e in pg.errors if "net::" not in e] == []


# The stub inlines the module in HTML, where "</" (the runtime's comments have "</script>")
# would end the script: it is written "<\/" there, as the pages do (anywidget loads the module
# as a file, not in HTML).
STUB_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}</style></head>
<body><div id="app"></div>
<script type="module">
{module}
const listeners = {{}};
const state = JSON.parse(document.getElementById("state").textContent);
window.sent = [];
window.model = {{
  get: (k) => state[k],
  set: (k, v) => {{ state[k] = v; }},
  save_changes: () => {{}},
  on: (n, cb) => {{ (listeners[n] = listeners[n] || []).push(cb); }},
  off: (n, cb) => {{ listeners[n] = (listeners[n] || []).filter((f) => f !== cb); }},
  send: (msg) => {{ window.sent.push(msg); }},
}};
window.push = (changes) => {{
  Object.assign(state, changes);
  for (const k of Object.keys(changes)) (listeners["change:" + k] || []).forEach((cb) => cb());
}};
render({{ model: window.model, el: document.getElementById("app") }});
window.ready = true;
</script>
<script type="application/json" id="state">{state}</script>
</body></html>"""


def test_first_display_has_the_real_colours_before_the_element_is_attached(
    browser: Any, tmp_path: Path
) -> None:
    """Notebooks render a widget into an element not yet in the document (no computed style):
    the first picture still has the theme's colours, not grey neurons."""
    pgm = playground(dataset="moons", layers=[4], seed=0)
    page_html = STUB_PAGE.replace(
        'render({{ model: window.model, el: document.getElementById("app") }});',
        'const el = document.createElement("div");\n'
        "render({{ model: window.model, el }});\n"
        'document.getElementById("app").append(el);',
    )
    path = tmp_path / "detached.html"
    path.write_text(
        page_html.format(css=css(), module=module().replace("</", "<\\/"),
                         state=json.dumps(widget_state(pgm)).replace("</", "<\\/")),
        encoding="utf-8",
    )  # fmt: skip
    pg = Page(browser)
    pg.open(path)
    pg.page.wait_for_function("() => window.ready === true")
    grey = pg.page.evaluate(
        """() => [...document.querySelectorAll('canvas.mg-pg-node, canvas.mg-pg-heat')].map((c) => {
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             let n = 0;
             for (let i = 0; i < d.length; i += 4) n += d[i] === 128 && d[i + 1] === 128 && d[i + 2] === 128;
             return n / (d.length / 4);
           })"""
    )
    assert grey and max(grey) < 0.5, grey


def widget_state(pg: Playground) -> dict[str, Any]:
    return {
        "view": pg.view_data(),
        "frame": pg.frame,
        "history": pg.history.as_dict(),
        "frame_count": len(pg.frames) + (0 if pg.frames[-1] is pg.frame else 1),
        "frame_index": 0,
        "error": "",
    }


def test_widget_module_with_a_stub_model(browser: Any, tmp_path: Path) -> None:
    pgm = playground(dataset="moons", layers=[4, 3], seed=0)
    state = widget_state(pgm)
    state["frame_index"] = state["frame_count"] - 1
    path = tmp_path / "stub.html"
    path.write_text(
        STUB_PAGE.format(
            css=css(),
            module=module().replace("</", "<\\/"),
            state=json.dumps(state).replace("</", "<\\/"),
        ),
        encoding="utf-8",
    )
    pg = Page(browser)
    pg.open(path)
    page = pg.page
    page.wait_for_function("() => window.ready === true")
    assert pg.stats() == frame_stats(pgm.frame)
    sent = lambda: page.evaluate("() => window.sent.splice(0)")  # noqa: E731
    # Step sends one step; Python's answer (a new frame) updates every number
    page.click('[data-action="step"]')
    assert sent() == [{"action": "step", "n": 1}]
    pgm.step()
    page.evaluate("s => window.push(s)", {"frame": pgm.frame, "history": pgm.history.as_dict()})
    assert pg.stats() == frame_stats(pgm.frame) and pg.stats()["step"] == 1
    # Play keeps asking for steps, as many as fit in a time budget per answer, until Pause
    page.click('[data-action="play"]')
    assert sent() == [{"action": "step", "n": 1000, "seconds": 0.05}]
    pgm.step()
    page.evaluate("s => window.push(s)", {"frame": pgm.frame, "history": pgm.history.as_dict()})
    page.wait_for_function("() => window.sent.length > 0")
    (again,) = sent()  # the budget adapts to the measured round trip: 10 to 80 ms
    assert again["action"] == "step" and again["n"] == 1000 and 0.01 <= again["seconds"] <= 0.08
    page.click('[data-action="play"]')  # pause
    pgm.step()
    page.evaluate("s => window.push(s)", {"frame": pgm.frame})
    page.wait_for_timeout(100)
    assert sent() == []
    page.click('[data-action="reset"]')
    assert sent() == [{"action": "reset"}]
    # a click on the data adds a point of the chosen class at the clicked position
    page.select_option('[data-knob="click"]', "1")
    box = page.locator(".mg-pg-points").bounding_box()
    assert box
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    (msg,) = sent()
    x0, x1, y0, y1 = pgm.bounds
    assert msg["action"] == "add_point" and msg["label"] == 1
    assert msg["x1"] == pytest.approx(x0 + 0.25 * (x1 - x0), abs=0.02 * (x1 - x0))
    assert msg["x2"] == pytest.approx(y1 - 0.75 * (y1 - y0), abs=0.02 * (y1 - y0))
    page.select_option('[data-knob="click"]', "erase")
    page.mouse.click(box["x"] + 10, box["y"] + 10)
    assert sent()[0]["action"] == "erase"
    # knobs send settings; a refused setting shows Python's message
    page.fill('[data-knob="lr"]', "0.5")
    page.press('[data-knob="lr"]', "Tab")  # committing the value fires one change
    assert sent() == [{"action": "set", "key": "lr", "value": 0.5}]
    page.fill('[data-knob="layers"]', "5, 2")
    page.press('[data-knob="layers"]', "Tab")
    assert sent() == [{"action": "set", "key": "layers", "value": [5, 2]}]
    page.evaluate("() => window.push({error: 'lr must be a finite number > 0, got -1'})")
    assert "lr must be" in (page.text_content(".mg-pg-error") or "")
    # click an edge, set its weight by hand
    page.dispatch_event('[data-edge="1-2-0"]', "click")
    page.fill("[data-weight-input]", "-0.75")
    page.click('[data-action="set-weight"]')
    assert sent() == [{"action": "set_weight", "layer": 1, "neuron": 2, "index": 0, "value": -0.75}]
    # a rebuilt network (new view) redraws the diagram
    pgm.set(layers=[5, 2])
    page.evaluate("s => window.push(s)", widget_state(pgm))
    assert page.locator("canvas.mg-pg-node").count() == 2 + 5 + 2 + 1
    assert page.locator("[data-edge]").count() == 2 * 5 + 5 * 2 + 2 * 1
    pg.offline()


def test_menus_come_from_the_registries(browser: Any, tmp_path: Path) -> None:
    from microgrand.data import DATASETS, Dataset, circles
    from microgrand.render.themes import THEMES

    DATASETS.register(Dataset("ring", circles, classes=2, noise=0.0, label="A ring"))
    try:
        pgm = playground(dataset="ring", n=30, layers=[3], seed=0, theme="print",
                         optimizer="rmsprop")  # fmt: skip
        pgm.step(2)
        state = widget_state(pgm)
        state["frame_index"] = state["frame_count"] - 1
    finally:
        DATASETS.unregister("ring")
    path = tmp_path / "menus.html"
    path.write_text(
        STUB_PAGE.format(css=css("print"), module=module().replace("</", "<\\/"),
                         state=json.dumps(state).replace("</", "<\\/")),
        encoding="utf-8",
    )  # fmt: skip
    pg = Page(browser)
    pg.open(path)
    page = pg.page
    page.wait_for_function("() => window.ready === true")
    options = page.eval_on_selector_all(
        '[data-knob="dataset"] option', "os => os.map(o => [o.value, o.textContent, o.selected])"
    )
    assert [o[:2] for o in options] == [[m["name"], m["label"]] for m in state["view"]["choices"]
                                        ["dataset"]]  # fmt: skip
    assert ["ring", "A ring", True] in options
    assert page.locator('[data-knob="classes"]').count() == 0  # ring has a fixed 2 classes
    losses_shown = page.eval_on_selector_all(
        '[data-knob="loss"] option', "os => os.map(o => o.value)"
    )
    assert losses_shown == [m["name"] for m in state["view"]["choices"]["loss"]]
    page.select_option('[data-knob="dataset"]', "spirals")
    assert page.evaluate("() => window.sent.splice(0)") == [
        {"action": "set", "key": "dataset", "value": "spirals"}
    ]
    # the points take the print theme's class colours (two different greys)
    fills = page.eval_on_selector_all(
        ".mg-pg-train-pt", "cs => cs.map(c => [c.dataset.label, getComputedStyle(c).fill])"
    )
    want = {}
    for k, c in enumerate(THEMES["print"].classes[:2]):
        want[str(k)] = f"rgb({int(c[1:3], 16)}, {int(c[3:5], 16)}, {int(c[5:7], 16)})"
    assert {label: fill for label, fill in fills} == want
    # the update explained from the optimizer's state(): RMSProp's running mean square
    page.dispatch_event('[data-edge="0-0-1"]', "click")
    explain = page.text_content(".mg-pg-explain") or ""
    assert "v = α·v + (1−α)·g²" in explain and "m = β1" not in explain
    pg.offline()
