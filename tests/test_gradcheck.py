"""gradcheck reports per-input disagreement and catches a wrong derivative."""

from __future__ import annotations

import dataclasses

import pytest

import microgrand as mg
from microgrand import GradcheckError, Value, gradcheck
from microgrand import value as value_module


def test_agreeing_gradients_pass() -> None:
    r = gradcheck(lambda a, b: (a * b + a.exp()).tanh(), [Value(0.3, label="a"), -0.7])
    assert r.ok and not r.failures
    assert [row.label for row in r.rows] == ["a", ""]
    assert "a" in str(r) and "yes" in str(r)


def test_a_wrong_rule_is_caught_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    tanh = mg.RULES["tanh"]
    wrong = dataclasses.replace(tanh, local=lambda out, x: (1.0 - out,))  # forgot the square
    monkeypatch.setattr(value_module.Value, "tanh", value_module._unary(wrong))
    r = gradcheck(lambda x, y: x.tanh() + y, [Value(0.8, label="x"), Value(1.0, label="y")])
    assert not r.ok
    assert [row.label for row in r.failures] == ["x"]
    with pytest.raises(GradcheckError, match="gradient check failed") as info:
        gradcheck(lambda x: x.tanh(), [Value(0.8, label="x")], raise_on_failure=True)
    assert "NO" in str(info.value) and info.value.report.failures[0].label == "x"


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="needs a function"):
        gradcheck(3, [1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0), [])
    with pytest.raises(ValueError, match="eps > 0"):
        gradcheck(lambda x: x, [1.0], eps=0)
    with pytest.raises(TypeError, match="must return a Value, got float"):
        gradcheck(lambda x: 1.0, [1.0])  # type: ignore[arg-type,return-value]


def test_undefined_neighbourhood_reports_nan_not_crash() -> None:
    r = gradcheck(lambda x: x.log(), [Value(1e-9)], eps=1e-6)
    assert not r.ok and r.rows[0].numeric != r.rows[0].numeric  # NaN
