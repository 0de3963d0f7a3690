"""The live view and the quiz in a real browser (Chromium through Playwright), from file://.

The oracle is the Python engine: after a leaf changes in the page, every number the page
shows (``data-number``) must equal ``Value``/``backward()`` at the new inputs (relative
1e-12), on random expressions that together use every rule; a refused operation must show
Python's own message.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import RecordingPage

import microgrand as mg
from microgrand._format import format_fixed
from microgrand.graph import Graph
from microgrand.pages.live import page_names
from microgrand.pages.problems import describe, random_problem
from microgrand.render.themes import THEMES, grad_fill
from microgrand.rules import FAMILIES, RULES, rule

pytestmark = pytest.mark.browser


class Page(RecordingPage):
    """A page with every request and console message recorded."""

    def __init__(self, browser: Any) -> None:
        super().__init__(browser, 1300, 900)

    def clean(self) -> None:
        assert self.errors == []
        assert [u for u in self.requests if u != self.url] == []
        self.page.close()

    def set_leaf(self, name: str, value: float, event: str = "input") -> None:
        self.page.evaluate(
            """([name, value, event]) => {
              const el = [...document.querySelectorAll('input[data-leaf]')]
                .find(e => e.dataset.leaf === name);
              el.value = String(value);
              el.dispatchEvent(new Event(event, {bubbles: true}));
            }""",
            [name, repr(value), event],
        )

    def numbers(self) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for node, field, num in self.page.evaluate(
            """() => [...document.querySelectorAll('[data-node][data-field]')]
                 .map(e => [e.dataset.node, e.dataset.field, e.dataset.number])"""
        ):
            out[(node, field)] = num
        return out

    def node_state(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = self.page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('g[data-id]')].map(g => {
                 const d = g.querySelector('[data-field="data"]');
                 return [d ? d.dataset.node : g.dataset.id, {
                   error: g.getAttribute('data-error'),
                   undef: g.hasAttribute('data-undefined'),
                   fill: (g.querySelector('.mg-box') || {getAttribute: () => null}).getAttribute('fill'),
                 }];
               }))"""
        )
        return result


def _close(a: float, b: float, rel: float = 1e-12) -> bool:
    if a == b or (math.isnan(a) and math.isnan(b)):
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= rel * max(abs(a), abs(b)) or abs(a - b) <= 1e-300


# --- random programs that together use every rule ---------------------------------------------

SPECS: list[tuple[str, float | None]] = [
    *((n, None) for n in RULES),
    *((f, None) for f in FAMILIES),  # each family at its default parameter
    *(("powc", c) for c in (2.0, 3.0, 0.5, -1.0)),
    *(("leaky_relu", a) for a in (0.01, 0.2)),
    *(("softmax", float(k)) for k in (0, 1)),
]


def _build(leaves: list[float], ops: list[tuple[str, float | None, tuple[int, ...]]]) -> mg.Value:
    vals = [mg.Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    for name, param, ins in ops:
        vals.append(mg.apply(name, *(vals[i] for i in ins), param=param))
    root = vals[-1]
    root.label = "L"
    return root


def _programs(
    seed: int,
) -> list[tuple[list[float], list[tuple[str, float | None, tuple[int, ...]]]]]:
    """Small programs; every spec appears in at least one (the last op sums the loose ends)."""
    rng = random.Random(seed)
    want = list(SPECS)
    rng.shuffle(want)
    out = []
    while want:
        leaves = [round(rng.uniform(0.3, 2.0), 3) for _ in range(3)]
        ops: list[tuple[str, float | None, tuple[int, ...]]] = []
        vals = [mg.Value(x) for x in leaves]
        used: set[int] = set()
        for _ in range(6):
            if not want:
                break
            name, param = want.pop()
            arity = rule(name, param).arity or rng.randint(2, 3)
            ins = tuple(rng.randrange(len(vals)) for _ in range(arity))
            try:
                v = mg.apply(name, *(vals[i] for i in ins), param=param)
            except (ArithmeticError, ValueError):
                want.insert(0, (name, param))
                continue
            if not abs(v.data) < 1e3:
                want.insert(0, (name, param))
                continue
            ops.append((name, param, ins))
            vals.append(v)
            used.update(ins)
        loose = tuple(i for i in range(len(vals)) if i not in used)
        ops.append(("sum", None, loose if len(loose) > 1 else (*loose, 0)))
        out.append((leaves, ops))
    return out


def _expected(root: mg.Value) -> dict[tuple[str, str], float]:
    root.backward()
    g = Graph.of(root)
    names = page_names(g)
    out = {}
    for n in g.nodes:
        out[(names[n.id], "data")] = n.data
        out[(names[n.id], "grad")] = n.grad
    return out


def test_every_number_equals_python_after_a_change(browser: Any, tmp_path: Path) -> None:
    programs = _programs(11)
    used = {name for _, ops in programs for name, _, _ in ops}
    assert used >= set(RULES) | set(FAMILIES)
    rng = random.Random(5)
    checked = 0
    for k, (leaves, ops) in enumerate(programs):
        view = mg.live(_build(leaves, ops))
        path = view.save(tmp_path / f"live{k}.html")
        pg = Page(browser)
        pg.open(path)
        assert pg.numbers() and all(v != "" for v in pg.numbers().values())
        current = list(leaves)
        for _ in range(3):
            i = rng.randrange(len(leaves))
            new = list(current)
            new[i] = round(leaves[i] * rng.uniform(0.5, 1.5), 4)
            try:
                want = _expected(_build(new, ops))
            except (ArithmeticError, ValueError):
                continue
            if any(not math.isfinite(v) for v in want.values()):
                continue
            pg.set_leaf(f"x{i}", new[i], rng.choice(("input", "change")))
            current = new
            got = pg.numbers()
            assert set(got) == set(want)
            for key, value in want.items():
                assert got[key] != "", key
                assert _close(float(got[key]), value), (key, got[key], value, ops)
                if key[1] == "data":
                    checked += 1
            # the text shown is the diagram's own rounding (format_fixed) of the same number
            texts = pg.page.evaluate(
                """() => [...document.querySelectorAll('[data-node][data-field]')]
                     .map(e => [e.dataset.node, e.dataset.field, e.textContent])"""
            )
            for name, field, text in texts:
                assert text == format_fixed(want[(name, field)], 4), (name, field, text)
            # gradient colours: the same log scale as draw(color="grad")
            max_abs = max(abs(v) for (n, f), v in want.items() if f == "grad")
            states = pg.node_state()
            for (name, field), value in want.items():
                if field == "grad":
                    assert states[name]["fill"] == grad_fill(THEMES["light"], value, max_abs)
        pg.clean()
    assert checked > 50


@pytest.mark.parametrize("label", ["a\nb", 'c\r"d', "e\\f"])
def test_labels_with_line_breaks_and_quotes_still_recompute(
    browser: Any, tmp_path: Path, label: str
) -> None:
    x = mg.Value(2.0, label=label)
    y = x * 3.0
    y.label = "y"
    path = mg.live(y).save(tmp_path / "live.html")
    pg = Page(browser)
    pg.open(path)
    pg.set_leaf(label, 5.0)
    assert float(pg.numbers()[("y", "data")]) == 15.0
    pg.clean()  # no console error (the selectors built from the name are valid)


def test_leaves_near_the_largest_float(browser: Any, tmp_path: Path) -> None:
    x = mg.Value(1.7e308, label="x")
    y = x * 0.5
    y.label = "y"
    path = mg.live(y).save(tmp_path / "big.html")
    pg = Page(browser)
    pg.open(path)
    assert float(pg.numbers()[("y", "data")]) == 0.85e308
    pg.clean()


def test_domain_error_shows_pythons_message(browser: Any, tmp_path: Path) -> None:
    x = mg.Value(2.0, label="x")
    w = mg.Value(1.5, label="w")
    y = x.log() * w
    z = (y + w).tanh()
    z.label = "z"
    path = mg.live(z).save(tmp_path / "log.html")
    with pytest.raises(ValueError) as err:
        mg.Value(-1.0, label="x").log()
    pg = Page(browser)
    pg.open(path)
    pg.set_leaf("x", -1.0)
    st = pg.node_state()
    assert st["log(x)"]["error"] == str(err.value)
    assert st["log(x)"]["undef"] is False
    for name in ("log(x)·w", "log(x)·w + w", "z"):
        assert st[name]["undef"] is True and st[name]["error"] is None
    nums = pg.numbers()
    assert nums[("log(x)", "data")] == "" and nums[("z", "data")] == ""
    assert nums[("x", "data")] == "-1.0" and nums[("w", "data")] == "1.5"
    assert all(nums[(n, "grad")] == "" for n in ("x", "w", "z"))
    text = pg.page.inner_text(".mg-live")
    assert str(err.value) in text and "nan" not in text.lower().split()
    # back inside the domain: every number is defined again, and right
    pg.set_leaf("x", 3.0, "change")
    x.data = 3.0
    want = _expected((mg.Value(3.0, label="x").log() * mg.Value(1.5, label="w") + 1.5).tanh())
    assert float(pg.numbers()[("z", "data")]) == pytest.approx(want[("L", "data")], rel=1e-12)
    assert pg.page.get_attribute(".mg-live", "data-error") == ""
    pg.clean()


def test_slider_and_nudge_panel(browser: Any, tmp_path: Path) -> None:
    x = mg.Value(2.0, label="x")
    w = mg.Value(-3.0, label="w")
    b = mg.Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    path = mg.live(y).save(tmp_path / "neuron.html")
    pg = Page(browser)
    pg.open(path)
    # drag the slider of w with the mouse: the box follows and the numbers are Python's
    box = pg.page.locator('input[data-scrub="w"]').bounding_box()
    assert box is not None
    pg.page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] / 2)
    wv = float(pg.page.input_value('input[data-leaf="w"]'))
    assert wv != -3.0
    want = _expected((mg.Value(2.0) * mg.Value(wv) + mg.Value(6.88)).tanh())
    got = pg.numbers()
    assert float(got[("y", "data")]) == pytest.approx(want[("L", "data")], rel=1e-12)
    # nudge x by h: before, after, change and gradient × h are Python's numbers
    pg.set_leaf("w", -3.0)
    pg.page.select_option("select[data-nudge-leaf]", label="x")
    pg.page.fill("input[data-nudge-h]", "0.5")
    nudge = pg.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-nudge]')]
             .map(e => [e.dataset.nudge, e.dataset.number]))"""
    )
    before = math.tanh(2.0 * -3.0 + 6.88)
    after = math.tanh(2.5 * -3.0 + 6.88)
    grad = (1 - before**2) * -3.0
    assert float(nudge["before"]) == pytest.approx(before, rel=1e-12)
    assert float(nudge["after"]) == pytest.approx(after, rel=1e-12)
    assert float(nudge["change"]) == pytest.approx(after - before, rel=1e-9)
    assert float(nudge["predicted"]) == pytest.approx(grad * 0.5, rel=1e-9)
    # the explanation of a clicked node uses the new numbers
    pg.page.click("g[data-id] >> text=b")
    assert "dy/db" in pg.page.inner_text(".mg-explain")
    pg.clean()


def test_live_chain_rule_line_is_explains_line(browser: Any, tmp_path: Path) -> None:
    """The page fills in the stages Python wrote: after a change, its line for a node used
    twice whose first factor is negative is ``explain``'s, word for word."""
    x = mg.Value(2.0, label="x")
    w = mg.Value(3.0, label="w")
    y = x * x * w
    y.label = "y"
    pg = Page(browser)
    pg.open(mg.live(y).save(tmp_path / "chain.html"))
    pg.set_leaf("w", -0.5)
    pg.set_leaf("x", 0.75, "change")
    pg.page.click("g[data-id] >> text=x")
    shown = [ln.strip() for ln in pg.page.inner_text(".mg-explain").splitlines()]
    x2, w2 = mg.Value(0.75, label="x"), mg.Value(-0.5, label="w")
    y2 = x2 * x2 * w2
    y2.label = "y"
    line = str(mg.explain(y2, nodes=[x2]))
    assert line.startswith("dy/dx = dy/d(x·x) · ∂(x·x)/∂x + ") and "-0.5 · x + (-0.5) · x" in line
    assert line in shown
    pg.clean()


def _quiz_state(pg: Page) -> dict[str, Any]:
    result: dict[str, Any] = pg.page.evaluate(
        """() => ({
          score: document.querySelector('[data-score]').textContent,
          states: Object.fromEntries([...document.querySelectorAll('input[data-answer]')]
            .map(e => [e.dataset.answer + ':' + e.dataset.answerField, e.dataset.state || ''])),
          hint: document.querySelector('[data-hint]').innerText,
        })"""
    )
    return result


def _answer(pg: Page, name: str, field: str, text: str) -> None:
    sel = f'input[data-answer="{name}"][data-answer-field="{field}"]'
    pg.page.fill(sel, text)
    pg.page.press(sel, "Enter")


def test_quiz_marks_hints_and_scores(browser: Any, tmp_path: Path) -> None:
    x = mg.Value(2.0, label="x")
    w = mg.Value(-3.0, label="w")
    b = mg.Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    q = mg.quiz(y, ask="both")
    path = q.save(tmp_path / "quiz.html")
    answers = {(a["name"], a["field"]): a["value"] for a in q.answers()}
    pg = Page(browser)
    pg.open(path)
    st = _quiz_state(pg)
    n = len(answers)
    assert st["score"] == f"0/{n}" and set(st["states"].values()) == {""}
    # asked numbers are not on the page before they are answered
    nums = pg.numbers()
    assert nums[("x·w", "data")] == "" and nums[("x", "grad")] == ""
    _answer(pg, "x·w", "data", "-6")
    _answer(pg, "x", "grad", "-1.5")  # right is -1.5029: wrong at 1e-3
    st = _quiz_state(pg)
    assert st["states"]["x·w:data"] == "right" and st["states"]["x:grad"] == "wrong"
    assert st["score"] == f"1/{n}"
    assert pg.numbers()[("x·w", "data")] == repr(-6.0)
    # a hint: the chain-rule template; what is known is filled in, what is not stays symbolic
    pg.page.focus('input[data-answer="x·w + b"][data-answer-field="grad"]')
    pg.page.click('[data-action="hint"]')
    hint = _quiz_state(pg)["hint"]
    assert "dy/d(x·w + b) = dy/dy · ∂y/∂(x·w + b)" in hint and "1.0 · (1 − y²)" in hint
    _answer(pg, "y", "data", "0.70642")  # y = tanh(0.88) = 0.706419...
    _answer(pg, "x·w + b", "data", "0.88")
    pg.page.focus('input[data-answer="x·w + b"][data-answer-field="grad"]')
    pg.page.click('[data-action="hint"]')
    assert "1.0 · 0.501" in _quiz_state(pg)["hint"]
    # Show answer fills in the exact value but does not score
    pg.page.focus('input[data-answer="b"][data-answer-field="grad"]')
    pg.page.click('[data-action="show"]')
    st = _quiz_state(pg)
    assert st["states"]["b:grad"] == "shown" and st["score"] == f"3/{n}"
    assert float(pg.numbers()[("b", "grad")]) == answers[("b", "grad")]
    _answer(pg, "x", "grad", "-1.50295")
    assert _quiz_state(pg)["score"] == f"4/{n}"
    pg.page.click('[data-action="reset"]')
    st = _quiz_state(pg)
    assert st["score"] == f"0/{n}" and set(st["states"].values()) == {""}
    # the answer key has every exact answer
    key = pg.page.evaluate(
        """() => [...document.querySelectorAll('[data-key]')]
             .map(e => [e.dataset.key, e.dataset.answerField, e.dataset.number])"""
    )
    assert {(k, f): float(v) for k, f, v in key} == answers
    pg.clean()


def test_generated_quiz_is_deterministic(browser: Any, tmp_path: Path) -> None:
    assert describe(random_problem(3, 2)) == describe(random_problem(3, 2))
    assert describe(random_problem(3, 2)) != describe(random_problem(4, 2))
    q1 = mg.quiz.random(seed=3, difficulty=2)
    q2 = mg.quiz.random(seed=3, difficulty=2)
    assert q1.answers() == q2.answers()
    pg = Page(browser)
    pg.open(q1.save(tmp_path / "q.html"))
    key = pg.page.evaluate(
        "() => [...document.querySelectorAll('[data-key]')].map(e => Number(e.dataset.number))"
    )
    assert key == [a["value"] for a in q1.answers()]
    # every answer typed in is right
    for a in q1.answers():
        _answer(pg, a["name"], a["field"], repr(a["value"]))
    n = len(q1.answers())
    assert _quiz_state(pg)["score"] == f"{n}/{n}"
    pg.clean()


def test_quiz_without_reveal_checks_but_never_shows(browser: Any, tmp_path: Path) -> None:
    """reveal=False: no Show answer button and no answer key, on screen or in print; typed
    answers are still checked and scored; the picture where scripts do not run is blank."""
    q = mg.quiz.random(seed=3, difficulty=2, reveal=False)
    answers = q.answers()
    n = len(answers)
    pg = Page(browser)
    pg.open(q.save(tmp_path / "student.html"))
    assert pg.page.locator('[data-action="show"]').count() == 0
    assert pg.page.locator(".mg-key, [data-key]").count() == 0
    assert pg.page.locator('[data-action="hint"]').count() == 1
    # nothing asked is on the page before it is answered
    nums = pg.numbers()
    for a in answers:
        assert nums[(a["name"], a["field"])] == ""
    first = answers[0]
    _answer(pg, first["name"], first["field"], repr(first["value"] + 1 + abs(first["value"])))
    st = _quiz_state(pg)
    assert st["states"][f"{first['name']}:{first['field']}"] == "wrong"
    assert st["score"] == f"0/{n}"
    for a in answers:
        _answer(pg, a["name"], a["field"], repr(a["value"]))
    assert _quiz_state(pg)["score"] == f"{n}/{n}"
    pg.page.emulate_media(media="print")
    pdf = pg.page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # the sheet, no key page
    pg.clean()


def test_nbconvert_export_of_a_live_view_works(browser: Any, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import microgrand as mg\n"
            "x = mg.Value(2.0, label='x'); w = mg.Value(-3.0, label='w')\n"
            "y = (x * w).tanh(); y.label = 'y'\n"
            "mg.live(y)"
        )
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    out = tmp_path / "export.html"
    out.write_text(body, encoding="utf-8")
    pg = Page(browser)
    pg.page.goto(out.resolve().as_uri())
    assert pg.page.locator(".mg-live").count() == 1
    assert pg.page.locator(".mg-fallback").count() == 0  # the interactive page replaced it
    box = pg.page.locator('input[data-scrub="x"]').bounding_box()
    assert box is not None
    pg.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    pg.page.mouse.down()
    pg.page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2, steps=5)
    pg.page.mouse.up()
    xv = float(pg.page.input_value('input[data-leaf="x"]'))
    assert xv != 2.0
    got = pg.numbers()
    assert float(got[("y", "data")]) == pytest.approx(math.tanh(xv * -3.0), rel=1e-12)
    assert float(got[("x", "grad")]) == pytest.approx(
        (1 - math.tanh(xv * -3.0) ** 2) * -3.0, rel=1e-12
    )
    # nbconvert's template itself asks for require.js and MathJax from a CDN (no network
    # here); nothing else may fail
    assert [e for e in pg.errors if not e.startswith("Failed to load resource")] == []
    pg.page.close()


def test_widget_front_end_reports_the_pages_numbers(browser: Any, tmp_path: Path) -> None:
    """The anywidget front end of ``view.widget()``, run with a stand-in for the widget model:
    it shows the interactive page and sends each change of a leaf back as ``values``."""
    pytest.importorskip("anywidget")
    view = mg.live(mg.Value(2.0, label="x") * mg.Value(-3.0, label="w"))
    w = view.widget()
    host = tmp_path / "host.html"
    host.write_text(
        '<!DOCTYPE html><html><body><div id="el"></div></body></html>', encoding="utf-8"
    )
    pg = Page(browser)
    pg.open(host)
    pg.page.evaluate(
        """async ([esm, fragment]) => {
          const url = URL.createObjectURL(new Blob([esm], {type: 'text/javascript'}));
          const mod = await import(url);
          window.sent = [];
          const model = {
            get: (k) => k === 'fragment' ? fragment : null,
            set: (k, v) => { window.sent.push([k, v]); },
            save_changes: () => { window.sent.push(['saved']); },
          };
          mod.default.render({model, el: document.getElementById('el')});
        }""",
        [w._esm, w.fragment],
    )
    assert pg.page.locator(".mg-live").count() == 1
    pg.set_leaf("x", 0.5)
    sent = pg.page.evaluate("window.sent")
    assert ["values", {"x": 0.5, "w": -3.0}] in sent and ["saved"] in sent
    assert pg.numbers()[("L", "data")] == repr(0.5 * -3.0)
    pg.page.close()


def test_quiz_prints_as_a_worksheet_with_the_key_on_its_own_page(
    browser: Any, tmp_path: Path
) -> None:
    path = mg.quiz.random(seed=3, difficulty=2).save(tmp_path / "sheet.html")
    pg = Page(browser)
    pg.open(path)
    pg.page.emulate_media(media="print")
    style = pg.page.evaluate(
        """() => {
          const cs = (s) => getComputedStyle(document.querySelector(s));
          return {key: cs('.mg-key').display, brk: cs('.mg-key').breakBefore,
                  buttons: cs('[data-action="hint"]').display, head: cs('.mg-print-head').display,
                  score: cs('.mg-score-label').display};
        }"""
    )
    assert style == {
        "key": "block",
        "brk": "page",
        "buttons": "none",
        "head": "block",
        "score": "none",
    }
    pdf = pg.page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2  # the sheet, then the key
    pg.page.emulate_media(media="screen")
    assert pg.page.evaluate("getComputedStyle(document.querySelector('.mg-key')).display") == "none"
    pg.clean()
