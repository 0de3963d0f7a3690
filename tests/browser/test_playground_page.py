"""The playground's front-end in real Chromium: the replay page opened from disk, the same page
inside an nbconvert export, and the widget module driven by a stub model (as anywidget would)."""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import RecordingPage, axe_violations, describe_violations, min_text_px
from test_contrast import contrast

from microgrand._format import format_short
from microgrand.play import Playground, playground
from microgrand.play.replay import css, fallback_png, module, payload
from microgrand.render.themes import THEMES

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

    def __init__(self, browser: Any, width: int = 1200) -> None:
        super().__init__(browser, width, 900)

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


# --- a classroom: readable at 900 px, keyboard only, screen readers, reduced motion ----------


def lesson06_run() -> Playground:
    """Lesson 06's run (notebooks/06_mlp_classifier.py): spirals, 2 → 8 → 8 → 1, Adam."""
    pg = playground(dataset="spirals", layers=[8, 8], activation="relu", optimizer="adam",
                    lr=0.03, batch_size=10, seed=0, record_every=30)  # fmt: skip
    pg.step(300)
    return pg


@pytest.fixture(scope="module")
def lesson06() -> Playground:
    return lesson06_run()


def test_replay_text_is_readable_in_a_900_px_cell(
    browser: Any, lesson06: Playground, tmp_path: Path
) -> None:
    pg = Page(browser, 900)
    pg.open(lesson06.save(tmp_path / "run.html"))
    page = pg.page
    page.wait_for_selector(".mg-pg [data-scrub]")
    page.click(".mg-pg-knobs summary")  # the settings too
    page.dispatch_event('[data-edge="0-0-1"]', "click")  # and an explained update
    size, text = min_text_px(page, ".mg-page")
    assert size >= 11, (size, text)
    pg.offline()
    page.close()


def test_stored_picture_text_is_over_9_px_at_the_notebook_width(
    browser: Any, lesson06: Playground, tmp_path: Path
) -> None:
    """The picture is shown at its own size in a 900 px cell, and a line of its text (from
    the top of "l" to the bottom of "p") is 12 px or more of ink: a font of about 13 px."""
    import numpy as np
    from PIL import Image

    img = Image.open(io.BytesIO(fallback_png(lesson06))).convert("L")
    ink = np.asarray(img)[:56].min(axis=1) < 100  # rows of the two lines of numbers on top
    rows = np.flatnonzero(ink)
    first_line = rows[rows < rows[0] + 20]
    assert first_line[-1] - first_line[0] + 1 >= 12, rows
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 900, "height": 900})
    page = ctx.new_page()
    page.goto(lesson06.save(tmp_path / "still.html").resolve().as_uri())
    shown = page.eval_on_selector(".mg-fallback img", "i => [i.width, i.naturalWidth]")
    assert shown[0] == shown[1] == img.width  # not scaled down
    ctx.close()


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_axe_finds_nothing_on_the_replay_page(browser: Any, tmp_path: Path, theme: str) -> None:
    run = playground(dataset="spirals", classes=3, layers=[4], seed=0, theme=theme,  # type: ignore[arg-type]
                     record_every=5)  # fmt: skip
    run.step(10)
    pg = Page(browser, 900)
    pg.open(run.save(tmp_path / "run.html"))
    page = pg.page
    page.wait_for_selector(".mg-pg [data-scrub]")
    found = axe_violations(page)
    assert found == [], describe_violations(found)
    # the lines a reader needs (weights of either sign, the curves, the points' classes)
    # stand out 3:1 from the background in every theme
    strokes = page.eval_on_selector_all(
        "line[data-edge], polyline, .mg-pg-train-pt",
        """es => es.map(e => { const c = getComputedStyle(e);
             return e.matches('.mg-pg-train-pt') ? c.fill : c.stroke; })""",
    )
    background = THEMES[theme].background
    # (to two decimals, as tests/test_contrast.py rounds: light's accent is 2.9997:1)
    low = {c for c in strokes if round(contrast(rgb_hex(c), background), 2) < 3}
    assert strokes and not low, low
    page.click(".mg-pg-knobs summary")
    page.focus('[data-edge="0-1-0"]')
    page.keyboard.press("Enter")  # the explained update, the tooltip shown
    found = axe_violations(page)
    assert found == [], describe_violations(found)
    pg.offline()
    page.close()


def test_replay_by_keyboard_names_and_reduced_motion(
    browser: Any, run: Playground, tmp_path: Path
) -> None:
    frames = payload(run)["frames"]
    path = run.save(tmp_path / "run.html")
    ctx = browser.new_context(viewport={"width": 900, "height": 900}, reduced_motion="reduce")
    page = ctx.new_page()
    page.goto(path.resolve().as_uri())
    page.wait_for_selector(".mg-pg [data-scrub]")
    kb = page.keyboard

    def stat() -> float:
        return float(page.get_attribute('[data-stat="step"]', "data-number") or "nan")

    durations = """() => [...document.querySelectorAll('.mg-pg, .mg-pg *')]
        .map(e => parseFloat(getComputedStyle(e).transitionDuration)).reduce((a, b) => a + b, 0)"""
    assert page.evaluate(durations) == 0
    page.wait_for_timeout(300)
    assert stat() == frames[-1]["step"]  # nothing plays by itself
    # Reset, Play, Step and the scrubber by keyboard
    kb.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "reset"
    kb.press("Enter")
    assert stat() == 0
    kb.press("Tab")
    kb.press("Enter")  # Play …
    page.wait_for_function("document.querySelector('[data-stat=step]').dataset.number !== '0'")
    kb.press("Enter")  # … Pause
    assert page.text_content('[data-action="play"]') == "Play"
    paused = stat()
    page.wait_for_timeout(400)
    assert stat() == paused
    kb.press("Tab")
    kb.press("Enter")  # Step
    kb.press("Tab")  # the scrubber: Home goes to the first frame
    kb.press("Home")
    assert stat() == 0
    kb.press("End")
    assert stat() == frames[-1]["step"]
    # the network: one stop, arrows in graph order, names in words, Enter explains
    sizes = payload(run)["view"]["sizes"]
    weights = frames[-1]["weights"]
    page.focus("canvas.mg-pg-node")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "input x1"
    for _ in range(sizes[0]):
        kb.press("ArrowRight")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label == f"neuron 1 of layer 1, bias {minus(format_short(weights[0][0][sizes[0]], 3))}"
    kb.press("ArrowRight")  # the first weight into it
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    w, g = weights[0][0][0], frames[-1]["grads"][0][0][0]
    assert label == (
        f"weight from input x1 to neuron 1 of layer 1: {minus(format_short(w, 3))}, "
        f"gradient {minus(format_short(g, 3))}"
    )
    assert not page.is_hidden(".mg-pg-tip")  # focus shows what hovering shows
    kb.press("Enter")
    assert "weight layer 1, neuron 1 ← input 1" in (page.text_content(".mg-pg-explain") or "")
    names = page.eval_on_selector_all(
        "canvas.mg-pg-node, line[data-edge]",
        "es => es.map(e => [e.getAttribute('role'), e.getAttribute('aria-label')])",
    )
    assert len(names) == sum(sizes) + sum(a * b for a, b in itertools.pairwise(sizes))
    assert all(role == "button" and name for role, name in names)
    assert page.locator("[data-plot][tabindex]").count() == 0  # a replay adds no points
    ctx.close()


def rgb_hex(css_colour: str) -> str:
    """``rgb(r, g, b)`` as ``#rrggbb``."""
    r, g, b = (int(v) for v in re.findall(r"\d+", css_colour)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def minus(text: str) -> str:
    return text.replace("-", "−")


# The widget's module with Python behind it: the page's model.send goes to a real
# PlaygroundWidget (its own message handler), and what changed comes back as the traits.
# (In a document with a language, a title, one <main> and an <h1>, as a notebook has.)
LIVE_PAGE = (
    STUB_PAGE.replace(
        "send: (msg) => {{ window.sent.push(msg); }},",
        "send: (msg) => {{ window.sent.push(msg); "
        "window.pySend(msg).then((changes) => window.push(changes)); }},",
    )
    .replace("<html><head>", '<html lang="en"><head><title>Playground</title>')
    .replace(
        '<body><div id="app"></div>', '<body><main><h1>Playground</h1><div id="app"></div></main>'
    )
)


class LiveWidget:
    """A PlaygroundWidget answering a page: each message handled by the widget, the traits that
    changed sent back."""

    KEYS = ("view", "frame", "points", "history", "frame_count", "frame_index", "error")

    def __init__(self, pg: Playground) -> None:
        from microgrand.play.widget import make_widget

        self.pg = pg
        self.widget = make_widget(pg)
        self.last = self.traits()

    def traits(self) -> dict[str, Any]:
        return {k: json.loads(json.dumps(getattr(self.widget, k))) for k in self.KEYS}

    def send(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.widget._on_msg(self.widget, msg, None)
        now = self.traits()
        changed = {k: v for k, v in now.items() if v != self.last[k]}
        self.last = now
        return changed


def test_widget_every_action_by_keyboard_alone(browser: Any, tmp_path: Path) -> None:
    pytest.importorskip("anywidget")
    pgm = playground(dataset="moons", layers=[4], seed=0, n=60)
    live = LiveWidget(pgm)
    path = tmp_path / "live.html"
    path.write_text(
        LIVE_PAGE.format(css=css(), module=module().replace("</", "<\\/"),
                         state=json.dumps(live.last).replace("</", "<\\/")),
        encoding="utf-8",
    )  # fmt: skip
    pg = Page(browser, 900)
    pg.page.expose_function("pySend", live.send)
    pg.open(path)
    page, kb = pg.page, pg.page.keyboard
    page.wait_for_function("() => window.ready === true")

    def tab_to(selector: str) -> None:
        for _ in range(80):
            if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
                return
            kb.press("Tab")
        raise AssertionError(f"Tab never reached {selector}")

    def status() -> str:
        return page.text_content("[data-status]") or ""

    # train: Play by Enter, Python trains, Pause by Enter
    tab_to('[data-action="play"]')
    kb.press("Enter")
    page.wait_for_function("Number(document.querySelector('[data-stat=step]').dataset.number) > 5")
    kb.press("Enter")
    page.wait_for_timeout(300)
    steps = pgm.frame["step"]
    page.wait_for_timeout(300)
    assert pgm.frame["step"] == steps and page.text_content('[data-action="play"]') == "Play"
    tab_to('[data-action="step"]')
    kb.press("Enter")
    page.wait_for_function(
        f"document.querySelector('[data-stat=step]').dataset.number == {steps + 1}"
    )
    # a setting by typing: the learning rate
    tab_to('[data-knob="lr"]')
    kb.press("Control+A")
    kb.type("0.2")
    kb.press("Tab")
    page.wait_for_timeout(100)
    assert pgm.config["lr"] == 0.2
    # and one from a menu: arrow keys on a closed select change it
    tab_to('[data-knob="activation"]')
    before = pgm.config["activation"]
    kb.press("ArrowDown")
    page.wait_for_function("() => window.sent.some(m => m.key === 'activation')")
    assert pgm.config["activation"] != before
    # the network was rebuilt for it, and the keyboard is still on the menu
    page.wait_for_timeout(100)
    assert page.evaluate("document.activeElement.dataset.knob") == "activation"
    # add a point of each class and erase one, all on the data plot
    n_train = len(pgm.X)
    tab_to("[data-plot]")
    assert "Cursor at" in status()
    x0, x1, y0, y1 = pgm.bounds
    kb.press("0")
    kb.press("Enter")
    page.wait_for_function(
        f"() => {n_train + 1} <= document.querySelectorAll('.mg-pg-train-pt').length + 0"
    )
    assert pgm.y[-1] == 0 and pgm.X[-1] == pytest.approx([(x0 + x1) / 2, (y0 + y1) / 2])
    assert status().startswith("Added a point of class 0 at (")
    assert page.evaluate("document.activeElement.hasAttribute('data-plot')")  # still there
    for _ in range(4):
        kb.press("ArrowRight")
    kb.press("ArrowUp")
    assert "Cursor at" in status() and "predicts class" in status()
    kb.press("1")
    assert status() == "Enter now adds points of class 1."
    kb.press(" ")
    page.wait_for_timeout(100)
    assert len(pgm.X) == n_train + 2 and pgm.y[-1] == 1
    assert pgm.X[-1] == pytest.approx(
        [(x0 + x1) / 2 + 0.2 * (x1 - x0), (y0 + y1) / 2 + 0.05 * (y1 - y0)]
    )
    kb.press("Delete")  # the nearest point: the one just added
    page.wait_for_timeout(100)
    assert len(pgm.X) == n_train + 1 and status().startswith("Erased the point of class 1 at (")
    # inspect a weight: the network is one stop, arrows move, Enter explains
    tab_to("canvas.mg-pg-node, line[data-edge]")
    kb.press("Home")
    for _ in range(3):  # x1, x2, neuron 1 of layer 1, then its first weight
        kb.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.edge") == "0-0-0"
    kb.press("Enter")
    assert "weight layer 1, neuron 1 ← input 1" in (page.text_content(".mg-pg-explain") or "")
    # and set it by typing (no dragging anywhere)
    tab_to("[data-weight-input]")
    kb.press("Control+A")
    kb.type("-0.75")
    tab_to('[data-action="set-weight"]')
    kb.press("Enter")
    page.wait_for_timeout(100)
    assert live.last["frame"]["weights"][0][0][0] == -0.75
    # and after all that, nothing axe-core can find, the focus rings and status included
    tab_to("[data-plot]")
    found = axe_violations(page)
    assert found == [], describe_violations(found)
    pg.offline()
