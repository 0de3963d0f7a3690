"""Activation functions by name: one entry each, read by the networks, the playground's
NumPy mirror and the initialisers.

An :class:`Activation` holds the function on Values (a method of :class:`~microgrand.Value`,
so each is one node with its rule in :mod:`microgrand.rules`), the same function on NumPy
arrays (for pictures of every neuron over a grid) and the initialiser that suits it
(``init="auto"`` picks He for the ReLU family, Xavier for the others).

Example:
    >>> from microgrand import Value
    >>> ACTIVATIONS["relu"](Value(-2.0)).data, ACTIVATIONS["relu"].init
    (0.0, 'he')
    >>> ACTIVATIONS.names()
    ('tanh', 'relu', 'sigmoid', 'leaky_relu', 'linear')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .registry import Registry
from .value import Value

__all__ = ["ACTIVATIONS", "Activation"]


def _np() -> Any:
    import numpy  # only the NumPy forms need it, and only when they run

    return numpy


@dataclass(frozen=True)
class Activation:
    """One activation function: on Values, on NumPy arrays, and the initialiser it suits.

    Args:
        name: the name users pass (``MLP(..., activation="tanh")``).
        fn: the function on one :class:`~microgrand.Value` (``Value.tanh``).
        numpy: the same function on a NumPy array, equal to ``fn`` to rounding (the
            playground's heatmaps and losses; tests compare the two).
        init: the name of the initialiser ``init="auto"`` picks (:mod:`microgrand.init`).
        label: the menu's text.

    Calling the entry calls ``fn``.

    Example:
        >>> import numpy as np
        >>> ACTIVATIONS["tanh"].numpy(np.array([0.0])).tolist(), ACTIVATIONS["tanh"].init
        ([0.0], 'xavier')
    """

    name: str
    fn: Callable[[Value], Value]
    numpy: Callable[[Any], Any]
    init: str = "xavier"
    label: str = ""

    def __post_init__(self) -> None:
        for what in ("fn", "numpy"):
            if not callable(getattr(self, what)):
                raise TypeError(f"activation {self.name!r}: {what} must be a function")

    def __call__(self, v: Value) -> Value:
        """``fn(v)``."""
        return self.fn(v)


def _leaky(v: Value) -> Value:
    return v.leaky_relu(0.01)


def _linear(v: Value) -> Value:
    return v


def _sigmoid_np(z: Any) -> Any:
    # as the engine's rule: two branches so that exp never overflows
    np = _np()
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


ACTIVATIONS: Registry[Activation] = Registry("activation")
"""Activation functions by name (``leaky_relu`` uses slope 0.01, as PyTorch).

Each value is an :class:`Activation`, callable on a Value as the function it holds.
"""
ACTIVATIONS.register(Activation("tanh", Value.tanh, lambda z: _np().tanh(z), "xavier", "tanh"))
ACTIVATIONS.register(Activation("relu", Value.relu, lambda z: _np().maximum(z, 0.0), "he", "ReLU"))
ACTIVATIONS.register(Activation("sigmoid", Value.sigmoid, _sigmoid_np, "xavier", "sigmoid"))
ACTIVATIONS.register(
    Activation(
        "leaky_relu", _leaky, lambda z: _np().where(z > 0.0, z, 0.01 * z), "he", "leaky ReLU"
    )
)
ACTIVATIONS.register(Activation("linear", _linear, lambda z: z, "xavier", "linear"))
