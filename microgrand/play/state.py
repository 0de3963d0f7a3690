"""The playground's state, owned by Python: data, model, optimizer, history and recorded frames.

:class:`PlaygroundState` trains a :class:`~microgrand.nn.MLP` with the library's own losses
and optimizers, one optimizer step at a time, and after every call to
:meth:`PlaygroundState.step` refreshes the *views* (:mod:`microgrand.play.views`): the
decision boundary and every neuron over the input plane, losses, accuracies, gradient norms
per layer, and the last update of every weight. A frame of all of these is recorded every
``record_every`` steps for the replay. The settings and their checks are in
:mod:`microgrand.play.config`; :class:`microgrand.play.Playground` adds the widget.

Example:
    >>> pg = PlaygroundState(dataset="xor", layers=[4], lr=0.1, seed=1)
    >>> loss = pg.step(5)
    >>> pg.history.steps[-1], len(pg.history.train_loss)
    (5, 5)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import losses as _losses
from ..data import DATASETS
from ..init import INITIALIZERS
from ..losses import LOSSES
from ..nn import ACTIVATIONS, MLP
from ..optim import OPTIMIZERS, Optimizer, optimizer_name
from ..recording import BatchRecordings
from ..render.themes import THEMES
from . import mirror, views
from .config import (
    DEFAULTS,
    History,
    PlaygroundError,
    activation_choices,
    check_config,
    loss_choices,
    variable_class_datasets,
)
from .points import check_label, make_points
from .training import MAX_STEPS, PROGRESS_STEPS, Training

__all__ = [
    "DATASETS",
    "DEFAULTS",
    "LOSSES",
    "MAX_STEPS",
    "OPTIMIZERS",
    "PROGRESS_STEPS",
    "History",
    "Playground",
    "PlaygroundError",
    "PlaygroundState",
    "check_config",
]


class PlaygroundState(Training):
    """A training run you can step, inspect and change; the notebook widget is one view of it.

    :func:`microgrand.playground` builds one (as :class:`microgrand.play.Playground`, which
    adds the widget and the replay page; same arguments). Python owns the state:

    * ``model`` (an :class:`~microgrand.nn.MLP`), ``optimizer``, ``X``/``y`` (training points),
      ``X_test``/``y_test``, ``history`` (a :class:`History`), ``frames`` (recorded views),
      ``loss`` (the loss in use: the ``loss`` setting with ``"auto"`` resolved);
    * ``config``: a dict such that ``Playground(**pg.config)`` rebuilds the same run (same
      data, same initial weights, same settings, points added or erased included);
    * :meth:`step` (n optimizer steps, returns the last loss), :meth:`reset` (the initial
      weights bit for bit), :meth:`add_point`, :meth:`erase_point`, :meth:`set_weight`,
      :meth:`set` (change settings), :meth:`new_seed`; ``save`` (the replay page) is
      :class:`microgrand.play.Playground`'s.

    Example:
        >>> pg = PlaygroundState(dataset="blobs", classes=3, layers=[6], seed=2)
        >>> pg.config["loss"], pg.loss, pg.model.sizes
        ('auto', 'cross_entropy', [2, 6, 3])
        >>> _ = pg.step(3); w = pg.model.parameters()[0].data; pg.reset()
        >>> pg.model.parameters()[0].data == pg.initial_weights[0], pg.history.steps
        (True, [])
    """

    def __init__(
        self,
        *,
        model: MLP | None = None,
        X: Sequence[Sequence[float]] | None = None,
        y: Sequence[int] | None = None,
        optimizer: Optimizer | str | None = None,
        **settings: Any,
    ) -> None:
        self._listeners: list[Callable[[], None]] = []
        if isinstance(optimizer, str):  # a name, as in ``config``
            settings["optimizer"], optimizer = optimizer, None
        if model is not None:
            if not isinstance(model, MLP):
                raise TypeError(
                    f"the playground shows an nn.MLP, got {type(model).__name__}; "
                    "build it with microgrand.nn.MLP(2, [..., outputs])"
                )
            if model.nin != 2:
                raise PlaygroundError(
                    f"the playground's data is 2-D: the model needs 2 inputs, has {model.nin}"
                )
            hidden = {layer.activation for layer in model.layers[:-1]}
            if len(hidden) > 1:
                raise PlaygroundError(
                    f"the hidden layers must share one activation, got {sorted(hidden)}"
                )
            settings.setdefault("layers", [layer.nout for layer in model.layers[:-1]])
            if hidden:
                settings.setdefault("activation", hidden.pop())
            settings.setdefault("weights", [p.data for p in model.parameters()])
            if model.layers[-1].activation != "linear":
                raise PlaygroundError(
                    "the playground's losses read raw scores: the model's last layer must be "
                    f"linear, got {model.layers[-1].activation!r}"
                )
        if optimizer is not None:
            settings.update(_optimizer_settings(optimizer))
        if (X is None) != (y is None):
            raise PlaygroundError("give both X and y (your own points), or neither")
        if X is not None and y is not None:
            settings["X"], settings["y"] = X, y  # checked (not truncated) by check_config
        self._cfg = check_config(settings)
        self._build(model, optimizer)

    # --- building --------------------------------------------------------------------------

    def _check_label(self, label: int) -> None:
        check_label(label, self._cfg["classes"])

    def _build(self, model: MLP | None = None, optimizer: Optimizer | None = None) -> None:
        cfg = self._cfg
        pts = make_points(cfg)
        self.X, self.y, self.X_test, self.y_test = pts.X, pts.y, pts.X_test, pts.y_test
        self.bounds = pts.bounds
        self.loss = pts.loss
        k = cfg["classes"]
        nout = k if _losses.for_scores(self.loss).per_class else 1
        if model is not None and model.layers[-1].nout != nout:
            raise PlaygroundError(
                f"loss {self.loss!r} with {k} classes needs {nout} output(s); "
                f"the model has {model.layers[-1].nout}"
            )
        if model is None:
            model = MLP(
                2,
                [*cfg["layers"], nout],
                activation=cfg["activation"],
                init=cfg["init"],
                rng=random.Random(cfg["seed"]),
            )
        self.model = model
        self._params = model.parameters()
        if cfg.get("weights") is not None:
            ws = cfg["weights"]
            if len(ws) != len(self._params):
                raise PlaygroundError(
                    f"weights has {len(ws)} values, the model {len(self._params)} parameters"
                )
            for p, w in zip(self._params, ws, strict=True):
                p.data = float(w)
        self.initial_weights = [p.data for p in self._params]
        self._weights_only = [w for layer in model.layers for n in layer.neurons for w in n.w]
        self._groups = model.grad_groups()
        self._activations = [layer.activation for layer in model.layers]
        self.optimizer = optimizer if optimizer is not None else self._new_optimizer()
        self._targets = self._loss_targets(self.y)
        # Each step replays the batch loss recorded once (microgrand.record); the labels are
        # inputs of the recording when the loss's entry says so (not for cross-entropy, where
        # a label picks a logit).
        self._replays = BatchRecordings(
            self._batch_loss,
            self._params,
            labels_as_inputs=_losses.for_scores(self.loss).labels_as_inputs,
        )
        self._restart()

    def _new_optimizer(self) -> Optimizer:
        return OPTIMIZERS[self._cfg["optimizer"]](self._params, lr=self._cfg["lr"])

    def _loss_targets(self, y: Sequence[int]) -> list[Any]:
        return _losses.for_scores(self.loss).targets(y)

    def _restart(self) -> None:
        self.steps = 0
        self.history = History(grad_norms={g: [] for g in self._groups})
        self._batch_rng = random.Random(self._cfg["seed"] + 1_000_003)
        self._queue: list[int] = []
        self.last_batch: list[int] = []
        self._last_grads = [0.0] * len(self._params)
        self._last_update = [0.0] * len(self._params)
        self._pending: tuple[float, dict[str, float]] = (math.nan, {})
        self.frames: list[dict[str, Any]] = []
        self._record_every = self._cfg["record_every"]
        self.frame = self._make_frame()
        self.frames.append(self.frame)
        self._notify()

    # --- the public API ----------------------------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        """Every setting (a copy): ``Playground(**pg.config)`` rebuilds the same run.

        Example:
            >>> pg = PlaygroundState(dataset="circles", layers=[3], seed=4)
            >>> PlaygroundState(**pg.config).initial_weights == pg.initial_weights
            True
        """
        cfg = {k: (list(v) if isinstance(v, list) else v) for k, v in self._cfg.items()}
        cfg["added"] = [list(p) for p in self._cfg["added"]]
        cfg["removed"] = [list(p) for p in self._cfg["removed"]]
        if cfg.get("X") is None:
            cfg.pop("X", None)
            cfg.pop("y", None)
        if cfg.get("weights") is None:
            cfg.pop("weights", None)
        else:
            cfg["weights"] = list(self.initial_weights)
        return cfg

    @property
    def classes(self) -> int:
        """The number of classes."""
        return int(self._cfg["classes"])

    def reset(self) -> None:
        """Back to step 0: the initial weights bit for bit, a fresh optimizer, empty history.

        Example:
            >>> pg = PlaygroundState(layers=[3], seed=0); _ = pg.step(4); pg.reset()
            >>> [p.data for p in pg.model.parameters()] == pg.initial_weights
            True
        """
        for p, w in zip(self._params, self.initial_weights, strict=True):
            p.data = w
            p.grad = 0.0
        self.optimizer = self._new_optimizer()
        self._restart()

    def new_seed(self, seed: int | None = None) -> None:
        """Start again with another seed (new data for generated sets, new initial weights).

        Example:
            >>> pg = PlaygroundState(layers=[3], seed=0); pg.new_seed(); pg.config["seed"]
            1
        """
        self.set(seed=self._cfg["seed"] + 1 if seed is None else seed)

    def set(self, **changes: Any) -> None:
        """Change settings. ``lr`` changes in place; the others rebuild the run (at step 0).

        Example:
            >>> pg = PlaygroundState(layers=[3], seed=0); pg.set(lr=0.5); pg.optimizer.lr
            0.5
            >>> pg.set(layers=[0])  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            microgrand.play.config.PlaygroundError: every hidden layer needs 1…64 neurons, ...
        """
        changes = dict(changes)
        name = changes.get("dataset")
        entry = DATASETS[name] if isinstance(name, str) and name in DATASETS else None
        if entry is not None and entry.classes is not None and "classes" not in changes:
            changes["classes"] = entry.classes  # a dataset with a fixed number of classes
        cfg = check_config({**self.config, **changes})
        if set(changes) <= {"lr"}:
            self._cfg = cfg
            self.optimizer.lr = cfg["lr"]
            self._notify()
            return
        keep_weights = "weights" in self._cfg and not set(changes) & {
            "layers",
            "activation",
            "seed",
            "init",
        }
        if not keep_weights:
            cfg.pop("weights", None)
        if set(changes) & {"dataset", "n", "noise", "classes", "seed", "test_fraction"}:
            cfg["added"], cfg["removed"] = [], []
        # Commit only a change that builds: a refused one leaves the run as it was.
        saved = dict(self.__dict__)
        try:
            self._cfg = cfg
            self._build()
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def add_point(self, x1: float, x2: float, label: int) -> None:
        """Add a training point of class ``label``; the next step trains on it.

        Example:
            >>> pg = PlaygroundState(layers=[3], seed=0); pg.add_point(0.5, 0.5, 1); _ = pg.step()
            >>> len(pg.X) - 1 in pg.last_batch
            True
        """
        self._check_label(label)
        for v in (x1, x2):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise PlaygroundError(f"a point needs two finite numbers, got ({x1!r}, {x2!r})")
        self.X.append([float(x1), float(x2)])
        self.y.append(int(label))
        self._targets = self._loss_targets(self.y)
        self._cfg["added"].append([float(x1), float(x2), int(label)])
        self._queue.insert(0, len(self.X) - 1)
        self.frame = self._make_frame()
        self._notify()

    def erase_point(self, x1: float, x2: float, radius: float | None = None) -> bool:
        """Remove the point (train or test) nearest to ``(x1, x2)`` within ``radius``.

        ``radius`` defaults to 4% of the plot's width. Returns whether a point was removed.

        Example:
            >>> pg = PlaygroundState(layers=[3], seed=0); x = pg.X[0]
            >>> pg.erase_point(*x), x in pg.X
            (True, False)
        """
        r = (self.bounds[1] - self.bounds[0]) * 0.04 if radius is None else radius
        best: tuple[float, str, int] | None = None
        for name, pts in (("train", self.X), ("test", self.X_test)):
            for i, (a, b) in enumerate(pts):
                d = math.hypot(a - x1, b - x2)
                if d <= r and (best is None or d < best[0]):
                    best = (d, name, i)
        if best is None:
            return False
        _, name, i = best
        if name == "train" and len(self.X) <= 2:
            raise PlaygroundError("cannot erase: the training set needs at least 2 points")
        pts, labels = (self.X, self.y) if name == "train" else (self.X_test, self.y_test)
        p = pts.pop(i)
        labels.pop(i)
        added = self._cfg["added"]
        match = [j for j, (a, b, _) in enumerate(added) if (a, b) == (p[0], p[1])]
        if match:
            added.pop(match[0])
        else:
            self._cfg["removed"].append([p[0], p[1]])
        if name == "train":
            self._targets = self._loss_targets(self.y)
            self._queue = [j - (j > i) for j in self._queue if j != i]
        self.frame = self._make_frame()
        self._notify()
        return True

    def set_weight(self, layer: int, neuron: int, index: int, value: float) -> None:
        """Set one weight by hand: ``index`` < inputs is a weight, ``index == inputs`` the bias.

        ``layer`` counts from 0 (the first hidden layer), as do ``neuron`` and ``index``.

        Example:
            >>> pg = PlaygroundState(layers=[3], seed=0); pg.set_weight(0, 1, 2, 0.25)
            >>> pg.model.layers[0].neurons[1].b.data
            0.25
        """
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise PlaygroundError(f"a weight must be a finite number, got {value!r}")
        for name, v in (("layer", layer), ("neuron", neuron), ("index", index)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise PlaygroundError(f"set_weight: {name} must be an int (from 0), got {v!r}")
        try:
            n = self.model.layers[layer].neurons[neuron]
            p = n.b if index == n.nin else n.w[index]
        except (IndexError, TypeError):
            raise PlaygroundError(
                f"no weight at layer {layer}, neuron {neuron}, input {index}"
            ) from None
        if layer < 0 or neuron < 0 or index < 0:
            raise PlaygroundError(f"no weight at layer {layer}, neuron {neuron}, input {index}")
        p.data = float(value)
        self.frame = self._make_frame()
        self._notify()

    # --- views -------------------------------------------------------------------------------

    def _make_frame(self) -> dict[str, Any]:
        with np.errstate(all="ignore"):  # huge weights: the views show what is finite
            return self._make_frame_unguarded()

    def _make_frame_unguarded(self) -> dict[str, Any]:
        cfg, h = self._cfg, self.history
        W = mirror.weights_of(self.model)

        def last(xs: list[float]) -> float:
            return xs[-1] if xs else math.nan

        def fin(v: float) -> float | None:
            return v if math.isfinite(v) else None

        if self.steps == 0:
            tr_loss, tr_acc, te_loss, te_acc = self._evaluate()
        else:
            tr_loss, tr_acc = last(h.train_loss), last(h.train_accuracy)
            te_loss, te_acc = last(h.test_loss), last(h.test_accuracy)
        shape = [[n.nin + 1 for n in layer.neurons] for layer in self.model.layers]
        return {
            "step": self.steps,
            "loss": fin(last(h.loss)),
            "train_loss": fin(tr_loss),
            "test_loss": fin(te_loss),
            "train_accuracy": fin(tr_acc),
            "test_accuracy": fin(te_acc),
            "boundary": views.boundary(W, self._activations, self.loss, self.bounds, cfg["grid"]),
            "neurons": views.neuron_maps(W, self._activations, self.bounds, cfg["neuron_grid"]),
            "weights": views.nest([p.data for p in self._params], shape),
            "grads": views.nest(self._last_grads, shape),
            "updates": views.nest(self._last_update, shape),
            "optimizer": views.optimizer_state(self.optimizer, shape),
            "l2": cfg["l2"],
            "points": {
                "train": [[x[0], x[1], t] for x, t in zip(self.X, self.y, strict=True)],
                "test": [[x[0], x[1], t] for x, t in zip(self.X_test, self.y_test, strict=True)],
            },
        }

    def view_data(self) -> dict[str, Any]:
        """What does not change from step to step: sizes, bounds, class colours, settings and
        the menus (each a list of ``{"name", "label"}`` from the registries).

        Example:
            >>> v = PlaygroundState(layers=[2], seed=0).view_data()
            >>> v["choices"]["dataset"][0], v["colors"]
            ({'name': 'moons', 'label': 'Two moons'}, ['#4393c3', '#d6604d'])
        """
        return {
            "sizes": self.model.sizes,
            "activation": self._cfg["activation"],
            "bounds": self.bounds,
            "classes": self.classes,
            "colors": views.class_colours(THEMES[self._cfg["theme"]], self.classes),
            "palette": views.palette(THEMES[self._cfg["theme"]]),
            "config": {k: v for k, v in self.config.items() if k not in ("X", "y", "weights")},
            "choices": {
                "dataset": DATASETS.menu(),
                "activation": ACTIVATIONS.menu(activation_choices()),
                "init": [{"name": n, "label": n} for n in ["auto", *INITIALIZERS]],
                "loss": [
                    {"name": "auto", "label": f"auto ({self.loss})"},
                    *LOSSES.menu(loss_choices()),
                ],
                "optimizer": OPTIMIZERS.menu(),
            },
            "variable_classes": variable_class_datasets(),
            "own_data": self._cfg.get("X") is not None,
            "groups": list(self._groups),
        }

    # --- listeners (the widget) ----------------------------------------------------------------

    def _notify(self) -> None:
        for f in list(getattr(self, "_listeners", [])):
            f()

    def _listen(self, f: Callable[[], None]) -> None:
        self._listeners.append(f)

    def __repr__(self) -> str:
        c = self._cfg
        data = "your points" if c.get("X") is not None else c["dataset"]
        return (
            f"Playground({data}, {'-'.join(map(str, self.model.sizes))} {c['activation']}, "
            f"{c['optimizer']} lr={c['lr']:g}, step {self.steps})"
        )


def _optimizer_settings(opt: Optimizer) -> dict[str, Any]:
    try:
        name = optimizer_name(opt)
    except TypeError:
        names = ", ".join(OPTIMIZERS.names())
        raise TypeError(
            f"the playground knows the registered optimizers ({names}), got {type(opt).__name__}"
        ) from None
    return {"optimizer": name, "lr": opt.lr}


Playground = PlaygroundState
"""The old name of :class:`PlaygroundState` (``microgrand.play.Playground`` is the one with
the widget)."""
