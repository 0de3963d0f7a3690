"""End to end in a real JupyterLab (Playwright + Chromium): a stored playground output shows its
picture, never a widget error; a live ``mg.playground()`` steps when its Step button is clicked.

The server runs on 127.0.0.1 with a token in a temporary root folder and is always stopped
(its whole process group, kernels included). Skipped with a reason only where JupyterLab
cannot start."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from microgrand.play import playground
from tools.screenshot import find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    pytest.importorskip("jupyterlab")
    pytest.importorskip("anywidget")
    nbformat = pytest.importorskip("nbformat")
    if find_chromium() is None:
        pytest.skip("no Chromium installed (apt-get install chromium) for the browser tests")
    root = tmp_path_factory.mktemp("lab")
    # a stored notebook, as a student receives it: outputs saved, never run here (untrusted)
    pg = playground(dataset="xor", layers=[4], seed=0)
    pg.step(20)
    data, meta = pg._repr_mimebundle_()
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nb = nbformat.v4.new_notebook(metadata=kernel)
    cell = nbformat.v4.new_code_cell("import microgrand as mg\npg = mg.playground()\npg")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
    nb.cells.append(cell)
    nbformat.write(nb, root / "stored.ipynb")
    live = nbformat.v4.new_notebook(metadata=kernel)
    live.cells.append(nbformat.v4.new_code_cell(
        "import microgrand as mg\npg = mg.playground(dataset='xor', layers=[4], seed=0)\npg"
    ))
    nbformat.write(live, root / "live.ipynb")

    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "JUPYTER_CONFIG_DIR": str(root / ".jupyter"), "JUPYTER_RUNTIME_DIR": str(root / ".runtime")}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=", *(["--allow-root"] if os.geteuid() == 0 else []), "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(root / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                tail = (root / "server.log").read_text(errors="replace")[-500:]
                pytest.skip(f"JupyterLab could not start (exit {proc.returncode}): {tail}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.skip("JupyterLab did not answer within 90 s")
                time.sleep(0.5)
        # one workspace per notebook, so that each page shows only its own notebook
        yield f"{base}/lab/workspaces/{{0}}/tree/{{0}}.ipynb?token={token}", root
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


def test_stored_output_shows_the_picture_not_a_widget_error(lab: tuple[str, Path], browser: Any) -> None:
    url, _ = lab
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(url.format("stored"))
    img = page.locator(".jp-OutputArea-output img").first
    img.wait_for(state="visible", timeout=60_000)
    assert img.evaluate("i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0")
    text = page.locator(".jp-OutputArea-output").first.inner_text()
    assert "Run this cell" in text
    assert "Error displaying widget" not in text and "model not found" not in text
    assert "Loading widget" not in text
    page.close()


def test_live_widget_steps_in_jupyterlab(lab: tuple[str, Path], browser: Any) -> None:
    url, _ = lab
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url.format("live"))
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
    assert "Error displaying widget" not in page.locator(".jp-OutputArea-output").first.inner_text()
    assert errors == []
    page.close()
