"""Neural-network building blocks: :class:`Module`, :class:`Neuron`, :class:`Layer`, :class:`MLP`.

Shaped like PyTorch's ``torch.nn`` but made of scalar :class:`~microgrand.Value` s, so every
weight and every intermediate result is a node you can draw and step through.

* A neuron computes ``act(w1·x1 + … + wn·xn + b)``; the weighted sum is **one** ``Σ`` node
  (:func:`~microgrand.vsum`), which keeps diagrams readable and training fast.
* Every module creates its parameters and its computation inside a
  :func:`~microgrand.scope`: an MLP's layers are ``layer1, layer2, …`` and their neurons
  ``neuron1, neuron2, …``, so diagrams can group or collapse nodes by ``layer1/neuron3``.
* Random numbers come from an explicit generator: ``rng=random.Random(0)`` or a seed
  ``rng=0``. There is no global seed; ``rng=None`` draws a fresh unpredictable generator.
* The base class :class:`Module` lives in :mod:`microgrand.module`, the activation functions
  (:data:`ACTIVATIONS`, one entry each) in :mod:`microgrand.activations`.

Example:
    >>> from microgrand.nn import MLP
    >>> model = MLP(2, [4, 1], rng=0)
    >>> model
    MLP(
      (layer1): Layer(in_features=2, out_features=4, activation='relu')
      (layer2): Layer(in_features=4, out_features=1, activation='linear')
    )
    >>> len(model.parameters())         # (2+1)*4 + (4+1)*1
    17
    >>> out = model([1.0, -2.0])
    >>> out.scope, out.op
    ('layer2/neuron1', 'sum')
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, TypeAlias

from . import init as _init
from .activations import ACTIVATIONS
from .functions import vsum
from .init import as_rng
from .module import Module
from .value import Value

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Dropout",
    "Layer",
    "Module",
    "Neuron",
    "as_rng",
]

Input: TypeAlias = "Sequence[Value | float]"


def _activation(name: str | None) -> str:
    if name is None:
        return "linear"
    if not isinstance(name, str) or name not in ACTIVATIONS:
        valid = ", ".join(repr(n) for n in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; valid names: {valid} (or None = linear)")
    return name


def _positive_int(name: str, v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"{name} must be a positive int, got {v!r}")
    return v


MAX_PARAMETERS = 1_000_000
"""The most parameters a :class:`Neuron`, :class:`Layer` or :class:`MLP` is built with. Each
parameter is a Python ``Value`` and each forward pass makes a node per weight: a million
parameters is seconds per example and hundreds of megabytes. Raise it
(``microgrand.nn.MAX_PARAMETERS = ...``) to build a bigger model anyway."""


def _check_size(what: str, dims: Sequence[int]) -> None:
    """Refuse, before allocating anything, a model far beyond what a scalar engine trains."""
    count = sum((dims[i] + 1) * dims[i + 1] for i in range(len(dims) - 1))
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"{what} with sizes {list(dims)} would have {count:,} parameters, more than "
            f"this scalar engine can train (at most MAX_PARAMETERS = {MAX_PARAMETERS:,}: each "
            "is a Python object and every forward pass makes a node per weight); use smaller "
            "layers, or raise microgrand.nn.MAX_PARAMETERS to build it anyway"
        )


def _as_inputs(x: Input, nin: int, who: str) -> Sequence[Value | float]:
    if x.__class__ is list and len(x) == nin:  # the common case, checked first: it is cheap
        return x
    if isinstance(x, Value | str | bytes) or not isinstance(x, Sequence):
        raise TypeError(
            f"{who} takes a list of {nin} inputs (floats or Values), got {type(x).__name__}"
        )
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    return x


class Neuron(Module):
    """One neuron: ``activation(w1·x1 + … + wn·xn + b)``.

    Args:
        nin: number of inputs.
        activation: ``"tanh"``, ``"relu"``, ``"sigmoid"``, ``"leaky_relu"`` or
            ``"linear"`` (``None`` = linear).
        init: initializer name or function for the weights (see :mod:`microgrand.init`);
            the bias starts at 0.
        rng: a ``random.Random`` or an int seed.
        fan_out: the size of the layer the neuron is in (used by Xavier initialisation).
        name: the scope the neuron's nodes are created in.

    Example:
        >>> n = Neuron(2, activation="tanh", rng=0)
        >>> n
        Neuron(in_features=2, activation='tanh')
        >>> [p.label for p in n.parameters()]
        ['w1', 'w2', 'b']
        >>> y = n([1.0, 2.0]); y.op, y.scope
        ('tanh', 'neuron')
    """

    def __init__(
        self,
        nin: int,
        activation: str | None = "relu",
        *,
        init: str | _init.Initializer = "auto",
        rng: random.Random | int | None = None,
        fan_out: int = 1,
        name: str | None = "neuron",
    ) -> None:
        super().__init__(name)
        self.nin = _positive_int("nin", nin)
        self.fan_out = _positive_int("fan_out", fan_out)
        _check_size("a Neuron", [nin, 1])
        self.activation = _activation(activation)
        draw = _init.get(init, self.activation)
        r = as_rng(rng)
        with self.scoped():
            self.w = [Value(float(draw(nin, fan_out, r)), label=f"w{i + 1}") for i in range(nin)]
            self.b = Value(0.0, label="b")
        self._act = ACTIVATIONS[self.activation].fn

    def forward(self, x: Input) -> Value:
        """``activation(Σ wi·xi + b)``: the weighted sum is one ``Σ`` node."""
        x = _as_inputs(x, self.nin, "Neuron")
        terms = [wi * xi for wi, xi in zip(self.w, x, strict=True)]
        terms.append(self.b)
        return self._act(vsum(terms))

    def extra_repr(self) -> str:
        return f"in_features={self.nin}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons that all see the same inputs.

    Calling a layer returns a list of ``nout`` Values (a single Value when ``nout == 1``,
    as in micrograd). Neurons are named ``neuron1 … neuronN`` (scopes ``layer/neuron3``).

    Example:
        >>> layer = Layer(3, 2, activation="tanh", rng=0, name="layer1")
        >>> layer
        Layer(in_features=3, out_features=2, activation='tanh')
        >>> [v.scope for v in layer([1.0, 2.0, 3.0])]
        ['layer1/neuron1', 'layer1/neuron2']
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = "relu",
        *,
        init: str | _init.Initializer = "auto",
        rng: random.Random | int | None = None,
        name: str | None = "layer",
    ) -> None:
        super().__init__(name)
        self.nin = _positive_int("nin", nin)
        self.nout = _positive_int("nout", nout)
        _check_size("a Layer", [nin, nout])
        self.activation = _activation(activation)
        r = as_rng(rng)
        with self.scoped():
            self.neurons = [
                Neuron(nin, self.activation, init=init, rng=r, fan_out=nout, name=f"neuron{i + 1}")
                for i in range(nout)
            ]

    def outputs(self, x: Input) -> list[Value]:
        """The outputs as a list, always (even for one neuron)."""
        out: list[Value] = self._in_scope(self._outputs, x)
        return out

    def forward(self, x: Input) -> Value | list[Value]:
        out = self._outputs(x)
        return out[0] if len(out) == 1 else out

    def _outputs(self, x: Input) -> list[Value]:
        x = _as_inputs(x, self.nin, "Layer")
        return [n(x) for n in self.neurons]

    def extra_repr(self) -> str:
        return f"in_features={self.nin}, out_features={self.nout}, activation={self.activation!r}"

    def _repr_children(self) -> list[tuple[str, Module]]:
        return []  # the neurons are summed up by in/out features


class MLP(Module):
    """A multi-layer perceptron: layers ``layer1 … layerN`` applied one after the other.

    Args:
        nin: number of inputs.
        nouts: the size of each layer, e.g. ``[16, 16, 1]``.
        activation: activation of the hidden layers (default ``"relu"``).
        output_activation: activation of the last layer (default ``None`` = linear, which
            gives scores/logits; use ``"sigmoid"`` for probabilities).
        init: weight initializer name or function (default ``"auto"``: He for ReLU layers,
            Xavier otherwise; ``"uniform"`` is micrograd's U(-1, 1)).
        rng: a ``random.Random`` or an int seed (``None``: fresh, unseeded).
        name: an optional scope around the whole network (``"mlp"`` gives ``mlp/layer1``).

    Calling the model on one example (a list of ``nin`` floats or Values) returns a Value
    when the last layer has one neuron, else a list of Values. Float inputs become Values
    labelled ``x1, x2, …``.

    Example:
        >>> model = MLP(3, [4, 4, 1], activation="tanh", rng=1)
        >>> len(model.parameters()) == (3 + 1) * 4 + (4 + 1) * 4 + (4 + 1) * 1
        True
        >>> round(model([2.0, 3.0, -1.0]).data, 4) == round(model([2.0, 3.0, -1.0]).data, 4)
        True
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | None = "relu",
        output_activation: str | None = None,
        *,
        init: str | _init.Initializer = "auto",
        rng: random.Random | int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self.nin = _positive_int("nin", nin)
        if isinstance(nouts, int) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        sizes = [_positive_int("each layer size", s) for s in nouts]
        _check_size("an MLP", [nin, *sizes])
        self.activation = _activation(activation)
        self.output_activation = _activation(output_activation)
        r = as_rng(rng)
        dims = [nin, *sizes]
        with self.scoped():
            self.layers = [
                Layer(
                    dims[i],
                    dims[i + 1],
                    self.activation if i < len(sizes) - 1 else self.output_activation,
                    init=init,
                    rng=r,
                    name=f"layer{i + 1}",
                )
                for i in range(len(sizes))
            ]

    @property
    def sizes(self) -> list[int]:
        """``[nin, size1, size2, …]``."""
        return [self.nin, *(layer.nout for layer in self.layers)]

    def forward(self, x: Input) -> Value | list[Value]:
        x = _as_inputs(x, self.nin, "MLP")
        h: list[Value] = [
            xi if isinstance(xi, Value) else Value(xi, label=f"x{i + 1}") for i, xi in enumerate(x)
        ]
        for layer in self.layers:
            h = layer.outputs(h)
        return h[0] if len(h) == 1 else h

    def extra_repr(self) -> str:
        return ""


class Dropout(Module):
    """Randomly zero inputs while training, as ``torch.nn.Dropout`` ("inverted" dropout).

    In training mode (``module.train()``, the default) each input is kept with probability
    ``1 - p`` and multiplied by ``1 / (1 - p)``, or replaced by 0 with probability ``p``, so
    the expected value of each output equals its input. A dropped input gets no gradient
    (it was multiplied by 0). In evaluation mode (``module.eval()``) the input passes through
    unchanged. A new mask is drawn on every call.

    Args:
        p: the probability of dropping each input, ``0 <= p <= 1`` (default 0.5).
        rng: a ``random.Random`` or an int seed for the masks (``None``: fresh, unseeded).

    Example:
        >>> drop = Dropout(0.5, rng=0)
        >>> drop([1.0, 1.0, 1.0, 1.0])          # kept inputs are doubled
        [2.0, 2.0, 0.0, 0.0]
        >>> drop.eval()([1.0, 1.0, 1.0, 1.0])   # evaluation: unchanged
        [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(
        self, p: float = 0.5, *, rng: random.Random | int | None = None, name: str | None = None
    ) -> None:
        super().__init__(name)
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability p must be a number in [0, 1], got {p!r}")
        self.p = float(p)
        self.rng = as_rng(rng)

    def _one(self, v: Value | float) -> Value | float:
        if not self.training or self.p == 0.0:
            return v
        if self.p == 1.0 or self.rng.random() < self.p:
            return v * 0.0
        return v * (1.0 / (1.0 - self.p))

    def forward(self, x: Value | float | Sequence[Value | float]) -> Any:
        """Apply dropout to one Value/number or to each element of a list."""
        if isinstance(x, Value | int | float) and not isinstance(x, bool):
            return self._one(x)
        if isinstance(x, Sequence) and not isinstance(x, str):
            return [self._one(v) for v in x]
        raise TypeError(
            f"Dropout takes a Value, a number or a list of them, got {type(x).__name__}"
        )

    def extra_repr(self) -> str:
        return f"p={self.p}"
