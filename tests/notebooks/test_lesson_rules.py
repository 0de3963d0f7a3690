"""The rules' own tests: the answer search finds what it says it finds (and no more), the width
rule measures pictures as documented, and a claim cell is told apart from one that is not."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import lesson_rules as rules
import pytest

from microgrand.lessons import code_cell, markdown_cell


def _nb(*cells: dict[str, Any]) -> dict[str, Any]:
    return {"cells": list(cells), "metadata": {}}


def _printed(text: str, cell_tags: tuple[str, ...] = ()) -> dict[str, Any]:
    cell = code_cell("x", list(cell_tags))
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": text}]
    return cell


def _shown(text: str, answer: Any) -> bool:
    return bool(rules.find_answers(_nb(_printed(text)), [answer]))


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "text"), [
    (6.1000000000000085, "the forward difference: 6.100000"),
    (6.1000000000000085, "6.1000000000000085"),
    (0.6000000000000001, "w after one step: 0.6000000000000001"),
    (1024.0, "dy/dx = 1024.0"),
    (1024, "dy/dx = 1024"),
    (0.7499999999999999, "slope 0.7500"),
    (1.0019080, "grad = 1.0019"),
    (1.0019080, "grad = 1.00191"),
    (-0.29137, "w = −0.2914 after the step"),  # matplotlib's minus sign
    (0.123456, "(0.123)"),
])
def test_numbers_found(answer: float, text: str) -> None:
    assert _shown(text, answer)


@pytest.mark.parametrize(("answer", "text"), [
    (6.1000000000000085, "f(3.1) with h = 0.1, not 6.1"),  # 2 digits: only with zeros after
    (6.1000000000000085, "6.105"),
    (6.1000000000000085, "16.100"),
    (1024.0, "10240 and 1.024"),
    (0.7499999999999999, "0.75"),
    (0.123456, "0.1234567 and 10.123"),
    (5, "5 nodes, 5.0"),  # small integers are not searched
    (True, "True"),
])
def test_numbers_not_found(answer: float, text: str) -> None:
    assert not _shown(text, answer)


def test_small_integers_and_odd_values_have_no_pattern() -> None:
    assert rules.number_patterns(42.0) == []
    assert rules.number_patterns(float("nan")) == []
    assert rules.number_patterns(100.0) != []


# --- text ------------------------------------------------------------------------------------


def test_text_answers_are_found_quoted_in_checks_and_outputs_only() -> None:
    check = code_cell('mg.check(q3, "B", hint="a sign error")', ["check"])
    question = markdown_cell('Which curve? Answer `"A"`, `"B"` or `"C"`.')
    labels = code_cell('curves = {"B": 1}')
    assert rules.find_answers(_nb(check), ["B"])
    assert rules.find_answers(_nb(_printed("['b', 'line']")), ["LINE"])
    assert not rules.find_answers(_nb(question, labels), ["B"])
    assert not rules.find_answers(_nb(_printed("a straight line")), ["line"])


def test_only_visible_text_of_pages_and_pictures_is_searched() -> None:
    cell = code_cell("x")
    cell["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {
        "text/html": "<script>var shown = 6.100000;</script><style>.a{width:6.100px}</style>"
                     "<p data-x='6.1000'>nothing</p>",
        "image/svg+xml": '<svg width="10pt"><path d="M 6.1000 2"/><text>grad 1.0019</text></svg>',
    }}]
    found = rules.find_answers(_nb(cell), [6.1000000000000085, 1.00190])
    assert len(found) == 1 and "image/svg+xml output" in found[0] and "1.0019" in found[0]


# --- where the answers come from -------------------------------------------------------------


def test_solution_answers() -> None:
    nb = _nb(
        code_cell("q1 = 6.1\nq2 = ['a', ('b', 2.5)]\nother = 99.5", ["solution"]),
        code_cell("q3 = 7.25"),  # not a solution
        code_cell("q4 = f(2)", ["solution"]),  # not a literal
    )
    assert rules.solution_answers(nb) == [6.1, "a", "b", 2.5]


def test_logged_answers() -> None:
    log = rules.load_log("\n".join(json.dumps(e) for e in [
        {"answer": "6.1", "expected": "6.100000000000012", "ok": True},
        {"answer": "'b'", "expected": "sha256:abc", "ok": True},
        {"answer": "'z'", "expected": "sha256:abc", "ok": False},
        {"answer": "0.5", "expected": "np.float64(0.25)", "ok": False},
        {"answer": "[1, 2]", "expected": "<object at 0x1>", "ok": True},
    ]))
    assert rules.logged_answers(log) == [6.100000000000012, 6.1, "b", 0.25, 1, 2]


# --- claims ----------------------------------------------------------------------------------


def _claim(source: str, hidden: bool = True) -> dict[str, Any]:
    cell = code_cell(source, ["claim"])
    if hidden:
        cell["metadata"]["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    return cell


def test_claim_problems() -> None:
    assert rules.claim_problems(_claim("assert acc > 0.9, acc")) == []
    assert rules.claim_problems(_claim("assert acc > 0.9", hidden=False)) == [
        "is not collapsed (source_hidden and outputs_hidden)"]
    assert rules.claim_problems(_claim("acc > 0.9")) == [
        "asserts nothing", "ends with an expression, which Jupyter would display"]
    assert rules.claim_problems(_claim("assert acc > 0.9\nprint(acc)")) == [
        "ends with an expression, which Jupyter would display", "prints"]


# --- pictures --------------------------------------------------------------------------------


def _svg(width_pt: float, font: float) -> str:
    return (f'<svg width="{width_pt}pt" height="100pt" viewBox="0.00 0.00 {width_pt} 100">'
            f'<g id="graph0" transform="scale(1 1) rotate(0) translate(4 96)">'
            f'<text font-size="{font:.2f}">x</text></g></svg>')


def _png(width: int, dpi: float | None = None, matplotlib: bool = False) -> str:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if matplotlib:
        info.add_text("Software", "Matplotlib version3.11.2, https://matplotlib.org/")
    buf = io.BytesIO()
    Image.new("RGB", (width, 10)).save(buf, "PNG", pnginfo=info,
                                       **({"dpi": (dpi, dpi)} if dpi else {}))
    return base64.b64encode(buf.getvalue()).decode()


def _out(data: dict[str, str]) -> dict[str, Any]:
    cell = code_cell("x")
    cell["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": data}]
    return _nb(cell)


def test_svg_readability() -> None:
    assert rules.svg_readability(_svg(600, 12)) == (800, 20.0)
    width, text = rules.svg_readability(_svg(1500, 14))
    assert width == 2000 and text == pytest.approx(9.33, abs=0.01)
    assert not rules.picture_problems(_out({"image/svg+xml": _svg(1500, 14)}))
    (problem,) = rules.picture_problems(_out({"image/svg+xml": _svg(1500, 12)}))
    assert "SVG 2000 px wide, its smallest text 8.0 px" in problem


def test_png_width_rule() -> None:
    assert rules.png_width(_png(1000)) == 1000
    assert not rules.picture_problems(_out({"image/png": _png(1000)}))
    assert rules.picture_problems(_out({"image/png": _png(1001)}))
    # a matplotlib figure at 100 dpi: 10 pt text is 13.9 px, still 9 px up to ~1,543 px wide
    assert not rules.picture_problems(_out({"image/png": _png(1500, 100, matplotlib=True)}))
    assert rules.picture_problems(_out({"image/png": _png(1600, 100, matplotlib=True)}))
    assert rules.picture_problems(_out({"image/png": _png(1500, 100)}))  # not matplotlib's


def test_pictures_inside_pages_and_beside_svgs() -> None:
    wide = _png(2500)
    assert not rules.picture_problems(_out({"image/png": wide,
                                            "image/svg+xml": _svg(600, 12)}))  # the SVG shows
    page = f'<div><img src="data:image/png;base64,{wide}" alt="pass"></div>'
    (problem,) = rules.picture_problems(_out({"text/html": page}))
    assert "page PNG 2500 px wide" in problem
    in_script = f"<script>const s = '{_svg(3000, 8)}';</script>"
    assert not rules.picture_problems(_out({"text/html": in_script}))
    assert rules.picture_problems(_out({"text/html": _svg(3000, 8)}))
