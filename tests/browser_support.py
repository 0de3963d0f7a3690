"""Helpers for the browser tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


class RecordingPage:
    """A browser page with every request and every console error or warning recorded."""

    def __init__(self, browser: Any, width: int = 1200, height: int = 800) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: Path) -> None:
        """Open a saved page from disk (``file://``)."""
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)


@dataclass(frozen=True)
class JupyterLab:
    """A running JupyterLab server: where it answers, its token, the folder it serves."""

    base: str
    token: str
    root: Path

    def url(self, path: str = "lab", query: str = "") -> str:
        """The address of ``path`` on the server, logged in with the token."""
        return f"{self.base}/{path}?token={self.token}" + (f"&{query}" if query else "")


def _lab_settings(settings: Path) -> None:
    """Every cell rendered at once (no lazy windowing), no news or update checks."""
    for plugin, values in {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's whole process group (its kernels included)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=15)
            break
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


@contextmanager
def jupyterlab_server(home: Path, timeout: float = 90.0) -> Iterator[JupyterLab]:
    """Run ``jupyter lab`` on 127.0.0.1 with a fresh token, everything of its own under ``home``.

    It serves ``home / "root"``, keeps its configuration, settings, runtime files and log in
    ``home`` (its kernels see ``home`` as their home), listens on a port the system picks and
    is always stopped on exit. Skips the calling test with the server's log where it cannot
    start within ``timeout`` seconds.
    """
    root, runtime, settings = home / "root", home / "runtime", home / "settings"
    root.mkdir(parents=True)
    _lab_settings(settings)
    token = secrets.token_hex(16)
    env = dict(
        os.environ,
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    )
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.open_browser=False",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    log_path = home / "server.log"
    with log_path.open("wb") as log:  # the child keeps its own copy of the handle
        proc = subprocess.Popen(
            cmd, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def give_up(why: str) -> None:
        pytest.skip(f"JupyterLab {why}: {log_path.read_text(errors='replace')[-500:]}")

    try:
        deadline = time.monotonic() + timeout
        base = ""
        while True:
            if proc.poll() is not None:
                give_up(f"could not start (exit {proc.returncode})")
            if not base:  # the server writes where it listens once it does
                for info in runtime.glob("jpserver-*.json"):
                    with suppress(OSError, ValueError, KeyError):
                        base = f"http://127.0.0.1:{json.loads(info.read_text())['port']}"
            if base:
                try:
                    with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                        break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                give_up(f"did not answer within {timeout:.0f} s")
            time.sleep(0.25)
        yield JupyterLab(base, token, root)
    finally:
        _stop(proc)


AXE = ROOT / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Any, selector: str | None = None) -> list[dict[str, Any]]:
    """Every axe-core violation (any impact, every rule axe runs by default: WCAG 2.0-2.2 A/AA
    and best practices) in a Playwright ``page``, or only inside ``selector``.

    Each item is ``{"id", "impact", "help", "nodes": [{"target", "html", "summary"}]}``.
    axe-core comes from npm (``make npm-deps``); the test skips with a reason without it.
    """
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (make npm-deps)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (sel) => {
            const ctx = sel ? {include: [sel]} : document;
            const r = await axe.run(ctx, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200),
                                          summary: n.failureSummary}))}));
        }""",
        selector,
    )
    return list(result)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """The violations as lines a failing assertion can show."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {n['target']}: {n['html'][:120]}" for n in v["nodes"][:5])
    return "\n".join(lines)


def text_sizes(page: Any, selector: str) -> list[tuple[float, str]]:
    """The rendered height in CSS px of the font of every visible piece of text inside
    ``selector`` (HTML text and SVG ``<text>``, at the scale it is drawn), with the text.

    For SVG text this is its font size times the scale of the screen transform (so a diagram
    shrunk to fit a cell counts as small as it looks); for HTML text, the computed font size.
    """
    result = page.evaluate(
        """(sel) => {
            const out = [];
            for (const root of document.querySelectorAll(sel)) {
              for (const t of root.querySelectorAll('svg text')) {
                const r = t.getBoundingClientRect();
                if (!r.width || !r.height || !t.textContent.trim()) continue;
                const st = getComputedStyle(t);
                if (st.visibility === 'hidden' || st.display === 'none') continue;
                const m = t.getScreenCTM();
                const scale = m ? Math.hypot(m.a, m.b) : 1;
                out.push([parseFloat(st.fontSize) * scale, t.textContent.trim()]);
              }
              const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
              for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const el = n.parentElement;
                if (!el || !n.textContent.trim() || el.closest('svg, script, style')) continue;
                const r = el.getBoundingClientRect();
                if (!r.width || !r.height) continue;
                const st = getComputedStyle(el);
                if (st.visibility === 'hidden') continue;
                out.push([parseFloat(st.fontSize), n.textContent.trim()]);
              }
            }
            return out;
        }""",
        selector,
    )
    return [(float(s), str(t)) for s, t in result]


def min_text_px(page: Any, selector: str) -> tuple[float, str]:
    """The smallest rendered text inside ``selector`` (see :func:`text_sizes`): its size in
    CSS px and the text; ``(inf, "")`` when there is no visible text."""
    sizes = text_sizes(page, selector)
    return min(sizes, default=(float("inf"), ""))
