"""The player inside an nbconvert HTML export (scripts run there): it takes over from its
fallback picture, the DOM contract works, nothing of ours is fetched and nothing fails."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from microgrand import Value
from microgrand.pages.player import step

pytestmark = pytest.mark.browser


def notebook_with_players(path: Path) -> list[int]:
    """A notebook whose stored outputs are two players (as running the cells would store)."""
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    players = [step((x * w).tanh(), theme="dark"), step(x * x + x)]
    nb = nbformat.v4.new_notebook()
    for i, p in enumerate(players):
        cell = nbformat.v4.new_code_cell(f"player{i}", execution_count=i + 1)
        cell.outputs = [
            nbformat.v4.new_output(
                "display_data", data={"text/html": p._repr_html_(), "text/plain": repr(p)}
            )
        ]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return [len(p) for p in players]


def test_player_in_an_nbconvert_export(browser: Any, tmp_path: Path) -> None:
    from nbconvert import HTMLExporter

    src = tmp_path / "players.ipynb"
    lengths = notebook_with_players(src)
    body, _ = HTMLExporter().from_filename(str(src))
    out = tmp_path / "players.html"
    out.write_text(body, encoding="utf-8")
    template_urls = set(re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', body))

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.route(re.compile(r"^https?://"), lambda route: route.abort())  # offline, as in class
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(out.resolve().as_uri())
    page.wait_for_function("document.querySelectorAll('.mg-page[data-ready]').length === 2")
    roots = page.query_selector_all(".mg-page")
    for root, n in zip(roots, lengths, strict=True):
        assert root.query_selector(".mg-fallback") is None  # the interactive page took over
        assert root.query_selector("[data-step]").text_content() == f"0/{n}"
        root.query_selector('[data-action="next"]').click()
        assert root.query_selector("[data-step]").text_content() == f"1/{n}"
        known = [
            e.get_attribute("data-number") for e in root.query_selector_all('[data-field="grad"]')
        ]
        assert sum(1 for k in known if k) == 1 and "1.0" in known
    # nothing but the export itself and the template's own CDN scripts was asked for
    ours = [u for u in requests if u != out.resolve().as_uri() and u not in template_urls]
    assert ours == []
    assert [e for e in errors if "Failed to load resource" not in e] == []
    page.close()
