"""How the playground trains: batches, one optimizer step, its history row, divergence, and
:meth:`Training.step` (bounded, with progress, safe under Ctrl-C); a base of
:class:`~microgrand.play.state.PlaygroundState`, which builds the attributes used here.

Example:
    >>> from microgrand.play.state import PlaygroundState
    >>> pg = PlaygroundState(dataset="xor", layers=[4], lr=0.1, seed=1)
    >>> _ = pg.step(3); pg.history.steps, len(pg.history.test_loss)
    ([1, 2, 3], 3)
"""

from __future__ import annotations

import gc
import math
import random
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import losses as _losses
from ..nn import MLP
from ..optim import Optimizer
from ..recording import BatchRecordings
from ..value import Value
from . import mirror
from .config import History, PlaygroundError

__all__ = ["MAX_STEPS", "PROGRESS_STEPS", "Training"]

_MAX_FRAMES = 200
_REFRESH_SECONDS = 0.25  # a shown widget's refresh interval during a long step(n)

MAX_STEPS = 100_000
"""The most optimizer steps one call of :meth:`Training.step` runs (minutes of work)."""

PROGRESS_STEPS = 500
"""From this many steps, :meth:`Training.step` shows a progress bar by default."""


class Training:
    """The training half of :class:`~microgrand.play.state.PlaygroundState` (see there)."""

    X: list[list[float]]
    y: list[int]
    X_test: list[list[float]]
    y_test: list[int]
    model: MLP
    optimizer: Optimizer
    history: History
    steps: int
    loss: str
    frame: dict[str, Any]
    frames: list[dict[str, Any]]
    last_batch: list[int]
    _cfg: dict[str, Any]
    _params: list[Value]
    _groups: dict[str, list[Value]]
    _targets: list[Any]
    _replays: BatchRecordings
    _queue: list[int]
    _batch_rng: random.Random
    _last_grads: list[float]
    _last_update: list[float]
    _pending: tuple[float, dict[str, float]]
    _record_every: int
    _weights_only: list[Value]
    _activations: list[str]
    _listeners: list[Callable[[], None]]

    def _make_frame(self) -> dict[str, Any]:  # pragma: no cover - PlaygroundState's
        raise NotImplementedError

    def _notify(self) -> None:  # pragma: no cover - PlaygroundState's
        raise NotImplementedError

    def _next_batch(self) -> list[int]:
        n, bs = len(self.X), self._cfg["batch_size"]
        if bs >= n:
            return list(range(n))
        batch: list[int] = []
        while len(batch) < bs:
            if not self._queue:
                order = list(range(n))
                self._batch_rng.shuffle(order)
                self._queue = order
            i = self._queue.pop(0)
            if i not in batch:
                batch.append(i)
        return batch

    def _one_step(self) -> float:
        # The engine's graphs hold no reference cycles (they are freed by reference counting),
        # so, as Value.backward does, the cyclic collector is paused while the forward pass
        # allocates tens of thousands of nodes; otherwise its scans dominate the step.
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            return self._one_step_unguarded()
        finally:
            if gc_was_on:
                gc.enable()

    def _one_step_unguarded(self) -> float:
        idx = self._next_batch()
        self.last_batch = idx
        xs = [self.X[i] for i in idx]
        ts = [self._targets[i] for i in idx]
        self.optimizer.zero_grad()
        loss = self._replays.step(xs, ts)
        if loss is None:  # no recording applies (cross-entropy with new labels): eagerly
            graph = self._batch_loss(xs, ts)
            graph.backward()
            loss = graph.data
        if not math.isfinite(loss):
            raise FloatingPointError(f"the loss became {loss}")
        before = [p.data for p in self._params]
        grads = [p.grad for p in self._params]
        self.optimizer.step()
        if not all(math.isfinite(p.data) for p in self._params):
            for p, b in zip(self._params, before, strict=True):
                p.data = b  # the model stays usable: the step is undone
            raise FloatingPointError("a parameter became infinite after the update")
        self._last_grads = grads
        self._last_update = [p.data - b for p, b in zip(self._params, before, strict=True)]
        # One history row, computed first and appended at the end (see _align_history).
        norms = {
            g: math.sqrt(math.fsum(p.grad * p.grad for p in ps)) for g, ps in self._groups.items()
        }
        self._pending = (loss, norms)
        self.steps += 1
        self._append_row(self._evaluate())
        return loss

    def _append_row(self, evaluation: tuple[float, float, float, float]) -> None:
        loss, norms = self._pending
        tr_loss, tr_acc, te_loss, te_acc = evaluation
        h = self.history
        h.steps.append(self.steps)
        h.loss.append(loss)
        for g, v in norms.items():
            h.grad_norms[g].append(v)
        h.train_loss.append(tr_loss)
        h.train_accuracy.append(tr_acc)
        h.test_loss.append(te_loss)
        h.test_accuracy.append(te_acc)

    def _align_history(self) -> None:
        """After an interruption (Ctrl-C, an error) inside a step: one row per step, always.

        A row cut short is removed; a step whose update was made but whose row was not written
        gets its row now, so ``history.steps[-1] == steps`` and every list has one entry per
        step.
        """
        h = self.history
        lists: list[list[Any]] = [h.steps, h.loss, h.train_loss, h.test_loss]
        lists += [h.train_accuracy, h.test_accuracy, *h.grad_norms.values()]
        n = min(len(xs) for xs in lists)
        for xs in lists:
            del xs[n:]
        if self.steps > n:
            self.steps = n + 1
            self._append_row(self._evaluate())

    def _batch_loss(self, xs: list[Any], ts: list[Any]) -> Value:
        """The loss of one batch (mean over its examples, plus the L2 penalty) as a graph."""
        model = self.model
        loss = self._loss([model(x) for x in xs], ts)
        l2 = self._cfg["l2"]
        if l2:
            loss = loss + l2 * _losses.l2(self._weights_only)
        return loss

    def _loss(self, outs: list[Any], ts: list[Any]) -> Value:
        entry = _losses.for_scores(self.loss)
        if entry.per_class:
            outs = [o if isinstance(o, list) else [o] for o in outs]
        return entry.fn(outs, ts)

    def _evaluate(self) -> tuple[float, float, float, float]:
        with np.errstate(all="ignore"):  # huge weights give inf/NaN losses, shown as such
            return self._evaluate_unguarded()

    def _evaluate_unguarded(self) -> tuple[float, float, float, float]:
        W = mirror.weights_of(self.model)
        loss = self.loss
        out = mirror.forward(W, self._activations, np.array(self.X, dtype=np.float64))[-1]
        tr = mirror.loss_and_accuracy(out, np.array(self.y), loss)
        if self.X_test:
            out_te = mirror.forward(W, self._activations, np.array(self.X_test, dtype=np.float64))[
                -1
            ]
            te = mirror.loss_and_accuracy(out_te, np.array(self.y_test), loss)
        else:
            te = (math.nan, math.nan)
        return tr[0], tr[1], te[0], te[1]

    def step(
        self, n: int = 1, *, progress: bool | None = None, seconds: float | None = None
    ) -> float:
        """Run ``n`` optimizer steps (one batch each) and refresh the views; returns the last loss.

        The loss is the one that was backpropagated: the batch's mean loss (plus the L2
        penalty), computed by the engine before the update. ``n`` is at most
        :data:`MAX_STEPS` per call. ``progress`` shows a tqdm bar (by default for runs of
        :data:`PROGRESS_STEPS` steps or more); a shown widget follows a long run a few times a
        second. Interrupted (Ctrl-C), the run keeps the steps made, one history row each. A
        run that diverges raises ``FloatingPointError`` saying to lower the learning rate;
        the failed step is undone. ``seconds``: stop early once this much time has passed
        (after at least one step), as the widget does to show ten or more frames a second.

        Example:
            >>> from microgrand.play.state import PlaygroundState
            >>> pg = PlaygroundState(dataset="moons", layers=[4], seed=0)
            >>> a = pg.step(); b = PlaygroundState(**pg.config).step()
            >>> a == b
            True
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise PlaygroundError(f"step(n) needs an int n >= 1, got {n!r}")
        if n > MAX_STEPS:
            raise PlaygroundError(
                f"step(n) runs at most {MAX_STEPS:,} steps per call (a few minutes), got "
                f"n={n:,}; call it again to go on"
            )
        from tqdm.auto import tqdm

        show = n >= PROGRESS_STEPS if progress is None else progress
        bar = tqdm(total=n, disable=not show, desc="training", unit="step", leave=True)
        loss = math.nan
        refreshed = started = time.monotonic()
        recorded = -1
        try:
            for i in range(n):
                if seconds is not None and i and time.monotonic() - started >= seconds:
                    break
                try:
                    loss = self._one_step()
                except (ArithmeticError, ValueError) as err:
                    raise self._diverged(err) from err
                if self.steps % self._record_every == 0 and i < n - 1:
                    self._record(self._make_frame())
                    recorded = self.steps
                bar.update(1)
                if self._listeners and time.monotonic() - refreshed > _REFRESH_SECONDS:
                    self.frame = self._make_frame()  # a shown widget follows a long run
                    self._notify()
                    refreshed = time.monotonic()
        except BaseException:
            self._align_history()
            self.frame = self._make_frame()
            self._notify()
            raise
        finally:
            bar.close()
        self.frame = self._make_frame()
        if self.steps % self._record_every == 0 and recorded != self.steps:
            self._record(self.frame)
        elif self.frames[-1]["step"] == self.steps:
            self.frames[-1] = self.frame  # recorded at this very step: one frame of it
        self._notify()
        return loss

    def _diverged(self, err: BaseException) -> FloatingPointError:
        lr = self._cfg["lr"]
        return FloatingPointError(
            f"training diverged at step {self.steps + 1}: {err}; lower the learning rate "
            f"(now {lr:g}, try {lr / 10:g}) and press Reset (pg.reset())"
        )

    def _record(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)
        if len(self.frames) > _MAX_FRAMES:  # keep the first frame and every other one
            self.frames = self.frames[:1] + self.frames[2::2]
            self._record_every *= 2
