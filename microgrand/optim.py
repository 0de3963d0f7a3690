"""Optimizers and learning-rate schedules, with the update rules of ``torch.optim``.

An optimizer holds a list of parameters. After ``loss.backward()`` has filled in every
``p.grad``, ``optimizer.step()`` changes each ``p.data`` in place (no graph is built) and
``optimizer.zero_grad()`` resets the gradients for the next step::

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for step in range(100):
        loss = ...              # forward pass
        opt.zero_grad()
        loss.backward()
        opt.step()

A schedule changes ``optimizer.lr`` each time its ``step()`` is called (once per epoch in
:func:`microgrand.train.fit`).

Example:
    >>> from microgrand import Value
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).backward()          # dL/dw = 2w = 2
    >>> opt.step(); w.data          # 1 - 0.1·2
    0.8
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .registry import Registry
from .value import Value

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "AdamW",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "Optimizer",
    "OptimizerEntry",
    "RMSProp",
    "StepLR",
    "optimizer_name",
]


def _num(name: str, v: object, *, low: float, low_ok: bool, high: float | None = None) -> float:
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if ok:
        x = float(v)  # type: ignore[arg-type]
        ok = (x >= low if low_ok else x > low) and (high is None or x < high)
    if not ok:
        rng = f"{'>=' if low_ok else '>'} {low:g}" + (
            f" and < {high:g}" if high is not None else ""
        )
        raise ValueError(f"{name} must be a finite number {rng}, got {v!r}")
    return float(v)  # type: ignore[arg-type]


class Optimizer:
    """Base class: holds the parameters and ``lr``; subclasses implement :meth:`step`.

    Example:
        >>> from microgrand import Value
        >>> opt = SGD([Value(1.0)], lr=0.5)
        >>> opt.lr, len(opt.params)
        (0.5, 1)
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if isinstance(params, Value):
            raise TypeError("an optimizer takes a list of parameters, e.g. model.parameters()")
        try:
            ps = list(params)
        except TypeError:
            raise TypeError(
                f"an optimizer takes a list of parameters, got {type(params).__name__}"
            ) from None
        if not ps:
            raise ValueError("optimizer got an empty parameter list")
        seen: set[int] = set()
        for p in ps:
            if not isinstance(p, Value):
                raise TypeError(f"an optimizer takes Values, got {type(p).__name__}: {p!r}")
            if id(p) in seen:
                raise ValueError("optimizer got the same parameter twice; pass each one once")
            seen.add(id(p))
        self.params: list[Value] = ps
        self._lr = _num("lr", lr, low=0.0, low_ok=False)
        self.steps = 0

    @property
    def lr(self) -> float:
        """The learning rate: a finite number > 0, checked on every change (a schedule's
        included), so a bad value never reaches the parameters.

        Example:
            >>> from microgrand import Value
            >>> opt = SGD([Value(1.0)], lr=0.1)
            >>> opt.lr = 0.05; opt.lr
            0.05
            >>> opt.lr = float("nan")
            Traceback (most recent call last):
            ...
            ValueError: lr must be a finite number > 0, got nan
        """
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _num("lr", value, low=0.0, low_ok=False)

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad``."""
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """What the next update depends on besides the gradients, for explaining it.

        ``kind`` (the class name), ``lr``, ``t`` (steps taken) and the settings, plus each
        running average as a list with one number per parameter (Adam's ``m`` and ``v``,
        RMSProp's ``v``, momentum's ``buf``), copied.

        Example:
            >>> from microgrand import Value
            >>> SGD([Value(1.0)], lr=0.5).state()
            {'kind': 'SGD', 'lr': 0.5, 't': 0, 'weight_decay': 0.0, 'momentum': 0.0, 'buf': None}
        """
        return {"kind": type(self).__name__, "lr": self.lr, "t": self.steps}

    def _grads(self) -> list[float]:
        grads = [p.grad for p in self.params]
        if not all(map(math.isfinite, grads)):
            bad = next(i for i, g in enumerate(grads) if not math.isfinite(g))
            raise FloatingPointError(
                f"parameter #{bad} has gradient {grads[bad]}; the update would corrupt the model "
                "(lower the learning rate or check the loss)"
            )
        return grads

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g}, params={len(self.params)})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and weight decay.

    As ``torch.optim.SGD`` (dampening 0): ``g = grad + weight_decay·p``; with momentum
    ``b = momentum·b + g`` (``b = g`` on the first step) and, if ``nesterov``,
    ``g = g + momentum·b`` else ``g = b``; then ``p = p - lr·g``.

    Example:
        >>> from microgrand import Value
        >>> w = Value(1.0); opt = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).backward(); opt.step()
        >>> round(w.data, 6)     # 1 - 0.2 = 0.8; b = 0.9·2 + 1.6 = 3.4; 0.8 - 0.34
        0.46
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _num("momentum", momentum, low=0.0, low_ok=True, high=1.0)
        self.weight_decay = _num("weight_decay", weight_decay, low=0.0, low_ok=True)
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0")
        self.nesterov = bool(nesterov)
        self._buf: list[float] | None = None

    def state(self) -> dict[str, Any]:
        """As :meth:`Optimizer.state`, with ``weight_decay``, ``momentum`` and ``buf`` (the
        momentum buffer ``b``, ``None`` before the first step or without momentum)."""
        buf = None if self._buf is None else list(self._buf)
        return {
            **super().state(),
            "weight_decay": self.weight_decay,
            "momentum": self.momentum,
            "buf": buf,
        }

    def step(self) -> None:
        grads = self._grads()
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if wd:
            grads = [g + wd * p.data for g, p in zip(grads, self.params, strict=True)]
        if mu:
            if self._buf is None:
                self._buf = list(grads)
            else:
                self._buf = [mu * b + g for b, g in zip(self._buf, grads, strict=True)]
            if self.nesterov:
                grads = [g + mu * b for g, b in zip(grads, self._buf, strict=True)]
            else:
                grads = self._buf
        for p, g in zip(self.params, grads, strict=True):
            p.data -= lr * g
        self.steps += 1


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running averages of the gradient and its square.

    As ``torch.optim.Adam``: ``g = grad + weight_decay·p``, ``m = β1·m + (1-β1)·g``,
    ``v = β2·v + (1-β2)·g²``, ``m̂ = m/(1-β1ᵗ)``, ``v̂ = v/(1-β2ᵗ)``,
    ``p = p - lr·m̂/(√v̂ + eps)``.

    Example:
        >>> from microgrand import Value
        >>> w = Value(1.0); opt = Adam([w], lr=0.1)
        >>> (w * w).backward(); opt.step()
        >>> round(w.data, 6)     # the first Adam step moves by about lr
        0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _num("betas[0]", betas[0], low=0.0, low_ok=True, high=1.0),
            _num("betas[1]", betas[1], low=0.0, low_ok=True, high=1.0),
        )
        self.eps = _num("eps", eps, low=0.0, low_ok=False)
        self.weight_decay = _num("weight_decay", weight_decay, low=0.0, low_ok=True)
        n = len(self.params)
        self._m = [0.0] * n
        self._v = [0.0] * n

    def state(self) -> dict[str, Any]:
        """As :meth:`Optimizer.state`, with ``beta1``, ``beta2``, ``eps``, ``weight_decay``
        and the running averages ``m`` (of the gradient) and ``v`` (of its square).

        Example:
            >>> from microgrand import Value
            >>> w = Value(1.0); opt = Adam([w], lr=0.1); w.grad = 2.0; opt.step()
            >>> s = opt.state(); s["t"], round(s["m"][0], 12), round(s["v"][0], 12)
            (1, 0.2, 0.004)
        """
        return {
            **super().state(),
            "beta1": self.betas[0],
            "beta2": self.betas[1],
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "m": list(self._m),
            "v": list(self._v),
        }

    def _decay(self, grads: list[float]) -> list[float]:
        wd = self.weight_decay
        if not wd:
            return grads
        return [g + wd * p.data for g, p in zip(grads, self.params, strict=True)]

    def step(self) -> None:
        grads = self._decay(self._grads())
        self.steps += 1
        b1, b2 = self.betas
        t = self.steps
        c1 = 1.0 - b1**t
        c2 = 1.0 - b2**t
        lr, eps = self.lr, self.eps
        m, v = self._m, self._v
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= lr * (m[i] / c1) / (math.sqrt(v[i] / c2) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (``torch.optim.AdamW``): ``p = p·(1 - lr·wd)`` first.

    Example:
        >>> from microgrand import Value
        >>> w = Value(1.0); opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = 0.0; opt.step(); round(w.data, 6)   # only the decay: 1·(1 - 0.05)
        0.95
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    def _decay(self, grads: list[float]) -> list[float]:
        k = 1.0 - self.lr * self.weight_decay
        for p in self.params:
            p.data *= k
        return grads


class RMSProp(Optimizer):
    """RMSProp: divide each step by a running root-mean-square of recent gradients.

    As ``torch.optim.RMSprop`` (not centered): ``g = grad + weight_decay·p``,
    ``v = α·v + (1-α)·g²``; without momentum ``p = p - lr·g/(√v + eps)``; with momentum
    ``b = momentum·b + g/(√v + eps)`` and ``p = p - lr·b``.

    Example:
        >>> from microgrand import Value
        >>> w = Value(1.0); opt = RMSProp([w], lr=0.01)
        >>> (w * w).backward(); opt.step()
        >>> round(w.data, 6)     # 1 - 0.01·2/√(0.01·4) = 1 - 0.1
        0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = _num("alpha", alpha, low=0.0, low_ok=True, high=1.0)
        self.eps = _num("eps", eps, low=0.0, low_ok=False)
        self.weight_decay = _num("weight_decay", weight_decay, low=0.0, low_ok=True)
        self.momentum = _num("momentum", momentum, low=0.0, low_ok=True, high=1.0)
        n = len(self.params)
        self._v = [0.0] * n
        self._b = [0.0] * n

    def state(self) -> dict[str, Any]:
        """As :meth:`Optimizer.state`, with ``alpha``, ``eps``, ``weight_decay``,
        ``momentum``, the running mean square ``v`` and (with momentum) the buffer ``b``."""
        return {
            **super().state(),
            "alpha": self.alpha,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "momentum": self.momentum,
            "v": list(self._v),
            "b": list(self._b) if self.momentum else None,
        }

    def step(self) -> None:
        grads = self._grads()
        a, eps, lr, wd, mu = self.alpha, self.eps, self.lr, self.weight_decay, self.momentum
        v, b = self._v, self._b
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            if wd:
                g = g + wd * p.data
            v[i] = a * v[i] + (1.0 - a) * g * g
            d = g / (math.sqrt(v[i]) + eps)
            if mu:
                b[i] = mu * b[i] + d
                d = b[i]
            p.data -= lr * d
        self.steps += 1


# --- the registry: one entry per optimizer by name ----------------------------------------


@dataclass(frozen=True)
class OptimizerEntry:
    """An optimizer by name: its class, settings and default learning rate.

    Calling the entry builds the optimizer: ``entry(params, lr=None)`` (``None``: ``lr``).

    Example:
        >>> from microgrand import Value
        >>> opt = OPTIMIZERS["momentum"]([Value(1.0)])
        >>> type(opt).__name__, opt.momentum, opt.lr
        ('SGD', 0.9, 0.05)
    """

    name: str
    cls: type[Optimizer]
    lr: float
    options: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        if not (isinstance(self.cls, type) and issubclass(self.cls, Optimizer)):
            raise TypeError(
                f"optimizer {self.name!r}: cls must be an Optimizer class, got {self.cls!r}"
            )
        _num(f"optimizer {self.name!r}: lr", self.lr, low=0.0, low_ok=False)

    def __call__(self, params: Iterable[Value], lr: float | None = None) -> Optimizer:
        """A new optimizer of this kind over ``params``."""
        return self.cls(params, lr=self.lr if lr is None else lr, **self.options)

    def describes(self, opt: Optimizer) -> bool:
        """Whether ``opt`` is of this kind: an instance of ``cls`` with every option set (or
        unset) as here.

        Example:
            >>> from microgrand import Value
            >>> sgd = SGD([Value(1.0)], lr=0.1, momentum=0.5)
            >>> OPTIMIZERS["momentum"].describes(sgd), OPTIMIZERS["adam"].describes(sgd)
            (True, False)
        """
        return isinstance(opt, self.cls) and all(
            bool(getattr(opt, k, None)) == bool(v) for k, v in self.options.items()
        )


OPTIMIZERS: Registry[OptimizerEntry] = Registry("optimizer")
"""Optimizers by name, as accepted by :func:`microgrand.train.fit` and the playground.

Example:
    >>> OPTIMIZERS.names(), OPTIMIZERS["adam"].lr
    (('sgd', 'momentum', 'adam', 'rmsprop'), 0.01)
"""
OPTIMIZERS.register(OptimizerEntry("sgd", SGD, 0.1, label="SGD"))
OPTIMIZERS.register(OptimizerEntry("momentum", SGD, 0.05, {"momentum": 0.9}, "SGD + momentum 0.9"))
OPTIMIZERS.register(OptimizerEntry("adam", Adam, 0.01, label="Adam"))
OPTIMIZERS.register(OptimizerEntry("rmsprop", RMSProp, 0.01, label="RMSProp"))


def optimizer_name(opt: Optimizer) -> str:
    """The registered name of ``opt``'s kind; ``TypeError`` for an unregistered kind.

    Example:
        >>> from microgrand import Value
        >>> optimizer_name(Adam([Value(1.0)])), optimizer_name(SGD([Value(1.0)], lr=0.1))
        ('adam', 'sgd')
    """
    fits = [e for e in OPTIMIZERS.entries() if e.describes(opt)]
    if not fits:
        raise TypeError(
            f"no registered optimizer describes {type(opt).__name__}; "
            f"the registered ones are {', '.join(OPTIMIZERS.names())}"
        )
    # the most specific: its very class first, then the one that names the most settings
    return max(fits, key=lambda e: (type(opt) is e.cls, len(e.options))).name


# --- learning-rate schedules ----------------------------------------------------------------


class LRScheduler:
    """Base class: sets ``optimizer.lr = base_lr · factor(t)`` where ``t`` counts ``step()``.

    Creating a schedule applies ``factor(0)`` at once, as PyTorch does.

    Example:
        >>> from microgrand import Value
        >>> opt = SGD([Value(0.0)], lr=1.0)
        >>> sched = LambdaLR(opt, lambda t: 0.5 ** t)
        >>> sched.step(); sched.step(); opt.lr, sched.get_last_lr()
        (0.25, 0.25)
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a schedule needs an optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        self._apply()

    def factor(self, t: int) -> float:
        """The multiplier of the base learning rate after ``t`` calls of :meth:`step`."""
        raise NotImplementedError

    def _apply(self) -> None:
        f = self.factor(self.last_epoch)
        if not (isinstance(f, int | float) and math.isfinite(f) and f > 0):
            raise ValueError(
                f"{type(self).__name__}: the lr factor at step {self.last_epoch} is {f!r}; "
                "it must be a finite number > 0"
            )
        self.optimizer.lr = self.base_lr * float(f)

    def step(self) -> None:
        """Advance one step (usually one epoch) and update ``optimizer.lr``."""
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self) -> float:
        """The learning rate set by the last step."""
        return self.optimizer.lr


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps.

    Example:
        >>> from microgrand import Value
        >>> opt = SGD([Value(0.0)], lr=1.0); s = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for _ in range(5):
        ...     lrs.append(opt.lr); s.step()
        >>> lrs
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = _num("gamma", gamma, low=0.0, low_ok=False)
        super().__init__(optimizer)

    def factor(self, t: int) -> float:
        return self.gamma ** (t // self.step_size)


class LinearLR(LRScheduler):
    """Change the factor linearly from ``start_factor`` to ``end_factor`` over ``total_iters``.

    ``LinearLR(opt, 1.0, 0.1, 100)`` with ``lr=1.0`` is micrograd's demo schedule
    ``lr = 1.0 - 0.9·k/100``.

    Example:
        >>> from microgrand import Value
        >>> opt = SGD([Value(0.0)], lr=1.0); s = LinearLR(opt, 1.0, 0.1, total_iters=100)
        >>> for _ in range(50):
        ...     s.step()
        >>> round(opt.lr, 10)
        0.55
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3.0,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> None:
        self.start_factor = _num("start_factor", start_factor, low=0.0, low_ok=False)
        self.end_factor = _num("end_factor", end_factor, low=0.0, low_ok=False)
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"total_iters must be a positive int, got {total_iters!r}")
        self.total_iters = total_iters
        super().__init__(optimizer)

    def factor(self, t: int) -> float:
        frac = min(t, self.total_iters) / self.total_iters
        return self.start_factor + (self.end_factor - self.start_factor) * frac


class LambdaLR(LRScheduler):
    """Learning rate ``base_lr · lr_lambda(t)`` for any function of the step count ``t``.

    Example:
        >>> from microgrand import Value
        >>> opt = SGD([Value(0.0)], lr=2.0); s = LambdaLR(opt, lambda t: 1 / (1 + t))
        >>> s.step(); opt.lr
        1.0
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        if not callable(lr_lambda):
            raise TypeError(f"lr_lambda must be a function of the step, got {lr_lambda!r}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def factor(self, t: int) -> float:
        return self.lr_lambda(t)
