"""What :func:`microgrand.train.fit` keeps: the :class:`History` of a run, and the
:class:`EarlyStopping` rule (both importable from :mod:`microgrand.train` as before).

Example:
    >>> h = History(loss=[0.5, 0.25], epoch_time=[0.1, 0.1])
    >>> h.epochs, h.summary()
    (2, 'epoch 2: loss 0.25 (0.2 s)')
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["EarlyStopping", "History"]


@dataclass
class EarlyStopping:
    """Stop when the monitored loss has not improved for ``patience`` epochs.

    ``monitor`` is ``"val_loss"`` (needs ``validation=``), ``"loss"``, or ``"auto"``
    (``val_loss`` when there is validation data). With ``restore_best`` the model gets the
    parameters of its best epoch back at the end.

    Example:
        >>> EarlyStopping(patience=5).monitor
        'auto'
    """

    patience: int = 10
    min_delta: float = 0.0
    monitor: str = "auto"
    restore_best: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.patience, bool) or not isinstance(self.patience, int):
            raise TypeError(f"patience must be an int, got {self.patience!r}")
        if self.patience < 1:
            raise ValueError(f"patience must be >= 1, got {self.patience}")
        if not (isinstance(self.min_delta, int | float) and self.min_delta >= 0):
            raise ValueError(f"min_delta must be a number >= 0, got {self.min_delta!r}")
        if self.monitor not in ("auto", "loss", "val_loss"):
            raise ValueError(f"monitor must be 'auto', 'loss' or 'val_loss', got {self.monitor!r}")


@dataclass
class History:
    """What happened during :func:`fit`, epoch by epoch and step by step.

    Per epoch: ``loss`` (mean data loss over the epoch's batches, without the penalty),
    ``metrics["accuracy"]`` (on the training predictions made during the epoch),
    ``val_loss`` and ``val_metrics`` (on the validation data after the epoch),
    ``epoch_time`` (seconds). Per step: ``step_loss``, ``step_penalty`` (the regularization
    term), ``lr``, ``step_time`` and ``grad_norms[group]``: the L2 norm of the gradient of
    each layer's parameters (``grad_norms["layer1"]``), the tool to see vanishing or
    exploding gradients.

    Example:
        >>> h = History(); h.loss.append(0.5); h.metrics["accuracy"] = [0.9]
        >>> h.epochs, h.accuracy
        (1, [0.9])
    """

    loss: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    val_loss: list[float] = field(default_factory=list)
    val_metrics: dict[str, list[float]] = field(default_factory=dict)
    epoch_time: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    step_penalty: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    step_time: list[float] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(self.loss)

    @property
    def steps(self) -> int:
        """How many optimizer steps ran."""
        return len(self.step_loss)

    @property
    def accuracy(self) -> list[float]:
        """Training accuracy per epoch (empty when not measured)."""
        return self.metrics.get("accuracy", [])

    @property
    def val_accuracy(self) -> list[float]:
        """Validation accuracy per epoch (empty without validation data)."""
        return self.val_metrics.get("accuracy", [])

    @property
    def total_time(self) -> float:
        """Seconds spent in all epochs."""
        return sum(self.epoch_time)

    def summary(self) -> str:
        """One line about the last epoch.

        Example:
            >>> h = History(loss=[0.5, 0.25], epoch_time=[0.1, 0.1])
            >>> h.summary()
            'epoch 2: loss 0.25 (0.2 s)'
            >>> History(loss=[0.06], metrics={"accuracy": [1.0]}, epoch_time=[0.1]).summary()
            'epoch 1: loss 0.06, accuracy 100.0% (0.1 s)'
        """
        if not self.loss:
            return "no epochs"
        parts = [f"epoch {self.epochs}: loss {self.loss[-1]:.4g}"]
        for k, v in self.metrics.items():
            parts.append(f"{k} {_fmt_metric(k, v[-1])}")
        if self.val_loss:
            parts.append(f"val_loss {self.val_loss[-1]:.4g}")
        for k, v in self.val_metrics.items():
            parts.append(f"val_{k} {_fmt_metric(k, v[-1])}")
        return ", ".join(parts) + f" ({self.total_time:.2g} s)"

    def __repr__(self) -> str:
        return f"History({self.summary()}, steps={self.steps})"


def _fmt_metric(name: str, value: float) -> str:
    """Accuracy as a percentage (``100.0%``), other metrics with four significant digits."""
    return f"{100 * value:.1f}%" if name == "accuracy" else f"{value:.4g}"
