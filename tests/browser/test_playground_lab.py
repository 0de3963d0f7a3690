"""End to end in a real JupyterLab (Playwright + Chromium): a stored playground output shows its
picture, never a widget error; a live ``mg.playground()`` steps when its Step button is clicked,
adds a point by keyboard, and has nothing axe-core finds.

The server is the session's one JupyterLab (see conftest.py): on 127.0.0.1 with a token, in a
temporary root folder, always stopped (its whole process group, kernels included). Skipped with
a reason only where JupyterLab cannot start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_support import JupyterLab, axe_violations, describe_violations, min_text_px

from microgrand.play import playground

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def lab(jupyter_lab: JupyterLab) -> Callable[[str], str]:
    """Two notebooks in a folder of the server; gives the address of each by its name, in a
    workspace of its own (so that each page shows only its own notebook)."""
    pytest.importorskip("anywidget")
    nbformat = pytest.importorskip("nbformat")
    folder = jupyter_lab.root / "playground"
    folder.mkdir()
    # a stored notebook, as a student receives it: outputs saved, never run here (untrusted)
    pg = playground(dataset="xor", layers=[4], seed=0)
    pg.step(20)
    data, meta = pg._repr_mimebundle_()
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nb = nbformat.v4.new_notebook(metadata=kernel)
    cell = nbformat.v4.new_code_cell("import microgrand as mg\npg = mg.playground()\npg")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
    nb.cells.append(cell)
    nbformat.write(nb, folder / "stored.ipynb")
    live = nbformat.v4.new_notebook(metadata=kernel)
    live.cells.append(
        nbformat.v4.new_code_cell(
            "import microgrand as mg\npg = mg.playground(dataset='xor', layers=[4], seed=0)\npg"
        )
    )
    nbformat.write(live, folder / "live.ipynb")
    return lambda name: jupyter_lab.url(f"lab/workspaces/{name}/tree/{folder.name}/{name}.ipynb")


def test_stored_output_shows_the_picture_not_a_widget_error(
    lab: Callable[[str], str], browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(lab("stored"))
    img = page.locator(".jp-OutputArea-output img").first
    img.wait_for(state="visible", timeout=60_000)
    assert img.evaluate("i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0")
    text = page.locator(".jp-OutputArea-output").first.inner_text()
    assert "Run this cell" in text
    assert "Error displaying widget" not in text and "model not found" not in text
    assert "Loading widget" not in text
    page.close()


def test_live_widget_steps_in_jupyterlab(lab: Callable[[str], str], browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(lab("live"))
    editor = page.locator(".jp-Notebook .jp-Cell .cm-content:visible").first
    editor.wait_for(timeout=60_000)
    # the kernel is connected once the status bar says so (not merely the notebook loaded)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
    editor.click()
    page.keyboard.press("Shift+Enter")
    stat = page.locator('.mg-pg [data-stat="step"]')
    stat.wait_for(timeout=60_000)
    assert stat.get_attribute("data-number") == "0"
    loss0 = page.get_attribute('.mg-pg [data-stat="train-loss"]', "data-number")
    page.click('.mg-pg [data-action="step"]')
    page.wait_for_function(
        "() => document.querySelector('.mg-pg [data-stat=\"step\"]').dataset.number === '1'",
        timeout=30_000,
    )
    loss1 = page.get_attribute('.mg-pg [data-stat="train-loss"]', "data-number")
    assert loss0 and loss1 and float(loss1) != float(loss0)
    # by keyboard in JupyterLab too: a point added on the data plot, announced
    points = page.locator(".mg-pg .mg-pg-train-pt").count()
    page.focus(".mg-pg [data-plot]")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('.mg-pg .mg-pg-train-pt').length === {points + 1}",
        timeout=30_000,
    )
    assert "Added a point of class 0" in (page.text_content(".mg-pg [data-status]") or "")
    # the widget's output has nothing axe-core finds, and its text is 11 px or more
    found = axe_violations(page, ".mg-pg")
    assert found == [], describe_violations(found)
    page.set_viewport_size({"width": 900, "height": 900})
    size, text = min_text_px(page, ".mg-pg")
    assert size >= 11, (size, text)
    assert "Error displaying widget" not in page.locator(".jp-OutputArea-output").first.inner_text()
    assert errors == []
    page.close()


def test_a_saved_run_reopens_without_its_kernel_showing_the_last_picture(
    jupyter_lab: JupyterLab, lab: Callable[[str], str], browser: Any
) -> None:
    """Run, step, save, shut the kernel down, reopen: the widget is drawn from the saved state
    (the last frame, real numbers), never "model not found". JupyterLab runs with its
    settings as installed: the widget state is saved because microgrand's install turns
    "Save Widget State Automatically" on (``jupyter-config/overrides.d``), not the test."""
    import json
    import urllib.request

    nbformat = pytest.importorskip("nbformat")
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nb = nbformat.v4.new_notebook(metadata=kernel)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import microgrand as mg\npg = mg.playground(dataset='xor', layers=[4], seed=0)\npg"
    ))  # fmt: skip
    nbformat.write(nb, jupyter_lab.root / "playground" / "saved.ipynb")
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(lab("saved"))
    editor = page.locator(".jp-Notebook .jp-Cell .cm-content:visible").first
    editor.wait_for(timeout=60_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
    editor.click()
    page.keyboard.press("Shift+Enter")
    page.locator('.mg-pg [data-stat="step"]').wait_for(timeout=60_000)
    for k in (1, 2, 3):
        page.click('.mg-pg [data-action="step"]')
        page.wait_for_function(
            f"() => document.querySelector('.mg-pg [data-stat=\"step\"]').dataset.number === '{k}'",
            timeout=30_000,
        )
    page.keyboard.press("Control+s")
    page.wait_for_timeout(3000)
    page.close()
    for k in json.load(urllib.request.urlopen(jupyter_lab.url("api/kernels"), timeout=10)):
        req = urllib.request.Request(jupyter_lab.url(f"api/kernels/{k['id']}"), method="DELETE")
        urllib.request.urlopen(req, timeout=30)
    stored = nbformat.read(jupyter_lab.root / "playground" / "saved.ipynb", as_version=4)
    assert "widgets" in stored.metadata  # the state went into the notebook
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(lab("saved"))
    stat = page.locator('.mg-pg [data-stat="step"]')
    stat.wait_for(timeout=90_000)
    assert stat.get_attribute("data-number") == "3"
    text = page.locator(".jp-OutputArea-output").first.inner_text()
    assert "model not found" not in text and "Error displaying widget" not in text
    page.close()
