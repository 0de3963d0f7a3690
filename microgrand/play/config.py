"""The playground's settings: their defaults, their checks and the choices its menus offer.

The choices come from the learning library's registries: a dataset registered in
:data:`microgrand.data.DATASETS`, an optimizer in :data:`microgrand.optim.OPTIMIZERS`, an
activation in :data:`microgrand.nn.ACTIVATIONS` or a loss with a NumPy form in
:data:`microgrand.losses.LOSSES` is a setting the playground accepts and a menu item of its
widget, with nothing else to change.

Example:
    >>> cfg = check_config({"dataset": "xor", "layers": [4]})
    >>> cfg["optimizer"], cfg["layers"]
    ('adam', [4])
    >>> check_config({"lr": -1})
    Traceback (most recent call last):
    ...
    microgrand.play.config.PlaygroundError: lr must be a finite number > 0, got -1
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..data import DATASETS, MAX_NOISE
from ..init import INITIALIZERS
from ..losses import score_losses
from ..nn import ACTIVATIONS
from ..optim import OPTIMIZERS
from ..render.themes import THEMES

__all__ = [
    "DEFAULTS",
    "MAX_CLASSES",
    "MAX_COORDINATE",
    "History",
    "PlaygroundError",
    "activation_choices",
    "check_config",
    "check_coordinates",
    "check_label_value",
    "loss_choices",
    "variable_class_datasets",
]


class PlaygroundError(ValueError):
    """A setting of the playground is invalid (the message says which and what is allowed)."""


DEFAULTS: dict[str, Any] = {
    "dataset": "moons",
    "n": 200,
    "noise": 0.1,
    "classes": 2,
    "test_fraction": 0.3,
    "layers": [8, 8],
    "activation": "tanh",
    "init": "auto",
    "loss": "auto",
    "optimizer": "adam",
    "lr": 0.03,
    "batch_size": 10,
    "l2": 0.0,
    "seed": 0,
    "record_every": 10,
    "grid": 48,
    "neuron_grid": 16,
    "theme": "light",
}
"""Every setting and its default (``loss="auto"``: ``bce`` for 2 classes, else cross-entropy)."""

MAX_CLASSES = 8
"""The most classes the playground shows (one colour each, from the theme)."""

MAX_COORDINATE = 1e6
"""The largest coordinate (in absolute value) of a point: the views evaluate the network on a
grid over the points, which beyond this size loses every detail (and soon overflows)."""


def check_coordinates(x1: object, x2: object, where: str) -> tuple[float, float]:
    """``(x1, x2)`` as floats, or a :class:`PlaygroundError` naming ``where`` (the point).

    Both must be finite numbers within ±:data:`MAX_COORDINATE`.

    Example:
        >>> check_coordinates(1, 2.5, "point #0")
        (1.0, 2.5)
        >>> check_coordinates(1e308, 0, "added point #0")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.play.config.PlaygroundError: added point #0 has x1 = 1e+308: ...
    """
    out = []
    for name, v in (("x1", x1), ("x2", x2)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise PlaygroundError(
                f"{where} has {name} = {v!r}: a coordinate must be a finite number"
            )
        if abs(float(v)) > MAX_COORDINATE:
            raise PlaygroundError(
                f"{where} has {name} = {v!r}: coordinates must lie within "
                f"±{MAX_COORDINATE:g}; scale your data (e.g. standardise each column)"
            )
        out.append(float(v))
    return out[0], out[1]


def check_label_value(label: object, where: str) -> int:
    """``label`` as a class index (an int >= 0, or a float with an integer value), or a
    :class:`PlaygroundError` naming ``where``: 1.7 is not truncated to 1, True is not 1.

    Example:
        >>> check_label_value(2.0, "label #0")
        2
        >>> check_label_value(1.7, "label #3")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.play.config.PlaygroundError: label #3 = 1.7 is not a class index 0, 1, …; ...
    """
    ok = not isinstance(label, bool) and (
        isinstance(label, numbers.Integral)
        or (isinstance(label, numbers.Real) and math.isfinite(label) and float(label).is_integer())
    )
    value = int(label) if ok else -1  # type: ignore[call-overload]
    if value < 0:
        raise PlaygroundError(
            f"{where} = {label!r} is not a class index 0, 1, …; labels are whole numbers "
            "(round or map your labels first)"
        )
    return value


def _check_added(added: Any) -> list[list[Any]]:
    if added is None:
        return []
    if isinstance(added, str | bytes) or not isinstance(added, Sequence):
        raise PlaygroundError(f"added must be a list of points [x1, x2, label], got {added!r}")
    out: list[list[Any]] = []
    for i, p in enumerate(added):
        if isinstance(p, str | bytes) or not isinstance(p, Sequence) or len(p) != 3:
            raise PlaygroundError(f"added point #{i} must be [x1, x2, label], got {p!r}")
        x1, x2 = check_coordinates(p[0], p[1], f"added point #{i}")
        out.append([x1, x2, check_label_value(p[2], f"the label of added point #{i}")])
    return out


def _check_own(X: Any, y: Any) -> tuple[list[list[float]], list[int]]:
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise PlaygroundError(f"X has {len(X)} points but y has {len(y)} labels")
    rows = []
    for i, row in enumerate(X):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence) or len(row) != 2:
            raise PlaygroundError(f"point #{i} must be two finite numbers (x1, x2), got {row!r}")
        rows.append(list(check_coordinates(row[0], row[1], f"point #{i}")))
    return rows, [check_label_value(t, f"label #{i}") for i, t in enumerate(y)]


def _check_removed(removed: Any) -> list[list[float]]:
    if removed is None:
        return []
    if isinstance(removed, str | bytes) or not isinstance(removed, Sequence):
        raise PlaygroundError(f"removed must be a list of points [x1, x2], got {removed!r}")
    out = []
    for i, p in enumerate(removed):
        if isinstance(p, str | bytes) or not isinstance(p, Sequence) or len(p) != 2:
            raise PlaygroundError(f"removed point #{i} must be [x1, x2], got {p!r}")
        x1, x2 = check_coordinates(p[0], p[1], f"removed point #{i}")
        out.append([x1, x2])
    return out


@dataclass
class History:
    """Per step: the batch loss, train/test loss and accuracy, and each layer's gradient norm.

    Example:
        >>> h = History(); h.steps
        []
    """

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)

    def as_dict(self, max_rows: int | None = None) -> dict[str, Any]:
        """Plain lists (JSON-ready; NaN becomes None); with ``max_rows``, at most that many
        rows, evenly spaced, the last one always kept (a curve's picture, not its data).

        Example:
            >>> History(steps=[1], loss=[float("nan")]).as_dict()["loss"]
            [None]
            >>> History(steps=list(range(1, 11)), loss=[0.0] * 10).as_dict(max_rows=4)["steps"]
            [1, 4, 7, 10]
        """
        n = len(self.steps)
        keep: list[int] | None = None
        if max_rows is not None and n > max_rows:
            k = math.ceil((n - 1) / max(1, max_rows - 1))
            keep = [*range(0, n - 1, k), n - 1]

        def clean(xs: list[float]) -> list[float | None]:
            picked = xs if keep is None else [xs[i] for i in keep if i < len(xs)]
            return [x if math.isfinite(x) else None for x in picked]

        return {
            "steps": list(self.steps) if keep is None else [self.steps[i] for i in keep],
            "loss": clean(self.loss),
            "train_loss": clean(self.train_loss),
            "test_loss": clean(self.test_loss),
            "train_accuracy": clean(self.train_accuracy),
            "test_accuracy": clean(self.test_accuracy),
            "grad_norms": {k: clean(v) for k, v in self.grad_norms.items()},
        }


def loss_choices() -> list[str]:
    """The losses the playground offers: every registered loss that has a NumPy form on raw
    scores (``bce`` stands for ``bce_logits``, which is then not listed twice).

    Example:
        >>> loss_choices()
        ['mse', 'hinge', 'bce', 'cross_entropy']
    """
    return score_losses()


def activation_choices() -> list[str]:
    """The activations of the hidden layers' menu (``linear`` is accepted but not offered).

    Example:
        >>> activation_choices()
        ['tanh', 'relu', 'sigmoid', 'leaky_relu']
    """
    return [a for a in ACTIVATIONS.names() if a != "linear"]


def variable_class_datasets() -> list[str]:
    """The datasets that take a number of classes (the others have a fixed number).

    Example:
        >>> variable_class_datasets()
        ['spirals', 'blobs']
    """
    return [e.name for e in DATASETS.entries() if e.classes is None]


def _int(cfg: dict[str, Any], key: str, low: int, high: int | None = None) -> int:
    v = cfg[key]
    if isinstance(v, bool) or not isinstance(v, int) or v < low or (high is not None and v > high):
        rng = f">= {low}" if high is None else f"in {low}…{high}"
        raise PlaygroundError(f"{key} must be an int {rng}, got {v!r}")
    return v


def _num(
    cfg: dict[str, Any], key: str, low: float, *, strict: bool, high: float | None = None
) -> float:
    v = cfg[key]
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if ok:
        ok = (v > low if strict else v >= low) and (high is None or v < high)
    if not ok:
        rng = f"{'>' if strict else '>='} {low:g}" + (
            f" and < {high:g}" if high is not None else ""
        )
        raise PlaygroundError(f"{key} must be a finite number {rng}, got {v!r}")
    return float(v)


def _choice(cfg: dict[str, Any], key: str, names: Sequence[str]) -> str:
    v = cfg[key]
    if v not in names:
        raise PlaygroundError(f"unknown {key} {v!r}; choose one of: {', '.join(map(repr, names))}")
    return str(v)


def _check_layers(layers: Any) -> list[int]:
    if isinstance(layers, int) or not isinstance(layers, Sequence) or isinstance(layers, str):
        raise PlaygroundError(
            f"layers must be a list of hidden layer sizes such as [8, 8], got {layers!r}"
        )
    for k in layers:
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 64:
            raise PlaygroundError(
                f"every hidden layer needs 1…64 neurons, got {k!r} in layers={list(layers)}"
            )
    if len(layers) > 6:
        raise PlaygroundError(f"at most 6 hidden layers, got {len(layers)}")
    return [int(k) for k in layers]


def check_config(config: dict[str, Any]) -> dict[str, Any]:
    """Fill in defaults and refuse bad settings with a :class:`PlaygroundError` saying why.

    Example:
        >>> check_config({"optimizer": "lbfgs"})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        microgrand.play.config.PlaygroundError: unknown optimizer 'lbfgs'; choose one of: ...
    """
    extra = {"X", "y", "weights", "added", "removed"}
    unknown = sorted(set(config) - set(DEFAULTS) - extra)
    if unknown:
        raise PlaygroundError(
            f"unknown setting(s) {', '.join(map(repr, unknown))}; "
            f"the settings are: {', '.join(sorted(DEFAULTS))}"
        )
    cfg = {**DEFAULTS, **config}
    if cfg.get("X") is None:
        _choice(cfg, "dataset", DATASETS.names())
    else:
        cfg["X"], cfg["y"] = _check_own(cfg["X"], [] if cfg.get("y") is None else cfg["y"])
    _int(cfg, "n", 4, 5000)
    _num(cfg, "noise", 0.0, strict=False)
    if cfg["noise"] > MAX_NOISE:
        raise PlaygroundError(
            f"noise must be at most {MAX_NOISE:g} (the standard deviation of the jitter, in the "
            f"units of the points, which lie within about ±2; 0.1–0.5 is typical), "
            f"got {cfg['noise']!r}"
        )
    _int(cfg, "classes", 2, MAX_CLASSES)
    _num(cfg, "test_fraction", 0.0, strict=False, high=1.0)
    cfg["layers"] = _check_layers(cfg["layers"])
    _choice(cfg, "activation", [*activation_choices(), "linear"])
    _choice(cfg, "init", ["auto", *INITIALIZERS])
    _choice(cfg, "loss", ["auto", *loss_choices()])
    _choice(cfg, "optimizer", OPTIMIZERS.names())
    _num(cfg, "lr", 0.0, strict=True)
    _int(cfg, "batch_size", 1)
    _num(cfg, "l2", 0.0, strict=False)
    _int(cfg, "seed", 0)
    _int(cfg, "record_every", 1)
    _int(cfg, "grid", 8, 128)
    _int(cfg, "neuron_grid", 4, 64)
    _choice(cfg, "theme", list(THEMES))
    cfg["added"] = _check_added(cfg.get("added"))
    cfg["removed"] = _check_removed(cfg.get("removed"))
    return cfg
