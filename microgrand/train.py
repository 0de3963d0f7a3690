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

import contextlib
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._fit_checks import LossFn, Regularization, check_data, check_labels, prepare
from .context import no_grad
from .losses import LABELS_AS_INPUTS
from .nn import Dropout, Module
from .optim import LRScheduler, Optimizer
from .recording import BatchRecordings
from .value import Value

__all__ = [
    "EarlyStopping",
    "History",
    "accuracy",
    "fit",
    "predict",
    "predict_classes",
]


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


def _outputs(model: Callable[..., Any], x: Sequence[Any]) -> Value | list[Value]:
    out = model(x)
    if isinstance(out, Value):
        return out
    if isinstance(out, list | tuple) and out and all(isinstance(o, Value) for o in out):
        return list(out)
    raise TypeError(f"the model must return a Value or a list of Values, got {type(out).__name__}")


def _negative_label(y: Sequence[Any]) -> int:
    return -1 if any(t == -1 for t in y) else 0


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
    Xs, ys = check_data(X, y)
    neg = _negative_label(ys)
    t = _default_threshold(neg) if threshold is None else float(threshold)
    pred = predict_classes(model, Xs, threshold=t, negative_label=neg)
    return sum(int(p == int(label)) for p, label in zip(pred, ys, strict=True)) / len(ys)


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


def _check_compiled(model: Module) -> None:
    """Refuse ``compiled=True`` where a recording could not be replayed correctly."""
    for name, m in model.named_modules():
        if isinstance(m, Dropout) and m.training and m.p > 0:
            raise ValueError(
                f"compiled=True cannot replay dropout ({name or 'the model'} draws new masks "
                "every step); call model.eval() or train without compiled"
            )


@contextlib.contextmanager
def _evaluating(model: Module) -> Iterator[None]:
    """Run the block as at inference: no graph, dropout off (``model.eval()``), then give
    every module back its own mode (a user may have frozen some in eval mode)."""
    modes = [(m, m.training) for _, m in model.named_modules()]
    model.eval()
    try:
        with no_grad():
            yield
    finally:
        for m, mode in modes:
            m.training = mode


def _grad_norm(params: Iterable[Value]) -> float:
    # hypot scales internally: no overflow for large gradients (the sum of squares would)
    return math.hypot(*(p.grad for p in params))


def _diverged(epoch: int, what: str) -> FloatingPointError:
    return FloatingPointError(
        f"training diverged at epoch {epoch}: {what}; lower the learning rate "
        "(or scale the inputs, or check the loss)"
    )


def _largest(params: Sequence[Value]) -> float:
    return max((abs(p.data) for p in params), default=0.0)


_EXPLODED = 1e6  # parameters this many times larger than at the start: training diverged

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
    compiled: bool = False,
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
        validation: ``(X_val, y_val)`` evaluated after every epoch (no graph, and in
            evaluation mode: dropout is off for it, as at inference).
        progress: show a tqdm progress bar.
        early_stopping: an :class:`EarlyStopping` or a patience in epochs.
        regularization: ``1e-4`` (an L2 strength), ``("l1", 1e-3)``, or a function of
            the parameter list returning a Value; added to the loss on every step.
        scheduler: a learning-rate schedule (or a function making one from the optimizer);
            stepped once per epoch.
        callback: ``callback(epoch, history)`` after each epoch; return ``True`` to stop.
        compiled: record a batch's graph once with :func:`microgrand.record` and replay it
            on plain floats (the same gradients, several times faster). With the built-in
            ``"mse"``, ``"mae"``, ``"hinge"``, ``"bce"`` and ``"bce_logits"`` losses the
            examples *and* labels are inputs of the recording, so one recording serves every
            batch of the same size, shuffled mini-batches included. With
            ``"cross_entropy"`` (the label picks a logit) or your own loss function the labels
            are part of the graph: a batch is recorded the second time the same labels come
            in the same order (full batch, ``shuffle=False``, or a small dataset) and runs
            eagerly otherwise. The model must have no active dropout. Replays 1, 2, 4, 8, … of
            each recording are checked against an eager run, so a model whose graph depends on
            its numbers (a Python ``if`` on a Value) raises ``RecordMismatchError``.

    Every argument is checked before the first step (see :mod:`microgrand._fit_checks`): a NaN
    or infinity in ``X``/``y`` is refused with its row and column, and an optimizer holding
    parameters that are not the model's is refused (a subset, to freeze the rest, is fine).
    When training diverges (a non-finite loss, gradient or parameter, or a forward pass that
    fails after the parameters blew up) ``FloatingPointError`` says so and suggests a lower
    learning rate.

    Example:
        >>> from microgrand.nn import MLP
        >>> X, y = [[0.0], [1.0]], [0.0, 2.0]
        >>> h = fit(MLP(1, [1], rng=0), X, y, loss="mse", optimizer="sgd", lr=0.1,
        ...         epochs=200, progress=False)
        >>> h.loss[-1] < 1e-6
        True
    """
    if isinstance(early_stopping, int) and not isinstance(early_stopping, bool):
        early_stopping = EarlyStopping(patience=early_stopping)
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError(
            f"early_stopping must be an EarlyStopping or an int, got {early_stopping!r}"
        )
    if not isinstance(compiled, bool):
        raise TypeError(f"compiled must be True or False, got {compiled!r}")
    if compiled:
        _check_compiled(model)
    setup = prepare(
        model,
        X,
        y,
        loss=loss,
        optimizer=optimizer,
        lr=lr,
        epochs=epochs,
        batch_size=batch_size,
        metrics=metrics,
        validation=validation,
        regularization=regularization,
        scheduler=scheduler,
        monitor=None if early_stopping is None else early_stopping.monitor,
    )
    Xs, ys, Xv, yv = setup.Xs, setup.ys, setup.Xv, setup.yv
    loss_fn, loss_name, opt = setup.loss_fn, setup.loss_name, setup.optimizer
    penalty, sched, metrics, monitor = setup.penalty, setup.scheduler, setup.metrics, setup.monitor
    negative, threshold = setup.negative, setup.threshold

    params = model.parameters()
    groups = model.grad_groups()
    history = History(
        metrics={m: [] for m in metrics},
        val_metrics={m: [] for m in metrics} if validation is not None else {},
        grad_norms={g: [] for g in groups},
    )
    rng = random.Random(seed)
    start = max(1.0, _largest(params))
    updates = 0
    best = math.inf
    best_state: dict[str, float] | None = None
    bad_epochs = 0
    # The labels against the loss and the model's outputs, once, before any step (one
    # example's outputs, computed as at inference so that no dropout mask is drawn).
    with _evaluating(model):
        check_labels(loss_name, ys + yv, _outputs(model, Xs[0]))

    def batch_graph(xb_in: list[list[Value]], yb_in: list[Any]) -> tuple[Value, list[Any]]:
        outs = [_outputs(model, x) for x in xb_in]
        data_loss = loss_fn(outs, yb_in)
        if penalty is None:
            return data_loss, [data_loss, data_loss, outs]
        p = penalty(params)
        return data_loss + p, [data_loss, p, outs]

    replays = (
        BatchRecordings(
            batch_graph, params, labels_as_inputs=any(loss_fn is f for f in LABELS_AS_INPUTS)
        )
        if compiled
        else None
    )

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
                try:
                    replayed = None
                    if replays is not None:
                        opt.zero_grad()
                        replayed = replays.step(xb, yb)
                    if replayed is not None:
                        assert replays is not None
                        total_data = replayed
                        data_data, pen, out_data = replays.extras
                        outs = [
                            [Value(o) for o in out] if isinstance(out, list) else Value(out)
                            for out in out_data
                        ]
                    else:
                        total, (data_loss, p, outs) = batch_graph(xb, yb)
                        total_data, data_data, pen = total.data, data_loss.data, p.data
                    if penalty is None:
                        pen = 0.0
                except (ArithmeticError, ValueError) as err:
                    # After updates that blew the parameters up, any failure of the forward
                    # pass (an overflow, inf - inf) is the divergence, not its own bug.
                    big = _largest(params)
                    if updates == 0 or not (big > _EXPLODED * start or not math.isfinite(big)):
                        raise
                    raise _diverged(
                        epoch + 1,
                        f"the parameters grew to {big:.3g} and the forward pass "
                        f"failed ({type(err).__name__}: {err})",
                    ) from err
                if not math.isfinite(total_data):
                    raise _diverged(epoch + 1, f"the loss became {total_data}")
                if replayed is None:
                    opt.zero_grad()
                    try:
                        total.backward()
                    except (ArithmeticError, ValueError) as err:
                        raise _diverged(
                            epoch + 1, f"the backward pass failed ({type(err).__name__}: {err})"
                        ) from err
                bad = next((q for q in params if not math.isfinite(q.grad)), None)
                if bad is not None:
                    raise _diverged(epoch + 1, f"a gradient became {bad.grad}")
                for g, ps in groups.items():
                    history.grad_norms[g].append(_grad_norm(ps))
                history.lr.append(opt.lr)
                opt.step()
                updates += 1
                if not math.isfinite(_largest(params)):
                    raise _diverged(epoch + 1, "a parameter became infinite after the update")
                history.step_loss.append(data_data)
                history.step_penalty.append(pen)
                history.step_time.append(time.perf_counter() - s0)
                loss_sum += data_data * len(idx)
                if metrics:
                    outs_epoch.extend(outs)
                    ys_epoch.extend(yb)
            history.loss.append(loss_sum / len(Xs))
            for m in metrics:
                history.metrics[m].append(_metric(m, outs_epoch, ys_epoch, threshold, negative))
            del outs_epoch  # frees this epoch's graphs
            if validation is not None:
                with _evaluating(model):  # as at inference (dropout off), as Keras does
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
