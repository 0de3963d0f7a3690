"""Initializers: bounds, variances (against the published formulas), names, errors."""

from __future__ import annotations

import functools
import math
import random
import statistics

import pytest

from microgrand import init
from microgrand.nn import MLP, Neuron


def _draws(f: init.Initializer, fan_in: int, fan_out: int, n: int = 20000) -> list[float]:
    rng = random.Random(0)
    return [f(fan_in, fan_out, rng) for _ in range(n)]


@pytest.mark.parametrize(
    ("f", "fan_in", "fan_out", "variance", "bound"),
    [
        # U(-1, 1): variance 1/3
        (init.uniform, 4, 4, 1 / 3, 1.0),
        (init.normal, 4, 4, 1.0, None),
        # Glorot & Bengio (2010): Var = 2 / (fan_in + fan_out); uniform bound √(6/(in+out))
        (init.xavier_uniform, 10, 30, 2 / 40, math.sqrt(6 / 40)),
        (init.xavier_normal, 10, 30, 2 / 40, None),
        # He et al. (2015): Var = 2 / fan_in; uniform bound √(6/fan_in)
        (init.he_uniform, 24, 5, 2 / 24, math.sqrt(6 / 24)),
        (init.he_normal, 24, 5, 2 / 24, None),
    ],
)
def test_variance_and_bounds_follow_the_formulas(
    f: init.Initializer, fan_in: int, fan_out: int, variance: float, bound: float | None
) -> None:
    ws = _draws(f, fan_in, fan_out)
    assert statistics.fmean(ws) == pytest.approx(0.0, abs=4 * math.sqrt(variance / len(ws)))
    assert statistics.pvariance(ws) == pytest.approx(variance, rel=0.04)
    if bound is not None:
        assert max(abs(w) for w in ws) <= bound
        assert max(abs(w) for w in ws) > 0.98 * bound  # really uses the whole range


def test_parameterised_variants_with_partial() -> None:
    ws = _draws(functools.partial(init.normal, std=3.0), 2, 2)
    assert statistics.pstdev(ws) == pytest.approx(3.0, rel=0.03)
    ws = _draws(functools.partial(init.uniform, a=2.0, b=4.0), 2, 2, 2000)
    assert min(ws) >= 2.0 and max(ws) <= 4.0
    assert init.zeros(3, 3, random.Random(0)) == 0.0


def test_names_resolve_and_auto_depends_on_activation() -> None:
    assert init.get("he") is init.he_uniform
    assert init.get("kaiming") is init.he_uniform
    assert init.get("xavier") is init.xavier_uniform
    assert init.get("glorot") is init.xavier_uniform
    assert init.get("auto", "relu") is init.he_uniform
    assert init.get("auto", "leaky_relu") is init.he_uniform
    assert init.get("auto", "tanh") is init.xavier_uniform
    assert init.get("auto", "linear") is init.xavier_uniform
    assert init.get(init.he_normal) is init.he_normal
    assert init.he is init.he_uniform and init.xavier is init.xavier_uniform
    with pytest.raises(ValueError, match=r"unknown init 'lecun'; valid names: 'auto', 'uniform'"):
        init.get("lecun")
    with pytest.raises(TypeError, match="init must be a name or a function"):
        init.get(3)  # type: ignore[arg-type]


def test_mlp_uses_the_initializer_per_layer_fan_in() -> None:
    model = MLP(50, [20, 1], init="he", rng=0)
    first = [w.data for n in model.layers[0].neurons for w in n.w]
    assert max(abs(w) for w in first) <= math.sqrt(6 / 50)
    assert statistics.pvariance(first) == pytest.approx(2 / 50, rel=0.1)
    last = [w.data for w in model.layers[1].neurons[0].w]
    assert max(abs(w) for w in last) <= math.sqrt(6 / 20)
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


def test_micrograd_uniform_init() -> None:
    ws = [w.data for n in MLP(16, [16], init="uniform", rng=0).layers[0].neurons for w in n.w]
    assert max(ws) <= 1.0 and min(ws) >= -1.0 and max(ws) - min(ws) > 1.8


def test_custom_function_init() -> None:
    n = Neuron(3, init=lambda fi, fo, r: fi + 10 * fo, rng=0, fan_out=2)
    assert [w.data for w in n.w] == [23.0, 23.0, 23.0]


def test_reinitialize_in_place() -> None:
    model = MLP(4, [8, 1], rng=0)
    ids = [id(p) for p in model.parameters()]
    for p in model.parameters():
        p.data = 5.0
    init.reinitialize(model, "xavier", rng=1)
    assert [id(p) for p in model.parameters()] == ids
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)
    assert all(abs(w.data) <= math.sqrt(6 / 12) for w in model.layers[0].neurons[0].w)
    with pytest.raises(TypeError, match="made of Neurons"):
        from microgrand.nn import Module

        init.reinitialize(Module(), "he", rng=0)


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (
            lambda: init.he_uniform(0, 1, random.Random(0)),
            ValueError,
            "fan_in must be a positive int",
        ),
        (lambda: init.xavier_uniform(2, -1, random.Random(0)), ValueError, "fan_out"),
        (lambda: init.uniform(2, 2, 0), TypeError, "rng=random.Random"),  # type: ignore[arg-type]
        (lambda: init.uniform(2, 2, random.Random(0), a=1, b=0), ValueError, "a < b"),
        (lambda: init.normal(2, 2, random.Random(0), std=0), ValueError, "std must be a positive"),
        (lambda: init.he_normal(2, 2, random.Random(0), gain=-1), ValueError, "gain"),
    ],
)
def test_bad_arguments(call: object, err: type[Exception], match: str) -> None:
    with pytest.raises(err, match=match):
        call()  # type: ignore[operator]


def test_same_seed_same_weights() -> None:
    assert _draws(init.he_normal, 3, 3, 10) == _draws(init.he_normal, 3, 3, 10)
