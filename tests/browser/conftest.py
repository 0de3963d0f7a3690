"""What every browser test shares: one Chromium for the session, and pages that record.

Chromium comes from the system (Debian's ``chromium``), driven by Playwright with the flags of
the README screenshot tool; the tests skip with a reason where either is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

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
