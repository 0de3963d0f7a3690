"""A NumPy mirror of an MLP's forward pass and of the playground's losses, for the views.

The engine trains; this mirror only *looks*: it evaluates every neuron on a grid of the
input plane (the heatmaps) and the losses and accuracies on the whole train and test sets,
in microseconds instead of building a graph. Tests keep it equal to the engine to 1e-12.

Example:
    >>> import numpy as np
    >>> from microgrand.nn import MLP
    >>> model = MLP(2, [3, 1], activation="tanh", rng=0)
    >>> acts = forward(weights_of(model), ["tanh", "linear"], np.array([[0.5, -1.0]]))
    >>> abs(float(acts[-1][0, 0]) - model([0.5, -1.0]).data) < 1e-12
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..nn import MLP

__all__ = ["ACTIVATIONS", "forward", "loss_and_accuracy", "predict_proba", "weights_of"]

Array = npt.NDArray[np.float64]


def _sigmoid(z: Array) -> Array:
    # as the engine's rule: two branches so that exp never overflows
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


ACTIVATIONS: dict[str, Any] = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": _sigmoid,
    "leaky_relu": lambda z: np.where(z > 0.0, z, 0.01 * z),
    "linear": lambda z: z,
}
"""The engine's activation functions on arrays (same names as :data:`microgrand.nn.ACTIVATIONS`)."""


def weights_of(model: MLP) -> list[tuple[Array, Array]]:
    """Per layer ``(W, b)`` with ``W`` of shape ``(out, in)``, copied from the model's Values.

    Example:
        >>> [w.shape for w, _ in weights_of(MLP(2, [3, 1], rng=0))]
        [(3, 2), (1, 3)]
    """
    out = []
    for layer in model.layers:
        W = np.array([[w.data for w in n.w] for n in layer.neurons], dtype=np.float64)
        b = np.array([n.b.data for n in layer.neurons], dtype=np.float64)
        out.append((W, b))
    return out


def forward(
    weights: Sequence[tuple[Array, Array]], activations: Sequence[str], points: Array
) -> list[Array]:
    """Every layer's outputs for ``points`` (shape ``(N, 2)``): a list of ``(N, out)`` arrays.

    Example:
        >>> import numpy as np
        >>> W = [(np.array([[1.0, -1.0]]), np.array([0.5]))]
        >>> forward(W, ["relu"], np.array([[2.0, 1.0], [0.0, 3.0]]))[0].ravel().tolist()
        [1.5, 0.0]
    """
    h = points
    acts = []
    for (W, b), act in zip(weights, activations, strict=True):
        h = ACTIVATIONS[act](h @ W.T + b)
        acts.append(h)
    return acts


def _softplus(z: Array) -> Array:
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def predict_proba(out: Array, loss: str) -> Array:
    """Class probabilities (or, for ``mse``/``hinge``, confidences) from the network output.

    ``out`` has shape ``(N, 1)`` for the one-output losses and ``(N, K)`` for
    ``cross_entropy``; the result has shape ``(N, K)`` and each row sums to 1.

    Example:
        >>> import numpy as np
        >>> predict_proba(np.array([[0.0]]), "bce").tolist()
        [[0.5, 0.5]]
    """
    if loss == "cross_entropy":
        z = out - out.max(axis=1, keepdims=True)
        e = np.exp(z)
        p: Array = e / e.sum(axis=1, keepdims=True)
        return p
    s = out[:, 0]
    if loss == "bce":
        p1 = _sigmoid(s)
    elif loss == "hinge":
        p1 = np.clip((s + 1.0) / 2.0, 0.0, 1.0)
    else:  # mse on 0/1 targets
        p1 = np.clip(s, 0.0, 1.0)
    return np.stack([1.0 - p1, p1], axis=1)


def loss_and_accuracy(out: Array, labels: Array, loss: str) -> tuple[float, float]:
    """The mean loss (as :mod:`microgrand.losses` computes it) and the accuracy.

    ``labels`` are class indices. ``hinge`` reads them as -1/+1, ``mse`` as 0/1 targets.

    Example:
        >>> import numpy as np
        >>> loss_and_accuracy(np.array([[2.0], [-0.5]]), np.array([1, 0]), "hinge")
        (0.25, 1.0)
    """
    n = len(labels)
    if n == 0:
        return float("nan"), float("nan")
    if loss == "cross_entropy":
        m = out.max(axis=1)
        lse = m + np.log(np.exp(out - m[:, None]).sum(axis=1))
        terms = lse - out[np.arange(n), labels]
        pred = out.argmax(axis=1)
    else:
        s = out[:, 0]
        t = labels.astype(np.float64)
        if loss == "bce":
            terms = np.where(t == 1.0, _softplus(-s), _softplus(s))
            pred = (s > 0.0).astype(int)
        elif loss == "hinge":
            pm = 2.0 * t - 1.0
            terms = np.maximum(1.0 - pm * s, 0.0)
            pred = (s > 0.0).astype(int)
        else:
            terms = (s - t) ** 2
            pred = (s > 0.5).astype(int)
    return float(terms.mean()), float((pred == labels).mean())
