"""Training refuses bad input: non-finite data, a foreign optimizer, bad learning rates, empty
class lists, sizes far beyond a scalar engine; divergence always reported as divergence."""

from __future__ import annotations

import math
import time

import pytest

from microgrand import data, nn, optim
from microgrand.train import fit

NAN, INF = float("nan"), float("inf")


def moons() -> tuple[list[list[float]], list[int]]:
    X, y = data.moons(20, seed=0)
    return [list(r) for r in X], y


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
@pytest.mark.parametrize("loss", ["hinge", "mse"])
def test_non_finite_x_refused_with_row_and_column(bad: float, loss: str) -> None:
    X, y = moons()
    X[7][1] = bad
    labels = data.to_pm1(y) if loss == "hinge" else [float(t) for t in y]
    model = nn.MLP(2, [4, 1], rng=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"X\[7\]\[1\] \(row 7, column 1\) is -?(nan|inf)"):
        fit(model, X, labels, loss=loss, epochs=2, progress=False)
    assert model.state_dict() == before


def test_non_finite_y_and_validation_refused() -> None:
    X, y = moons()
    targets = [float(t) for t in y]
    targets[3] = NAN
    with pytest.raises(ValueError, match=r"y\[3\] is nan"):
        fit(nn.MLP(2, [4, 1], rng=0), X, targets, loss="mse", epochs=1, progress=False)
    Xv = [r[:] for r in X]
    Xv[0][0] = INF
    with pytest.raises(ValueError, match=r"X_val\[0\]\[0\] \(row 0, column 0\) is inf"):
        fit(
            nn.MLP(2, [4, 1], rng=0),
            X,
            y,
            loss="bce_logits",
            epochs=1,
            progress=False,
            validation=(Xv, y),
        )


def test_foreign_optimizer_refused_subset_allowed() -> None:
    X, y = moons()
    model, other = nn.MLP(2, [4, 1], rng=0), nn.MLP(2, [4, 1], rng=1)
    with pytest.raises(ValueError, match="not this model's"):
        fit(
            model,
            X,
            y,
            loss="bce_logits",
            optimizer=optim.SGD(other.parameters(), lr=0.1),
            epochs=1,
            progress=False,
        )
    # Training only the last layer (the rest frozen) is fine.
    last = model.layers[-1].parameters()
    first = [p.data for p in model.layers[0].parameters()]
    fit(model, X, y, loss="bce_logits", optimizer=optim.SGD(last, lr=0.1), epochs=2, progress=False)
    assert [p.data for p in model.layers[0].parameters()] == first


def test_divergence_message_whatever_the_cause() -> None:
    # lr=1e300 used to end in an internal "fsum"/"powc" message; inf in X is refused up front.
    X, y = moons()
    with pytest.raises(FloatingPointError, match="training diverged at epoch"):
        fit(
            nn.MLP(2, [8, 1], rng=0),
            X,
            [float(t) for t in y],
            loss="mse",
            lr=1e300,
            epochs=20,
            progress=False,
        )
    with pytest.raises(FloatingPointError, match="training diverged at epoch"):
        fit(
            nn.MLP(2, [8, 1], rng=0),
            X,
            [float(t) for t in y],
            loss="mse",
            lr=1e10,
            epochs=20,
            progress=False,
        )
    with pytest.raises(FloatingPointError, match="training diverged at epoch"):
        fit(
            nn.MLP(2, [8, 1], activation="tanh", rng=0),
            X,
            data.to_pm1(y),
            loss="hinge",
            optimizer="rmsprop",
            lr=1e308,
            epochs=20,
            progress=False,
        )


def test_a_real_error_is_not_called_divergence() -> None:
    X, y = moons()

    def broken(preds: object, targets: object) -> object:
        raise ValueError("my loss is broken")

    with pytest.raises(ValueError, match="my loss is broken"):
        fit(
            nn.MLP(2, [4, 1], rng=0),
            X,
            y,
            loss=broken,
            epochs=1,  # type: ignore[arg-type]
            progress=False,
        )


@pytest.mark.parametrize("opt_cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSProp])
@pytest.mark.parametrize("bad", [NAN, INF, 0.0, -1.0, True, "0.1"])
def test_lr_changes_validated(opt_cls: type[optim.Optimizer], bad: object) -> None:
    model = nn.MLP(2, [2, 1], rng=0)
    opt = opt_cls(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        opt.lr = bad  # type: ignore[assignment]
    assert opt.lr == 0.1
    opt.lr = 0.05
    assert opt.lr == 0.05


def test_scheduler_still_sets_lr() -> None:
    opt = optim.SGD(nn.MLP(1, [1], rng=0).parameters(), lr=1.0)
    s = optim.StepLR(opt, step_size=1, gamma=0.5)
    s.step()
    assert opt.lr == 0.5


def test_empty_class_list_refused() -> None:
    pytest.importorskip("sklearn")
    with pytest.raises(ValueError, match="classes is empty"):
        data.digits(classes=[])
    X, y = data.digits(classes=[3, 7])
    assert set(y) == {3, 7} and len(X) > 300


@pytest.mark.parametrize(
    "make",
    [
        lambda: data.moons(10**8),
        lambda: data.circles(10**8),
        lambda: data.spirals(10**8),
        lambda: data.xor(10**8),
        lambda: data.regression_1d(10**8),
    ],
)
def test_huge_dataset_refused_quickly(make: object) -> None:
    t = time.monotonic()
    with pytest.raises(ValueError, match=r"100,000,000 examples is more than.*MAX_EXAMPLES"):
        make()  # type: ignore[operator]
    assert time.monotonic() - t < 1


def test_dataset_limit_can_be_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "MAX_EXAMPLES", 10)
    with pytest.raises(ValueError, match="MAX_EXAMPLES = 10"):
        data.moons(11)
    monkeypatch.setattr(data, "MAX_EXAMPLES", 100)
    assert len(data.moons(11)[0]) == 11


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.MLP(2, [10**6, 10**6]),
        lambda: nn.Layer(10**4, 10**3),
        lambda: nn.Neuron(10**7),
    ],
)
def test_huge_model_refused_quickly(make: object) -> None:
    t = time.monotonic()
    with pytest.raises(ValueError, match=r"parameters, more than.*MAX_PARAMETERS = 1,000,000"):
        make()  # type: ignore[operator]
    assert time.monotonic() - t < 1


def test_model_limit_counts_weights_and_biases(monkeypatch: pytest.MonkeyPatch) -> None:
    # (2+1)·3 + (3+1)·1 = 13 parameters: allowed at 13, refused at 12.
    monkeypatch.setattr(nn, "MAX_PARAMETERS", 13)
    assert len(nn.MLP(2, [3, 1], rng=0).parameters()) == 13
    monkeypatch.setattr(nn, "MAX_PARAMETERS", 12)
    with pytest.raises(ValueError, match="would have 13 parameters"):
        nn.MLP(2, [3, 1], rng=0)
    assert math.isfinite(float(nn.MAX_PARAMETERS))
