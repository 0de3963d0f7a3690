"""The playground's points: a registered dataset (or your own points), split into training
and test points, with the points added or erased by hand, and the plot's bounds.

Example:
    >>> from microgrand.play.config import check_config
    >>> cfg = check_config({"dataset": "blobs", "classes": 3, "n": 30, "test_fraction": 0.2})
    >>> pts = make_points(cfg)
    >>> len(pts.X), len(pts.X_test), cfg["loss"], pts.loss
    (24, 6, 'auto', 'cross_entropy')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import DATASETS, train_test_split
from ..losses import for_scores
from .config import MAX_CLASSES, PlaygroundError, variable_class_datasets

__all__ = ["Points", "check_label", "make_points", "plot_bounds", "resolve_loss"]


@dataclass
class Points:
    """Training and test points (lists of ``[x1, x2]``), their class indices, the plot's
    bounds ``[x0, x1, y0, y1]`` and the loss in use (``"auto"`` resolved)."""

    X: list[list[float]]
    y: list[int]
    X_test: list[list[float]]
    y_test: list[int]
    bounds: list[float]
    loss: str = "bce"


def check_label(label: object, classes: int) -> int:
    """``label`` as a class index ``0 … classes-1``, or a :class:`PlaygroundError`.

    Example:
        >>> check_label(3, 2)
        Traceback (most recent call last):
        ...
        microgrand.play.config.PlaygroundError: label must be a class index 0…1, got 3
    """
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < classes:
        raise PlaygroundError(f"label must be a class index 0…{classes - 1}, got {label!r}")
    return label


def _own_points(cfg: dict[str, Any]) -> tuple[list[Any], list[int]]:
    X, y = cfg["X"], cfg["y"]
    if len(X) != len(y):
        raise PlaygroundError(f"X has {len(X)} points but y has {len(y)} labels")
    if len(X) < 2:
        raise PlaygroundError("need at least 2 points")
    k = max(y) + 1
    if k > MAX_CLASSES:
        raise PlaygroundError(f"at most {MAX_CLASSES} classes, got labels up to {k - 1}")
    cfg["classes"] = max(2, k)
    return X, y


def _generated(cfg: dict[str, Any]) -> tuple[list[list[float]], list[int]]:
    entry = DATASETS[cfg["dataset"]]
    if entry.classes is not None and cfg["classes"] != entry.classes:
        more = " or ".join(map(repr, variable_class_datasets()))
        raise PlaygroundError(
            f"dataset {entry.name!r} has {entry.classes} classes, got "
            f"classes={cfg['classes']}; use {more} for more"
        )
    X, y = entry(cfg["n"], noise=cfg["noise"], classes=cfg["classes"], seed=cfg["seed"])
    bad = [
        t for t in y if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < cfg["classes"]
    ]
    if bad:
        raise PlaygroundError(
            f"dataset {entry.name!r} made the label {bad[0]!r}, not a class index "
            f"0…{cfg['classes'] - 1}; check its generator"
        )
    return X, y


def resolve_loss(cfg: dict[str, Any]) -> str:
    """The loss a configuration trains with: ``"auto"`` is ``bce`` for 2 classes, else
    cross-entropy (the setting itself stays ``"auto"``, so that it follows the classes).

    Example:
        >>> resolve_loss({"classes": 3, "loss": "auto"})
        'cross_entropy'
        >>> resolve_loss({"classes": 2, "loss": "mse"})
        'mse'
    """
    k, loss = cfg["classes"], cfg["loss"]
    if loss == "auto":
        loss = "bce" if k == 2 else "cross_entropy"
    if k > 2 and not for_scores(loss).per_class:
        raise PlaygroundError(
            f"{k} classes need loss='cross_entropy' (softmax) or 'auto', got loss={loss!r}"
        )
    return str(loss)


def plot_bounds(points: list[list[float]]) -> list[float]:
    """A square ``[x0, x1, y0, y1]`` around ``points`` with a margin (at least 1 wide).

    Example:
        >>> [round(v, 6) for v in plot_bounds([[0.0, 0.0], [2.0, 1.0]])]
        [-0.15, 2.15, -0.65, 1.65]
    """
    pts = np.array(points, dtype=np.float64)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    half = max(float((hi - lo).max()) / 2 * 1.15, 0.5)
    mid = (lo + hi) / 2
    return [
        float(mid[0] - half),
        float(mid[0] + half),
        float(mid[1] - half),
        float(mid[1] + half),
    ]


def make_points(cfg: dict[str, Any]) -> Points:
    """The points of a checked configuration (:func:`~microgrand.play.config.check_config`).

    Resolves ``cfg["classes"]`` in place (from your own labels); the loss in use is the
    result's ``loss`` (:func:`resolve_loss`), while ``cfg["loss"]`` keeps the setting.

    Example:
        >>> from microgrand.play.config import check_config
        >>> cfg = check_config({"X": [[0.0, 1.0], [1.0, 0.0]], "y": [0, 1], "test_fraction": 0.0})
        >>> pts = make_points(cfg)
        >>> pts.X, cfg["classes"], cfg["loss"], pts.loss
        ([[0.0, 1.0], [1.0, 0.0]], 2, 'auto', 'bce')
    """
    X, y = _own_points(cfg) if cfg.get("X") is not None else _generated(cfg)
    loss = resolve_loss(cfg)
    frac = cfg["test_fraction"]
    if frac > 0:
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=float(frac), seed=cfg["seed"])
    else:
        Xtr, Xte, ytr, yte = list(X), [], list(y), []
    removed = {tuple(p) for p in cfg["removed"]}
    keep_tr = [i for i, x in enumerate(Xtr) if (x[0], x[1]) not in removed]
    keep_te = [i for i, x in enumerate(Xte) if (x[0], x[1]) not in removed]
    pts = Points(
        X=[list(map(float, Xtr[i])) for i in keep_tr],
        y=[int(ytr[i]) for i in keep_tr],
        X_test=[list(map(float, Xte[i])) for i in keep_te],
        y_test=[int(yte[i]) for i in keep_te],
        bounds=[],
        loss=loss,
    )
    for i, (x1, x2, label) in enumerate(cfg["added"]):
        if not 0 <= label < cfg["classes"]:
            raise PlaygroundError(
                f"added point #{i} has label {label!r}, not a class index 0…{cfg['classes'] - 1}"
            )
        pts.X.append([float(x1), float(x2)])
        pts.y.append(int(label))
    pts.bounds = plot_bounds(pts.X + pts.X_test)
    return pts
