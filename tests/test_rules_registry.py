"""One operation, one entry: a rule registered at run time works everywhere at once.

The rule ``cube`` (x³, local derivative 3x²) is registered by one :func:`defrule` call in
this file and removed afterwards; nothing else is edited. It must then work in the parser,
the command line, ``explain`` (text and LaTeX), the diagram and the JavaScript engine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import engine_js
import pytest

import microgrand as mg
from microgrand.cli import main
from microgrand.expr import FUNCTIONS
from microgrand.rules import RULES, Rule, defrule, rules_js
from microgrand.stepper.explain import latex_name


@pytest.fixture
def cube() -> Iterator[Rule]:
    # x³: d/dx = 3x²
    r = defrule(
        "cube",
        symbol="cube",
        arity=1,
        forward=lambda x: x * x * x,
        local=lambda out, x: (3.0 * x * x,),
        text="cube(x)",
        dtext=("3·x²",),
        latex=r"x^{3}",
        dlatex=(r"3\,x^{2}",),
        sympy="x**3",
        js_forward="x * x * x",
        js_local=("3 * x * x",),
        doc="x³. Example: ``apply('cube', 2.0).data == 8.0``.",
    )
    try:
        yield r
    finally:
        RULES.pop("cube")


def test_cube_in_the_parser_and_apply(cube: Rule) -> None:
    assert "cube" in FUNCTIONS and "cube" in list(FUNCTIONS)
    e = mg.parse_expression("cube(x) * 2", {"x": 2.0})
    e.backward()
    assert e.data == 16.0
    x = next(v for v in mg.topological_order(e) if v.label == "x")
    assert x.grad == 24.0  # 2 · 3x²
    y = mg.apply("cube", mg.Value(-3.0))
    assert y.data == -27.0 and y.local_grads == (27.0,) and y.rule is cube
    with pytest.raises(OverflowError, match=r"^cube: cube\(x\) overflows for x = 1e\+200"):
        mg.apply("cube", 1e200)
    with pytest.raises(mg.ExpressionError, match="one argument"):
        mg.parse_expression("cube(x, 2)", {"x": 1.0})


def test_cube_on_the_command_line(cube: Rule, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "cube(x)", "x=2"]) == 0
    out = capsys.readouterr().out
    # the chain rule with the rule's own local derivative, worded and evaluated
    assert "dL/dx = dL/dL · ∂L/∂x = 1.0 · 3·x² = 1.0 · 12.0 = 12.0" in out
    assert main(["explain", "cube(x)", "x=-1e200"]) == 2  # refused while parsing
    err = capsys.readouterr().err
    assert "cube: cube(x) overflows for x = -1e+200" in err


def test_cube_in_explain_text_and_latex(cube: Rule) -> None:
    x = mg.Value(2.0, label="x")
    y = mg.apply("cube", x) * 2
    text = mg.explain(y)
    assert "∂(cube(x))/∂x = 2.0 · 3·x² = 2.0 · 12.0 = 24.0" in text
    latex = mg.explain(y, "latex")
    assert r"\frac{\partial \operatorname{cube}(x)}{\partial x}" in latex
    assert r"\left(3\,x^{2}\right) = 2.0 \cdot 12.0 = 24.0" in latex
    assert latex_name("cube(x)") == r"\operatorname{cube}(x)"
    RULES.pop("cube")
    try:  # derived live: without the rule the name is no longer a function
        assert latex_name("cube(x)") == r"\mathrm{cube}(x)"
    finally:
        RULES["cube"] = cube


def test_cube_in_the_diagram(cube: Rule) -> None:
    y = mg.parse_expression("cube(x)", {"x": 2.0})
    d = mg.draw(y)
    assert re.search(r">\s*cube\s*<", d.svg()), "the rule's symbol is drawn"
    assert "cube" in d.dot
    trace = mg.trace(y)
    assert trace.steps[0].name == "cube(x)"


def test_cube_in_the_js_engine(cube: Rule) -> None:
    spec = rules_js()["cube"]
    assert spec["forward"] == "x * x * x" and spec["local"] == ["3 * x * x"]
    if not os.access(engine_js.NODE, os.X_OK):
        pytest.skip("node is not installed (needed to run engine.js)")
    model = {
        "nodes": [
            {"id": "n0", "op": "", "inputs": [], "value": 2.0},
            {"id": "n1", "op": "cube", "inputs": ["n0"], "param": None},
        ]
    }
    out = engine_js.evaluate(model)
    assert out["values"] == [2.0, 8.0] and out["grads"] == [12.0, 1.0]


def test_registry_refuses_duplicates_and_bad_entries() -> None:
    with pytest.raises(ValueError, match="already registered"):
        defrule(
            "tanh",
            symbol="t",
            arity=1,
            forward=lambda x: x,
            local=lambda out, x: (1.0,),
            text="x",
            dtext=("1",),
            latex="x",
            dlatex=("1",),
            sympy="x",
            js_forward="x",
            js_local=("1",),
        )
    with pytest.raises(ValueError, match="one per input"):
        defrule(
            "twice",
            symbol="2",
            arity=2,
            forward=lambda x, y: x,
            local=lambda o, x, y: (1.0,),
            text="x",
            dtext=("1",),
            latex="x",
            dlatex=("1",),
            sympy="x",
            js_forward="x",
            js_local=("1",),
        )
    assert "twice" not in RULES


def test_tables_are_derived_from_the_rules() -> None:
    binary = {r.name: r.operator for r in RULES.values() if r.operator and r.arity == 2}
    assert binary == {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
    dunder = {"add": "add", "sub": "sub", "mul": "mul", "div": "truediv", "pow": "pow"}
    for name in binary:  # each operator's method and its reflected one come from its rule
        assert getattr(mg.Value, f"__{dunder[name]}__").__name__ in (f"__{name}__", "__pow__")
        assert getattr(mg.Value, f"__r{dunder[name]}__").__name__ == f"__r{name}__"
    assert set(FUNCTIONS) == {r.name for r in RULES.values() if r.function} | {"leaky_relu"}
    for name in FUNCTIONS:
        if name in RULES and name != "abs":
            assert callable(getattr(mg, name)), name
            assert getattr(mg, name).__doc__ == RULES[name].doc
