"""Test-suite settings shared by every test module."""

from __future__ import annotations

import os

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
