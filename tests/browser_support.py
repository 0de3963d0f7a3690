"""Helpers for the browser tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


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
