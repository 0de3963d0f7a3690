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

import contextlib
import gc
import json
import math
import os
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

from . import init as _init
from . import value as _value
from ._files import write_atomic
from .context import scope
from .init import as_rng
from .value import Scope, Value, vsum

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

_FORMAT = "microgrand.state_dict"
_FORMAT_VERSION = 1


def _linear(v: Value) -> Value:
    return v


def _leaky(v: Value) -> Value:
    return v.leaky_relu(0.01)


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "tanh": Value.tanh,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "leaky_relu": _leaky,
    "linear": _linear,
}
"""Activation functions by name (``leaky_relu`` uses slope 0.01, as PyTorch)."""


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


class Module:
    """Base class of everything with parameters, as ``torch.nn.Module``.

    Parameters are found by walking the attributes in the order they were set: a
    :class:`Value` attribute is a parameter, a Module attribute is a child, and a list of
    Values or Modules is walked by index. So ``named_parameters()`` gives dotted names such
    as ``layers.0.neurons.3.w.1``. Subclasses implement :meth:`forward`; calling the module
    runs ``forward`` inside the module's :func:`~microgrand.scope` (when it has a ``name``).

    Example:
        >>> class Affine(Module):
        ...     def __init__(self):
        ...         super().__init__(name="affine")
        ...         with self.scoped():
        ...             self.a, self.b = Value(2.0, label="a"), Value(1.0, label="b")
        ...     def forward(self, x):
        ...         return self.a * x + self.b
        >>> m = Affine()
        >>> m(3.0).data, [n for n, _ in m.named_parameters()], m(3.0).scope
        (7.0, ['a', 'b'], 'affine')
    """

    name: str | None
    training: bool
    # The Scope this module last ran in, memoised as (enclosing scope, name, own scope); see
    # _enter_scope. A class attribute until the first call sets it on the instance.
    _scope_memo: tuple[Scope | None, str, Scope] | None = None

    def __init__(self, name: str | None = None) -> None:
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ValueError(f"a module name must be a non-empty str without '/', got {name!r}")
        self.name = name
        self.training = True

    # --- structure -----------------------------------------------------------------------

    def scoped(self) -> contextlib.AbstractContextManager[Any]:
        """``scope(self.name)``, or a do-nothing context when the module has no name."""
        return scope(self.name) if self.name else contextlib.nullcontext()

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their attribute path (``"layers.0"``)."""
        for key, val in vars(self).items():
            if isinstance(val, Module):
                yield key, val
            elif isinstance(val, list | tuple):
                for i, item in enumerate(val):
                    if isinstance(item, Module):
                        yield f"{key}.{i}", item

    def children(self) -> list[Module]:
        """Direct sub-modules, in order."""
        return [m for _, m in self.named_children()]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (name ``""``) and every sub-module below it, depth first.

        Example:
            >>> [n for n, _ in MLP(1, [2, 1], rng=0).named_modules()][:3]
            ['', 'layers.0', 'layers.0.neurons.0']
        """
        yield prefix, self
        for key, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{key}" if prefix else key)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """Every parameter with its dotted name, in a stable order.

        Example:
            >>> [n for n, _ in Neuron(2, rng=0).named_parameters()]
            ['w.0', 'w.1', 'b']
        """
        pre = f"{prefix}." if prefix else ""
        for key, val in vars(self).items():
            if isinstance(val, Value):
                yield pre + key, val
            elif isinstance(val, Module):
                yield from val.named_parameters(pre + key)
            elif isinstance(val, list | tuple):
                for i, item in enumerate(val):
                    if isinstance(item, Value):
                        yield f"{pre}{key}.{i}", item
                    elif isinstance(item, Module):
                        yield from item.named_parameters(f"{pre}{key}.{i}")

    def parameters(self) -> list[Value]:
        """Every parameter (a list of Values), for an optimizer.

        Example:
            >>> len(Layer(3, 2, rng=0).parameters())
            8
        """
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0 (gradients accumulate across ``backward()``).

        Example:
            >>> n = Neuron(1, rng=0); n([1.0]).backward(); n.zero_grad()
            >>> [p.grad for p in n.parameters()]
            [0.0, 0.0]
        """
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        """Put this module and its children in training mode (``eval()`` undoes it).

        Only :class:`Dropout` behaves differently in evaluation mode (it passes its input
        through unchanged); the flag is there for modules that do.

        Example:
            >>> Neuron(1, rng=0).eval().training
            False
        """
        for _, m in self.named_modules():
            m.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def grad_groups(self) -> dict[str, list[Value]]:
        """Parameters grouped for gradient statistics: one group per child (by its name).

        A module without children is one group named after the module. ``fit`` records the
        gradient norm of each group per step (``history.grad_norms["layer1"]``).

        Example:
            >>> list(MLP(2, [3, 1], rng=0).grad_groups())
            ['layer1', 'layer2']
        """
        groups: dict[str, list[Value]] = {}
        for key, child in self.named_children():
            groups[child.name or key] = child.parameters()
        if not groups:
            groups[self.name or type(self).__name__.lower()] = self.parameters()
        return groups

    # --- computing -----------------------------------------------------------------------

    def forward(self, *args: Any) -> Any:
        """The computation; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args: Any) -> Any:
        # The cyclic garbage collector is paused while the outermost module runs (nested
        # modules find it paused already). A forward pass makes hundreds of graph nodes per
        # example and no reference cycles, yet every 700 new objects the collector would
        # walk the young ones, and every few such walks the older ones, up to the whole
        # heap. Paused, it walks each node once, when it next runs, and finds nothing, as
        # before (measured with cachegrind on an MLP training step: a tenth fewer
        # instructions and half the last-level cache misses). Value.backward pauses it too.
        if not gc.isenabled():
            return self._in_scope(self.forward, *args)
        gc.disable()
        try:
            return self._in_scope(self.forward, *args)
        finally:
            gc.enable()

    def _in_scope(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` inside this module's scope: ``with self.scoped(): return fn(*args)``.

        Written out because a training step calls every module once per example, and a
        ``with scope(...)`` block costs a generator, a context-manager object and a new
        Scope each time (measured: about a tenth of an MLP step). Here the Scope is reused
        (see :meth:`_enter_scope`) and switched in with a plain assignment, and the
        enclosing scope comes back even when ``fn`` raises.
        """
        inner = self._enter_scope()
        if inner is None:
            return fn(*args)
        outer = _value._SCOPE
        _value._SCOPE = inner
        try:
            return fn(*args)
        finally:
            _value._SCOPE = outer

    def _enter_scope(self) -> Scope | None:
        """The Scope this module's nodes get right now: its name below the current scope.

        The same module runs inside the same enclosing Scope object again and again (a
        layer's neurons, once per example), so the result is memoised on the module and
        made again (by :func:`~microgrand.scope`, which validates the name) only when the
        enclosing scope or ``self.name`` changed. Scopes are immutable, so nodes share them.
        """
        name = self.name
        if not name:
            return None
        outer = _value._SCOPE
        memo = self._scope_memo
        if memo is not None and memo[0] is outer and memo[1] == name:
            return memo[2]
        with scope(name) as inner:
            pass
        self._scope_memo = (outer, name, inner)
        return inner

    # --- saving and loading ----------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by dotted name (a plain dict of floats).

        Example:
            >>> sd = Neuron(2, rng=0).state_dict()
            >>> list(sd), sd["b"]
            (['w.0', 'w.1', 'b'], 0.0)
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Copy values from ``state`` into the parameters (keys and count must match exactly).

        Raises ``KeyError`` naming missing and unexpected keys (a different architecture),
        ``TypeError`` for a value that is not a number.

        Example:
            >>> a, b = MLP(2, [3, 1], rng=0), MLP(2, [3, 1], rng=1)
            >>> b.load_state_dict(a.state_dict())
            >>> a.state_dict() == b.state_dict()
            True
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict needs a dict of name -> float, got {type(state).__name__}"
            )
        own = dict(self.named_parameters())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing keys {_short(missing)}")
            if unexpected:
                parts.append(f"unexpected keys {_short(unexpected)}")
            raise KeyError(
                f"state does not fit {type(self).__name__} with {len(own)} parameters "
                f"(got {len(state)} values): "
                + "; ".join(parts)
                + " — was it saved from a model with a different architecture?"
            )
        values: dict[str, float] = {}
        for k, v in state.items():
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise TypeError(f"state[{k!r}] must be a number, got {type(v).__name__}: {v!r}")
            values[k] = float(v)
        for k, p in own.items():
            p.data = values[k]

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save the parameters as JSON (written atomically); returns the path.

        Example:
            >>> import tempfile, os
            >>> m = MLP(2, [3, 1], rng=0)
            >>> p = m.save(os.path.join(tempfile.mkdtemp(), "model.json"))
            >>> MLP(2, [3, 1], rng=5).load(p).state_dict() == m.state_dict()
            True
        """
        state = self.state_dict()
        bad = [k for k, v in state.items() if not math.isfinite(v)]
        if bad:
            raise ValueError(
                f"cannot save non-finite parameters {_short(bad)} (training diverged?)"
            )
        doc = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "module": type(self).__name__,
            "architecture": repr(self),
            "parameters": state,
        }
        text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
        return write_atomic(path, text.encode("utf-8"))

    def load(self, path: str | os.PathLike[str]) -> Module:
        """Load parameters saved by :meth:`save` into this module; returns ``self``.

        Raises ``ValueError`` for a file that is not a microgrand model file and ``KeyError``
        when the saved parameters do not fit this module's architecture.
        """
        p = Path(path)
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except UnicodeDecodeError as e:
            raise ValueError(f"{str(p)!r} is not a microgrand model file (not text): {e}") from None
        except json.JSONDecodeError as e:
            raise ValueError(f"{str(p)!r} is not a microgrand model file (bad JSON: {e})") from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            raise ValueError(f"{str(p)!r} is not a microgrand model file (no {_FORMAT!r} header)")
        if doc.get("version") != _FORMAT_VERSION:
            raise ValueError(
                f"{str(p)!r} has format version {doc.get('version')!r}; "
                f"this microgrand reads version {_FORMAT_VERSION}"
            )
        params = doc.get("parameters")
        if not isinstance(params, dict):
            raise ValueError(f"{str(p)!r} has no 'parameters' table")
        try:
            self.load_state_dict(params)
        except KeyError as e:
            saved = doc.get("architecture", "?")
            raise KeyError(f"{e.args[0]}\nsaved model: {saved}\nthis model:  {self!r}") from None
        return self

    # --- printing --------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's ``repr`` (as in PyTorch)."""
        return ""

    def __repr__(self) -> str:
        kids = self._repr_children()
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not kids:
            return head + ")"
        lines = [head]
        for key, child in kids:
            sub = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({key}): {sub}")
        return "\n".join(lines) + "\n)"

    def _repr_children(self) -> list[tuple[str, Module]]:
        return [(m.name or k, m) for k, m in self.named_children()]


def _short(keys: Sequence[str], n: int = 5) -> str:
    shown = ", ".join(repr(k) for k in keys[:n])
    return f"[{shown}{', …' if len(keys) > n else ''}] ({len(keys)})"


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
        self._act = ACTIVATIONS[self.activation]

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
