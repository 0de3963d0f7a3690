"""Weight initialisation: how the first guess of every weight is drawn.

An *initializer* is a function ``init(fan_in, fan_out, rng) -> float`` that draws one weight
of a neuron with ``fan_in`` inputs in a layer of ``fan_out`` neurons, using the random
generator ``rng`` (a :class:`random.Random`; there is no global seed). Pass one to
``MLP(..., init=...)`` either as a function or by name:

========================  ===============================================  ======================
name                      distribution                                     good for
========================  ===============================================  ======================
``"uniform"``             U(-1, 1) (micrograd's choice)                    tiny networks
``"normal"``              N(0, 1)                                          experiments
``"xavier"``/``"glorot"`` U(-a, a), a = gain·√(6 / (fan_in + fan_out))     tanh, sigmoid, linear
``"xavier_normal"``       N(0, gain²·2 / (fan_in + fan_out))               tanh, sigmoid, linear
``"he"``/``"kaiming"``    U(-a, a), a = √2·√(3 / fan_in)                   ReLU, leaky ReLU
``"he_normal"``           N(0, 2 / fan_in)                                 ReLU, leaky ReLU
========================  ===============================================  ======================

Biases start at 0. ``"auto"`` (the MLP default) picks He for ReLU-family layers and Xavier
otherwise. Parameterised variants are made with :func:`functools.partial`, for example
``partial(init.normal, std=3.0)`` for a deliberately badly scaled network.

Example:
    >>> import random
    >>> from microgrand import init
    >>> rng = random.Random(0)
    >>> w = init.he_uniform(16, 16, rng)
    >>> abs(w) <= (6 / 16) ** 0.5
    True
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any, Protocol, TypeAlias

from .activations import ACTIVATIONS

__all__ = [
    "INITIALIZERS",
    "Initializer",
    "get",
    "he",
    "he_normal",
    "he_uniform",
    "normal",
    "reinitialize",
    "uniform",
    "xavier",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

Initializer: TypeAlias = Callable[[int, int, random.Random], float]
"""``init(fan_in, fan_out, rng) -> float``: draws one weight."""


class _HasModules(Protocol):
    def named_modules(self) -> Any: ...


def as_rng(rng: random.Random | int | None) -> random.Random:
    """A :class:`random.Random` from a generator, a seed (int) or ``None`` (fresh, unseeded).

    Example:
        >>> as_rng(0).random() == random.Random(0).random()
        True
    """
    if isinstance(rng, random.Random):
        return rng
    if rng is None:
        return random.Random()
    if isinstance(rng, int) and not isinstance(rng, bool):
        return random.Random(rng)
    raise TypeError(f"rng must be a random.Random, an int seed or None, got {type(rng).__name__}")


def _check(fan_in: int, fan_out: int, rng: random.Random) -> None:
    if not isinstance(rng, random.Random):
        raise TypeError(f"an initializer needs rng=random.Random(seed), got {type(rng).__name__}")
    for name, v in (("fan_in", fan_in), ("fan_out", fan_out)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")


def _positive(name: str, v: float) -> None:
    if not (isinstance(v, int | float) and not isinstance(v, bool) and v > 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a positive finite number, got {v!r}")


def uniform(
    fan_in: int, fan_out: int, rng: random.Random, *, a: float = -1.0, b: float = 1.0
) -> float:
    """U(a, b), by default U(-1, 1) as in micrograd.

    Example:
        >>> -1.0 <= uniform(2, 1, random.Random(0)) <= 1.0
        True
    """
    _check(fan_in, fan_out, rng)
    if not a < b:
        raise ValueError(f"uniform needs a < b, got a={a!r}, b={b!r}")
    return rng.uniform(a, b)


def normal(
    fan_in: int, fan_out: int, rng: random.Random, *, mean: float = 0.0, std: float = 1.0
) -> float:
    """N(mean, std²).

    Example:
        >>> isinstance(normal(2, 1, random.Random(0), std=0.1), float)
        True
    """
    _check(fan_in, fan_out, rng)
    _positive("std", std)
    return rng.gauss(mean, std)


def zeros(fan_in: int, fan_out: int, rng: random.Random) -> float:
    """Always 0 (every neuron of a layer then learns the same thing: a lesson, not a choice).

    Example:
        >>> zeros(3, 3, random.Random(0))
        0.0
    """
    _check(fan_in, fan_out, rng)
    return 0.0


def xavier_uniform(fan_in: int, fan_out: int, rng: random.Random, *, gain: float = 1.0) -> float:
    """Glorot/Xavier uniform: U(-a, a) with a = gain·√(6 / (fan_in + fan_out)).

    Keeps the variance of activations and of gradients about constant through tanh layers
    (Glorot & Bengio, 2010). Same formula as ``torch.nn.init.xavier_uniform_``.

    Example:
        >>> abs(xavier_uniform(3, 3, random.Random(1))) <= 1.0
        True
    """
    _check(fan_in, fan_out, rng)
    _positive("gain", gain)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a)


def xavier_normal(fan_in: int, fan_out: int, rng: random.Random, *, gain: float = 1.0) -> float:
    """Glorot/Xavier normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).

    Example:
        >>> isinstance(xavier_normal(4, 4, random.Random(0)), float)
        True
    """
    _check(fan_in, fan_out, rng)
    _positive("gain", gain)
    return rng.gauss(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def he_uniform(
    fan_in: int, fan_out: int, rng: random.Random, *, gain: float = math.sqrt(2.0)
) -> float:
    """He/Kaiming uniform: U(-a, a) with a = gain·√(3 / fan_in), gain = √2 for ReLU.

    Keeps the variance of activations about constant through ReLU layers (He et al., 2015).
    Same formula as ``torch.nn.init.kaiming_uniform_(w, nonlinearity="relu")``.

    Example:
        >>> abs(he_uniform(6, 1, random.Random(0))) <= 1.0
        True
    """
    _check(fan_in, fan_out, rng)
    _positive("gain", gain)
    a = gain * math.sqrt(3.0 / fan_in)
    return rng.uniform(-a, a)


def he_normal(
    fan_in: int, fan_out: int, rng: random.Random, *, gain: float = math.sqrt(2.0)
) -> float:
    """He/Kaiming normal: N(0, std²) with std = gain / √fan_in (√(2 / fan_in) for ReLU).

    Example:
        >>> isinstance(he_normal(4, 4, random.Random(0)), float)
        True
    """
    _check(fan_in, fan_out, rng)
    _positive("gain", gain)
    return rng.gauss(0.0, gain / math.sqrt(fan_in))


xavier = xavier_uniform
"""Short name of :func:`xavier_uniform` (as ``init="xavier"``)."""
he = he_uniform
"""Short name of :func:`he_uniform` (as ``init="he"``)."""

INITIALIZERS: dict[str, Initializer] = {
    "uniform": uniform,
    "normal": normal,
    "zeros": zeros,
    "xavier": xavier_uniform,
    "glorot": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he": he_uniform,
    "kaiming": he_uniform,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
}
"""Initializers by name (``"auto"`` is resolved per layer by :func:`get`)."""


def get(init: str | Initializer, activation: str = "linear") -> Initializer:
    """Resolve an initializer given by name (or return a function unchanged).

    ``"auto"`` gives the initialiser the activation's entry suggests
    (:data:`microgrand.activations.ACTIVATIONS`): He uniform for ``relu``/``leaky_relu``
    layers and Xavier uniform for the others. An unknown name raises a ``ValueError`` listing
    the valid names.

    Example:
        >>> get("he") is he_uniform, get("auto", "tanh") is xavier_uniform
        (True, True)
    """
    if callable(init):
        return init
    if not isinstance(init, str):
        raise TypeError(f"init must be a name or a function, got {type(init).__name__}")
    if init == "auto":
        entry = ACTIVATIONS.get(activation)
        if entry is None:
            return xavier_uniform
        if entry.init not in INITIALIZERS:
            raise ValueError(
                f"activation {activation!r} suggests init {entry.init!r}, which is not one of "
                f"{', '.join(map(repr, INITIALIZERS))}"
            )
        return INITIALIZERS[entry.init]
    try:
        return INITIALIZERS[init]
    except KeyError:
        valid = ", ".join(repr(n) for n in ["auto", *INITIALIZERS])
        raise ValueError(f"unknown init {init!r}; valid names: {valid}") from None


def reinitialize(
    module: _HasModules, init: str | Initializer = "auto", rng: random.Random | int | None = None
) -> None:
    """Draw every weight of ``module`` again with ``init`` and set every bias to 0, in place.

    Works on any module made of :class:`~microgrand.nn.Neuron` s (``Neuron``, ``Layer``,
    ``MLP``). Handy to compare initialisations on the same architecture.

    Example:
        >>> from microgrand.nn import MLP
        >>> m = MLP(2, [3, 1], rng=0)
        >>> reinitialize(m, "zeros", rng=0)
        >>> {p.data for p in m.parameters()}
        {0.0}
    """
    r = as_rng(rng)
    # A neuron is any sub-module with weights ``w``, a bias ``b``, ``nin``, ``fan_out`` and an
    # ``activation`` (duck-typed, so that this module does not import :mod:`microgrand.nn`).
    neurons = [
        m
        for _, m in module.named_modules()
        if all(hasattr(m, a) for a in ("w", "b", "nin", "fan_out", "activation"))
    ]
    if not neurons:
        raise TypeError(f"reinitialize needs a module made of Neurons, got {type(module).__name__}")
    for n in neurons:
        f = get(init, n.activation)
        for w in n.w:
            w.data = float(f(n.nin, n.fan_out, r))
        n.b.data = 0.0
