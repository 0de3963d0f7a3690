"""The quiz's Python side: the order it asks in (the backward pass's), what each box is called,
the line under each asked node, and a diagram whose markup holds no answer."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

import microgrand as mg
from microgrand.graph import Graph
from microgrand.pages.live import page_names
from microgrand.pages.quiz import QuizView
from microgrand.stepper.trace import trace


def lesson02() -> mg.Value:
    x, y, z = mg.Value(2.0, label="x"), mg.Value(-1.0, label="y"), mg.Value(3.0, label="z")
    p = x * y + z
    p.label = "p"
    q = x + mg.Value(1.0, label="1")
    q.label = "q"
    L = p * q
    L.label = "L"
    return L


def neuron() -> mg.Value:
    x, w, b = mg.Value(2.0, label="x"), mg.Value(-3.0, label="w"), mg.Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    return y


def _quizzes() -> list[QuizView]:
    return [
        mg.quiz(lesson02(), precision=0),
        mg.quiz(neuron()),
        *(mg.quiz.random(seed=s, difficulty=d) for s in range(4) for d in (1, 3, 5)),
    ]


def test_gradients_are_asked_in_the_order_of_the_backward_pass() -> None:
    for q in _quizzes():
        g = Graph.of(q.root)
        names = page_names(g)
        want = [names[s.id] for s in trace(q.root).steps if s.id != g.root]
        assert [a["name"] for a in q.answers()] == want
        assert [a["name"] for a in q.model()["answers"]] == want


def test_no_answer_needs_a_later_one() -> None:
    """A gradient needs the gradients of the nodes that use it; a value needs its inputs'
    values; a gradient needs the values of the nodes around it (so values come first)."""
    for q in [*_quizzes(), mg.quiz(neuron(), ask="both"), mg.quiz(lesson02(), ask="data")]:
        g = Graph.of(q.root)
        place = {(a["id"], a["field"]): i for i, a in enumerate(q.answers())}
        for e in g.edges:
            for src, dst in (
                ((e.src, "grad"), (e.dst, "grad")),
                ((e.dst, "data"), (e.src, "data")),
            ):
                if src in place and dst in place:
                    assert place[dst] < place[src], (src, dst)
        data = [i for (_, f), i in place.items() if f == "data"]
        grads = [i for (_, f), i in place.items() if f == "grad"]
        assert not data or not grads or max(data) < min(grads)


def test_the_lessons_order() -> None:
    q = mg.quiz(lesson02(), precision=0)
    assert [a["name"] for a in q.answers()] == ["q", "1", "p", "z", "x·y", "y", "x"]
    assert [a["value"] for a in q.answers()] == [1.0, 1.0, 3.0, 3.0, 3.0, 6.0, -2.0]


def test_each_box_is_named_and_asked() -> None:
    q = mg.quiz(neuron(), ask="both")
    by = {(a["name"], a["field"]): a for a in q.answers()}
    assert by[("x·w", "grad")]["label"] == "gradient of x·w, dy/d(x·w)"
    assert by[("x·w", "grad")]["question"] == "dy/d(x·w) = ?"
    assert by[("x·w", "data")]["label"] == "value of x·w"
    assert by[("x·w", "data")]["question"] == "x·w = ?"
    notes = q.model()["notes"]
    ids = {n.label or q.names[n.id]: n.id for n in q.graph.nodes}
    assert notes[ids["x·w"]] == "x·w = ?; dy/d(x·w) = ?"  # the value first, as asked
    assert notes[ids["x"]] == "dy/dx = ?"
    assert ids["y"] in notes and notes[ids["y"]] == "y = ?"  # the output's value, no gradient
    # each line is drawn under its node (the page writes the feedback there)
    svg = _view(q)
    for text in notes.values():
        assert f">{text}<" in svg.replace("\xa0", " ")


def _view(q: QuizView) -> str:
    """The view's markup as the page holds it (in its JSON), without its CSS."""
    found = re.search(
        r'<script type="application/json" class="mg-model">(.*?)</script>',
        q.html(uid="q"),
        flags=re.S,
    )
    assert found
    html: str = json.loads(found.group(1))["html"]
    return re.sub(r"<style>.*?</style>", "", html, flags=re.S)


@pytest.mark.parametrize("reveal", [True, False])
def test_the_diagram_markup_holds_no_answer(reveal: bool) -> None:
    q = mg.quiz(neuron(), ask="both", reveal=reveal)
    view = _view(q)
    numbers = set(re.findall(r'data-number="([^"]*)"', view.split('class="mg-key"')[0]))
    for a in q.answers():
        assert repr(a["value"]) not in numbers
    assert re.findall(r'data-field="grad" data-number="([^"]*)"', view).count("nan") == 5


def test_the_page_says_what_to_do_and_where_the_result_goes() -> None:
    view = _view(mg.quiz(lesson02(), precision=0, reveal=False))
    assert "Fill in every gradient, from the output back; Enter checks" in view
    assert '<div class="mg-status" role="status" aria-live="polite" data-status>' in view
    assert 'role="group" aria-label="Exercise on L"' in view
    assert 'data-action="zoom-in" aria-label="Zoom in"' in view
    both = _view(mg.quiz(neuron(), ask="both"))
    assert "Fill in every value and gradient, values first, then gradients" in both


def test_the_answer_key_uses_the_notation() -> None:
    q = mg.quiz(neuron(), ask="both")
    view = _view(q)
    rows: list[Any] = re.findall(r"<tr><td>([^<]*)</td>", view)
    assert rows == ["x·w", "x·w + b", "y", "dy/d(x·w + b)", "dy/db", "dy/d(x·w)", "dy/dw", "dy/dx"]
