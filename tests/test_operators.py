"""Every operator method of :class:`microgrand.Value` computes exactly its rule's math.

The methods are generated from the rules table (with the rule's ``py_forward``/``py_local``
inlined when it has them); here each one is compared with calling the rule's own
``forward`` and ``local`` on random numbers: same result, same local derivatives, bit for
bit, and the same kind of error where the rule refuses the input.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrand as mg
from microgrand import Value
from microgrand.rules import RULES, Rule, defrule, power_rule

BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}
UNARY: dict[str, Callable[[Value], Value]] = {
    "neg": lambda a: -a,
    "abs": abs,
    **{
        name: getattr(Value, name)
        for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos")
    },
}

_floats = st.one_of(
    st.floats(min_value=-50.0, max_value=50.0, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, -1e-300, 1e300, -1e300]),
    st.floats(allow_nan=False, allow_infinity=False),
)


def expected(rule: Rule, *xs: float) -> tuple[float, tuple[float, ...]] | type[Exception]:
    try:
        out = rule.forward(*xs)
        if not math.isfinite(out):
            return OverflowError
        return out, tuple(rule.local(out, *xs))
    except (ArithmeticError, ValueError) as e:
        return ArithmeticError if isinstance(e, ArithmeticError) else ValueError


def actual(make: Callable[[], Value]) -> tuple[float, tuple[float, ...]] | type[Exception]:
    try:
        v = make()
    except (ArithmeticError, ValueError) as e:
        return ArithmeticError if isinstance(e, ArithmeticError) else ValueError
    return v.data, v.local_grads


def same(a: object, b: object) -> bool:
    # bit for bit (0.0 and -0.0 differ), the error kinds compared loosely as
    # ArithmeticError / ValueError
    if isinstance(a, tuple) and isinstance(b, tuple):
        out_a, loc_a = a
        out_b, loc_b = b
        return repr(out_a) == repr(out_b) and list(map(repr, loc_a)) == list(map(repr, loc_b))
    if a is OverflowError or b is OverflowError:
        return a in (OverflowError, ArithmeticError) and b in (OverflowError, ArithmeticError)
    return a == b


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=300, deadline=None)
@given(x=_floats, y=_floats)
def test_binary_operator_equals_its_rule(name: str, x: float, y: float) -> None:
    op, rule = BINARY[name], RULES[name]
    want = expected(rule, x, y)
    assert same(actual(lambda: op(Value(x), Value(y))), want)
    if name != "pow":  # Value ** number is the one-input rule powc (tested below)
        assert same(actual(lambda: op(Value(x), y)), want)  # type: ignore[arg-type]
    assert same(actual(lambda: op(x, Value(y))), want)  # type: ignore[arg-type]  # reflected


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=300, deadline=None)
@given(x=_floats)
def test_unary_operator_equals_its_rule(name: str, x: float) -> None:
    assert same(actual(lambda: UNARY[name](Value(x))), expected(RULES[name], x))
    if RULES[name].function and hasattr(mg, name):
        assert same(actual(lambda: getattr(mg, name)(x)), expected(RULES[name], x))


@settings(max_examples=300, deadline=None)
@given(x=_floats, c=st.sampled_from([0, 1, 2, 3, -1, -2, 0.5, 2.0, -0.5, 1.5]))
def test_constant_power_equals_its_rule(x: float, c: float) -> None:
    assert same(actual(lambda: Value(x) ** c), expected(power_rule(float(c)), x))


def test_every_table_rule_with_an_operator_is_covered() -> None:
    with_method = {r.name for r in RULES.values() if r.operator or hasattr(Value, r.name)}
    assert with_method - {"sum", "logsumexp"} <= set(BINARY) | set(UNARY)


@settings(max_examples=500, deadline=None)
@given(x=_floats, y=_floats)
def test_python_forms_equal_forward_and_local(x: float, y: float) -> None:
    # The inlined forms (py_forward / py_local) compute exactly what forward / local compute.
    inlined = [r for r in RULES.values() if r.py_forward is not None]
    assert {r.name for r in inlined} >= {"add", "sub", "mul", "neg"}
    for r in inlined:
        assert r.py_local is not None
        xs = (x, y)[: r.arity]
        env = dict(zip(("x", "y"), xs, strict=False))
        out = eval(r.py_forward, {}, env)
        assert repr(out) == repr(r.forward(*xs))
        env["out"] = out
        got = tuple(eval(e, {}, env) for e in r.py_local)
        assert list(map(repr, got)) == list(map(repr, r.local(out, *xs)))


def test_python_forms_are_checked_by_defrule() -> None:
    common = dict(
        symbol="2×",
        arity=1,
        forward=lambda x: 2.0 * x,
        local=lambda out, x: (2.0,),
        text="2x",
        dtext=["2"],
        latex="2x",
        dlatex=["2"],
        sympy="2*x",
        js_forward="2 * x",
        js_local=["2"],
        register=False,
    )
    with pytest.raises(ValueError, match="py_forward and py_local together"):
        defrule("twice", py_forward="2.0 * x", **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one py_local entry per input"):
        defrule("twice", py_forward="2.0 * x", py_local=("2.0", "1.0"), **common)  # type: ignore[arg-type]
    r = defrule("twice", py_forward="2.0 * x", py_local=("2.0",), **common)  # type: ignore[arg-type]
    assert r.py_forward == "2.0 * x" and r.py_local == ("2.0",)
    twice = mg.value._unary(r)
    v = twice(Value(4.0))
    assert v.data == 8.0 and v.local_grads == (2.0,) and v.rule is r


def test_operators_under_no_grad_have_no_edges() -> None:
    a = Value(3.0)
    with mg.no_grad():
        made = [a + a, a - 1, 2 * a, -a, a.tanh(), a**2, a / 2]
    assert all(v.inputs == () and v.local_grads == () for v in made)
    assert [v.data for v in made] == [6.0, 2.0, 6.0, -3.0, math.tanh(3.0), 9.0, 1.5]
