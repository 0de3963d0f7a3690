"""The explorer page in a real browser (Chromium through Playwright), opened from disk, on the
one-example graph of micrograd's demo network (2-16-16-1) with its loss."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from microgrand import Graph, Value
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


def view_box(pg: Any) -> list[float]:
    vb: str = pg.get_attribute(".mg-explore svg", "viewBox")
    return [float(x) for x in vb.split()]


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


def test_zoom_pan_and_fit_change_the_view_box(page: Any) -> None:
    start = view_box(page)
    box = page.locator(".mg-canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, -400)
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
    assert view_box(page) == pytest.approx(start, abs=0.01)


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
        page.click(f'[data-group="{layer}"]')
        collect()
        neurons = page.eval_on_selector_all(
            '[data-group][data-expanded="false"]', "els => els.map(e => e.dataset.group)"
        )
        for neuron in [x for x in neurons if x.startswith(layer + "/")]:
            page.click(f'[data-crumb="{layer}"]')
            page.click(f'[data-group="{neuron}"]')
            collect()
    assert set(seen) == {n.id for n in g.nodes}
    for n in g.nodes:
        v = n.value
        assert float(seen[n.id]["data"]) == v.data
        assert float(seen[n.id]["grad"]) == v.grad


def test_details_and_find(page: Any) -> None:
    page.click("g[data-id] >> nth=0")
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
