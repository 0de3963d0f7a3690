"""Every rule in rules.py against SymPy: forward value and every local derivative."""

from __future__ import annotations

import math
import random

import pytest
import sympy as sp

from microgrand.rules import (
    RULES,
    Rule,
    all_rules,
    cross_entropy_rule,
    leaky_relu_rule,
    power_rule,
    rule,
    softmax_rule,
)

X, Y = sp.symbols("x y", real=True)
XS = sp.symbols("x0 x1 x2", real=True)

# Points where each rule is differentiable and inside its domain.
DOMAINS: dict[str, list[tuple[float, float]]] = {
    "log": [(0.05, 5.0)],
    "sqrt": [(0.05, 5.0)],
    "pow": [(0.1, 3.0), (-2.0, 2.0)],  # x > 0; y anywhere
    "div": [(-3.0, 3.0), (0.2, 3.0)],
    "abs": [(0.1, 3.0)],
    "relu": [(0.1, 3.0)],
    "exp": [(-5.0, 5.0)],
}


def _sample(name: str, rng: random.Random, arity: int) -> list[float]:
    ranges = DOMAINS.get(name, [(-3.0, 3.0)] * 2)
    out = []
    for i in range(arity):
        lo, hi = ranges[min(i, len(ranges) - 1)]
        sign = -1.0 if name in ("abs", "relu") and rng.random() < 0.5 and i == 0 else 1.0
        out.append(sign * rng.uniform(lo, hi))
    return out


def _check(r: Rule, symbols: tuple[sp.Symbol, ...], xs: list[float]) -> None:
    expr = sp.sympify(r.sympy, locals={s.name: s for s in symbols})
    subs = dict(zip(symbols, xs, strict=True))
    out = r.forward(*xs)
    assert out == pytest.approx(float(expr.evalf(subs=subs)), rel=1e-12, abs=1e-12)
    local = r.local(out, *xs)
    assert len(local) == len(symbols)
    for s, d in zip(symbols, local, strict=True):
        want = float(sp.diff(expr, s).evalf(subs=subs))
        assert d == pytest.approx(want, rel=1e-9, abs=1e-12), (r.name, s, xs)


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule_matches_sympy(name: str) -> None:
    r = RULES[name]
    rng = random.Random(name)
    symbols = XS if r.arity == 0 else (X, Y)[: r.arity]
    for _ in range(20):
        _check(r, symbols, _sample(name, rng, len(symbols)))


@pytest.mark.parametrize("c", [2.0, 3.0, -1.0, 0.5, -2.5, 1.0, 0.0])
def test_power_rule_matches_sympy(c: float) -> None:
    rng = random.Random(c)
    for _ in range(20):
        x = rng.uniform(0.1, 4.0)
        if float(c).is_integer() and rng.random() < 0.5:
            x = -x  # integer powers are defined for negative bases
        _check(power_rule(c), (X,), [x])


@pytest.mark.parametrize("alpha", [0.01, 0.2])
def test_leaky_relu_rule_matches_sympy(alpha: float) -> None:
    rng = random.Random(alpha)
    for _ in range(20):
        x = rng.uniform(0.1, 3.0) * rng.choice((-1, 1))
        _check(leaky_relu_rule(alpha), (X,), [x])


@pytest.mark.parametrize("k", [0, 1, 2])
@pytest.mark.parametrize("make", [softmax_rule, cross_entropy_rule])
def test_softmax_family_matches_sympy(make: object, k: int) -> None:
    rng = random.Random(k)
    for _ in range(20):
        _check(make(k), XS, [rng.uniform(-4.0, 4.0) for _ in XS])  # type: ignore[operator]


def test_every_rule_has_complete_texts() -> None:
    for r in [*all_rules(), power_rule(3.0), leaky_relu_rule(0.1), softmax_rule(2)]:
        n = len(r.dtext)
        assert n == len(r.dlatex) == len(r.js.local) >= 1
        assert n == (1 if r.arity == 0 else r.arity)
        assert r.symbol and r.text and r.latex and r.sympy and r.domain and r.js.forward


def test_rule_lookup() -> None:
    assert rule("mul") is RULES["mul"]
    assert rule("powc", 2).symbol == "^2"
    assert rule("powc", 2) is power_rule(2.0)  # cached: one Rule per exponent
    assert rule("leaky_relu").param == 0.01
    with pytest.raises(KeyError, match=r"unknown operation 'tan'.*known operations"):
        rule("tan")


def test_stable_forms_do_not_overflow() -> None:
    assert RULES["sigmoid"].forward(-1000.0) == 0.0
    assert RULES["sigmoid"].forward(1000.0) == 1.0
    assert RULES["softplus"].forward(1000.0) == 1000.0
    assert RULES["softplus"].forward(-1000.0) == pytest.approx(0.0)
    assert RULES["logsumexp"].forward(1000.0, 1000.0) == pytest.approx(1000 + math.log(2))
