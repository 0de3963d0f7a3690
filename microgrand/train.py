"""A training loop: :func:`fit` runs forward, loss, backward and update, and keeps a History.

One *step* is: predictions for a batch → loss (mean over the batch, one ``Σ`` node) plus an
optional penalty → ``zero_grad()`` → ``backward()`` → record each layer's gradient norm →
``optimizer.step()``. One *epoch* is one pass over the training data.

Example:
    >>> from microgrand import data, nn
    >>> from microgrand.train import fit, accuracy
    >>> X, y = data.xor(40, seed=0)
    >>> model = nn.MLP(2, [8, 1], activation="tanh", rng=0)
    >>> history = fit(model, X, y, loss="bce_logits", optimizer="adam", lr=0.05, epochs=60,
    ...               progress=False)
    >>> len(history.loss), history.accuracy[-1] > 0.8, list(history.grad_norms)
    (60, True, ['layer1', 'layer2'])
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from . import losses as _losses
from .context import no_grad
from .nn import Module
from .optim import SGD, Adam, LRScheduler, Optimizer, RMSProp
from .value import Value

__all__ = [
    "EarlyStopping",
    "History",
    "accuracy",
    "fit",
    "predict",
    "predict_classes",
]

LossFn: TypeAlias = Callable[[Any, Any], Value]
Regularization: TypeAlias = "float | tuple[str, float] | Callable[[list[Value]], Value] | None"

_OPTIMIZERS: dict[str, tuple[type[Optimizer], float]] = {
    "sgd": (SGD, 0.1),
    "adam": (Adam, 0.01),
    "rmsprop": (RMSProp, 0.01),
}
# Losses that read the model output as a raw score: the class boundary is at 0.
_SCORE_LOSSES = frozenset({"hinge", "bce_logits"})
_CLASSIFICATION_LOSSES = frozenset(
    {"hinge", "bce", "binary_cross_entropy", "bce_logits", "cross_entropy"}
)
_METRICS = ("accuracy", "mse", "mae")


@dataclass
class EarlyStopping:
    """Stop when the monitored loss has not improved for ``patience`` epochs.

    ``monitor`` is ``"val_loss"`` (needs ``validation=``), ``"loss"``, or ``"auto"``
    (``val_loss`` when there is validation data). With ``restore_best`` the model gets the
    parameters of its best epoch back at the end.

    Example:
        >>> EarlyStopping(patience=5).monitor
        'auto'
    """

    patience: int = 10
    min_delta: float = 0.0
    monitor: str = "auto"
    restore_best: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.patience, bool) or not isinstance(self.patience, int):
            raise TypeError(f"patience must be an int, got {self.patience!r}")
        if self.patience < 1:
            raise ValueError(f"patience must be >= 1, got {self.patience}")
        if not (isinstance(self.min_delta, int | float) and self.min_delta >= 0):
            raise ValueError(f"min_delta must be a number >= 0, got {self.min_delta!r}")
        if self.monitor not in ("auto", "loss", "val_loss"):
            raise ValueError(f"monitor must be 'auto', 'loss' or 'val_loss', got {self.monitor!r}")


@dataclass
class History:
    """What happened during :func:`fit`, epoch by epoch and step by step.

    Per epoch: ``loss`` (mean data loss over the epoch's batches, without the penalty),
    ``metrics["accuracy"]`` (on the training predictions made during the epoch),
    ``val_loss`` and ``val_metrics`` (on the validation data after the epoch),
    ``epoch_time`` (seconds). Per step: ``step_loss``, ``step_penalty`` (the regularization
    term), ``lr``, ``step_time`` and ``grad_norms[group]``: the L2 norm of the gradient of
    each layer's parameters (``grad_norms["layer1"]``), the tool to see vanishing or
    exploding gradients.

    Example:
        >>> h = History(); h.loss.append(0.5); h.metrics["accuracy"] = [0.9]
        >>> h.epochs, h.accuracy
        (1, [0.9])
    """

    loss: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    val_loss: list[float] = field(default_factory=list)
    val_metrics: dict[str, list[float]] = field(default_factory=dict)
    epoch_time: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    step_penalty: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    step_time: list[float] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(self.loss)

    @property
    def steps(self) -> int:
        """How many optimizer steps ran."""
        return len(self.step_loss)

    @property
    def accuracy(self) -> list[float]:
        """Training accuracy per epoch (empty when not measured)."""
        return self.metrics.get("accuracy", [])

    @property
    def val_accuracy(self) -> list[float]:
        """Validation accuracy per epoch (empty without validation data)."""
        return self.val_metrics.get("accuracy", [])

    @property
    def total_time(self) -> float:
        """Seconds spent in all epochs."""
        return sum(self.epoch_time)

    def summary(self) -> str:
        """One line about the last epoch.

        Example:
            >>> h = History(loss=[0.5, 0.25], epoch_time=[0.1, 0.1])
            >>> h.summary()
            'epoch 2: loss 0.25 (0.2 s)'
            >>> History(loss=[0.06], metrics={"accuracy": [1.0]}, epoch_time=[0.1]).summary()
            'epoch 1: loss 0.06, accuracy 100.0% (0.1 s)'
        """
        if not self.loss:
            return "no epochs"
        parts = [f"epoch {self.epochs}: loss {self.loss[-1]:.4g}"]
        for k, v in self.metrics.items():
            parts.append(f"{k} {_fmt_metric(k, v[-1])}")
        if self.val_loss:
            parts.append(f"val_loss {self.val_loss[-1]:.4g}")
        for k, v in self.val_metrics.items():
            parts.append(f"val_{k} {_fmt_metric(k, v[-1])}")
        return ", ".join(parts) + f" ({self.total_time:.2g} s)"

    def __repr__(self) -> str:
        return f"History({self.summary()}, steps={self.steps})"


# --- helpers ------------------------------------------------------------------------------


def _fmt_metric(name: str, value: float) -> str:
    """Accuracy as a percentage (``100.0%``), other metrics with four significant digits."""
    return f"{100 * value:.1f}%" if name == "accuracy" else f"{value:.4g}"


def _check_data(X: object, y: object, what: str = "X") -> tuple[list[Any], list[Any]]:
    for name, v in ((what, X), ("y", y)):
        if isinstance(v, str | bytes) or not isinstance(v, Sequence):
            raise TypeError(f"{name} must be a list, got {type(v).__name__}")
    assert isinstance(X, Sequence) and isinstance(y, Sequence)
    if len(X) != len(y):
        raise ValueError(
            f"{what} has {len(X)} examples but its labels have {len(y)}; they must match"
        )
    if len(X) == 0:
        raise ValueError(f"{what} is empty: need at least one example")
    width = None
    for i, x in enumerate(X):
        if isinstance(x, str | bytes) or not isinstance(x, Sequence):
            raise TypeError(f"{what}[{i}] must be a list of numbers, got {type(x).__name__}")
        if width is None:
            width = len(x)
        elif len(x) != width:
            raise ValueError(f"{what}[{i}] has {len(x)} features but {what}[0] has {width}")
    return list(X), list(y)


def _outputs(model: Callable[..., Any], x: Sequence[Any]) -> Value | list[Value]:
    out = model(x)
    if isinstance(out, Value):
        return out
    if isinstance(out, list | tuple) and out and all(isinstance(o, Value) for o in out):
        return list(out)
    raise TypeError(f"the model must return a Value or a list of Values, got {type(out).__name__}")


def _negative_label(y: Sequence[Any]) -> int:
    return -1 if any(t == -1 for t in y) else 0


def _is_class_label(t: object) -> bool:
    return isinstance(t, int | float) and not isinstance(t, bool) and float(t) == int(t)


def _classify(out: Value | list[Value], threshold: float, negative: int) -> int:
    if isinstance(out, list):
        best = max(range(len(out)), key=lambda k: out[k].data)
        return best
    return 1 if out.data > threshold else negative


def _default_threshold(negative: int) -> float:
    return (negative + 1) / 2


def predict(model: Callable[..., Any], X: Sequence[Sequence[float]]) -> list[Any]:
    """The model's raw outputs as floats (a list of floats per example for several outputs).

    Runs under :func:`~microgrand.no_grad` (no graph, fast).

    Example:
        >>> from microgrand.nn import MLP
        >>> len(predict(MLP(2, [3, 1], rng=0), [[0.0, 1.0], [1.0, 0.0]]))
        2
    """
    if isinstance(X, str | bytes) or not isinstance(X, Sequence):
        raise TypeError(f"X must be a list of examples, got {type(X).__name__}")
    res: list[Any] = []
    with no_grad():
        for x in X:
            out = _outputs(model, x)
            res.append([o.data for o in out] if isinstance(out, list) else out.data)
    return res


def predict_classes(
    model: Callable[..., Any],
    X: Sequence[Sequence[float]],
    *,
    threshold: float = 0.5,
    negative_label: int = 0,
) -> list[int]:
    """Class predictions: the arg-max for several outputs; for one output
    ``1 if output > threshold else negative_label``.

    Use ``threshold=0`` for raw scores (hinge, ``bce_logits``) and ``0.5`` for
    probabilities; ``negative_label=-1`` for -1/+1 labels.

    Example:
        >>> from microgrand.nn import MLP
        >>> predict_classes(MLP(2, [3], rng=0), [[1.0, 2.0]])    # 3 outputs: arg-max
        [0]
    """
    preds: list[int] = []
    with no_grad():
        for x in X:
            preds.append(_classify(_outputs(model, x), threshold, negative_label))
    return preds


def accuracy(
    model: Callable[..., Any],
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    *,
    threshold: float | None = None,
) -> float:
    """The fraction of examples classified correctly.

    For a single output, ``threshold`` defaults to the middle of the two labels: 0.5 for
    0/1 labels (probabilities), 0 for -1/+1 labels (scores). Pass ``threshold=0`` for a
    model that outputs logits with 0/1 labels.

    Example:
        >>> from microgrand.nn import MLP
        >>> 0.0 <= accuracy(MLP(2, [4, 1], rng=0), [[0.0, 1.0], [1.0, 0.0]], [0, 1]) <= 1.0
        True
    """
    Xs, ys = _check_data(X, y)
    neg = _negative_label(ys)
    t = _default_threshold(neg) if threshold is None else float(threshold)
    pred = predict_classes(model, Xs, threshold=t, negative_label=neg)
    return sum(int(p == int(label)) for p, label in zip(pred, ys, strict=True)) / len(ys)


def _make_optimizer(model: Module, optimizer: Optimizer | str, lr: float | None) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        if lr is not None:
            raise ValueError("pass lr= to the optimizer itself, or pass the optimizer by name")
        return optimizer
    if not isinstance(optimizer, str) or optimizer.lower() not in _OPTIMIZERS:
        valid = ", ".join(map(repr, _OPTIMIZERS))
        raise ValueError(f"unknown optimizer {optimizer!r}; pass an Optimizer or one of {valid}")
    cls, default_lr = _OPTIMIZERS[optimizer.lower()]
    return cls(model.parameters(), lr=default_lr if lr is None else lr)


def _make_loss(loss: str | LossFn) -> tuple[LossFn, str]:
    if callable(loss):
        return loss, getattr(loss, "__name__", "custom")
    if not isinstance(loss, str) or loss not in _losses.LOSSES:
        valid = ", ".join(map(repr, _losses.LOSSES))
        raise ValueError(f"unknown loss {loss!r}; pass a function or one of {valid}")
    fn: LossFn = _losses.LOSSES[loss]  # type: ignore[assignment]
    return fn, loss


def _make_penalty(reg: Regularization) -> Callable[[list[Value]], Value] | None:
    if reg is None:
        return None
    if callable(reg):
        return reg
    if isinstance(reg, tuple):
        if len(reg) != 2 or reg[0] not in ("l1", "l2"):
            raise ValueError(f"regularization must be ('l1' | 'l2', strength), got {reg!r}")
        kind, strength = reg
    else:
        kind, strength = "l2", reg
    if isinstance(strength, bool) or not isinstance(strength, int | float) or strength < 0:
        raise ValueError(f"regularization strength must be a number >= 0, got {strength!r}")
    if strength == 0:
        return None
    f = _losses.l2 if kind == "l2" else _losses.l1
    s = float(strength)

    def penalty(params: list[Value]) -> Value:
        return s * f(params)

    return penalty


def _check_labels(name: str, y: list[Any], outputs: Value | list[Value]) -> None:
    if name in ("hinge",):
        bad = [t for t in y if t not in (-1, 1)]
        if bad:
            raise ValueError(
                f"loss 'hinge' needs labels -1/+1, got {bad[0]!r} "
                "(convert 0/1 labels with microgrand.data.to_pm1(y))"
            )
    if name in ("bce", "binary_cross_entropy", "bce_logits"):
        bad = [t for t in y if not (isinstance(t, int | float) and 0 <= t <= 1)]
        if bad:
            raise ValueError(
                f"loss {name!r} needs labels in [0, 1], got {bad[0]!r} "
                "(convert -1/+1 labels with microgrand.data.to_01(y))"
            )
    if name == "cross_entropy":
        if not isinstance(outputs, list):
            raise ValueError(
                "loss 'cross_entropy' needs one output per class, but the model has one output"
            )
        k = len(outputs)
        bad = [t for t in y if not (_is_class_label(t) and 0 <= t < k)]
        if bad:
            raise ValueError(
                f"cross_entropy labels must be class indices 0…{k - 1}, got {bad[0]!r}"
            )
    elif name in _losses.LOSSES and isinstance(outputs, list):
        raise ValueError(
            f"loss {name!r} needs one output per example, but the model has {len(outputs)} "
            "(use loss='cross_entropy' for several classes)"
        )


def _batches(n: int, batch_size: int | None, shuffle: bool, rng: random.Random) -> list[list[int]]:
    idx = list(range(n))
    if batch_size is None or batch_size >= n:
        return [idx]
    if shuffle:
        rng.shuffle(idx)
    return [idx[i : i + batch_size] for i in range(0, n, batch_size)]


def _metric(
    name: str,
    outs: list[Value | list[Value]],
    ys: list[Any],
    threshold: float,
    negative: int,
) -> float:
    if name == "accuracy":
        right = sum(
            int(_classify(o, threshold, negative) == int(t)) for o, t in zip(outs, ys, strict=True)
        )
        return right / len(ys)
    errs = [float(o.data) - float(t) for o, t in zip(outs, ys, strict=True) if isinstance(o, Value)]
    if name == "mse":
        return math.fsum(e * e for e in errs) / len(errs)
    return math.fsum(abs(e) for e in errs) / len(errs)


def _grad_norm(params: Iterable[Value]) -> float:
    return math.sqrt(math.fsum(p.grad * p.grad for p in params))


# --- fit ----------------------------------------------------------------------------------


def fit(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    loss: str | LossFn,
    optimizer: Optimizer | str = "sgd",
    lr: float | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    metrics: Sequence[str] | None = None,
    validation: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
    progress: bool = True,
    early_stopping: EarlyStopping | int | None = None,
    regularization: Regularization = None,
    scheduler: LRScheduler | Callable[[Optimizer], LRScheduler] | None = None,
    callback: Callable[[int, History], bool | None] | None = None,
) -> History:
    """Train ``model`` on ``(X, y)`` and return a :class:`History`.

    Args:
        model: a :class:`~microgrand.nn.Module` (e.g. an MLP) taking one example.
        X, y: training examples (lists of floats) and labels/targets.
        loss: ``"mse"``, ``"mae"``, ``"hinge"`` (labels -1/+1), ``"bce"`` (probabilities,
            labels 0/1), ``"bce_logits"`` (scores, labels 0/1), ``"cross_entropy"`` (one
            output per class, labels 0…K-1), or a function ``loss(preds, targets) -> Value``.
        optimizer: an :class:`~microgrand.optim.Optimizer`, or ``"sgd"``, ``"adam"``,
            ``"rmsprop"`` with learning rate ``lr`` (defaults 0.1 / 0.01 / 0.01).
        epochs: passes over the data. ``batch_size``: examples per step (``None``: all,
            i.e. full-batch gradient descent); batches are shuffled with ``seed``.
        metrics: names among ``"accuracy"``, ``"mse"``, ``"mae"``; default: accuracy for
            classification losses, none otherwise.
        validation: ``(X_val, y_val)`` evaluated after every epoch (no graph).
        progress: show a tqdm progress bar.
        early_stopping: an :class:`EarlyStopping` or a patience in epochs.
        regularization: ``1e-4`` (an L2 strength), ``("l1", 1e-3)``, or a function of
            the parameter list returning a Value; added to the loss on every step.
        scheduler: a learning-rate schedule (or a function making one from the optimizer);
            stepped once per epoch.
        callback: ``callback(epoch, history)`` after each epoch; return ``True`` to stop.

    Example:
        >>> from microgrand.nn import MLP
        >>> X, y = [[0.0], [1.0]], [0.0, 2.0]
        >>> h = fit(MLP(1, [1], rng=0), X, y, loss="mse", optimizer="sgd", lr=0.1,
        ...         epochs=200, progress=False)
        >>> h.loss[-1] < 1e-6
        True
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"model must be a microgrand Module (e.g. an MLP), got {type(model).__name__}"
        )
    Xs, ys = _check_data(X, y)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    loss_fn, loss_name = _make_loss(loss)
    opt = _make_optimizer(model, optimizer, lr)
    penalty = _make_penalty(regularization)
    sched = (
        scheduler(opt)
        if callable(scheduler) and not isinstance(scheduler, LRScheduler)
        else scheduler
    )
    if sched is not None and not isinstance(sched, LRScheduler):
        raise TypeError(f"scheduler must be an LRScheduler, got {type(sched).__name__}")
    if sched is not None and sched.optimizer is not opt:
        raise ValueError("the scheduler was made for a different optimizer than the one fit uses")
    if isinstance(early_stopping, int) and not isinstance(early_stopping, bool):
        early_stopping = EarlyStopping(patience=early_stopping)
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError(
            f"early_stopping must be an EarlyStopping or an int, got {early_stopping!r}"
        )
    if metrics is None:
        metrics = ("accuracy",) if loss_name in _CLASSIFICATION_LOSSES else ()
    if isinstance(metrics, str):
        metrics = (metrics,)
    for m in metrics:
        if m not in _METRICS:
            raise ValueError(
                f"unknown metric {m!r}; valid metrics: {', '.join(map(repr, _METRICS))}"
            )
    Xv: list[Any] = []
    yv: list[Any] = []
    if validation is not None:
        if not isinstance(validation, tuple | list) or len(validation) != 2:
            raise TypeError("validation must be a pair (X_val, y_val)")
        Xv, yv = _check_data(validation[0], validation[1], "X_val")
        if len(Xv[0]) != len(Xs[0]):
            raise ValueError(f"X_val has {len(Xv[0])} features per example but X has {len(Xs[0])}")
    monitor = "loss"
    if early_stopping is not None:
        monitor = early_stopping.monitor
        if monitor == "auto":
            monitor = "val_loss" if validation is not None else "loss"
        if monitor == "val_loss" and validation is None:
            raise ValueError("early stopping on 'val_loss' needs validation=(X_val, y_val)")

    # How outputs become classes: by the loss (scores vs probabilities) and the labels.
    negative = _negative_label(ys + yv)
    threshold = 0.0 if loss_name in _SCORE_LOSSES else _default_threshold(negative)
    if "accuracy" in metrics:
        bad = [t for t in ys + yv if not _is_class_label(t)]
        if bad:
            raise ValueError(f"metric 'accuracy' needs class labels, got {bad[0]!r}")

    params = model.parameters()
    groups = model.grad_groups()
    history = History(
        metrics={m: [] for m in metrics},
        val_metrics={m: [] for m in metrics} if validation is not None else {},
        grad_norms={g: [] for g in groups},
    )
    rng = random.Random(seed)
    best = math.inf
    best_state: dict[str, float] | None = None
    bad_epochs = 0
    checked = False

    from tqdm.auto import tqdm

    bar = tqdm(range(epochs), disable=not progress, desc="training", unit="epoch", leave=True)
    try:
        for epoch in bar:
            t0 = time.perf_counter()
            outs_epoch: list[Value | list[Value]] = []
            ys_epoch: list[Any] = []
            loss_sum = 0.0
            for idx in _batches(len(Xs), batch_size, shuffle, rng):
                s0 = time.perf_counter()
                xb = [Xs[i] for i in idx]
                yb = [ys[i] for i in idx]
                outs = [_outputs(model, x) for x in xb]
                if not checked:
                    _check_labels(loss_name, ys + yv, outs[0])
                    checked = True
                data_loss = loss_fn(outs, yb)
                total = data_loss
                pen = 0.0
                if penalty is not None:
                    p = penalty(params)
                    pen = p.data
                    total = data_loss + p
                if not math.isfinite(total.data):
                    raise FloatingPointError(
                        f"the loss became {total.data} at epoch {epoch + 1}; "
                        "training diverged (lower the learning rate)"
                    )
                opt.zero_grad()
                total.backward()
                for g, ps in groups.items():
                    history.grad_norms[g].append(_grad_norm(ps))
                history.lr.append(opt.lr)
                opt.step()
                history.step_loss.append(data_loss.data)
                history.step_penalty.append(pen)
                history.step_time.append(time.perf_counter() - s0)
                loss_sum += data_loss.data * len(idx)
                if metrics:
                    outs_epoch.extend(outs)
                    ys_epoch.extend(yb)
            history.loss.append(loss_sum / len(Xs))
            for m in metrics:
                history.metrics[m].append(_metric(m, outs_epoch, ys_epoch, threshold, negative))
            del outs_epoch  # frees this epoch's graphs
            if validation is not None:
                with no_grad():
                    vouts = [_outputs(model, x) for x in Xv]
                    history.val_loss.append(loss_fn(vouts, yv).data)
                    for m in metrics:
                        history.val_metrics[m].append(_metric(m, vouts, yv, threshold, negative))
            if sched is not None:
                sched.step()
            history.epoch_time.append(time.perf_counter() - t0)
            if progress:
                post = {"loss": f"{history.loss[-1]:.4g}"}
                for m in metrics:
                    post[m[:3]] = f"{history.metrics[m][-1]:.3f}"
                if validation is not None:
                    post["val_loss"] = f"{history.val_loss[-1]:.4g}"
                bar.set_postfix(post, refresh=False)
            if early_stopping is not None:
                current = history.val_loss[-1] if monitor == "val_loss" else history.loss[-1]
                if current < best - early_stopping.min_delta:
                    best = current
                    history.best_epoch = epoch + 1
                    bad_epochs = 0
                    if early_stopping.restore_best:
                        best_state = model.state_dict()
                else:
                    bad_epochs += 1
                    if bad_epochs >= early_stopping.patience:
                        history.stopped_early = True
                        break
            if callback is not None and callback(epoch + 1, history):
                break
    finally:
        bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    return history
