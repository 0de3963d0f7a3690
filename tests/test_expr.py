"""The safe expression parser: values checked against sympy, bad input rejected with a caret."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from microgrand import ExpressionError, Value, parse_expression
from microgrand.expr import MAX_LENGTH, build_expression

VARS = {"x": 0.7, "w": -1.3, "b": 0.4}


@pytest.mark.parametrize(
    "text",
    [
        "tanh(x*w + b)",
        "x**2 + 3*x - 1/w",
        "sigmoid(x) * relu(w) + softplus(b)",
        "exp(x) - log(b) + sqrt(x)",
        "sin(x) * cos(w) / (1 + abs(w))",
        "-x + +w - -b",
        "x**w + 2**x",
        "leaky_relu(w, 0.1) * leaky_relu(x)",
        "x*x*x",
    ],
)
def test_values_and_gradients_match_sympy(text: str) -> None:
    e = build_expression(text, VARS)
    e.root.backward()
    syms = {k: sp.Symbol(k, real=True) for k in VARS}
    env = {
        **syms,
        "tanh": sp.tanh,
        "exp": sp.exp,
        "log": sp.log,
        "sqrt": sp.sqrt,
        "sin": sp.sin,
        "cos": sp.cos,
        "Abs": sp.Abs,
        "abs": sp.Abs,
        "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
        "relu": lambda z: sp.Max(0, z),
        "softplus": lambda z: sp.log(1 + sp.exp(z)),
        "leaky_relu": lambda z, a=None: sp.Piecewise(
            (z, z > 0), ((sp.Rational(1, 100) if a is None else a) * z, True)
        ),
    }
    expr = sp.sympify(text, locals=env)
    subs = {syms[k]: sp.Float(v, 30) for k, v in VARS.items()}
    assert e.root.data == pytest.approx(float(expr.subs(subs).evalf(30)), rel=1e-12)
    for name, leaf in e.leaves.items():
        d = sp.diff(expr, syms[name])
        assert leaf.grad == pytest.approx(float(d.subs(subs).evalf(30)), rel=1e-9, abs=1e-12)
    assert set(e.leaves) == {str(s) for s in expr.free_symbols}


def test_variables_become_labelled_single_leaves() -> None:
    e = build_expression("x*x + y", {"x": 3.0, "y": 1.0, "unused": 5.0})
    assert e.leaves["x"].label == "x"
    mul = e.root.inputs[0]
    assert mul.inputs[0] is mul.inputs[1] is e.leaves["x"]
    e.root.backward()
    assert e.leaves["x"].grad == 6.0


def test_value_variables_are_used_as_given() -> None:
    w = Value(2.0, label="weight")
    y = parse_expression("w * 3", {"w": w})
    assert y.inputs[0] is w and w.label == "weight"


def test_constant_expression_is_a_value() -> None:
    y = parse_expression("2 * 3 + 1", {})
    assert isinstance(y, Value) and y.data == 7.0


def caret_of(e: ExpressionError) -> int:
    lines = str(e).split("\n")
    return lines[2].index("^") - 2 + 1  # 1-based column under the two-space indent


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("x.__class__", "attribute access (.__class__)", 2),
        ("().__class__", "attribute access", 3),
        ("__import__('os').system('touch /tmp/x')", "can be called", 17),
        ("open('f')", "unknown function 'open'", 1),
        ("lambda: 1", "lambda", 1),
        ("[i for i in x]", "comprehensions", 1),
        ("x[0]", "subscripts", 1),
        ("tanh(x=1)", "keyword", 8),
        ("__x + 1", "'__'", 1),
        ("'a' + x", "strings", 1),
        ("True + x", "True is not a number", 1),
        ("None", "None is not a number", 1),
        ("3j * x", "complex", 1),
        ("9**9**9", "exponent 387420489 is too large", 4),
        ("x ** 101", "exponent 101 is too large", 6),
        ("1e400 * x", "too large", 1),
        ("z + x", "unknown variable 'z' (defined: b, w, x)", 1),
        ("x +", "invalid syntax", 4),
        ("x // 2", "floor division", 1),
        ("x < 2", "comparisons", 1),
        ("x if b else w", "conditional", 1),
        ("tanh", "is a function", 1),
        ("tanh(x, w)", "takes one argument", 1),
        ("leaky_relu(x, w)", "slope", 15),
        ("log(w)", "the logarithm needs x > 0", 1),
        ("x / (b - b)", "division by zero", 1),
        ("exp(1000 + x)", "overflow", 1),
        ("  x.a", "attribute access", 4),
    ],
)
def test_rejected_with_column(text: str, fragment: str, column: int) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text, VARS)
    e = info.value
    assert fragment in str(e)
    assert e.column == column
    assert caret_of(e) == column
    assert isinstance(e, ValueError)


def test_limits() -> None:
    with pytest.raises(ExpressionError, match="too long"):
        parse_expression("x+" * MAX_LENGTH + "x", VARS)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse_expression("-" * 220 + "x", VARS)
    assert parse_expression("+".join(["x"] * 150), VARS).data == pytest.approx(150 * 0.7)
    with pytest.raises(ExpressionError, match="too complex"):
        parse_expression("+".join(["(x+x)"] * 130), VARS)
    with pytest.raises(ExpressionError, match="empty"):
        parse_expression("   ", VARS)
    with pytest.raises(ExpressionError, match=r"too long|too large|cannot be parsed"):
        parse_expression("1" * 1999, VARS)


def test_bad_variables() -> None:
    with pytest.raises(ExpressionError, match="not a valid name"):
        parse_expression("x", {"1x": 1.0})
    with pytest.raises(ExpressionError, match="name of a function"):
        parse_expression("x", {"tanh": 1.0})
    with pytest.raises(ExpressionError, match="must be a number"):
        parse_expression("x", {"x": "1"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        parse_expression(3, VARS)  # type: ignore[arg-type]


def test_source_never_evaluates_python() -> None:
    """The parser module calls no eval/exec/compile/__import__ (only ast.parse)."""
    import ast as pyast
    import inspect

    import microgrand.expr as mod

    tree = pyast.parse(inspect.getsource(mod))
    called = {
        n.func.id if isinstance(n.func, pyast.Name) else getattr(n.func, "attr", "")
        for n in pyast.walk(tree)
        if isinstance(n, pyast.Call)
    }
    assert called.isdisjoint({"eval", "exec", "compile", "__import__", "literal_eval"})
    assert "parse" in called
    assert parse_expression("tanh(x*w + b)", VARS).data == pytest.approx(
        math.tanh(0.7 * -1.3 + 0.4)
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        v = parse_expression(text, VARS)
    except ExpressionError as e:
        assert str(e)
    else:
        assert isinstance(v, Value)
