"""Test-suite settings shared by every test module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Shared machines are noisy: no per-example deadline. On CI the examples are derandomized so
# that a red build is reproducible; locally every run explores new examples.
settings.register_profile("default", deadline=None)
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first (``@pytest.mark.slow``), otherwise in the order collected.

    With several workers (``make unit`` runs pytest-xdist) the long tests then start early and
    the many short ones fill the gaps, instead of one worker running a long test alone at the end.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """microgrand's wheel, built once from this checkout (the packaging and set-up tests
    install it into fresh environments)."""
    out = tmp_path_factory.mktemp("dist")
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(root)],
        check=True,
        capture_output=True,
    )
    (whl,) = out.glob("microgrand-*.whl")
    return whl
