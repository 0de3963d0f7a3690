"""The engine: operations, backward, accumulation, errors, memory behaviour."""

from __future__ import annotations

import gc
import math
import operator
import re
import subprocess
import sys
import warnings

import pytest

import microgrand as mg
from microgrand import NonFiniteGradientWarning, Value


def central_diff(f, xs: list[float], i: int, h: float = 1e-6) -> float:  # type: ignore[no-untyped-def]
    hi = list(xs)
    lo = list(xs)
    hi[i] += h
    lo[i] -= h
    return (f(*hi) - f(*lo)) / (2 * h)


# --- construction and types ------------------------------------------------------------------


def test_value_holds_a_float() -> None:
    v = Value(3, label="x")
    assert v.data == 3.0 and isinstance(v.data, float)
    assert v.grad == 0.0 and v.label == "x" and v.op == "" and v.inputs == ()
    assert repr(v) == "Value(data=3.0, grad=0.0, label='x')"
    assert float(v) == 3.0


@pytest.mark.parametrize(
    ("bad", "name"),
    [("a", "str"), (None, "NoneType"), (True, "bool"), ([1.0], "list"), (1j, "complex")],
)
def test_value_rejects_non_numbers(bad: object, name: str) -> None:
    with pytest.raises(TypeError, match=f"Value\\(\\) needs a real number, got {name}"):
        Value(bad)  # type: ignore[arg-type]


def test_value_of_a_value_says_what_to_do() -> None:
    with pytest.raises(TypeError, match="got Value \\(use the Value itself\\)"):
        Value(Value(1.0))  # type: ignore[arg-type]


def test_label_must_be_str() -> None:
    with pytest.raises(TypeError, match="label must be a str, got int"):
        Value(1.0, label=3)  # type: ignore[arg-type]


OPERATORS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
}


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_operations_with_wrong_types_name_the_type(op: str) -> None:
    f = OPERATORS[op]
    v = Value(2.0)
    with pytest.raises(TypeError, match=f"for {re.escape(op)}.*: 'Value' and 'str'"):
        f(v, "x")
    with pytest.raises(TypeError, match="'str' and 'Value'"):
        f("x", v)
    with pytest.raises(TypeError, match="'Value' and 'NoneType'"):
        f(v, None)
    with pytest.raises(TypeError, match="'Value' and 'bool'"):
        f(v, True)


def test_numpy_like_and_int_operands() -> None:
    from fractions import Fraction

    v = Value(2.0)
    assert (v * Fraction(1, 2)).data == 1.0
    assert (3 - v).data == 1.0 and (3 - v).inputs[1] is v
    assert (1 / v).data == 0.5
    assert (2**v).data == 4.0
    assert (-v).data == -2.0 and (+v) is v
    assert abs(Value(-3.0)).data == 3.0


# --- one node per operation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "op", "n_inputs"),
    [
        (lambda a, b: a - b, "sub", 2),
        (lambda a, b: a / b, "div", 2),
        (lambda a, b: a**b, "pow", 2),
        (lambda a, b: a**3, "powc", 1),
        (lambda a, b: -a, "neg", 1),
        (lambda a, b: 2 - a, "sub", 2),
    ],
)
def test_one_node_per_operation(expr, op: str, n_inputs: int) -> None:  # type: ignore[no-untyped-def]
    a, b = Value(3.0), Value(2.0)
    out = expr(a, b)
    assert out.op == op and len(out.inputs) == n_inputs
    assert all(not u.inputs for u in out.inputs)  # the inputs are leaves: one node was added


def test_inputs_keep_order_and_duplicates() -> None:
    a = Value(3.0)
    sq = a * a
    assert sq.inputs == (a, a)
    sq.backward()
    assert a.grad == 6.0  # both edges contribute


# --- values and gradients against hand computations and finite differences -----------------


def test_hand_computed_neuron() -> None:
    x, w, b = Value(2.0), Value(-3.0), Value(6.88)
    n = x * w + b
    out = n.tanh()
    out.backward()
    t = math.tanh(0.88)
    assert out.data == pytest.approx(t)
    assert n.grad == pytest.approx(1 - t * t)
    assert w.grad == pytest.approx(2.0 * (1 - t * t))
    assert x.grad == pytest.approx(-3.0 * (1 - t * t))
    assert b.grad == pytest.approx(1 - t * t)


FUNCS = {
    "exp": (math.exp, 0.7),
    "log": (math.log, 1.7),
    "sqrt": (math.sqrt, 2.3),
    "tanh": (math.tanh, 0.4),
    "sigmoid": (lambda x: 1 / (1 + math.exp(-x)), -0.8),
    "relu": (lambda x: max(x, 0.0), 1.3),
    "softplus": (lambda x: math.log1p(math.exp(x)), 0.3),
    "sin": (math.sin, 0.9),
    "cos": (math.cos, 0.9),
}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_functions_and_methods_agree_with_math(name: str) -> None:
    f, x0 = FUNCS[name]
    x = Value(x0)
    y = getattr(mg, name)(x)
    assert y.data == pytest.approx(f(x0), rel=1e-12)
    assert getattr(x, name)().data == y.data
    y.backward()
    assert x.grad == pytest.approx(central_diff(f, [x0], 0), rel=1e-6)
    assert getattr(mg, name)(x0).data == y.data  # numbers are accepted too


def test_leaky_relu() -> None:
    x = Value(-2.0)
    y = mg.leaky_relu(x, 0.1)
    y.backward()
    assert (y.data, x.grad) == (pytest.approx(-0.2), 0.1)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        x.leaky_relu("a")  # type: ignore[arg-type]


def test_value_power_of_value_and_number_power() -> None:
    x, y = Value(1.5), Value(2.5)
    z = x**y
    z.backward()
    assert z.data == pytest.approx(1.5**2.5)
    assert x.grad == pytest.approx(2.5 * 1.5**1.5)
    assert y.grad == pytest.approx(1.5**2.5 * math.log(1.5))
    c = 2.0**x
    x.grad = 0.0
    c.backward()
    assert x.grad == pytest.approx(2.0**1.5 * math.log(2.0))


def test_integer_power_of_negative_base() -> None:
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


def test_vsum_is_one_node_and_softmax_logsumexp() -> None:
    xs = [Value(float(i)) for i in range(5)]
    s = mg.vsum(xs)
    assert s.op == "sum" and len(s.inputs) == 5 and s.data == 10.0
    s.backward()
    assert all(x.grad == 1.0 for x in xs)
    lse = mg.logsumexp(xs)
    ps = mg.softmax(xs)
    assert lse.data == pytest.approx(math.log(sum(math.exp(i) for i in range(5))))
    assert sum(p.data for p in ps) == pytest.approx(1.0)
    mg.zero_grad(xs)
    ps[2].backward()
    p = [math.exp(i) / math.exp(lse.data) for i in range(5)]
    for j, x in enumerate(xs):
        want = p[2] * ((1.0 if j == 2 else 0.0) - p[j])
        assert x.grad == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize(
    "data",
    [[1.0], [0.1, 0.2, 0.3], [1e16, 1.0, -1e16], [-2.5, 3.0, 7.25, 1e-300, -4.0], [5.0] * 40],
)
def test_vsum_builds_the_node_of_the_sum_rule(data: list[float]) -> None:
    # vsum builds its node directly (it is on the hot path); it must be the node the rule
    # table's "sum" makes through the generic apply(): same value, edges and local slopes.
    xs = [Value(d) for d in data]
    with mg.scope("s"):
        fast, generic = mg.vsum(xs), mg.apply("sum", *xs)
    assert fast.data == generic.data == math.fsum(data)
    assert fast.inputs == generic.inputs and all(
        a is b for a, b in zip(fast.inputs, xs, strict=True)
    )
    assert fast.local_grads == generic.local_grads == (1.0,) * len(data)
    assert (fast.op, fast.rule, fast.scope) == (generic.op, generic.rule, "s")
    assert (fast.grad, fast.label) == (0.0, "")
    with mg.no_grad():
        assert mg.vsum(xs).inputs == () and mg.vsum(xs).local_grads == ()


def test_vsum_overflow_and_mixed_inputs() -> None:
    big = [Value(1e308), Value(1e308)]
    with pytest.raises(OverflowError, match=r"sum: .* overflows for x = 1e\+308, y = 1e\+308"):
        mg.vsum(big)
    s = mg.vsum(v for v in [Value(1.0), 2, 3.5])  # any iterable; numbers become constants
    assert s.data == 6.5 and [u.data for u in s.inputs] == [1.0, 2.0, 3.5]


def test_many_value_helpers_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="vsum of an empty list"):
        mg.vsum([])
    with pytest.raises(TypeError, match="takes a list of Values, got Value"):
        mg.softmax(Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes Values or numbers, got str"):
        mg.logsumexp([Value(1.0), "a"])  # type: ignore[list-item]


def test_comparisons_use_data_and_values_stay_hashable() -> None:
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1 and b >= 2.0
    assert a != Value(1.0)  # equality is identity
    assert len({a, b, a}) == 2
    with pytest.raises(TypeError, match="cannot compare a Value with str"):
        _ = a < "x"  # type: ignore[operator]


# --- domain errors: clear messages, never complex, never silent NaN ---------------------------


@pytest.mark.parametrize(
    ("make", "exc", "pattern"),
    [
        (
            lambda: Value(0.0).log(),
            ValueError,
            r"^log: log\(x\) is undefined for x = 0: the logarithm needs x > 0$",
        ),
        (lambda: Value(-1.0).log(), ValueError, r"log: .* x = -1: the logarithm needs x > 0"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, r"div: .* x = 1, y = 0"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"div: .* y = 0"),
        (lambda: Value(-8.0) ** 0.5, ValueError, r"powc: .* x = -8.*complex"),
        (lambda: Value(-1.0).sqrt(), ValueError, r"sqrt: .* x = -1"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"powc: .* x = 0"),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, r"pow: .* x = -8, y = 0.5"),
        (
            lambda: Value(-2.0) ** Value(2.0),
            ValueError,
            r"exponent is undefined for a negative base",
        ),
        (
            lambda: Value(1000.0).exp(),
            OverflowError,
            r"^exp: exp\(x\) overflows for x = 1000: .*valid inputs: x ≤ 709",
        ),
        (lambda: Value(10.0) ** 400, OverflowError, r"powc: .* x = 10"),
    ],
)
def test_domain_errors_name_the_operation_and_operand(make, exc, pattern: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc, match=pattern):
        make()


def test_no_complex_results_anywhere() -> None:
    for base in (-8.0, -0.5):
        for e in (0.5, 1.5, -0.25):
            with pytest.raises(ValueError):
                Value(base) ** e


# --- backward semantics --------------------------------------------------------------------


def test_second_backward_accumulates_on_leaves_like_pytorch() -> None:
    x = Value(3.0)
    h = x * x
    y = h * 2
    y.backward()
    assert (x.grad, h.grad) == (12.0, 2.0)
    y.backward()
    assert x.grad == 24.0  # leaves accumulate
    assert h.grad == 2.0  # interior nodes are recomputed, not doubled


def test_backward_seed_and_zero_grad() -> None:
    x = Value(3.0)
    y = x * 4
    y.backward(grad=0.5)
    assert x.grad == 2.0
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0
    with pytest.raises(TypeError, match="grad must be a real number, got str"):
        y.backward("1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="zero_grad takes Values, got float"):
        mg.zero_grad([1.0])  # type: ignore[list-item]


def test_no_grad_builds_no_graph() -> None:
    w = Value(2.0)
    assert mg.is_grad_enabled()
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = (w * 3).tanh() + 1
        with mg.no_grad():
            pass
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()
    assert y.inputs == () and y.data == pytest.approx(math.tanh(6) + 1)
    y.backward()
    assert w.grad == 0.0


def test_non_finite_gradient_warns_with_the_first_node() -> None:
    x = Value(0.0, label="x")
    r = x.sqrt()
    r.label = "root"
    y = r * 3
    pattern = r"gradient became inf at 'x' \(data = 0.0\) through 'root' \(local derivative inf"
    with pytest.warns(NonFiniteGradientWarning, match=pattern):
        y.backward()


def test_finite_backward_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (Value(2.0) * 3).backward()


def test_graphs_are_freed_by_reference_counting() -> None:
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = x
        for _ in range(1000):
            y = (y * 1.01 + 0.1).tanh()
        y.backward()
        del y
        assert gc.collect() == 0  # no cycles: nothing was left for the cyclic collector
    finally:
        gc.enable()


def test_million_node_chain_at_default_recursion_limit() -> None:
    limit = sys.getrecursionlimit()
    x = Value(1.0)
    y = x
    for _ in range(250_000):  # each step adds 4 nodes: a constant, ×, a constant, +
        y = y * 1.000001 + 0.0
    assert len(mg.topological_order(y)) == 1_000_001
    y.backward()
    assert y.data == pytest.approx(1.000001**250_000)
    assert x.grad == pytest.approx(1.000001**250_000)
    assert sys.getrecursionlimit() == limit


def test_chain_in_a_fresh_interpreter_with_recursion_limit_100() -> None:
    code = (
        "import sys\n"
        "from microgrand import Value\n"
        "sys.setrecursionlimit(100)  # after the imports, whose own nesting is deeper\n"
        "x = Value(0.5); y = x\n"
        "for _ in range(100_000): y = (y + 0.0).tanh()\n"
        "y.backward(); print(x.grad > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_scope_tags_values_and_validates_names() -> None:
    with mg.scope("mlp"):
        with mg.scope("layer1") as s:
            v = Value(1.0) * 2
        assert s.path == "mlp/layer1"
    assert v.scope == "mlp/layer1" and v.inputs[0].scope == "mlp/layer1"
    assert Value(1.0).scope == ""
    for bad in ("", "a/b", 3):
        with (
            pytest.raises(ValueError, match="scope name must be a non-empty str"),
            mg.scope(bad),  # type: ignore[arg-type]
        ):
            pass


def test_backward_restores_the_garbage_collector_state() -> None:
    y = Value(2.0) * 3
    assert gc.isenabled()
    y.backward()
    assert gc.isenabled()
    gc.disable()
    try:
        y.backward()
        assert not gc.isenabled()  # a user's choice is left alone
    finally:
        gc.enable()


def test_scope_path_of_deeply_nested_scopes() -> None:
    import contextlib

    import microgrand as mg

    x = mg.Value(1.0, label="x")
    with contextlib.ExitStack() as stack:
        for i in range(5000):  # far deeper than the recursion limit
            stack.enter_context(mg.scope(f"s{i}"))
        y = x * 2.0
    names = y.scope.split("/")
    assert len(names) == 5000 and names[0] == "s0" and names[-1] == "s4999"
    assert mg.explain(y).startswith("d")  # the stepper reads the path too


def test_vsum_of_numbers_whose_partial_sums_overflow() -> None:
    import pytest

    import microgrand as mg

    big = [mg.Value(1e308), mg.Value(1e308), mg.Value(-1e308)]
    s = mg.vsum(big)
    assert s.data == 1e308  # the exact sum, whatever the order
    assert mg.vsum(big[::-1]).data == 1e308
    s.backward()
    assert [v.grad for v in big] == [1.0, 1.0, 1.0]
    with pytest.raises(OverflowError, match="sum"):
        mg.vsum([mg.Value(1e308), mg.Value(1e308)])
    assert mg.apply("sum", 1e308, 1e308, -1e308).data == 1e308
