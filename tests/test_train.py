"""The training loop: convergence (moons, digits), history contents, gradient diagnostics, errors."""

from __future__ import annotations

import functools
import itertools
import math
import time
from typing import Any

import pytest

import microgrand as mg
from microgrand import Value, data, init, optim, vsum
from microgrand.nn import MLP, Neuron
from microgrand.train import EarlyStopping, History, accuracy, fit, predict, predict_classes


def _moons_pm1() -> tuple[list[list[float]], list[int]]:
    X, y = data.moons(100, noise=0.1, seed=0)
    return X, data.to_pm1(y)


# --- convergence ----------------------------------------------------------------------------


@pytest.mark.slow
def test_micrograd_demo_setup_reaches_100_percent_on_moons() -> None:
    # micrograd's demo: 2-16-16-1 ReLU, SVM hinge loss + 1e-4 L2, SGD with
    # lr = 1.0 - 0.9·k/100 for k = 0…99, full batch.
    X, y = _moons_pm1()
    model = MLP(2, [16, 16, 1], activation="relu", init="uniform", rng=1)
    opt = optim.SGD(model.parameters(), lr=1.0)
    sched = optim.LambdaLR(opt, lambda k: 1.0 - 0.9 * k / 100)
    h = fit(model, X, y, loss="hinge", optimizer=opt, scheduler=sched, epochs=100,
            regularization=1e-4, progress=False)  # fmt: skip
    assert h.lr[:3] == pytest.approx([1.0, 0.991, 0.982])
    assert h.lr[-1] == pytest.approx(1.0 - 0.9 * 99 / 100)
    assert accuracy(model, X, y) == 1.0
    assert h.accuracy[-1] == 1.0
    assert h.loss[-1] < 0.05 < h.loss[0]
    assert h.step_penalty[0] > 0  # the L2 term was added


@pytest.mark.slow
def test_adam_also_converges_on_moons() -> None:
    X, y = _moons_pm1()
    model = MLP(2, [16, 16, 1], activation="relu", rng=0)
    h = fit(model, X, y, loss="hinge", optimizer="adam", lr=0.02, epochs=60,
            regularization=1e-4, progress=False)  # fmt: skip
    assert accuracy(model, X, y) >= 0.98
    assert h.loss[-1] < 0.1 * h.loss[0]


@pytest.mark.slow
def test_digits_reach_90_percent_test_accuracy() -> None:
    X, y = data.digits(900, seed=0)
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=300, seed=0)
    model = MLP(64, [32, 10], rng=0)
    t0 = time.perf_counter()
    h = fit(model, X_tr, y_tr, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=6,
            batch_size=20, validation=(X_te, y_te), progress=False)  # fmt: skip
    seconds = time.perf_counter() - t0
    acc = accuracy(model, X_te, y_te)
    print(f"digits: test accuracy {acc:.3f} after {h.epochs} epochs in {seconds:.1f} s")
    assert acc >= 0.90
    assert h.val_accuracy[-1] == pytest.approx(acc)
    assert h.steps == 6 * 30  # 600 examples in batches of 20


# --- gradient diagnostics -------------------------------------------------------------------


def test_deep_sigmoid_network_shows_vanishing_gradients() -> None:
    X, y = data.moons(40, seed=0)
    model = MLP(2, [8] * 6 + [1], activation="sigmoid", init="xavier", rng=0)
    h = fit(model, X, [float(t) for t in y], loss="mse", optimizer="sgd", lr=0.1, epochs=2,
            progress=False)  # fmt: skip
    assert list(h.grad_norms) == [f"layer{i}" for i in range(1, 8)]
    for step in range(h.steps):
        norms = [h.grad_norms[f"layer{i}"][step] for i in range(1, 8)]
        # Each layer closer to the input gets a smaller gradient: sigmoid' <= 1/4.
        assert all(a < b for a, b in itertools.pairwise(norms)), norms
        assert norms[0] < norms[-1] / 100


def test_badly_scaled_tanh_init_shows_exploding_gradients() -> None:
    # Weights with std 3/√fan_in put a deep tanh network in the "chaotic" regime
    # (σ_w² = 9, Poole et al. 2016): backpropagated gradients grow toward the input.
    X, y = data.moons(30, seed=0)
    model = MLP(2, [32] * 6 + [1], activation="tanh",
                init=functools.partial(init.normal, std=0.55), rng=0)  # fmt: skip
    h = fit(model, X, [float(t) for t in y], loss="mse", optimizer="sgd", lr=1e-6, epochs=1,
            progress=False)  # fmt: skip
    hidden = [h.grad_norms[f"layer{i}"][0] for i in range(1, 7)]
    assert all(a > b for a, b in itertools.pairwise(hidden)), hidden
    assert hidden[0] > 2 * hidden[-1]
    # A well-scaled init (Xavier) keeps them within a small factor of each other.
    calm = MLP(2, [32] * 6 + [1], activation="tanh", init="xavier", rng=0)
    hc = fit(calm, X, [float(t) for t in y], loss="mse", optimizer="sgd", lr=1e-6, epochs=1,
             progress=False)  # fmt: skip
    calm_hidden = [hc.grad_norms[f"layer{i}"][0] for i in range(1, 7)]
    assert max(calm_hidden) / min(calm_hidden) < hidden[0] / hidden[-1]


def test_grad_norms_equal_the_norm_of_the_layer_gradients() -> None:
    X, y = [[0.5, -1.0], [1.0, 2.0]], [1.0, -1.0]
    model = MLP(2, [3, 1], activation="tanh", rng=0)
    h = fit(model, X, y, loss="mse", optimizer=optim.SGD(model.parameters(), lr=1e-12),
            epochs=1, progress=False)  # fmt: skip
    # The update was negligible, so recompute the gradients by hand with the same weights.
    model.zero_grad()
    outs = [model(x) for x in X]
    loss = ((outs[0] - 1.0) ** 2 + (outs[1] + 1.0) ** 2) / 2
    loss.backward()
    for i, layer in enumerate(model.layers, start=1):
        expected = math.sqrt(sum(p.grad**2 for p in layer.parameters()))
        assert h.grad_norms[f"layer{i}"][0] == pytest.approx(expected, rel=1e-6)


# --- history --------------------------------------------------------------------------------


def test_history_lengths_with_minibatches_and_validation() -> None:
    X, y = data.xor(30, seed=0)
    Xv, yv = data.xor(10, seed=1)
    model = MLP(2, [4, 1], activation="tanh", rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    h = fit(model, X, y, loss="bce_logits", optimizer=opt, epochs=3, batch_size=8,
            validation=(Xv, yv), scheduler=optim.StepLR(opt, step_size=1, gamma=0.5),
            progress=False)  # fmt: skip
    assert h.epochs == 3 and h.steps == 3 * 4  # batches of 8, 8, 8, 6
    assert len(h.step_loss) == len(h.lr) == len(h.step_time) == 12
    assert h.lr == pytest.approx([0.1] * 4 + [0.05] * 4 + [0.025] * 4)
    assert len(h.val_loss) == len(h.val_accuracy) == len(h.accuracy) == len(h.epoch_time) == 3
    assert all(0 <= a <= 1 for a in h.accuracy + h.val_accuracy)
    assert h.total_time > 0 and "epoch 3" in h.summary()
    # the epoch loss is the example-weighted mean of its steps
    assert h.loss[0] == pytest.approx((sum(h.step_loss[:3]) * 8 + h.step_loss[3] * 6) / 30)


def test_validation_loss_is_computed_after_the_epoch() -> None:
    X, y = [[0.0], [1.0]], [0.0, 2.0]
    model = MLP(1, [1], rng=0)
    h = fit(model, X, y, loss="mse", lr=0.1, epochs=2, validation=(X, y), progress=False)
    assert h.val_loss[-1] == pytest.approx(
        sum((predict(model, [x])[0] - t) ** 2 for x, t in zip(X, y, strict=True)) / 2
    )
    assert h.metrics == {}  # regression: no accuracy by default


def test_regression_metrics_on_request() -> None:
    X, y = data.regression_1d(20, kind="poly", noise=0.0)
    model = MLP(1, [8, 1], activation="tanh", rng=0)
    h = fit(model, X, y, loss="mse", optimizer="adam", lr=0.05, epochs=5, metrics=("mse", "mae"),
            progress=False)  # fmt: skip
    assert h.metrics["mse"] == pytest.approx(h.loss)  # the same quantity, measured twice


def test_fit_is_deterministic() -> None:
    X, y = data.xor(20, seed=0)

    def run() -> list[float]:
        m = MLP(2, [4, 1], activation="tanh", rng=3)
        return fit(m, X, y, loss="bce_logits", epochs=4, batch_size=5, seed=9,
                   progress=False).step_loss  # fmt: skip

    assert run() == run()


def test_early_stopping_stops_and_restores_best() -> None:
    X, y = [[0.0], [1.0]], [0.0, 1.0]
    model = MLP(1, [1], rng=0)
    # A learning rate this large makes the loss blow up after the first step.
    h = fit(model, X, y, loss="mse", optimizer="sgd", lr=2.5, epochs=50,
            early_stopping=EarlyStopping(patience=3), progress=False)  # fmt: skip
    assert h.stopped_early and h.epochs < 50
    assert h.best_epoch is not None and h.best_epoch < h.epochs
    # restored parameters give (about) the best loss again
    outs = predict(model, X)
    best = min(h.loss[: h.epochs])
    assert sum((o - t) ** 2 for o, t in zip(outs, y, strict=True)) / 2 <= max(h.loss) and best >= 0


def test_callback_can_stop_training() -> None:
    seen: list[int] = []

    def cb(epoch: int, history: History) -> bool:
        seen.append(epoch)
        return epoch == 3

    h = fit(MLP(1, [1], rng=0), [[0.0]], [1.0], loss="mse", lr=0.1, epochs=10, callback=cb,
            progress=False)  # fmt: skip
    assert seen == [1, 2, 3] and h.epochs == 3


def test_progress_bar_is_shown_and_can_be_disabled(capsys: pytest.CaptureFixture[str]) -> None:
    fit(MLP(1, [1], rng=0), [[0.0]], [1.0], loss="mse", lr=0.1, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "training" in err and "3/3" in err and "loss=" in err
    fit(MLP(1, [1], rng=0), [[0.0]], [1.0], loss="mse", lr=0.1, epochs=3, progress=False)
    assert capsys.readouterr().err == ""


def test_cross_entropy_with_several_outputs() -> None:
    X, y = data.spirals(60, classes=3, noise=0.0, seed=0)
    model = MLP(2, [16, 3], activation="tanh", rng=0)
    h = fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=30,
            progress=False)  # fmt: skip
    assert h.loss[-1] < h.loss[0]
    assert h.accuracy[-1] == pytest.approx(accuracy(model, X, y), abs=0.1)


# --- predict / accuracy ---------------------------------------------------------------------


def _fixed_neuron(w: float, b: float) -> Neuron:
    n = Neuron(1, activation="linear", rng=0)
    n.w[0].data, n.b.data = w, b
    return n


def test_predict_and_accuracy_by_hand() -> None:
    n = _fixed_neuron(2.0, -1.0)  # output 2x - 1
    X = [[0.0], [0.4], [0.6], [1.0]]
    assert predict(n, X) == pytest.approx([-1.0, -0.2, 0.2, 1.0])
    # -1/+1 labels: boundary at 0
    assert accuracy(n, X, [-1, -1, 1, 1]) == 1.0
    assert accuracy(n, X, [-1, 1, 1, 1]) == 0.75
    # 0/1 labels: boundary at 0.5 (probability-like outputs) unless told otherwise
    assert accuracy(n, X, [0, 0, 0, 1]) == 1.0
    assert accuracy(n, X, [0, 0, 1, 1], threshold=0.0) == 1.0
    assert predict_classes(n, X, threshold=0.0, negative_label=-1) == [-1, -1, 1, 1]


def test_predict_classes_takes_the_argmax() -> None:
    model = MLP(1, [3], activation="linear", rng=0)
    for k, neuron in enumerate(model.layers[0].neurons):
        neuron.w[0].data, neuron.b.data = float(k - 1), 0.0  # outputs (-x, 0, x)
    assert predict_classes(model, [[-2.0], [2.0]]) == [0, 2]
    assert predict(model, [[1.0]]) == [[-1.0, 0.0, 1.0]]


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"X": [[0.0], [1.0]], "y": [1.0]}, ValueError, "X has 2 examples but its labels have 1"),
        ({"X": [], "y": []}, ValueError, "X is empty"),
        ({"X": [[0.0], [1.0, 2.0]], "y": [1.0, 2.0]}, ValueError, r"X\[1\] has 2 features"),
        ({"lr": 0.0}, ValueError, "lr must be a finite number > 0"),
        ({"lr": -0.1}, ValueError, "lr must be"),
        ({"epochs": 0}, ValueError, "epochs must be a positive int"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"loss": "l3"}, ValueError, "unknown loss 'l3'; pass a function or one of 'mse'"),
        ({"optimizer": "adagrad"}, ValueError, "unknown optimizer 'adagrad'"),
        ({"metrics": ("f1",)}, ValueError, "unknown metric 'f1'"),
        ({"metrics": ("accuracy",)}, ValueError, "accuracy' needs class labels"),
        ({"validation": ([[0.0, 1.0]], [1.0])}, ValueError, "X_val has 2 features"),
        ({"validation": ([[0.0]], [1.0, 2.0])}, ValueError, "X_val has 1 examples"),
        ({"early_stopping": 0}, ValueError, "patience must be >= 1"),
        ({"regularization": ("l3", 0.1)}, ValueError, "regularization must be"),
        ({"regularization": -1.0}, ValueError, "strength must be a number >= 0"),
        ({"early_stopping": EarlyStopping(monitor="val_loss")}, ValueError, "needs validation"),
    ],
)
def test_bad_inputs_raise_clear_errors(
    kwargs: dict[str, object], err: type[Exception], match: str
) -> None:
    args: dict[str, object] = {"X": [[0.0], [1.0]], "y": [0.5, 1.5], "loss": "mse", "epochs": 1,
                               "progress": False}  # fmt: skip
    args.update(kwargs)
    X, y = args.pop("X"), args.pop("y")
    with pytest.raises(err, match=match):
        fit(MLP(1, [2, 1], rng=0), X, y, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize("compiled", [False, True])
def test_label_errors_name_the_conversion(compiled: bool) -> None:
    X, y = data.moons(10, seed=0)
    with pytest.raises(ValueError, match=r"hinge' needs labels -1/\+1.*to_pm1"):
        fit(MLP(2, [2, 1], rng=0), X, y, loss="hinge", epochs=1, progress=False, compiled=compiled)
    with pytest.raises(ValueError, match=r"labels in \[0, 1\].*to_01"):
        fit(
            MLP(2, [2, 1], rng=0),
            X,
            data.to_pm1(y),
            loss="bce_logits",
            epochs=1,
            progress=False,
            compiled=compiled,
        )
    with pytest.raises(ValueError, match="cross_entropy' needs one output per class"):
        fit(
            MLP(2, [2, 1], rng=0),
            X,
            y,
            loss="cross_entropy",
            epochs=1,
            progress=False,
            compiled=compiled,
        )
    with pytest.raises(ValueError, match="labels must be class indices 0…1"):
        fit(
            MLP(2, [2], rng=0),
            X,
            [2] * 10,
            loss="cross_entropy",
            epochs=1,
            progress=False,
            compiled=compiled,
        )
    with pytest.raises(ValueError, match=r"the model has 2.*cross_entropy"):
        fit(MLP(2, [2], rng=0), X, y, loss="mse", epochs=1, progress=False, compiled=compiled)


def test_divergence_is_reported() -> None:
    with pytest.raises((FloatingPointError, OverflowError)):
        fit(MLP(1, [1], rng=0), [[10.0]], [1.0], loss="mse", lr=1e3, epochs=200, progress=False)


def test_non_module_model_is_refused() -> None:
    with pytest.raises(TypeError, match="must be a microgrand Module"):
        fit(lambda x: Value(0.0), [[0.0]], [1.0], loss="mse", progress=False)  # type: ignore[arg-type]


def test_optimizer_and_lr_together_is_ambiguous() -> None:
    m = MLP(1, [1], rng=0)
    with pytest.raises(ValueError, match="pass lr= to the optimizer itself"):
        fit(m, [[0.0]], [1.0], loss="mse", optimizer=optim.SGD(m.parameters(), lr=0.1), lr=0.2,
            progress=False)  # fmt: skip


def _twin_models() -> tuple[Any, Any]:
    from microgrand.nn import MLP

    return MLP(2, [6, 6, 1], rng=3), MLP(2, [6, 6, 1], rng=3)


def _squared_error(preds: list[Any], targets: list[Any]) -> Any:
    """A loss of the user's own: the labels are part of its graph."""
    return vsum([(p - t) ** 2 for p, t in zip(preds, targets, strict=True)])


@pytest.mark.parametrize(
    ("loss", "batch_size", "shuffle", "regularization"),
    [
        ("hinge", None, True, 1e-4),
        ("mse", 5, False, None),
        ("bce_logits", None, False, 1e-3),
        ("hinge", 4, True, 1e-4),  # shuffled mini-batches: one recording serves them all
        ("bce_logits", 3, True, None),  # and a last, shorter batch (20 = 6 * 3 + 2)
        ("bce", 5, True, ("l1", 1e-3)),
        ("mae", 6, True, None),
        ("cross_entropy", 5, False, None),  # labels in the graph: batches repeat
        ("cross_entropy", 5, True, None),  # labels in the graph: mostly eager
        (_squared_error, 4, True, None),
    ],
)
def test_compiled_training_is_identical_to_eager(
    loss: Any, batch_size: int | None, shuffle: bool, regularization: Any
) -> None:
    from microgrand import data as mgdata
    from microgrand.nn import MLP

    X, y01 = mgdata.moons(20, noise=0.1, seed=2)
    y: list[Any] = mgdata.to_pm1(y01) if loss == "hinge" else y01
    if loss == "cross_entropy":
        y = [int(t) for t in y01]
        a, b = MLP(2, [5, 2], rng=3), MLP(2, [5, 2], rng=3)
    elif loss == "bce":
        a, b = (MLP(2, [6, 1], activation="tanh", output_activation="sigmoid", rng=3)
                for _ in range(2))  # fmt: skip
    else:
        a, b = _twin_models()
    kw: dict[str, Any] = dict(
        loss=loss,
        optimizer="adam",
        lr=0.02,
        epochs=24,
        batch_size=batch_size,
        shuffle=shuffle,
        progress=False,
        regularization=regularization,
        validation=(X[:5], y[:5]),
    )
    h1 = fit(a, X, y, **kw)
    h2 = fit(b, X, y, compiled=True, **kw)
    assert h1.step_loss == h2.step_loss and h1.loss == h2.loss
    assert h1.step_penalty == h2.step_penalty and h1.val_loss == h2.val_loss
    assert h1.metrics == h2.metrics and h1.grad_norms == h2.grad_norms
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


@pytest.mark.parametrize(
    ("loss", "n", "batch_size", "expected"),
    [
        ("hinge", 20, 4, 1),  # labels are inputs: one recording for every batch of 4
        ("mse", 22, 5, 2),  # ... and one for the last batch of 2
        ("cross_entropy", 8, None, 1),  # labels in the graph, full batch: recorded once
    ],
)
def test_compiled_training_records_once_per_batch_shape(
    monkeypatch: pytest.MonkeyPatch, loss: str, n: int, batch_size: int | None, expected: int
) -> None:
    import microgrand.recording as recording
    from microgrand import data as mgdata
    from microgrand.nn import MLP

    calls: list[int] = []
    real = recording._record

    def counting(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(recording, "_record", counting)
    X, y01 = mgdata.moons(n, noise=0.1, seed=2)
    y: list[Any] = {"hinge": mgdata.to_pm1(y01), "mse": y01}.get(loss, [int(t) for t in y01])
    model = MLP(2, [4, 2 if loss == "cross_entropy" else 1], rng=0)
    fit(model, X, y, loss=loss, epochs=24, batch_size=batch_size, compiled=True, progress=False)
    assert len(calls) == expected
    calls.clear()  # too few steps to pay for a recording: none is made
    fit(model, X, y, loss=loss, epochs=2, batch_size=batch_size, compiled=True, progress=False)
    assert calls == []


def test_compiled_training_refuses_what_it_cannot_replay() -> None:
    from microgrand.nn import MLP, Dropout, Module

    class Dropped(Module):
        def __init__(self) -> None:
            super().__init__()
            self.drop = Dropout(0.5, rng=0)
            self.mlp = MLP(2, [3, 1], rng=0)

        def forward(self, x: Any) -> Any:
            return self.mlp(self.drop(x))

    X, y = [[0.0, 1.0], [1.0, 0.0]], [1.0, -1.0]
    with pytest.raises(ValueError, match="dropout"):
        fit(Dropped(), X, y, loss="hinge", compiled=True, progress=False)
    model = Dropped()
    model.eval()
    fit(model, X, y, loss="hinge", compiled=True, epochs=2, progress=False)
    with pytest.raises(TypeError, match="compiled"):
        fit(MLP(2, [1], rng=0), X, y, loss="hinge", compiled="yes", progress=False)  # type: ignore[arg-type]


def test_validation_runs_with_dropout_off_and_restores_each_modules_mode() -> None:
    from microgrand import losses
    from microgrand.nn import Dropout, Module

    class Dropped(Module):
        def __init__(self) -> None:
            super().__init__()
            self.mlp = MLP(2, [6, 1], rng=0)
            self.drop = Dropout(0.5, rng=1)
            self.frozen = Dropout(0.5, rng=2)

        def forward(self, x: Any) -> Any:
            return self.mlp(self.frozen(self.drop(x)))

    X, y = data.moons(12, noise=0.1, seed=0)
    model = Dropped()
    model.frozen.eval()  # the user's choice must survive validation
    h = fit(model, X, y, loss="mse", lr=1e-3, epochs=1, validation=(X, y), progress=False)
    assert model.training and model.drop.training and not model.frozen.training
    model.eval()
    want = losses.mse([model(x) for x in X], y).data  # dropout off: deterministic
    assert h.val_loss == [want]


def test_unclear_inputs_get_messages_that_name_them() -> None:
    X, y = mg.data.moons(20, seed=0)
    with pytest.raises(TypeError, match="model must be a microgrand Module"):
        mg.fit(None, X, y, loss="hinge", epochs=1, compiled=True, progress=False)  # type: ignore[arg-type]
    model = mg.MLP(2, [4, 1], rng=0)
    for compiled in (False, True):
        with pytest.raises(TypeError, match="returned a float, not a Value"):
            mg.fit(model, X, y, loss=lambda p, t: 1.0, epochs=1, compiled=compiled, progress=False)
