"""explain(): chain-rule lines whose numbers match hand-computed values and sympy."""

from __future__ import annotations

import re

import pytest
import sympy

from microgrand import Value
from microgrand.stepper import trace
from microgrand.stepper.explain import Explanation, explain, format_number, latex_name

NUMBER = r"\(?(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\)?"


def neuron() -> tuple[Value, Value, Value, Value, Value]:
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    b = Value(6.88, label="b")
    z = x * w
    z.label = "z"
    n = z + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, x, w, b, n


def numbers(stage: str) -> list[float]:
    return [float(m) for m in re.findall(NUMBER, stage)]


def test_neuron_lines_hand_computed() -> None:
    o, *_ = neuron()
    lines = explain(o, precision=6).lines
    # By hand: n = 2·(−3) + 6.88 = 0.88; o = tanh(0.88) = 0.7064193;
    # do/dn = 1 − o² = 1 − 0.4990283 = 0.5009717; + passes it on unchanged to b and z;
    # do/dw = 0.5009717 · x = 1.001943; do/dx = 0.5009717 · w = −1.502915.
    assert list(lines) == [
        # the output is called o: "d(o)", so that no line reads "do/do"
        "d(o)/d(o) = 1.0   (start: o changes one-for-one with itself)",
        "d(o)/dn = d(o)/d(o) · ∂(o)/∂n = 1.0 · (1 − o²) = 1.0 · 0.500972 = 0.500972",
        "d(o)/db = d(o)/dn · ∂n/∂b = 0.500972 · 1.0 = 0.500972",
        "d(o)/dz = d(o)/dn · ∂n/∂z = 0.500972 · 1.0 = 0.500972",
        "d(o)/dw = d(o)/dz · ∂z/∂w = 0.500972 · x = 0.500972 · 2.0 = 1.001943",
        "d(o)/dx = d(o)/dz · ∂z/∂x = 0.500972 · w = 0.500972 · (-3.0) = -1.502915",
    ]


def test_neuron_numbers_match_sympy() -> None:
    o, *_ = neuron()
    xs, ws, bs = sympy.symbols("x w b")
    expr = sympy.tanh(xs * ws + bs)
    at = {xs: 2, ws: -3, bs: sympy.Rational(688, 100)}
    pairs = [("x", xs), ("w", ws), ("b", bs)]
    expected = {name: float(sympy.diff(expr, s).subs(at)) for name, s in pairs}
    text = explain(o, precision=12)
    for line in text.lines:
        lhs, *stages = line.split(" = ")
        name = lhs.split("/d")[-1]
        if name in expected:
            # the last stage is the result; the one before is upstream · local
            assert float(stages[-1]) == pytest.approx(expected[name], rel=1e-10)
            up, local = numbers(stages[-2])
            assert up * local == pytest.approx(expected[name], rel=1e-10)


def test_accumulation_is_a_sum() -> None:
    a = Value(3.0, label="a")
    c = Value(2.0, label="c")
    p = a * c  # dL/da gets c = 2 from here
    q = a + 1.0  # … and 3 · 1 = 3 from here, through L = p + 3q
    q.label = "q"
    p.label = "p"
    L = p + 3 * q
    L.label = "L"
    line = explain(L, nodes=[a]).lines[0]
    stages = line.split(" = ")
    assert stages[0] == "dL/da"
    assert stages[1] == "dL/dq · ∂q/∂a + dL/dp · ∂p/∂a"
    assert stages[-2] == "3.0 + 2.0"
    assert stages[-1] == "5.0"
    # a * a: both terms come from the same node
    b = Value(3.0, label="a")
    sq = b * b
    sq.label = "s"
    assert explain(sq).lines[1].endswith("= 3.0 + 3.0 = 6.0")


def test_unlabelled_names_and_root_called_L() -> None:
    x = Value(2.0)  # used twice: a letter (c, for an unlabelled input), never its id
    y = x * x + 3.0
    lines = explain(y).lines
    assert lines[0].startswith("dL/dL = 1.0")
    assert lines[1].startswith("dL/dc2 = ")  # the constant 3.0: the next free name
    assert lines[-1].startswith("dL/dc = dL/d(c·c) · ∂(c·c)/∂c + ")
    assert lines[-1].endswith("= 1.0 · c + 1.0 · c = 1.0 · 2.0 + 1.0 · 2.0 = 2.0 + 2.0 = 4.0")
    # an unlabelled node whose inputs are labelled is named by its expression
    w = Value(3.0, label="w")
    assert explain((w * 2.0).tanh(), nodes=[w]).lines[0].startswith("dL/dw = dL/d(w·2) · ")


def test_blocked_and_zero_lines() -> None:
    x = Value(-1.0, label="x")
    r = x.relu()
    r.label = "r"
    z = r * 0.0
    z.label = "z"
    lines = explain(z).lines
    assert lines[2].startswith("dz/dr = ")
    assert lines[2].endswith("(this is 0, so nothing flows back through r)")
    assert lines[-1].startswith("dz/dx = 0.0   (nothing flows back to x")


def test_latex_and_markdown_formats() -> None:
    o, *_ = neuron()
    lx = explain(o, "latex")
    assert isinstance(lx, Explanation) and isinstance(lx, str)
    assert str(lx).startswith("\\begin{aligned}") and str(lx).endswith("\\end{aligned}")
    assert lx._repr_latex_() == f"$${lx}$$"
    assert lx._repr_markdown_() is None
    assert r"\frac{\mathrm{d} o}{\mathrm{d} n} &= " in str(lx)
    assert r"\frac{\partial o}{\partial n}" in str(lx)  # the local derivative of tanh
    assert r"\left(1 - o^2\right)" in str(lx)
    # braces balance in every line (valid LaTeX grouping)
    for line in lx.lines:
        assert line.count("{") == line.count("}")
        assert line.count(r"\left(") == line.count(r"\right)")
    md = explain(o, format="markdown")
    assert md._repr_markdown_() == str(md) and md._repr_latex_() is None
    assert md.lines[0].startswith("1. **o** (the output): $")
    assert len(md.lines) == 6 and all(ln.endswith("$") for ln in md.lines)


def test_latex_escapes_labels() -> None:
    a = Value(1.0, label="a_1&b")
    y = a * 2.0
    y.label = "my loss"
    text = str(explain(y, "latex"))
    assert r"a\_1\&b" in text and r"\mathrm{my} \mathrm{loss}" in text
    assert latex_name("tanh(n)") == r"\operatorname{tanh}(n)"


def test_format_number_and_errors() -> None:
    assert format_number(1.5) == "1.5" and format_number(-0.0) == "0.0"
    assert format_number(float("nan")) == "nan" and format_number(float("-inf")) == "-inf"
    with pytest.raises(ValueError, match="format must be one of"):
        explain(Value(1.0), format="html")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="precision"):
        explain(Value(1.0), precision=13)
    with pytest.raises(TypeError, match="output Value or a Trace"):
        explain([1.0])  # type: ignore[arg-type]
    t = trace(Value(1.0, label="x") * 2)
    assert explain(t) == explain(t.root)


def test_sums_agree_with_their_terms() -> None:
    # 4.5 + 2.125 + 5.5 = 12.125: significant digits would print "12.12" after exact terms.
    from microgrand.stepper.explain import format_number

    assert [format_number(v) for v in (4.5, 2.125, 5.5, 12.125)] == [
        "4.5",
        "2.125",
        "5.5",
        "12.125",
    ]
    w = Value(1.0, label="w")
    loss = w * 4.5 + w * 2.125 + w * 5.5
    loss.label = "L"
    loss.backward()
    assert explain(loss, nodes=[w]).lines[-1].endswith("= 5.5 + 2.125 + 4.5 = 12.125")
