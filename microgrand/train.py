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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ._fit_checks import FitSetup, LossFn, Regularization, check_data, check_labels, prepare
from .context import no_grad
from .history import EarlyStopping, History
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


# --- helpers ------------------------------------------------------------------------------


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
            (as NumPy array operations when NumPy is installed, else on plain floats): the
            same numbers as eager training, bit for bit, several times faster. With the
            built-in ``"mse"``, ``"mae"``, ``"hinge"``, ``"bce"`` and ``"bce_logits"`` losses
            the examples *and* labels are inputs of the recording, so one recording serves
            every batch of the same size, shuffled mini-batches included. With
            ``"cross_entropy"`` (the label picks a logit) or your own loss function the labels
            are part of the graph: a batch is recorded when the same labels come again in
            the same order (full batch, ``shuffle=False``, or a small dataset) and runs
            eagerly otherwise. A batch size is recorded only when at least
            :data:`~microgrand.recording.BREAK_EVEN` steps of it remain, so a short run is
            trained eagerly and is never slower. The model must have no active dropout. Every
            replay checks the recording's guards (the decisions the model took on its
            numbers), so a model whose graph depends on its numbers (a Python ``if`` on a
            Value) raises ``RecordMismatchError`` at the first step that takes another path,
            instead of silently training another model.

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
    # Long because its docstring explains every argument, where a teacher looks first; the
    # code checks the arguments and hands the epochs to _train_epochs, _Trainer and _Stopper.
    rule = _early_stopping_rule(early_stopping)
    if not isinstance(compiled, bool):
        raise TypeError(f"compiled must be True or False, got {compiled!r}")
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
        monitor=None if rule is None else rule.monitor,
    )
    if compiled:
        _check_compiled(model)
    history = _empty_history(model, setup.metrics, validation is not None)
    # The labels against the loss and the model's outputs, once, before any step (one
    # example's outputs, computed as at inference so that no dropout mask is drawn).
    with _evaluating(model):
        check_labels(setup.loss_name, setup.ys + setup.yv, _outputs(model, setup.Xs[0]))
    rng = random.Random(seed)
    stopper = _Stopper(rule, setup.monitor, model)
    _train_epochs(
        _Trainer(model, setup, history, compiled=compiled),
        stopper,
        lambda: _batches(len(setup.Xs), batch_size, shuffle, rng),
        epochs=epochs,
        progress=progress,
        callback=callback,
        validate=validation is not None,
    )
    stopper.restore()
    return history


def _early_stopping_rule(early_stopping: EarlyStopping | int | None) -> EarlyStopping | None:
    """fit's ``early_stopping`` (a rule, or a patience in epochs) as a rule."""
    if isinstance(early_stopping, int) and not isinstance(early_stopping, bool):
        return EarlyStopping(patience=early_stopping)
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError(
            f"early_stopping must be an EarlyStopping or an int, got {early_stopping!r}"
        )
    return early_stopping


def _empty_history(model: Module, metrics: Sequence[str], validate: bool) -> History:
    """A History with an empty list for each metric (and its validation twin) and each
    group of parameters whose gradient norm is recorded."""
    return History(
        metrics={m: [] for m in metrics},
        val_metrics={m: [] for m in metrics} if validate else {},
        grad_norms={g: [] for g in model.grad_groups()},
    )


def _train_epochs(
    trainer: _Trainer,
    stopper: _Stopper,
    batches: Callable[[], list[list[int]]],
    *,
    epochs: int,
    progress: bool,
    callback: Callable[[int, History], bool | None] | None,
    validate: bool,
) -> None:
    """Run the epochs with a progress bar, until the last one, early stopping or the
    callback ends them; ``batches()`` gives each epoch's batches (example indices)."""
    from tqdm.auto import tqdm

    history = trainer.history
    bar = tqdm(range(epochs), disable=not progress, desc="training", unit="epoch", leave=True)
    try:
        for epoch in bar:
            t0 = time.perf_counter()
            trainer.epoch(epoch, batches(), later_epochs=epochs - epoch - 1)
            trainer.end_epoch(validate)
            history.epoch_time.append(time.perf_counter() - t0)
            if progress:
                bar.set_postfix(_postfix(history, trainer.setup.metrics), refresh=False)
            if stopper.stop(history):
                break
            if callback is not None and callback(epoch + 1, history):
                break
    finally:
        bar.close()


def _postfix(history: History, metrics: Sequence[str]) -> dict[str, str]:
    """What the progress bar shows after an epoch."""
    post = {"loss": f"{history.loss[-1]:.4g}"}
    for m in metrics:
        post[m[:3]] = f"{history.metrics[m][-1]:.3f}"
    if history.val_loss:
        post["val_loss"] = f"{history.val_loss[-1]:.4g}"
    return post


class _Stopper:
    """Early stopping: watches the monitored loss, keeps the best parameters."""

    def __init__(self, rule: EarlyStopping | None, monitor: str | None, model: Module) -> None:
        self.rule, self.monitor, self.model = rule, monitor, model
        self.best = math.inf
        self.best_state: dict[str, float] | None = None
        self.bad_epochs = 0

    def stop(self, history: History) -> bool:
        """After an epoch: True when training should stop."""
        rule = self.rule
        if rule is None:
            return False
        current = history.val_loss[-1] if self.monitor == "val_loss" else history.loss[-1]
        if current < self.best - rule.min_delta:
            self.best = current
            history.best_epoch = history.epochs
            self.bad_epochs = 0
            if rule.restore_best:
                self.best_state = self.model.state_dict()
            return False
        self.bad_epochs += 1
        if self.bad_epochs >= rule.patience:
            history.stopped_early = True
            return True
        return False

    def restore(self) -> None:
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)


class _Trainer:
    """One training run's steps: the batch's graph (built, or replayed from a recording), the
    divergence checks, the update, and what each step and epoch adds to the History."""

    def __init__(self, model: Module, setup: FitSetup, history: History, *, compiled: bool) -> None:
        self.model, self.setup, self.history = model, setup, history
        self.params = model.parameters()
        self.groups = model.grad_groups()
        self.opt: Optimizer = setup.optimizer
        self.start = max(1.0, _largest(self.params))
        self.updates = 0
        self.epoch_no = 0
        self.outs_epoch: list[Value | list[Value]] = []
        self.ys_epoch: list[Any] = []
        self.replays = (
            BatchRecordings(
                self.batch_graph,
                self.params,
                labels_as_inputs=any(setup.loss_fn is f for f in LABELS_AS_INPUTS),
            )
            if compiled
            else None
        )

    def batch_graph(self, xb: list[list[Value]], yb: list[Any]) -> tuple[Value, list[Any]]:
        """The batch's loss (plus the penalty), with (data loss, penalty, outputs) as extras."""
        outs = [_outputs(self.model, x) for x in xb]
        data_loss = self.setup.loss_fn(outs, yb)
        if not isinstance(data_loss, Value):
            raise TypeError(
                f"the loss function returned a {type(data_loss).__name__}, not a Value: build "
                "the loss from the model's outputs (Values) so that backward() can reach the "
                "weights, e.g. mg.losses.mse(preds, targets)"
            )
        if self.setup.penalty is None:
            return data_loss, [data_loss, data_loss, outs]
        p = self.setup.penalty(self.params)
        return data_loss + p, [data_loss, p, outs]

    def epoch(self, epoch: int, batches: list[list[int]], later_epochs: int) -> None:
        """Every step of one epoch, then its mean loss and metrics in the History."""
        self.epoch_no = epoch + 1
        Xs, ys = self.setup.Xs, self.setup.ys
        # How many steps of each batch size are still to come (every epoch has the same
        # sizes): a recording pays for itself only over enough replays.
        counts = Counter(len(b) for b in batches)
        left = {size: (later_epochs + 1) * c for size, c in counts.items()}
        self.outs_epoch, self.ys_epoch = [], []
        loss_sum = 0.0
        for idx in batches:
            left[len(idx)] -= 1
            xb, yb = [Xs[i] for i in idx], [ys[i] for i in idx]
            s0 = time.perf_counter()
            data_loss, pen, outs = self.step(xb, yb, left[len(idx)])
            h = self.history
            h.step_loss.append(data_loss)
            h.step_penalty.append(pen)
            h.step_time.append(time.perf_counter() - s0)
            loss_sum += data_loss * len(idx)
            if self.setup.metrics:
                self.outs_epoch.extend(outs)
                self.ys_epoch.extend(yb)
        self.history.loss.append(loss_sum / len(Xs))

    def step(self, xb: list[Any], yb: list[Any], remaining: int) -> tuple[float, float, Any]:
        """One optimizer step on a batch; returns (data loss, penalty, outputs)."""
        total, total_data, data_data, pen, outs = self.forward(xb, yb, remaining)
        if not math.isfinite(total_data):
            raise _diverged(self.epoch_no, f"the loss became {total_data}")
        if total is not None:  # built eagerly: backward now
            self.opt.zero_grad()
            try:
                total.backward()
            except (ArithmeticError, ValueError) as err:
                raise _diverged(
                    self.epoch_no, f"the backward pass failed ({type(err).__name__}: {err})"
                ) from err
        bad = next((q for q in self.params if not math.isfinite(q.grad)), None)
        if bad is not None:
            raise _diverged(self.epoch_no, f"a gradient became {bad.grad}")
        for g, ps in self.groups.items():
            self.history.grad_norms[g].append(_grad_norm(ps))
        self.history.lr.append(self.opt.lr)
        self.opt.step()
        self.updates += 1
        if not math.isfinite(_largest(self.params)):
            raise _diverged(self.epoch_no, "a parameter became infinite after the update")
        return data_data, (0.0 if self.setup.penalty is None else pen), outs

    def forward(self, xb: list[Any], yb: list[Any], remaining: int) -> tuple[Any, ...]:
        """The batch's loss by replay (gradients filled in; the graph is None) or eagerly:
        (graph or None, total loss, data loss, penalty, outputs)."""
        try:
            replayed = None
            if self.replays is not None:
                self.opt.zero_grad()
                replayed = self.replays.step(xb, yb, remaining=remaining)
            if replayed is not None:
                assert self.replays is not None
                data_data, pen, out_data = self.replays.extras
                outs = [
                    [Value(o) for o in out] if isinstance(out, list) else Value(out)
                    for out in out_data
                ]
                return None, replayed, data_data, pen, outs
            total, (data_loss, p, outs) = self.batch_graph(xb, yb)
            return total, total.data, data_loss.data, p.data, outs
        except (ArithmeticError, ValueError) as err:
            # After updates that blew the parameters up, any failure of the forward
            # pass (an overflow, inf - inf) is the divergence, not its own bug.
            big = _largest(self.params)
            if self.updates == 0 or not (big > _EXPLODED * self.start or not math.isfinite(big)):
                raise
            raise _diverged(
                self.epoch_no,
                f"the parameters grew to {big:.3g} and the forward pass "
                f"failed ({type(err).__name__}: {err})",
            ) from err

    def end_epoch(self, validate: bool) -> None:
        """Metrics, validation and the learning-rate schedule after an epoch."""
        su, h = self.setup, self.history
        for m in su.metrics:
            h.metrics[m].append(
                _metric(m, self.outs_epoch, self.ys_epoch, su.threshold, su.negative)
            )
        self.outs_epoch = []  # frees this epoch's graphs
        if validate:
            with _evaluating(self.model):  # as at inference (dropout off), as Keras does
                vouts = [_outputs(self.model, x) for x in su.Xv]
                h.val_loss.append(su.loss_fn(vouts, su.yv).data)
            for m in su.metrics:
                h.val_metrics[m].append(_metric(m, vouts, su.yv, su.threshold, su.negative))
        if su.scheduler is not None:
            su.scheduler.step()
