"""The pages of lessons 01, 02 and 06, built as the lessons build them, for the checks that a
class can read and use every page (tests/browser/test_classroom.py).

Each entry is ``(name, code)``: ``code`` is Python that leaves the page in ``page`` (an object
with ``save(path)`` and a notebook representation), using ``mg`` and the lesson graphs of
``tests/graphs.py`` (as ``graphs``); the same text runs in a notebook cell, so the saved page
and the JupyterLab output come from identical code.
"""

from __future__ import annotations

from typing import Any

import graphs

import microgrand as mg

PAGES: list[tuple[str, str]] = [
    (
        "01-live",
        'page = mg.live(graphs.lesson01_neuron(), show=["data"], color=None, edge_labels=False,'
        ' rankdir="TB", precision=2)',
    ),
    ("02-player", 'page = mg.step(graphs.lesson02_by_hand(), rankdir="TB", precision=2)'),
    (
        "02-live",
        'page = mg.live(graphs.lesson02_neuron(), show=["grad"], edge_labels=False,'
        ' rankdir="TB", precision=2)',
    ),
    ("02-live-edges", "page = mg.live(graphs.lesson02_neuron())"),
    (
        "02-quiz",
        "page = mg.quiz(graphs.lesson02_worksheet(backward=True), precision=0, reveal=False)",
    ),
    ("02-quiz-reveal", "page = mg.quiz(graphs.lesson02_worksheet(backward=True), precision=0)"),
    ("06-explore", 'page = mg.explore(graphs.lesson06_tiny(), rankdir="TB")'),
    ("06-step", "page = mg.step(graphs.lesson06_tiny(), max_steps=20)"),
    (
        "06-playground",
        'pg = mg.playground(dataset="spirals", layers=[8, 8], activation="relu",'
        ' optimizer="adam", lr=0.03, batch_size=10, seed=0, record_every=30)\n'
        "pg.step(300)\npage = pg",
    ),
]


def build(code: str) -> Any:
    """Run one entry's code and give its ``page``."""
    scope: dict[str, Any] = {"mg": mg, "graphs": graphs}
    exec(code, scope)
    return scope["page"]
