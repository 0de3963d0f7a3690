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

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from ..activations import ACTIVATIONS as _ACTIVATION_ENTRIES
from ..losses import for_scores
from ..nn import MLP

__all__ = ["ACTIVATIONS", "forward", "loss_and_accuracy", "predict_proba", "weights_of"]

Array = npt.NDArray[np.float64]


class _NumpyForms(Mapping[str, Callable[[Array], Array]]):
    """The registry's activations by name, each as its NumPy form (read live)."""

    def __getitem__(self, name: str) -> Callable[[Array], Array]:
        return _ACTIVATION_ENTRIES[name].numpy

    def __iter__(self) -> Iterator[str]:
        return iter(_ACTIVATION_ENTRIES)

    def __len__(self) -> int:
        return len(_ACTIVATION_ENTRIES)


ACTIVATIONS: Mapping[str, Callable[[Array], Array]] = _NumpyForms()
"""The engine's activation functions on arrays: the NumPy form of each entry of
:data:`microgrand.nn.ACTIVATIONS` (same names, registered ones included)."""


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
        # einsum, not ``h @ W.T``: these products are small, and BLAS's threads cost more
        # than they save (measured 5x slower on a busy 2-core machine)
        h = ACTIVATIONS[act](np.einsum("ni,oi->no", h, W) + b)
        acts.append(h)
    return acts


def predict_proba(out: Array, loss: str) -> Array:
    """Class probabilities (or, for ``mse``/``hinge``, confidences) from the network output.

    ``out`` has shape ``(N, 1)`` for the one-output losses and ``(N, K)`` for
    ``cross_entropy``; the result has shape ``(N, K)`` and each row sums to 1. The loss's
    entry (:data:`microgrand.losses.LOSSES`, on raw scores) says how.

    Example:
        >>> import numpy as np
        >>> predict_proba(np.array([[0.0]]), "bce").tolist()
        [[0.5, 0.5]]
    """
    entry = for_scores(loss)
    if entry.proba is None:
        raise ValueError(f"loss {loss!r} has no NumPy form of its probabilities")
    p: Array = entry.proba(out)
    return p


def loss_and_accuracy(out: Array, labels: Array, loss: str) -> tuple[float, float]:
    """The mean loss (as :mod:`microgrand.losses` computes it) and the accuracy.

    ``labels`` are class indices, turned into the loss's label form (``hinge``: -1/+1,
    ``mse``: 0/1 targets); a class is predicted by the largest output, or for one output by
    the score's side of 0 (losses on raw scores) or of 0.5.

    Example:
        >>> import numpy as np
        >>> loss_and_accuracy(np.array([[2.0], [-0.5]]), np.array([1, 0]), "hinge")
        (0.25, 1.0)
    """
    n = len(labels)
    if n == 0:
        return float("nan"), float("nan")
    entry = for_scores(loss)
    if entry.numpy is None:
        raise ValueError(f"loss {loss!r} has no NumPy form")
    targets = np.asarray(entry.targets(labels.tolist()))
    terms = entry.numpy(out, targets)
    if entry.per_class:
        pred = out.argmax(axis=1)
    else:
        pred = (out[:, 0] > (0.0 if entry.scores else 0.5)).astype(int)
    return float(terms.mean()), float((pred == labels).mean())
