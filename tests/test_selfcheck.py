"""mg.check: the self-checking questions of the lessons."""

from __future__ import annotations

import microgrand as mg


def test_numbers_within_tolerance_are_right() -> None:
    assert mg.check(0.25, 0.25)
    assert mg.check(0.2501, 0.25)  # rounded answers count
    assert mg.check(1, 1.0)
    assert not mg.check(0.3, 0.25)
    assert not mg.check(-0.25, 0.25)
    assert mg.check(0.3, 0.25, rel_tol=0.5)


def test_text_letters_lists_and_booleans() -> None:
    assert mg.check(" b ", "B")
    assert not mg.check("c", "B")
    assert mg.check([1, 2.0004], [1.0, 2.0])
    assert not mg.check([1, 2], [1, 2, 3])
    assert not mg.check("12", [1, 2])
    assert mg.check(True, True)
    assert not mg.check(1, True)  # True is an answer of its own, not the number 1
    assert not mg.check("0.25", 0.25)


def test_messages() -> None:
    right = mg.check(2, 2)
    assert right.ok and repr(right) == "✓ right"
    wrong = mg.check(3, 2, hint="count the paths")
    assert not wrong.ok and isinstance(wrong, mg.Verdict)
    assert repr(wrong) == "✗ not yet: you answered 3. Hint: count the paths"
    assert repr(mg.check(3, 2)) == "✗ not yet: you answered 3."
    for blank in (..., None):
        v = mg.check(blank, 2)
        assert not v and repr(v).startswith("… not answered yet")
