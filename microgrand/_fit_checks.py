"""The argument checks of :func:`microgrand.train.fit`: everything is validated and resolved
here (data, loss, optimizer, penalty, scheduler, metrics, validation data) before the first
step, so that the training loop in :mod:`microgrand.train` only trains.

Every refusal names the argument and says what to pass instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from . import losses as _losses
from .nn import Module
from .optim import OPTIMIZERS, LRScheduler, Optimizer
from .value import Value

__all__ = ["FitSetup", "check_data", "check_labels", "is_class_label", "prepare"]

LossFn: TypeAlias = Callable[[Any, Any], Value]
Regularization: TypeAlias = "float | tuple[str, float] | Callable[[list[Value]], Value] | None"

METRICS = ("accuracy", "mse", "mae")


def _loss_entry(name: str) -> _losses.Loss | None:
    """The registered loss called ``name`` (a custom function's name may match none)."""
    return _losses.LOSSES.get(name)


def _number(v: object) -> float | None:
    """The float inside ``v`` (a number or a Value), or ``None`` when it is neither."""
    if isinstance(v, Value):
        return v.data
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return None


def _check_finite(name: str, i: int, v: object) -> None:
    items = v if isinstance(v, Sequence) and not isinstance(v, str | bytes) else None
    cells = enumerate(items) if items is not None else [(None, v)]
    for j, cell in cells:
        x = _number(cell)
        if x is not None and not math.isfinite(x):
            where = f"{name}[{i}]" if j is None else f"{name}[{i}][{j}] (row {i}, column {j})"
            raise ValueError(
                f"{where} is {x}: training needs finite numbers; remove or fill in that "
                "value (a NaN or infinity would spread through every gradient)"
            )


def check_data(X: object, y: object, what: str = "X") -> tuple[list[Any], list[Any]]:
    """Check examples and labels: two lists of the same non-zero length, examples of the same
    width, every number finite (a NaN or infinity is reported with its row and column).

    Example:
        >>> check_data([[1.0, float("nan")]], [0])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: X[0][1] (row 0, column 1) is nan: training needs finite numbers; ...
    """
    label = "y" if what == "X" else f"y{what[1:]}"
    for name, v in ((what, X), (label, y)):
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
        _check_finite(what, i, x)
    for i, t in enumerate(y):
        _check_finite(label, i, t)
    return list(X), list(y)


def is_class_label(t: object) -> bool:
    """An integer-valued number (``1`` or ``1.0``), not a bool."""
    return isinstance(t, int | float) and not isinstance(t, bool) and float(t) == int(t)


def make_optimizer(model: Module, optimizer: Optimizer | str, lr: float | None) -> Optimizer:
    """The optimizer ``fit`` uses: the one given (which must update this model's parameters)
    or a new one by name."""
    if isinstance(optimizer, Optimizer):
        if lr is not None:
            raise ValueError("pass lr= to the optimizer itself, or pass the optimizer by name")
        own = {id(p) for p in model.parameters()}
        foreign = [p for p in optimizer.params if id(p) not in own]
        if foreign:
            raise ValueError(
                f"the optimizer holds {len(foreign)} of its {len(optimizer.params)} parameters "
                "that are not this model's (was it built for another model?); build it with "
                "this model's parameters, e.g. SGD(model.parameters(), lr=0.1)"
            )
        return optimizer
    if not isinstance(optimizer, str) or optimizer.lower() not in OPTIMIZERS:
        valid = ", ".join(map(repr, OPTIMIZERS))
        raise ValueError(f"unknown optimizer {optimizer!r}; pass an Optimizer or one of {valid}")
    return OPTIMIZERS[optimizer.lower()](model.parameters(), lr=lr)


def make_loss(loss: str | LossFn) -> tuple[LossFn, str]:
    """The loss function and its name (``"custom"`` for an unnamed function)."""
    if callable(loss):
        return loss, getattr(loss, "__name__", "custom")
    if not isinstance(loss, str) or loss not in _losses.LOSSES:
        valid = ", ".join(map(repr, _losses.LOSSES))
        raise ValueError(f"unknown loss {loss!r}; pass a function or one of {valid}")
    fn: LossFn = _losses.LOSSES[loss].fn
    return fn, loss


def make_penalty(reg: Regularization) -> Callable[[list[Value]], Value] | None:
    """The regularization term as a function of the parameters, or ``None``."""
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
    if (
        isinstance(strength, bool)
        or not isinstance(strength, int | float)
        or not math.isfinite(strength)
        or strength < 0
    ):
        raise ValueError(f"regularization strength must be a number >= 0, got {strength!r}")
    if strength == 0:
        return None
    f = _losses.l2 if kind == "l2" else _losses.l1
    s = float(strength)

    def penalty(params: list[Value]) -> Value:
        return s * f(params)

    return penalty


def check_labels(name: str, y: list[Any], outputs: Value | list[Value]) -> None:
    """Labels that fit the loss (and the model's number of outputs)."""
    entry = _loss_entry(name)
    if entry is None:
        return  # a custom loss checks its own labels
    if entry.labels == "pm1":
        bad = [t for t in y if t not in (-1, 1)]
        if bad:
            raise ValueError(
                f"loss {name!r} needs labels -1/+1, got {bad[0]!r} "
                "(convert 0/1 labels with microgrand.data.to_pm1(y))"
            )
    if entry.labels == "unit":
        bad = [t for t in y if not (isinstance(t, int | float) and 0 <= t <= 1)]
        if bad:
            raise ValueError(
                f"loss {name!r} needs labels in [0, 1], got {bad[0]!r} "
                "(convert -1/+1 labels with microgrand.data.to_01(y))"
            )
    if entry.per_class:
        if not isinstance(outputs, list):
            raise ValueError(
                f"loss {name!r} needs one output per class, but the model has one output"
            )
        k = len(outputs)
        bad = [t for t in y if not (is_class_label(t) and 0 <= t < k)]
        if bad:
            raise ValueError(f"{name} labels must be class indices 0…{k - 1}, got {bad[0]!r}")
    elif isinstance(outputs, list):
        raise ValueError(
            f"loss {name!r} needs one output per example, but the model has {len(outputs)} "
            "(use loss='cross_entropy' for several classes)"
        )


@dataclass
class FitSetup:
    """Everything :func:`~microgrand.train.fit` needs, validated."""

    Xs: list[Any]
    ys: list[Any]
    Xv: list[Any]
    yv: list[Any]
    loss_fn: LossFn
    loss_name: str
    optimizer: Optimizer
    penalty: Callable[[list[Value]], Value] | None
    scheduler: LRScheduler | None
    metrics: tuple[str, ...]
    monitor: str
    negative: int
    threshold: float


def prepare(
    model: Module,
    X: object,
    y: object,
    *,
    loss: str | LossFn,
    optimizer: Optimizer | str,
    lr: float | None,
    epochs: object,
    batch_size: object,
    metrics: Sequence[str] | None,
    validation: object,
    regularization: Regularization,
    scheduler: LRScheduler | Callable[[Optimizer], LRScheduler] | None,
    monitor: str | None,
) -> FitSetup:
    """Check every argument of ``fit`` (``monitor``: the early-stopping monitor, or ``None``
    without early stopping) and resolve names into objects."""
    # Long because it checks each of fit's dozen arguments in turn, in the order of its
    # signature, each with its own message.
    if not isinstance(model, Module):
        raise TypeError(
            f"model must be a microgrand Module (e.g. an MLP), got {type(model).__name__}"
        )
    Xs, ys = check_data(X, y)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    loss_fn, loss_name = make_loss(loss)
    opt = make_optimizer(model, optimizer, lr)
    penalty = make_penalty(regularization)
    sched = (
        scheduler(opt)
        if callable(scheduler) and not isinstance(scheduler, LRScheduler)
        else scheduler
    )
    if sched is not None and not isinstance(sched, LRScheduler):
        raise TypeError(f"scheduler must be an LRScheduler, got {type(sched).__name__}")
    if sched is not None and sched.optimizer is not opt:
        raise ValueError("the scheduler was made for a different optimizer than the one fit uses")
    entry = _loss_entry(loss_name)
    if metrics is None:
        metrics = ("accuracy",) if entry is not None and entry.classification else ()
    if isinstance(metrics, str):
        metrics = (metrics,)
    for m in metrics:
        if m not in METRICS:
            raise ValueError(
                f"unknown metric {m!r}; valid metrics: {', '.join(map(repr, METRICS))}"
            )
    Xv: list[Any] = []
    yv: list[Any] = []
    if validation is not None:
        if not isinstance(validation, tuple | list) or len(validation) != 2:
            raise TypeError("validation must be a pair (X_val, y_val)")
        Xv, yv = check_data(validation[0], validation[1], "X_val")
        if len(Xv[0]) != len(Xs[0]):
            raise ValueError(f"X_val has {len(Xv[0])} features per example but X has {len(Xs[0])}")
    if monitor == "auto" or monitor is None:
        monitor = "val_loss" if validation is not None and monitor == "auto" else "loss"
    if monitor == "val_loss" and validation is None:
        raise ValueError("early stopping on 'val_loss' needs validation=(X_val, y_val)")

    # How outputs become classes: by the loss (scores vs probabilities) and the labels.
    negative = -1 if any(t == -1 for t in ys + yv) else 0
    threshold = 0.0 if entry is not None and entry.scores else (negative + 1) / 2
    if "accuracy" in metrics:
        bad = [t for t in ys + yv if not is_class_label(t)]
        if bad:
            raise ValueError(f"metric 'accuracy' needs class labels, got {bad[0]!r}")
    return FitSetup(
        Xs=Xs,
        ys=ys,
        Xv=Xv,
        yv=yv,
        loss_fn=loss_fn,
        loss_name=loss_name,
        optimizer=opt,
        penalty=penalty,
        scheduler=sched,
        metrics=tuple(metrics),
        monitor=monitor,
        negative=negative,
        threshold=threshold,
    )
