"""Every page of lessons 01, 02 and 06 as a class meets it: saved as a file and as an output in
a real JupyterLab, in a notebook cell about 900 px wide.

For each page: no axe-core violation of any impact (WCAG 2.0-2.2 A and AA and axe's best
practices), and no text drawn smaller than 11 CSS px at the size it is shown. Screenshots go to
``build/test-artifacts/classroom/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import JupyterLab, axe_violations, describe_violations, text_sizes
from classroom_pages import PAGES, build

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "build" / "test-artifacts" / "classroom"
CELL = 900  # px: the width of a notebook cell's output on a laptop
MIN_PX = 11.0


def _small(page: Any, selector: str) -> list[tuple[float, str]]:
    return sorted({(round(s, 1), t[:40]) for s, t in text_sizes(page, selector) if s < MIN_PX})


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("classroom")
    out = {}
    for name, code in PAGES:
        out[name] = build(code).save(folder / f"{name}.html")
    return out


@pytest.mark.parametrize("name", [n for n, _ in PAGES])
def test_saved_page_is_readable_and_accessible(
    name: str, saved: dict[str, Path], browser: Any
) -> None:
    page = browser.new_page(viewport={"width": CELL + 32, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(saved[name].resolve().as_uri())
    page.wait_for_selector("[data-ready]", timeout=30_000)
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    violations = axe_violations(page)
    small = _small(page, "main")
    page.close()
    assert errors == []
    assert not violations, describe_violations(violations)
    assert not small, f"text below {MIN_PX} px at a {CELL} px cell: {small[:10]}"


@pytest.fixture(scope="module")
def lab_notebook(jupyter_lab: JupyterLab) -> Callable[[], str]:
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("anywidget")
    folder = jupyter_lab.root / "classroom"
    folder.mkdir()
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nb = nbformat.v4.new_notebook(metadata=kernel)
    tests = str(Path(__file__).resolve().parents[1])  # for the lessons' graphs (graphs.py)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            f"import sys\nsys.path.insert(0, {tests!r})\nimport graphs\nimport microgrand as mg"
        )
    )
    for _, code in PAGES:
        nb.cells.append(nbformat.v4.new_code_cell(code + "\npage"))
    nbformat.write(nb, folder / "pages.ipynb")
    return lambda: jupyter_lab.url(f"lab/workspaces/classroom/tree/{folder.name}/pages.ipynb")


@pytest.fixture(scope="module")
def lab_page(lab_notebook: Callable[[], str], browser: Any) -> Iterator[Any]:
    """The notebook of every page, run top to bottom in JupyterLab, its cells about 900 px."""
    page = browser.new_page(viewport={"width": CELL + 380, "height": 1000})
    page.goto(lab_notebook())
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    views = len(PAGES) - 1  # the playground is a widget, the others pages
    page.wait_for_function(
        f"() => document.querySelectorAll('.mg-page[data-ready]').length >= {views}"
        " && document.querySelector('.mg-pg [data-stat]')",
        timeout=240_000,
    )
    page.wait_for_timeout(1000)
    yield page
    page.close()


def test_every_output_in_jupyterlab_is_accessible(lab_page: Any) -> None:
    outputs = lab_page.query_selector_all(".jp-OutputArea-output")
    assert len(outputs) >= len(PAGES)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = []
    for i, out in enumerate(lab_page.query_selector_all(".mg-page, .mg-pg")):
        out.scroll_into_view_if_needed()
        out.screenshot(path=str(ARTIFACTS / f"lab-{i:02d}.png"))
        found.append(out.get_attribute("data-kind") or "playground")
    assert len(found) >= len(PAGES)
    violations = axe_violations(lab_page, ".jp-OutputArea-output")
    assert not violations, describe_violations(violations)


def test_every_output_in_jupyterlab_is_readable(lab_page: Any) -> None:
    width = lab_page.evaluate(
        "() => document.querySelector('.jp-OutputArea-output').getBoundingClientRect().width"
    )
    assert CELL - 80 <= width <= CELL + 80, width
    small = _small(lab_page, ".jp-OutputArea-output")
    assert not small, f"text below {MIN_PX} px in a {width:.0f} px cell: {small[:10]}"
