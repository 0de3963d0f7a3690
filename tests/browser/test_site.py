"""The zero-install site (``make site``: JupyterLite in ``build/site/``), opened in Chromium
from a local web server.

What runs here without internet: the site's pages, its file browser with the lessons, a
lesson opened in the notebook editor, the site's package index (microgrand's wheel and the
widgets'). Starting the Python kernel needs Pyodide's distribution, which the site fetches
from Pyodide's CDN unless it was built with ``make site PYODIDE=<release archive>``; the
npm ``pyodide`` package has only Pyodide's core (no micropip, IPython or NumPy), so the
kernel itself is not started here: ``tests/test_pyodide.py`` runs the package in that core.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "site"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (SITE / "index.html").is_file(),
                       reason="no site in build/site: run `make site`"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


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
    widgets = {e["name"] for e in
               json.loads((SITE / "jupyter-lite.json").read_text("utf-8"))
               ["jupyter-config-data"]["federated_extensions"]}
    assert {"anywidget", "@jupyter-widgets/jupyterlab-manager"} <= widgets


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
