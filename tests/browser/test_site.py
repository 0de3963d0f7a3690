"""The zero-install site (``make site``: JupyterLite in ``build/site/``), opened in Chromium
from a local web server.

What runs here without internet: the site's pages, its file browser with the lessons, a
lesson opened in the notebook editor, the site's package index (microgrand's wheel and the
widgets'), and the Python kernel itself: the site normally fetches Pyodide from Pyodide's CDN,
which the tests cannot reach, so a copy of the site is given a self-hosted Pyodide made of
the npm package's core and the kernel's pure-Python packages from PyPI
(:mod:`pyodide_mini`), as ``make site PYODIDE=<release archive>`` does with a full release.
In that kernel microgrand is installed from the site's index, imported, and draws a diagram
in the browser's Web Worker with the WebAssembly engine; its live view recomputes in the
notebook's output, and its quiz, explorer and step-through player show and respond. Not testable here: the lessons'
own cells, which import matplotlib and NumPy (compiled packages that only Pyodide's
distribution has), and so ``%pip install microgrand`` with its dependencies.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from pyodide_mini import CORE, self_hosted_site
from pyodide_mini import build as build_pyodide

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "site"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (SITE / "index.html").is_file(), reason="no site in build/site: run `make site`"
    ),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on localhost (a free port) while the caller runs."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    yield from serve(SITE)


@pytest.fixture(scope="module")
def self_hosted_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (CORE / "pyodide.mjs").is_file():
        pytest.skip("Pyodide not installed: run `make npm-deps` (needs npm)")
    pyodide = build_pyodide(ROOT / "build" / "pyodide-mini")
    site = self_hosted_site(SITE, pyodide, tmp_path_factory.mktemp("site") / "site")
    try:
        yield from serve(site)
    finally:
        shutil.rmtree(site, ignore_errors=True)


def lessons() -> list[str]:
    return sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_site_has_the_student_copies_with_a_setup_cell() -> None:
    names = sorted(p.name for p in (SITE / "files").glob("*.ipynb"))
    assert names == lessons()
    for name in names:
        nb = nbformat.read(SITE / "files" / name, as_version=4)
        first = nb.cells[0]
        assert "jupyterlite-setup" in first.metadata.get("tags", [])
        assert "%pip install -q microgrand" in first.source and "await mg.ready()" in first.source
        assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]


def test_site_serves_its_own_wheels() -> None:
    index = json.loads((SITE / "pypi" / "all.json").read_text("utf-8"))
    assert {"microgrand", "anywidget", "ipywidgets", "graphviz"} <= set(index)
    widgets = {
        e["name"]
        for e in json.loads((SITE / "jupyter-lite.json").read_text("utf-8"))["jupyter-config-data"][
            "federated_extensions"
        ]
    }
    assert {"anywidget", "@jupyter-widgets/jupyterlab-manager"} <= widgets


def test_site_saves_widget_state_with_the_notebook_like_an_installed_jupyterlab() -> None:
    config = json.loads((SITE / "jupyter-lite.json").read_text("utf-8"))["jupyter-config-data"]
    installed = ROOT / "jupyter-config" / "overrides.d" / "microgrand.json"
    assert config["settingsOverrides"] == json.loads(installed.read_text("utf-8"))


def test_browser_lists_and_opens_the_lessons(browser: Any, site_url: str) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.goto(f"{site_url}/lab/index.html", timeout=60_000)
        items = page.locator(".jp-DirListing-itemText")
        items.first.wait_for(timeout=60_000)
        shown = sorted(t.strip() for t in items.all_inner_texts())
        assert shown == lessons()
        items.filter(has_text=lessons()[0]).dblclick()
        cell = page.locator(".jp-Notebook .jp-Cell").first
        cell.wait_for(timeout=60_000)
        assert "await mg.ready()" in cell.inner_text()
    finally:
        page.close()


CELLS = [
    # What the site's first cell does, without the dependencies only Pyodide's CDN has.
    'import piplite\nawait piplite.install(["graphviz", "tqdm"])\n'
    'await piplite.install("microgrand", deps=False)',
    "import microgrand as mg",  # starts loading the WebAssembly engine in the background
    'x = mg.Value(2.0, label="x")\ny = (x * 3).tanh()\ny.backward()\nmg.draw(y)',
    "print(mg.doctor())",
    "mg.live(y)",  # the pages run their own scripts in the notebook's output
    "mg.quiz(y)",
    "mg.explore(y)",
    "mg.step(y)",
]


def test_kernel_installs_microgrand_from_the_site_and_draws(
    browser: Any, self_hosted_url: str
) -> None:
    query = "&".join(["kernel=python"] + [f"code={urllib.parse.quote(c)}" for c in CELLS])
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    try:
        page.goto(f"{self_hosted_url}/repl/index.html?{query}", timeout=60_000)
        picture = page.locator(".jp-RenderedSVG img").first
        picture.wait_for(timeout=180_000)
        svg = urllib.parse.unquote(picture.get_attribute("src") or "")
        assert svg.startswith("data:image/svg+xml,") and "<svg" in svg
        for text in ("data = 2.0000", "data = 6.0000", "tanh", "grad = 1.0000"):
            assert text in svg, text
        report = page.locator(".jp-OutputArea-output", has_text="layout engine: wasm")
        report.wait_for(timeout=60_000)
        assert "test layout" in report.inner_text() and ": ok" in report.inner_text()
        # the live view recomputes in the page: x = 3 makes x·3 = 9
        leaf = page.locator('.mg-live input[data-leaf="x"]').first
        leaf.wait_for(timeout=60_000)
        leaf.fill("3")
        leaf.dispatch_event("change")
        product = page.locator('.mg-live [data-node="x·3"][data-field="data"]').first
        assert float(product.get_attribute("data-number") or "nan") == 9.0
        page.locator("[data-score]").first.wait_for(timeout=60_000)
        assert page.locator('input[data-answer="x"]').count() >= 1
        for kind in ("explore", "player"):  # both replaced their fallback picture by the view
            button = page.locator(f'.mg-page-{kind} [data-action="next"]').first
            button.wait_for(timeout=60_000)
            button.click()
            assert page.locator(f".mg-page-{kind} [data-step]").first.inner_text().strip()
        assert not [u for u in failed if not u.startswith(self_hosted_url)]
    finally:
        page.close()
