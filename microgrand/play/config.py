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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..data import DATASETS
from ..init import INITIALIZERS
from ..losses import score_losses
from ..nn import ACTIVATIONS
from ..optim import OPTIMIZERS
from ..render.themes import THEMES

__all__ = [
    "DEFAULTS",
    "MAX_CLASSES",
    "History",
    "PlaygroundError",
    "activation_choices",
    "check_config",
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

    def as_dict(self) -> dict[str, Any]:
        """Plain lists (JSON-ready; NaN becomes None).

        Example:
            >>> History(steps=[1], loss=[float("nan")]).as_dict()["loss"]
            [None]
        """

        def clean(xs: list[float]) -> list[float | None]:
            return [x if math.isfinite(x) else None for x in xs]

        return {
            "steps": list(self.steps),
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
    _int(cfg, "n", 4, 5000)
    _num(cfg, "noise", 0.0, strict=False)
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
    cfg["added"] = [list(p) for p in cfg.get("added") or []]
    cfg["removed"] = [list(p) for p in cfg.get("removed") or []]
    return cfg
