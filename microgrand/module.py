"""The base class of everything with parameters: :class:`Module` (as ``torch.nn.Module``).

A module finds its parameters by walking its attributes, runs its computation inside its
:func:`~microgrand.scope`, switches between training and evaluation, and saves and loads its
parameters as JSON. :mod:`microgrand.nn` builds neurons, layers and MLPs on it.

Example:
    >>> from microgrand.nn import MLP
    >>> sd = MLP(2, [3, 1], rng=0).state_dict()
    >>> len(sd), list(sd)[:2]
    (13, ['layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1'])
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ._files import write_atomic
from .context import current_scope, scope, swap_scope
from .value import Scope, Value

__all__ = ["Module"]

_FORMAT = "microgrand.state_dict"
_FORMAT_VERSION = 1


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
            >>> from microgrand.nn import MLP
            >>> [n for n, _ in MLP(1, [2, 1], rng=0).named_modules()][:3]
            ['', 'layers.0', 'layers.0.neurons.0']
        """
        yield prefix, self
        for key, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{key}" if prefix else key)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """Every parameter with its dotted name, in a stable order.

        Example:
            >>> from microgrand.nn import Neuron
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
            >>> from microgrand.nn import Layer
            >>> len(Layer(3, 2, rng=0).parameters())
            8
        """
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0 (gradients accumulate across ``backward()``).

        Example:
            >>> from microgrand.nn import Neuron
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
            >>> from microgrand.nn import Neuron
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
            >>> from microgrand.nn import MLP
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
        outer = swap_scope(inner)
        try:
            return fn(*args)
        finally:
            swap_scope(outer)

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
        outer = current_scope()
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
            >>> from microgrand.nn import Neuron
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
            >>> from microgrand.nn import MLP
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
            >>> from microgrand.nn import MLP
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
