"""The explorer page in a real browser (Chromium through Playwright), opened from disk, on the
one-example graph of micrograd's demo network (2-16-16-1) with its loss, and on lesson 06's
tiny network (2-3-3-1, top to bottom) in a 900 px wide window: numbers, framing, text size,
search, keyboard-only use, axe-core, reduced motion."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import axe_violations, describe_violations, min_text_px

from microgrand import Graph, Value, data
from microgrand.nn import MLP
from microgrand.pages.explore import explore

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Value]:
    m = MLP(2, [16, 16, 1], activation="relu", init="uniform", rng=0)
    score = m([Value(0.5, label="x1"), Value(-0.3, label="x2")])
    assert isinstance(score, Value)
    loss = (1 + -1.0 * score).relu()
    loss.label = "loss"
    path = explore(loss).save(tmp_path_factory.mktemp("explore") / "explore.html")
    loss.backward()  # the oracle for the numbers on the page: the engine's own backward pass
    return path, loss


@pytest.fixture()
def page(browser: Any, saved: tuple[Path, Value]) -> Iterator[Any]:
    pg = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    url = saved[0].resolve().as_uri()
    pg.goto(url)
    pg.wait_for_selector(".mg-explore svg")
    yield pg
    assert errors == []
    assert all(r == url or r.startswith("data:") for r in requests), requests
    pg.close()


def nodes_shown(pg: Any) -> set[str]:
    return set(pg.eval_on_selector_all("[data-node]", "els => els.map(e => e.dataset.node)"))


def outside_canvas(pg: Any, selector: str, slack: float = 1.0) -> list[str]:
    """The elements matching ``selector`` that are not wholly inside the canvas on screen."""
    found: list[str] = pg.evaluate(
        """([sel, slack]) => {
            const c = document.querySelector('.mg-canvas').getBoundingClientRect();
            return [...document.querySelectorAll('.mg-canvas ' + sel)].filter(e => {
                const r = e.getBoundingClientRect();
                return r.left < c.left - slack || r.top < c.top - slack
                    || r.right > c.right + slack || r.bottom > c.bottom + slack;
            }).map(e => e.dataset.id || e.dataset.group);
        }""",
        [selector, slack],
    )
    return found


def open_group(pg: Any, path: str) -> None:
    """Open group ``path`` from the view showing its box, by keyboard (focus, Enter)."""
    pg.focus(f'[data-group="{path}"][data-expanded="false"]')
    pg.keyboard.press("Enter")
    assert pg.get_attribute(".mg-explore", "data-view") == path


def view_box(pg: Any) -> list[float]:
    """The part of the diagram in sight in the canvas, ``[x, y, width, height]`` in the
    diagram's own units (its viewBox's): zooming in shrinks it, panning moves it."""
    found: list[float] = pg.evaluate(
        """() => { const c = document.querySelector('.mg-canvas'), s = c.querySelector('svg');
            const m = s.getScreenCTM().inverse(), r = c.getBoundingClientRect();
            const p = s.createSVGPoint();
            p.x = r.left + c.clientLeft; p.y = r.top + c.clientTop;
            const a = p.matrixTransform(m);
            p.x += c.clientWidth; p.y += c.clientHeight;
            const b = p.matrixTransform(m);
            return [a.x, a.y, b.x - a.x, b.y - a.y].map(v => Math.round(v * 100) / 100); }"""
    )
    return found


def test_opens_collapsed_and_expands_and_collapses_groups(page: Any) -> None:
    assert page.query_selector(".mg-fallback") is None
    assert page.get_attribute(".mg-explore", "data-view") == ""
    groups = page.eval_on_selector_all("[data-group]", "els => els.map(e => e.dataset.group)")
    assert sorted(groups) == ["layer1", "layer2", "layer3"]
    top = nodes_shown(page)
    assert {"loss", "x1", "x2"} <= top and "w1" not in top
    page.click('[data-group="layer2"]')
    assert page.get_attribute(".mg-explore", "data-view") == "layer2"
    assert page.locator('[data-group="layer2/neuron7"][data-expanded="false"]').count() == 1
    page.click('[data-group="layer2/neuron7"]')
    inside = nodes_shown(page)
    assert inside > top and {"w1", "w16", "b"} <= inside
    assert page.locator(".mg-crumbs [data-crumb]").all_inner_texts() == ["all", "layer2", "neuron7"]
    # click the open neuron's frame: back to the layer; the breadcrumb's "all": the top
    page.click('[data-group="layer2/neuron7"][data-expanded="true"]', position={"x": 5, "y": 5})
    assert page.get_attribute(".mg-explore", "data-view") == "layer2"
    assert nodes_shown(page) == top
    page.click('[data-crumb=""]')
    assert page.get_attribute(".mg-explore", "data-view") == ""


def test_zoom_pan_and_fit_change_what_is_in_sight(page: Any) -> None:
    start = view_box(page)
    box = page.locator(".mg-canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, -400)  # a plain wheel scrolls the page: the diagram stays
    assert view_box(page) == start
    page.keyboard.down("Control")
    page.mouse.wheel(0, -40)
    page.keyboard.up("Control")
    zoomed = view_box(page)
    assert zoomed[2] < start[2] and zoomed[3] < start[3]
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 120, cy + 60, steps=5)
    page.mouse.up()
    panned = view_box(page)
    assert panned[2:] == zoomed[2:] and panned[0] < zoomed[0] and panned[1] < zoomed[1]
    assert page.get_attribute(".mg-explore", "data-view") == ""  # a drag is not a click
    page.click('[data-action="fit"]')
    assert outside_canvas(page, "[data-id], [data-group]") == []  # everything in sight


def test_top_level_steps_group_by_group(page: Any) -> None:
    groups = page.locator("[data-group]").count()
    n = int(page.inner_text("[data-step]").split("/")[1])
    assert 1 <= n <= groups + 2
    texts = []
    for k in range(1, n + 1):
        page.click('[data-action="next"]')
        assert page.inner_text("[data-step]") == f"{k}/{n}"
        texts.append(page.inner_text(".mg-step-text"))
    assert page.is_disabled('[data-action="next"]')
    assert texts[0].startswith("Start at the output loss")
    assert [t.split(" of ")[1].split(" ")[0] for t in texts[1:4]] == ["layer3", "layer2", "layer1"]
    page.click('[data-action="start"]')
    assert page.inner_text("[data-step]") == f"0/{n}"


def test_every_number_after_expanding_everything(page: Any, saved: tuple[Path, Value]) -> None:
    loss = saved[1]
    g = Graph.of(loss)
    seen: dict[str, dict[str, str]] = {}

    def collect() -> None:
        found = page.eval_on_selector_all(
            "g[data-id] [data-field]",
            "els => els.map(e => [e.closest('g[data-id]').dataset.id, e.dataset.field, "
            "e.dataset.number])",
        )
        for nid, field, value in found:
            seen.setdefault(nid, {})[field] = value

    collect()
    for layer in ("layer1", "layer2", "layer3"):
        page.click('[data-crumb=""]')
        open_group(page, layer)
        collect()
        neurons = page.eval_on_selector_all(
            '[data-group][data-expanded="false"]', "els => els.map(e => e.dataset.group)"
        )
        for neuron in [x for x in neurons if x.startswith(layer + "/")]:
            page.click(f'[data-crumb="{layer}"]')
            open_group(page, neuron)
            collect()
    assert set(seen) == {n.id for n in g.nodes}
    for n in g.nodes:
        v = n.value
        assert float(seen[n.id]["data"]) == v.data
        assert float(seen[n.id]["grad"]) == v.grad


def test_details_and_find(page: Any) -> None:
    page.click('g[data-id]:has([data-node="x1"])')
    assert "value" in page.inner_text(".mg-details") and "gradient" in page.inner_text(
        ".mg-details"
    )
    page.fill("input[data-find]", "layer1/neuron5")
    page.press("input[data-find]", "Enter")
    assert page.get_attribute(".mg-explore", "data-view") == "layer1/neuron5"
    details = page.inner_text(".mg-details")
    assert (
        "size: 7 nodes" in details
        and "gradient norm" in details
        and "largest |gradient|" in details
    )
    page.fill("input[data-find]", "loss")
    page.press("input[data-find]", "Enter")
    assert page.get_attribute(".mg-explore", "data-view") == ""
    assert "d(loss)/d(loss)" in page.inner_text(".mg-details")


# --- issue 23: readable, framed, searchable, keyboard-only, accessible -------------------------


@pytest.fixture(scope="module")
def lesson06(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lesson 06's explorer, built as the lesson builds it (2-3-3-1 on the first moon point)."""
    X, _ = data.moons(100, noise=0.1, seed=1)
    tiny = MLP(2, [3, 3, 1], rng=0)
    score = tiny(X[0])
    assert isinstance(score, Value)
    score.backward()
    return explore(score, rankdir="TB").save(tmp_path_factory.mktemp("l06") / "explore.html")


def narrow(browser: Any, path: Path, **options: Any) -> Any:
    """The saved page in a 900 px wide window (a notebook cell's width), checked for errors."""
    pg = browser.new_page(viewport={"width": 900, "height": 900}, **options)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(path.resolve().as_uri())
    pg.wait_for_selector(".mg-explore svg")
    pg.errors = errors
    return pg


def grad_shown(pg: Any) -> dict[str, str]:
    """For each value shown, its gradient's text when visible (else "")."""
    found: dict[str, str] = pg.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('g[data-id]')].map(g => {
            const t = g.querySelector('.mg-gv');
            const on = t && getComputedStyle(t).visibility === 'visible';
            return [t ? t.dataset.node : g.dataset.id, on ? t.textContent.trim() : ''];
        }))"""
    )
    return found


def test_every_number_shown_inside_an_opened_neuron_while_stepping(page: Any) -> None:
    open_group(page, "layer2")
    open_group(page, "layer2/neuron7")
    n = int(page.inner_text("[data-step]").split("/")[1])
    for k in range(1, n + 1):
        page.click('[data-action="next"]')
        shown = grad_shown(page)
        # the loss and the other values outside the neuron keep their numbers at every step
        assert shown["loss"] != "" and float(shown["loss"]) == 1.0, (k, shown["loss"])
        if k == 4:
            inside = page.eval_on_selector_all(
                "g[data-id].mg-known .mg-gv", "els => els.map(e => e.textContent)"
            )
            assert len(inside) == 4 and all(t.strip() for t in inside)
    assert all(v != "" for v in grad_shown(page).values())  # the last step: every number


def test_lesson06_root_inside_its_neuron_keeps_its_gradient(browser: Any, lesson06: Path) -> None:
    pg = narrow(browser, lesson06)
    open_group(pg, "layer3")
    open_group(pg, "layer3/neuron1")
    for _ in range(4):
        pg.click('[data-action="next"]')
    assert pg.inner_text("[data-step]").startswith("4/")
    assert grad_shown(pg)["L"] == "1.0000"
    assert pg.errors == []
    pg.close()


def frame_fit(pg: Any, path: str) -> tuple[dict[str, float], dict[str, float]]:
    sel = f'[data-group="{path}"][data-expanded="true"]'
    return pg.locator(sel).bounding_box(), pg.locator(".mg-canvas").bounding_box()


def test_an_opened_group_is_framed_to_fit_and_readable(browser: Any, lesson06: Path) -> None:
    pg = narrow(browser, lesson06)
    for path in ("layer1", "layer1/neuron2", "layer3", "layer3/neuron1"):
        if path.endswith("1") and "/" not in path:
            pg.click('[data-crumb=""]')
        open_group(pg, path)
        g, c = frame_fit(pg, path)
        assert c["y"] - 1 <= g["y"] and g["y"] + g["height"] <= c["y"] + c["height"] + 1, (
            path,
            g,
            c,
        )
        if g["width"] <= c["width"] + 1:
            # the open group lies within the canvas, and fills its width or its height
            assert g["x"] >= c["x"] - 1 and g["x"] + g["width"] <= c["x"] + c["width"] + 1
            assert g["width"] >= 0.85 * c["width"] or g["height"] >= 0.85 * c["height"], (
                path,
                g,
                c,
            )
        else:  # wider than the canvas at 11 px text: it spans the canvas (pan for the rest)
            assert g["x"] <= c["x"] + 6 and g["x"] + g["width"] >= c["x"] + c["width"] - 6
        size, text = min_text_px(pg, ".mg-explore")
        assert size >= 11, (path, size, text)
    pg.close()


def test_text_is_at_least_11px_at_900px(
    browser: Any, lesson06: Path, saved: tuple[Path, Value]
) -> None:
    for path, opens in (
        (lesson06, ["layer1", "layer1/neuron2"]),
        (saved[0], ["layer2", "layer2/neuron3"]),
    ):
        pg = narrow(browser, path)
        size, text = min_text_px(pg, ".mg-explore")
        assert size >= 11, ("top", size, text)
        for p in opens:
            open_group(pg, p)
            size, text = min_text_px(pg, ".mg-explore")
            assert size >= 11, (p, size, text)
        pg.close()


def test_search_by_short_name_lists_every_match(page: Any, saved: tuple[Path, Value]) -> None:
    page.fill("input[data-find]", "w7")
    page.press("input[data-find]", "Enter")
    listed = page.locator("[data-match]").count()
    # w7 is a weight of every neuron with 7 inputs or more: the 16 of layer2 and layer3's one
    assert listed == sum(1 for n in Graph.of(saved[1]).nodes if n.label == "w7") == 17
    assert "17 matches" in page.inner_text("[data-matches]")
    assert page.evaluate("() => document.activeElement.dataset.match") == "0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    label = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    assert (
        label.endswith("w7") and page.get_attribute(".mg-explore", "data-view") == "layer2/neuron3"
    )
    assert page.inner_text(".mg-details .mg-head").startswith("w7")
    assert page.is_hidden("[data-matches]")
    page.fill("input[data-find]", "neuron3")
    page.press("input[data-find]", "Enter")
    texts = page.locator("[data-match]").all_inner_texts()
    assert texts == ["layer1/neuron3 (group)", "layer2/neuron3 (group)"]
    page.fill("input[data-find]", "layer2/neuron3")  # a whole path: straight there
    page.press("input[data-find]", "Enter")
    assert page.get_attribute(".mg-explore", "data-view") == "layer2/neuron3"
    page.fill("input[data-find]", "zzz")
    page.press("input[data-find]", "Enter")
    assert page.inner_text(".mg-details .mg-head").startswith("Not found")


def test_repeated_chain_rule_terms_name_their_neuron(page: Any) -> None:
    page.focus('g[data-id]:has([data-node="x1"])')
    page.keyboard.press("Enter")
    line = page.inner_text(".mg-details .mg-eq")
    terms = line.split(" = ")[1].split(" + ")  # the terms in symbols, one per neuron reached
    assert len(terms) > 5 and len(set(terms)) == len(terms), terms
    assert all(re.search(r"\) \[layer1/neuron\d+\] · ", t) for t in terms), terms


def test_keyboard_only(browser: Any, lesson06: Path) -> None:
    pg = narrow(browser, lesson06)
    kb = pg.keyboard

    def active() -> dict[str, str]:
        found: dict[str, str] = pg.evaluate(
            """() => { const e = document.activeElement;
                return {tag: e.tagName, group: e.dataset.group || '', id: e.dataset.id || '',
                        action: e.dataset.action || '', label: e.getAttribute('aria-label') || ''}; }"""
        )
        return found

    # Tab from the top of the page to the first box of the diagram
    for _ in range(30):
        kb.press("Tab")
        if active()["group"] or active()["id"]:
            break
    seen = []
    while len(seen) < 5 and (active()["group"] or active()["id"]):
        seen.append(active()["group"] or active()["id"])
        kb.press("Tab")
    assert seen[:2] == ["n3", "n6"] or "layer1" in seen, seen  # graph order: x1, x2, layer1, …
    for _ in range(10):
        kb.press("Shift+Tab")
        if active()["group"] == "layer1":
            break
    kb.press("Enter")
    assert pg.get_attribute(".mg-explore", "data-view") == "layer1"
    assert active()["group"].startswith("layer1/") or active()["id"], active()
    for _ in range(10):
        if active()["group"] == "layer1/neuron2":
            break
        kb.press("Tab")
    kb.press("Enter")
    assert pg.get_attribute(".mg-explore", "data-view") == "layer1/neuron2"
    kb.press("Enter")  # the focused value: its chain rule
    assert "d" in pg.inner_text(".mg-details .mg-eq")
    before = view_box(pg)
    kb.press("+")
    assert view_box(pg)[2] < before[2]
    kb.press("ArrowRight")
    assert view_box(pg)[0] > before[0]
    kb.press("0")
    assert outside_canvas(pg, "[data-id], [data-group]") == []
    kb.press("Escape")
    assert pg.get_attribute(".mg-explore", "data-view") == "layer1"
    assert active()["group"] == "layer1/neuron2"
    kb.press("Backspace")
    assert pg.get_attribute(".mg-explore", "data-view") == ""
    # stepping from the buttons: Tab to Next, Enter; arrows step there
    pg.focus('[data-action="next"]')
    kb.press("Enter")
    kb.press("ArrowRight")
    assert pg.inner_text("[data-step]").startswith("2/")
    # search and pick by keyboard
    pg.focus("input[data-find]")
    kb.type("b")
    kb.press("Enter")
    kb.press("ArrowDown")
    kb.press("Enter")
    assert pg.get_attribute(".mg-explore", "data-view").endswith("neuron2")
    assert pg.errors == []
    pg.close()


def test_zero_axe_violations(browser: Any, lesson06: Path, saved: tuple[Path, Value]) -> None:
    for path, opens in (
        (lesson06, ["layer1", "layer1/neuron2"]),
        (saved[0], ["layer2", "layer2/neuron3"]),
    ):
        pg = narrow(browser, path)
        found = axe_violations(pg)
        assert found == [], describe_violations(found)
        for p in opens:
            open_group(pg, p)
            pg.keyboard.press("Enter")  # a value's details
            found = axe_violations(pg)
            assert found == [], (p, describe_violations(found))
        pg.fill("input[data-find]", "b")
        pg.press("input[data-find]", "Enter")  # the list of matches
        found = axe_violations(pg)
        assert found == [], describe_violations(found)
        pg.close()


def test_accessible_names_on_every_box_value_and_edge(page: Any) -> None:
    open_group(page, "layer2")
    open_group(page, "layer2/neuron3")
    # (an operation's arrow to its value is part of that one node: not an edge of the graph)
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll(
                '.mg-svg g[data-id], .mg-svg [data-group], .mg-svg g.edge:not(.output), .mg-svg g[data-op]')]
            .filter(e => !(e.getAttribute('aria-label') || '').trim()).map(e => e.outerHTML.slice(0, 80))"""
    )
    assert unnamed == []
    box = page.get_attribute('[data-group="layer2/neuron4"]', "aria-label")
    assert box.startswith("neuron4 ") and "layer 2, neuron 4" in box and "17 parameters" in box
    assert "output" in box and "gradient" in box
    edge = page.get_attribute("g[data-edge]", "aria-label")
    assert edge.startswith("edge from ") and "local derivative" in edge


def test_reduced_motion(browser: Any, saved: tuple[Path, Value]) -> None:
    pg = narrow(browser, saved[0], reduced_motion="reduce")
    rect = 'g[data-id]:has([data-node="x1"]) > rect'
    assert pg.eval_on_selector(rect, "e => getComputedStyle(e).transitionDuration") == "0s"
    start = view_box(pg)
    for _ in range(4):
        pg.click('[data-action="zoom-in"]')
    zoomed = view_box(pg)
    pg.click('[data-action="next"]')  # the output's step: the view jumps there, no animation
    assert view_box(pg) != zoomed and view_box(pg)[2:] == zoomed[2:]
    pg.close()
    pg = narrow(browser, saved[0])
    assert pg.eval_on_selector(rect, "e => getComputedStyle(e).transitionDuration") != "0s"
    assert start
    pg.close()


def test_no_machine_ids_in_text_or_names(page: Any) -> None:
    def ids_seen() -> list[str]:
        found: list[str] = page.evaluate(
            """() => { const root = document.querySelector('.mg-explore');
                const texts = [root.innerText,
                    ...[...root.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))];
                return texts.flatMap(t => t.match(/\\bn\\d+\\b/g) || []); }"""
        )
        return found

    assert ids_seen() == []
    open_group(page, "layer2")
    open_group(page, "layer2/neuron3")
    page.keyboard.press("Enter")  # a value's details
    page.click('[data-action="next"]')
    assert ids_seen() == []


@pytest.mark.parametrize("theme", ["dark", "print"])
def test_zero_axe_violations_in_the_other_themes(browser: Any, tmp_path: Path, theme: str) -> None:
    X, _ = data.moons(100, noise=0.1, seed=1)
    score = MLP(2, [3, 3, 1], rng=0)(X[0])
    assert isinstance(score, Value)
    path = explore(score, rankdir="TB", theme=theme).save(tmp_path / "e.html")  # type: ignore[arg-type]
    pg = narrow(browser, path)
    open_group(pg, "layer2")
    open_group(pg, "layer2/neuron1")
    pg.keyboard.press("Enter")
    pg.click('[data-action="next"]')
    found = axe_violations(pg)
    assert found == [], describe_violations(found)
    pg.close()


def test_two_explorers_on_one_page_repeat_no_landmark(browser: Any, tmp_path: Path) -> None:
    """A notebook may show several explorers: none of them adds a landmark of its own."""
    X, _ = data.moons(100, noise=0.1, seed=1)
    outs = [MLP(2, [3, 3, 1], rng=k)(X[0]) for k in (0, 1)]
    pages = [explore(o, rankdir="TB").page(uid=f"two{k}") for k, o in enumerate(outs)]  # type: ignore[arg-type]
    doc = pages[0].document().replace("</main>", pages[1].fragment + "</main>")
    path = tmp_path / "two.html"
    path.write_text(doc, encoding="utf-8")
    pg = narrow(browser, path)
    pg.wait_for_function("() => document.querySelectorAll('.mg-explore svg').length == 2")
    found = axe_violations(pg)
    assert found == [], describe_violations(found)
    assert pg.errors == []
    pg.close()
