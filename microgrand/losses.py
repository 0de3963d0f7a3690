"""Loss functions and weight penalties, built from Values so they can be backpropagated.

Every loss takes one prediction and one target, or a **batch**: a list of predictions and a
list of targets of the same length, and then returns the **mean** over the batch (as
PyTorch's default ``reduction="mean"``). The batch sum is one ``Σ`` node
(:func:`~microgrand.vsum`), so the graph stays shallow.

Label conventions:

* :func:`hinge` (the SVM loss of micrograd's demo) wants labels **-1 / +1** and a raw score.
* :func:`binary_cross_entropy` wants labels **0 / 1** (or soft labels in [0, 1]) and a
  probability, or a raw score (logit) with ``from_logits=True``.
* :func:`cross_entropy` wants a list of logits per example and a class index ``0 … K-1``.

:func:`microgrand.data.to_pm1` and :func:`microgrand.data.to_01` convert between the first two.

A target of :func:`mse`, :func:`mae`, :func:`hinge` or :func:`binary_cross_entropy` may also
be a Value: it then enters the graph as it is, instead of as a constant, and the graph's shape
does not depend on the label's number. That is what lets :func:`microgrand.record` record a
loss once and replay it on other examples *and other labels* (as ``fit(compiled=True)`` and
the playground do).

Example:
    >>> from microgrand import Value
    >>> from microgrand import losses
    >>> preds = [Value(0.5), Value(2.0)]
    >>> loss = losses.mse(preds, [1.0, 2.0])
    >>> loss.data                      # ((0.5-1)² + 0²) / 2
    0.125
    >>> loss.backward(); preds[0].grad  # 2·(0.5-1)/2
    -0.5
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from .functions import vsum
from .registry import Registry
from .value import Value, apply

__all__ = [
    "LOSSES",
    "Loss",
    "bce",
    "binary_cross_entropy",
    "cross_entropy",
    "for_scores",
    "hinge",
    "l1",
    "l2",
    "mae",
    "mse",
    "score_losses",
]

Scalar: TypeAlias = "Value | float"
Preds: TypeAlias = "Value | float | Sequence[Value | float]"
Targets: TypeAlias = "Value | float | Sequence[Value | float]"

# log(p) is clamped to >= -100, as PyTorch's BCELoss does, so a saturated probability gives a
# large finite loss instead of a crash.
_LOG_FLOOR = -100.0


def _is_num(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _as_value(x: object, what: str) -> Value:
    if isinstance(x, Value):
        return x
    if _is_num(x):
        return Value(float(x))  # type: ignore[arg-type]
    raise TypeError(f"{what}: predictions must be Values or numbers, got {type(x).__name__}")


def _pairs(
    pred: object, target: object, what: str
) -> tuple[list[Value], list[float], list[Scalar]]:
    """Normalise (one prediction, one target) or (batch, batch) into equal lists.

    Returns the predictions as Values, the targets' numbers (for checking labels), and the
    targets as given: a target passed as a Value stays that Value, so that it is an input of
    the loss's graph rather than a constant (see the module docstring).
    """
    if isinstance(pred, Value) or _is_num(pred):
        preds: list[object] = [pred]
        if isinstance(target, Sequence) and not isinstance(target, str):
            raise ValueError(
                f"{what}: got one prediction but {len(target)} targets; "
                "pass a list of predictions for a batch"
            )
        targets: list[object] = [target]
    elif isinstance(pred, Sequence) and not isinstance(pred, str | bytes):
        preds = list(pred)
        if not isinstance(target, Sequence) or isinstance(target, str | bytes):
            raise ValueError(
                f"{what}: got a batch of {len(preds)} predictions but one target "
                f"({type(target).__name__}); pass a list of targets of the same length"
            )
        targets = list(target)
    else:
        raise TypeError(
            f"{what}: predictions must be a Value, a number or a list of them, "
            f"got {type(pred).__name__}"
        )
    if not preds:
        raise ValueError(f"{what}: empty batch; pass at least one prediction")
    if len(preds) != len(targets):
        raise ValueError(
            f"{what}: {len(preds)} predictions but {len(targets)} targets; they must match"
        )
    ps = [_as_value(p, what) for p in preds]
    ts: list[float] = []
    given: list[Scalar] = []
    for i, t in enumerate(targets):
        number = t.data if isinstance(t, Value) else t
        if not _is_num(number) or not math.isfinite(float(number)):  # type: ignore[arg-type]
            raise TypeError(f"{what}: target #{i} must be a finite number, got {t!r}")
        ts.append(float(number))  # type: ignore[arg-type]
        given.append(t if isinstance(t, Value) else float(number))  # type: ignore[arg-type]
    return ps, ts, given


def _mean(terms: list[Value]) -> Value:
    if len(terms) == 1:
        return terms[0]
    return vsum(terms) / len(terms)


def mse(pred: Preds, target: Targets) -> Value:
    """Mean squared error ``mean((pred - target)²)``.

    Example:
        >>> mse(Value(3.0), 1.0).data
        4.0
    """
    ps, _, ts = _pairs(pred, target, "mse")
    return _mean([(p - t) ** 2 for p, t in zip(ps, ts, strict=True)])


def mae(pred: Preds, target: Targets) -> Value:
    """Mean absolute error ``mean(|pred - target|)`` (L1 loss).

    Example:
        >>> mae([Value(3.0), Value(-1.0)], [1.0, 0.0]).data
        1.5
    """
    ps, _, ts = _pairs(pred, target, "mae")
    return _mean([abs(p - t) for p, t in zip(ps, ts, strict=True)])


def hinge(score: Preds, label: Targets, margin: float = 1.0) -> Value:
    """SVM "max-margin" loss ``mean(relu(margin - y·score))`` with labels ``y`` in {-1, +1}.

    Zero once every example is on the right side with a margin, as in micrograd's demo.

    Example:
        >>> hinge([Value(2.0), Value(0.5)], [1, -1]).data   # (0 + 1.5) / 2
        0.75
    """
    ps, labels, ts = _pairs(score, label, "hinge")
    for i, t in enumerate(labels):
        if t not in (-1.0, 1.0):
            raise ValueError(
                f"hinge: labels must be -1 or +1, got {t:g} at #{i} "
                "(for 0/1 labels use microgrand.data.to_pm1(y))"
            )
    if not _is_num(margin) or margin < 0:
        raise ValueError(f"hinge: margin must be a number >= 0, got {margin!r}")
    return _mean([(margin - t * p).relu() for p, t in zip(ps, ts, strict=True)])


def _clamped_log(p: Value) -> Value:
    if p.data <= math.exp(_LOG_FLOOR):
        return Value(_LOG_FLOOR)  # a constant: log is clamped here, so no gradient
    return p.log()


def binary_cross_entropy(pred: Preds, label: Targets, *, from_logits: bool = False) -> Value:
    """Binary cross-entropy with labels in [0, 1] (usually 0 or 1).

    With probabilities ``p`` (``from_logits=False``):
    ``-(y·log p + (1-y)·log(1-p))``, where ``log`` is clamped at -100 as in PyTorch. With
    raw scores ``z`` (``from_logits=True``, recommended):
    ``y·softplus(-z) + (1-y)·softplus(z)``, which equals the same loss for ``p = sigmoid(z)``
    but never overflows, never takes ``log(0)`` and loses no digits to cancellation.

    Example:
        >>> round(binary_cross_entropy(Value(0.8), 1).data, 6)   # -log 0.8
        0.223144
        >>> round(binary_cross_entropy(Value(0.0), 1, from_logits=True).data, 6)  # log 2
        0.693147
    """
    what = "binary_cross_entropy"
    ps, labels, ts = _pairs(pred, label, what)
    for i, lab in enumerate(labels):
        if not 0.0 <= lab <= 1.0:
            hint = " (for -1/+1 labels use microgrand.data.to_01(y))" if lab == -1.0 else ""
            raise ValueError(f"{what}: labels must be in [0, 1], got {lab:g} at #{i}{hint}")
    # A label of exactly 1 or 0 (a number) keeps only its own term. A label given as a Value
    # always takes the general form, whatever its number, so that the graph is the same for
    # every label; for 0 and 1 it gives the same numbers (1·a + 0·b = a exactly).
    terms: list[Value] = []
    if from_logits:
        # -log σ(z) = softplus(-z) and -log(1 - σ(z)) = softplus(z): no cancellation anywhere.
        for z, t in zip(ps, ts, strict=True):
            if not isinstance(t, Value) and t == 1.0:
                terms.append((-z).softplus())
            elif not isinstance(t, Value) and t == 0.0:
                terms.append(z.softplus())
            else:
                terms.append(t * (-z).softplus() + (1.0 - t) * z.softplus())
    else:
        for i, (p, t) in enumerate(zip(ps, ts, strict=True)):
            if not 0.0 <= p.data <= 1.0:
                raise ValueError(
                    f"{what}: prediction #{i} = {p.data:g} is not a probability in [0, 1]; "
                    "apply a sigmoid, or pass raw scores with from_logits=True"
                )
            if not isinstance(t, Value) and t == 1.0:
                terms.append(-_clamped_log(p))
            elif not isinstance(t, Value) and t == 0.0:
                terms.append(-_clamped_log(1.0 - p))
            else:
                terms.append(-(t * _clamped_log(p) + (1.0 - t) * _clamped_log(1.0 - p)))
    return _mean(terms)


def _is_vector(x: object) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, str | bytes)


def cross_entropy(
    logits: Sequence[Scalar] | Sequence[Sequence[Scalar]], target: int | Sequence[int]
) -> Value:
    """Softmax cross-entropy ``-log softmax(logits)[target]`` = ``logsumexp(z) - z[target]``.

    ``logits`` is one list of K raw scores and ``target`` a class index in ``0 … K-1``; or a
    batch: a list of such lists and a list of indices (then the mean). Each example is one
    node computed as ``(m - z[target]) + log Σ e^(zj - m)`` with ``m`` the largest logit, and
    its local derivatives ``softmax(z)_j - [j = target]`` from the same shifted form, so it
    is exact at every finite magnitude. A loss too large for a float (the target's logit
    about 1.8e308 below the largest) raises ``OverflowError``; non-finite logits are refused.

    Example:
        >>> round(cross_entropy([Value(0.0), Value(0.0)], 1).data, 6)   # log 2
        0.693147
        >>> round(cross_entropy([[1000.0, 0.0], [0.0, 1000.0]], [0, 1]).data, 6)
        0.0
    """
    what = "cross_entropy"
    if not _is_vector(logits) or not logits:
        raise ValueError(f"{what}: logits must be a non-empty list of scores (or of lists)")
    if all(_is_vector(row) for row in logits):
        rows = [list(row) for row in logits]  # type: ignore[arg-type]
        if not _is_vector(target):
            raise ValueError(
                f"{what}: got a batch of {len(rows)} logit lists but one target; "
                "pass a list of class indices"
            )
        targets = list(target)  # type: ignore[arg-type]
    elif any(_is_vector(row) for row in logits):
        raise TypeError(f"{what}: logits mix lists and scalars; pass K scores or a list of lists")
    else:
        rows = [list(logits)]  # type: ignore[arg-type]
        if _is_vector(target):
            raise ValueError(f"{what}: got one list of logits but several targets ({target!r})")
        targets = [target]  # type: ignore[list-item]
    if len(rows) != len(targets):
        raise ValueError(f"{what}: {len(rows)} logit lists but {len(targets)} targets")
    terms: list[Value] = []
    for i, (row, t) in enumerate(zip(rows, targets, strict=True)):
        if not row:
            raise ValueError(f"{what}: example #{i} has no logits")
        k = len(row)
        if len(rows) > 1 and k != len(rows[0]):
            raise ValueError(f"{what}: example #{i} has {k} logits, example #0 has {len(rows[0])}")
        if isinstance(t, bool) or not isinstance(t, numbers.Integral):
            raise TypeError(f"{what}: target #{i} must be a class index (int), got {t!r}")
        if not 0 <= int(t) < k:
            raise ValueError(
                f"{what}: target #{i} = {t} is out of range for {k} classes (0…{k - 1})"
            )
        zs = tuple(_as_value(z, what) for z in row)
        terms.append(apply("cross_entropy", *zs, param=int(t)))
    return _mean(terms)


def _params(params: Iterable[Value], what: str) -> list[Value]:
    if isinstance(params, Value):
        raise TypeError(f"{what} takes a list of parameters, e.g. model.parameters()")
    ps = list(params)
    if not ps:
        raise ValueError(f"{what}: no parameters given")
    for p in ps:
        if not isinstance(p, Value):
            raise TypeError(f"{what} takes Values, got {type(p).__name__}")
    return ps


def l2(params: Iterable[Value]) -> Value:
    """L2 penalty ``Σ p²`` (multiply by a small strength such as ``1e-4`` and add to the loss).

    Example:
        >>> w = [Value(3.0), Value(-4.0)]
        >>> l2(w).data
        25.0
    """
    return vsum([p * p for p in _params(params, "l2")])


def l1(params: Iterable[Value]) -> Value:
    """L1 penalty ``Σ |p|`` (pushes weights to exactly 0).

    Example:
        >>> l1([Value(3.0), Value(-4.0)]).data
        7.0
    """
    return vsum([abs(p) for p in _params(params, "l1")])


bce = binary_cross_entropy
"""Short name of :func:`binary_cross_entropy`."""


def _bce_logits(pred: Preds, label: Targets) -> Value:
    return binary_cross_entropy(pred, label, from_logits=True)


# --- the registry: one entry per loss ---------------------------------------------------------


def _np() -> Any:
    import numpy  # only the NumPy forms need it, and only when they run

    return numpy


def _sigmoid_np(z: Any) -> Any:
    # as the engine's rule: two branches so that exp never overflows
    np = _np()
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus_np(z: Any) -> Any:
    np = _np()
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _two(p1: Any) -> Any:
    return _np().stack([1.0 - p1, p1], axis=1)


def _mse_np(out: Any, t: Any) -> Any:
    return (out[:, 0] - t) ** 2


def _mse_proba(out: Any) -> Any:
    return _two(_np().clip(out[:, 0], 0.0, 1.0))


def _hinge_np(out: Any, t: Any) -> Any:
    return _np().maximum(1.0 - t * out[:, 0], 0.0)


def _hinge_proba(out: Any) -> Any:
    return _two(_np().clip((out[:, 0] + 1.0) / 2.0, 0.0, 1.0))


def _bce_logits_np(out: Any, t: Any) -> Any:
    s = out[:, 0]
    return t * _softplus_np(-s) + (1.0 - t) * _softplus_np(s)


def _bce_logits_proba(out: Any) -> Any:
    return _two(_sigmoid_np(out[:, 0]))


def _cross_entropy_np(out: Any, t: Any) -> Any:
    np = _np()
    m = out.max(axis=1)
    lse = m + np.log(np.exp(out - m[:, None]).sum(axis=1))
    return lse - out[np.arange(len(t)), t]


def _softmax_proba(out: Any) -> Any:
    np = _np()
    e = np.exp(out - out.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Loss:
    """One loss: the function and what its users need to know about it.

    Args:
        name: the name users pass (``fit(..., loss="hinge")``, ``playground(loss=…)``).
        fn: ``fn(predictions, targets) -> Value`` (the batch mean), as the losses above.
        labels: the label form it wants: ``"real"`` (any number), ``"unit"`` (in [0, 1]),
            ``"pm1"`` (-1 / +1) or ``"index"`` (a class index; one output per class).
        scores: it reads raw scores, so the class boundary is at 0 (else at 0.5).
        numpy: the per-example loss on arrays, ``numpy(out, t)`` with ``out`` of shape
            ``(N, 1)`` (``(N, K)`` for ``"index"``) and ``t`` in the label form; ``None`` if
            it has none (the playground offers only losses that have one).
        proba: class probabilities of shape ``(N, K)`` from ``out`` (NumPy), for pictures.
        on_scores: the name of the same loss on raw scores, for a model whose last layer is
            linear (``"bce"`` → ``"bce_logits"``).
        label: the menu's text.
        labels_as_inputs: its graph has the same shape for every label given as a Value, so
            a recording (:func:`microgrand.record`) of it takes the labels as inputs.

    Calling the entry calls ``fn``: ``LOSSES["mse"](preds, targets)``.

    Example:
        >>> LOSSES["hinge"].labels, LOSSES["hinge"].scores, LOSSES["bce"].on_scores
        ('pm1', True, 'bce_logits')
        >>> LOSSES["hinge"].targets([0, 1])
        [-1, 1]
    """

    name: str
    fn: Callable[..., Value]
    labels: Literal["real", "unit", "pm1", "index"] = "real"
    scores: bool = False
    numpy: Callable[[Any, Any], Any] | None = None
    proba: Callable[[Any], Any] | None = None
    on_scores: str | None = None
    label: str = ""
    labels_as_inputs: bool = False

    def __post_init__(self) -> None:
        if not callable(self.fn):
            raise TypeError(f"loss {self.name!r}: fn must be a function, got {self.fn!r}")
        forms = ("real", "unit", "pm1", "index")
        if self.labels not in forms:
            raise ValueError(
                f"loss {self.name!r}: labels must be one of {', '.join(map(repr, forms))}, "
                f"got {self.labels!r}"
            )

    def __call__(self, pred: Any, target: Any) -> Value:
        """``fn(pred, target)``."""
        return self.fn(pred, target)

    @property
    def per_class(self) -> bool:
        """One output per class (the labels are class indices)."""
        return self.labels == "index"

    @property
    def classification(self) -> bool:
        """Its labels are classes (so accuracy means something)."""
        return self.labels in ("unit", "pm1", "index")

    def targets(self, y: Sequence[int]) -> list[Any]:
        """Class indices ``0, 1, …`` in this loss's label form (``pm1``: 0/1 → -1/+1).

        Example:
            >>> LOSSES["mse"].targets([0, 1])
            [0.0, 1.0]
        """
        if self.labels == "pm1":
            return [2 * int(t) - 1 for t in y]
        if self.labels == "index":
            return [int(t) for t in y]
        return [float(t) for t in y]


LOSSES: Registry[Loss] = Registry("loss")
"""Losses by name, as accepted by :func:`microgrand.train.fit` and the playground.

Each value is a :class:`Loss` entry, callable as the function it holds
(``LOSSES["mse"](preds, targets)``; the function itself is ``LOSSES["mse"].fn``). Register
your own with ``LOSSES.register(Loss("name", fn, labels="real"))``.

Example:
    >>> LOSSES.names()
    ('mse', 'mae', 'hinge', 'bce', 'bce_logits', 'cross_entropy')
"""
LOSSES.register(
    Loss("mse", mse, "real", False, _mse_np, _mse_proba, label="MSE", labels_as_inputs=True)
)
LOSSES.register(Loss("mae", mae, "real", label="MAE (L1)", labels_as_inputs=True))
LOSSES.register(
    Loss(
        "hinge",
        hinge,
        "pm1",
        True,
        _hinge_np,
        _hinge_proba,
        label="hinge (SVM, ±1)",
        labels_as_inputs=True,
    )
)
LOSSES.register(
    Loss(
        "bce",
        binary_cross_entropy,
        "unit",
        on_scores="bce_logits",
        label="binary CE",
        labels_as_inputs=True,
    ),
    aliases=("binary_cross_entropy",),
)
LOSSES.register(
    Loss(
        "bce_logits",
        _bce_logits,
        "unit",
        True,
        _bce_logits_np,
        _bce_logits_proba,
        label="binary CE on scores",
        labels_as_inputs=True,
    )
)
LOSSES.register(
    Loss(
        "cross_entropy",
        cross_entropy,
        "index",
        True,
        _cross_entropy_np,
        _softmax_proba,
        label="cross-entropy (softmax)",
    )
)


def for_scores(name: str) -> Loss:
    """The entry that trains a model with raw-score outputs under the loss ``name``.

    ``"bce"`` wants probabilities; on raw scores (a linear last layer, as in the playground)
    the same loss is ``"bce_logits"``. Other losses are themselves.

    Example:
        >>> for_scores("bce").name, for_scores("hinge").name
        ('bce_logits', 'hinge')
    """
    entry = LOSSES.lookup(name)
    return LOSSES.lookup(entry.on_scores) if entry.on_scores else entry


def score_losses() -> list[str]:
    """The losses a model with raw-score outputs trains and is pictured with: every registered
    loss with a NumPy form on raw scores (``bce`` stands for ``bce_logits``, which is then not
    listed twice). The playground offers these.

    Example:
        >>> score_losses()
        ['mse', 'hinge', 'bce', 'cross_entropy']
    """
    names = [n for n in LOSSES.names() if for_scores(n).numpy is not None]
    shown_as = {LOSSES[n].on_scores for n in names}
    return [n for n in names if n not in shown_as]


class _LabelsAsInputs:
    """The functions of the registered losses with ``labels_as_inputs`` (read live)."""

    def __iter__(self) -> Iterator[Callable[..., Value]]:
        return iter([e.fn for e in LOSSES.entries() if e.labels_as_inputs])

    def __contains__(self, fn: object) -> bool:
        return any(fn is f for f in self)

    def __repr__(self) -> str:
        return f"LABELS_AS_INPUTS({', '.join(f.__name__ for f in self)})"


LABELS_AS_INPUTS = _LabelsAsInputs()
"""The losses whose graph has the same shape for every label passed as a Value: a recording
(:func:`microgrand.record`) of one of them takes the labels as inputs. The functions of the
entries of :data:`LOSSES` with ``labels_as_inputs``.

Example:
    >>> mse in LABELS_AS_INPUTS, cross_entropy in LABELS_AS_INPUTS
    (True, False)
"""
