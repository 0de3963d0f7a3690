"""The stored lessons as a class first opens them: a real JupyterLab on localhost, nothing run.

JupyterLab runs no script and applies no style in an output it did not produce in this session
(an untrusted notebook), and its sanitiser strips inline SVG. Every HTML view must then show its
fallback picture (an ``<img>`` with a ``data:`` URI) and one line, never stripped diagram text
or a widget error. Running a cell with a player must bring the interactive page back.

Screenshots of each lesson's first player go to ``build/test-artifacts/jupyterlab/``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import JupyterLab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "build" / "test-artifacts" / "jupyterlab"
STRIPPED = (
    "grad = ",
    "data = ",
    "Error displaying widget",
    "Model not found",
    "model not found",
    "Needs JavaScript",
)


def stored_players(nb: Path) -> int:
    """How many outputs of a stored lesson are microgrand pages."""
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    n = 0
    for c in cells:
        for o in c.get("outputs", []):
            html = o.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            n += html.count('class="mg-page ')
    return n


@pytest.fixture(scope="module")
def app(jupyter_lab: JupyterLab, browser: Any) -> Iterator[Any]:
    """One JupyterLab tab for the whole module, its file browser in a folder holding a copy of
    every lesson (the app loads once; lessons open from the file browser)."""
    folder = jupyter_lab.root / "lessons"
    folder.mkdir()
    for nb in LESSONS:
        shutil.copy(nb, folder / nb.name)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(jupyter_lab.url(f"lab/tree/{folder.name}", "reset"))
    # the file browser shows the lessons' folder
    page.locator(".jp-DirListing-itemText", has_text=LESSONS[0].name).wait_for(timeout=120_000)
    yield page
    page.close()


def open_notebook(app: Any, name: str) -> None:
    app.locator(".jp-DirListing-itemText", has_text=name).first.dblclick()
    app.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    app.wait_for_timeout(300)


def close_notebook(app: Any) -> None:
    app.click(".lm-DockPanel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon")
    app.wait_for_timeout(300)
    discard = app.query_selector(".jp-Dialog button:has-text('Discard')")
    if discard is not None:  # the run test changed the notebook: do not save it
        discard.click()
    app.wait_for_selector(".jp-NotebookPanel", state="detached", timeout=30_000)


_SEEN = """() => {
  const outputs = [...document.querySelectorAll('.jp-OutputArea-output.jp-RenderedHTMLCommon')]
    .map(o => o.innerText);
  const pages = [...document.querySelectorAll('.jp-OutputArea-output .mg-page')].map(p => {
    const img = p.querySelector('.mg-fallback img');
    return {
      key: p.id || (img ? img.getAttribute('src').slice(-60) : p.innerText),
      text: p.innerText.trim(),
      img: !!img,
      loaded: !!img && img.complete && img.naturalWidth > 0 && img.naturalHeight > 0,
      svg: p.querySelectorAll('svg').length,
      ready: p.hasAttribute('data-ready'),
    };
  });
  return {outputs, pages};
}"""

_SCROLLER = """(frac) => {
  const s = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
    || document.querySelector('.jp-NotebookPanel .jp-Notebook');
  if (frac === null) { s.scrollTop = 0; return false; }
  const end = s.scrollTop + s.clientHeight >= s.scrollHeight - 2;
  s.scrollTop += s.clientHeight * frac;
  return end;
}"""


def scroll_through(page: Any, expected: int) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Scroll the notebook from top to end, as a reader would, then collect every HTML
    output's text and every microgrand page (all cells stay rendered: no windowing).

    Outputs render after the cells appear, and later still on a busy machine: look again,
    for up to 30 s, until the ``expected`` number of pages is there with its images decoded.
    """
    for _ in range(400):
        page.wait_for_timeout(20)
        if page.evaluate(_SCROLLER, 0.9):
            break
    page.wait_for_timeout(200)
    seen = page.evaluate(_SEEN)
    for _ in range(120):
        if len(seen["pages"]) >= expected and all(v["loaded"] for v in seen["pages"]):
            break
        page.wait_for_timeout(250)
        seen = page.evaluate(_SEEN)
    return seen["outputs"], {v["key"]: v for v in seen["pages"]}


def first_page_screenshot(page: Any, path: Path) -> None:
    """Scroll back up until the first microgrand page is in the DOM and photograph it."""
    page.evaluate(_SCROLLER, None)
    for _ in range(400):
        page.wait_for_timeout(80)
        first = page.query_selector(".jp-OutputArea-output .mg-page")
        if first is not None:
            first.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            path.parent.mkdir(parents=True, exist_ok=True)
            first.screenshot(path=str(path))
            return
        page.evaluate(_SCROLLER, 0.7)
    raise AssertionError("the first player never appeared")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_stored_lesson_shows_pictures_not_stripped_text(app: Any, lesson: Path) -> None:
    page = app
    open_notebook(page, lesson.name)
    try:
        texts, shown = scroll_through(page, stored_players(lesson))
        # every output rendered: no stripped diagram text, no widget error
        for text in texts:
            for bad in STRIPPED:
                assert bad not in text, (lesson.name, bad, text[:300])
        assert len(shown) == stored_players(lesson)
        for v in shown.values():
            assert v["img"] and v["loaded"], v
            # one line saying what running the cell gives (each kind of page says its own)
            assert v["text"].startswith("Run this cell to "), v
            assert v["svg"] == 0 and not v["ready"]
        if shown:
            first_page_screenshot(page, ARTIFACTS / f"{lesson.stem}-first-player.png")
    finally:
        close_notebook(page)


def test_running_a_player_cell_brings_the_page_back(app: Any) -> None:
    with_players = [p for p in LESSONS if "mg-page mg-page-player" in p.read_text(encoding="utf-8")]
    if not with_players:
        pytest.skip("no stored lesson shows a player")
    lesson = with_players[0]
    page = app
    open_notebook(page, lesson.name)
    try:
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator, .jp-Toolbar", timeout=30_000)
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        page.wait_for_selector(".mg-page-player[data-ready] .mg-player", timeout=90_000)
        root = page.query_selector(".mg-page-player[data-ready]")
        root.scroll_into_view_if_needed()
        assert root.query_selector(".mg-fallback") is None
        n = int(root.query_selector("[data-step]").text_content().split("/")[1])
        root.query_selector('[data-action="next"]').click()
        assert root.query_selector("[data-step]").text_content() == f"1/{n}"
        assert root.query_selector_all("svg")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        root.screenshot(path=str(ARTIFACTS / f"{lesson.stem}-after-run.png"))
    finally:
        close_notebook(page)
