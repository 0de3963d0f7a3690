"""What every browser test shares: one Chromium for the session, one JupyterLab server for the
tests that need one, and pages that record.

Chromium comes from the system (Debian's ``chromium``), driven by Playwright with the flags of
the README screenshot tool; the tests skip with a reason where either is missing. With several
test workers (pytest-xdist) each worker has its own session: its own Chromium, and its own
JupyterLab server if it runs a JupyterLab test (``--dist worksteal`` hands each worker a
contiguous part of the collection, so all of them normally run on one worker).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import JupyterLab, jupyterlab_server

from tools.screenshot import ARGS, find_chromium

CHROMIUM = find_chromium()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium, shared by every browser test of the session."""
    if CHROMIUM is None:
        pytest.skip("no Chromium installed (apt-get install chromium) for the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[JupyterLab]:
    """One JupyterLab server for the session, serving an empty temporary folder (each test
    module writes its notebooks into a folder of its own under ``jupyter_lab.root``).

    Needs the browser first, so that a machine without Chromium skips before starting a server.
    """
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed (pip install jupyterlab)")
    with jupyterlab_server(tmp_path_factory.mktemp("jupyterlab")) as lab:
        yield lab
