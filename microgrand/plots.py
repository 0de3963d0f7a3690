"""Pictures of training: loss curves, decision boundaries, gradient norms, weights, digits.

Every function returns a :class:`Figure` (a ``matplotlib.figure.Figure`` that also shows
itself in Jupyter and has :meth:`Figure.save`). Nothing here calls ``plt.show()`` or
``matplotlib.use()``: figures are made with the object API, so they work headless (in
tests, scripts and on servers) and never pop up a window.

Example:
    >>> from microgrand.train import History
    >>> from microgrand import plots
    >>> fig = plots.plot_history(History(loss=[1.0, 0.5, 0.2]))
    >>> [ax.get_title() for ax in fig.axes]
    ['Loss']
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import matplotlib as mpl
import matplotlib.colors as mcolors
import matplotlib.figure
from matplotlib.ticker import MaxNLocator

from ._files import write_atomic
from .context import no_grad
from .nn import Module
from .train import History
from .value import Value

__all__ = [
    "Figure",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_digits",
    "plot_grad_norms",
    "plot_history",
    "plot_regression",
    "plot_weight_histograms",
]

# Colour-blind-safe pair for two classes (blue / orange) and a palette for more.
_NEG = "#2f6db3"
_POS = "#e07b24"
_PALETTE = ["#2f6db3", "#e07b24", "#3a9a4a", "#c0392b", "#8e5ab5", "#8c6d31", "#d6609e",
            "#6b6b6b", "#a8b330", "#1fa3b5"]  # fmt: skip
_TRAIN = "#2f6db3"
_VAL = "#e07b24"
_STYLE: dict[str, Any] = {
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
}


def _rc(**extra: Any) -> Any:
    """The house style (bigger fonts for projection, light grid), as an rc_context."""
    style = {**_STYLE, **{k.replace("__", "."): v for k, v in extra.items()}}
    return mpl.rc_context(cast(Any, style))


class Figure(matplotlib.figure.Figure):
    """A matplotlib Figure that Jupyter shows as a PNG and that saves atomically.

    Example:
        >>> fig = Figure(); ax = fig.add_subplot(); _ = ax.plot([0, 1], [0, 1])
        >>> fig._repr_png_()[:4]
        b'\\x89PNG'
    """

    def _repr_png_(self) -> bytes:
        return self.to_bytes("png")

    def to_bytes(self, fmt: str = "png", dpi: float = 100) -> bytes:
        """The figure as PNG/SVG/PDF bytes."""
        buf = io.BytesIO()
        self.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
        return buf.getvalue()

    def save(self, path: str | os.PathLike[str], dpi: float = 150) -> Path:
        """Write the figure to ``path`` (format from the suffix: .png, .svg, .pdf), atomically.

        Example:
            >>> import tempfile, os
            >>> fig = Figure(); _ = fig.add_subplot().plot([1, 2])
            >>> fig.save(os.path.join(tempfile.mkdtemp(), "f.png")).stat().st_size > 0
            True
        """
        p = Path(path)
        fmt = p.suffix.lower().lstrip(".")
        if fmt not in ("png", "svg", "pdf"):
            raise ValueError(f"cannot tell the image format of {str(p)!r}: use .png, .svg or .pdf")
        return write_atomic(p, self.to_bytes(fmt, dpi))


def _figure(w: float, h: float) -> Figure:
    fig = Figure(figsize=(w, h), layout="constrained")
    return fig


def _check_history(history: object) -> History:
    if not isinstance(history, History):
        raise TypeError(f"expected the History returned by fit(), got {type(history).__name__}")
    if not history.loss:
        raise ValueError("the history is empty: train for at least one epoch first")
    return history


def plot_history(history: History, *, log_loss: bool = False, title: str | None = None) -> Figure:
    """Loss (and accuracy, when measured) per epoch, training vs validation.

    ``log_loss=True`` draws the loss on a log scale (useful when it falls by orders of
    magnitude; zero losses are then left out).

    Example:
        >>> h = History(loss=[1.0, 0.5], val_loss=[1.1, 0.7],
        ...             metrics={"accuracy": [0.5, 0.9]}, val_metrics={"accuracy": [0.4, 0.8]})
        >>> fig = plot_history(h)
        >>> [ax.get_title() for ax in fig.axes], len(fig.axes[0].lines)
        (['Loss', 'Accuracy'], 2)
    """
    h = _check_history(history)
    has_acc = bool(h.accuracy)
    with _rc():
        fig = _figure(11 if has_acc else 6, 4.2)
        axes = fig.subplots(1, 2 if has_acc else 1, squeeze=False)[0]
        epochs = list(range(1, h.epochs + 1))
        ax = axes[0]
        ax.plot(epochs, h.loss, color=_TRAIN, lw=2, label="training")
        if h.val_loss:
            ax.plot(epochs[: len(h.val_loss)], h.val_loss, color=_VAL, lw=2, label="validation")
        if h.best_epoch is not None:
            ax.axvline(
                h.best_epoch, color="0.4", ls=":", lw=1.5, label=f"best (epoch {h.best_epoch})"
            )
        ax.set(title="Loss", xlabel="epoch", ylabel="loss")
        if log_loss and any(v > 0 for v in h.loss):
            ax.set_yscale("log")
        ax.legend()
        if has_acc:
            ax = axes[1]
            ax.plot(epochs, [100 * a for a in h.accuracy], color=_TRAIN, lw=2, label="training")
            if h.val_accuracy:
                ax.plot(
                    epochs[: len(h.val_accuracy)],
                    [100 * a for a in h.val_accuracy],
                    color=_VAL,
                    lw=2,
                    label="validation",
                )
            ax.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)", ylim=(0, 102))
            ax.legend(loc="lower right")
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def _model_grid(
    model: Callable[..., Any], xs: list[float], ys: list[float]
) -> tuple[list[list[float]], list[list[int]] | None]:
    """Evaluate the model on the grid: scores (one output) or arg-max classes (several)."""
    scores: list[list[float]] = []
    classes: list[list[int]] | None = None
    with no_grad():
        for yv in ys:
            row: list[float] = []
            crow: list[int] = []
            for xv in xs:
                out = model([xv, yv])
                if isinstance(out, Value):
                    row.append(out.data)
                else:
                    vals = [o.data for o in out]
                    k = max(range(len(vals)), key=vals.__getitem__)
                    crow.append(k)
                    row.append(vals[k])
            scores.append(row)
            if crow:
                classes = [] if classes is None else classes
                classes.append(crow)
    return scores, classes


def plot_decision_boundary(
    model: Callable[..., Any],
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    *,
    threshold: float | None = None,
    resolution: int = 60,
    padding: float = 0.4,
    title: str | None = "Decision boundary",
    ax: Any = None,
) -> Figure:
    """The regions a 2-D classifier assigns to each class, with the data on top.

    For one output the background shades the output value (blue below ``threshold``,
    orange above; default threshold: 0 for -1/+1 labels, 0.5 for 0/1) and a black line marks
    the boundary. For several outputs each region takes the colour of its arg-max class.
    The model is evaluated under :func:`~microgrand.no_grad` on a ``resolution`` ×
    ``resolution`` grid. Pass ``ax`` to draw into an existing matplotlib Axes.

    Example:
        >>> from microgrand.nn import MLP
        >>> fig = plot_decision_boundary(MLP(2, [4, 1], rng=0), [[0.0, 0.0], [1.0, 1.0]], [0, 1],
        ...                              resolution=10)
        >>> fig.axes[0].get_title()
        'Decision boundary'
    """
    _check_boundary_points(X, y, resolution)
    (lo0, hi0), (lo1, hi1) = (_padded_range([float(p[k]) for p in X], padding) for k in (0, 1))
    gx = [lo0 + (hi0 - lo0) * i / (resolution - 1) for i in range(resolution)]
    gy = [lo1 + (hi1 - lo1) * i / (resolution - 1) for i in range(resolution)]
    scores, classes = _model_grid(model, gx, gy)
    labels = sorted({int(t) for t in y})
    negative = -1 if -1 in labels else 0
    thr = (negative + 1) / 2 if threshold is None else float(threshold)
    with _rc():
        if ax is None:
            fig = _figure(6, 5.2)
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        if classes is None:
            _shade_scores(ax, gx, gy, scores, thr)
            colours = {negative: _NEG, 1: _POS}
        else:
            _shade_classes(ax, gx, gy, classes, max(labels) + 1)
            colours = {c: _PALETTE[c % len(_PALETTE)] for c in labels}
        _scatter_classes(ax, X, y, labels, colours)
        ax.set(xlim=(lo0, hi0), ylim=(lo1, hi1), xlabel="$x_1$", ylabel="$x_2$")
        ax.set_aspect("equal", adjustable="box")
        ax.grid(False)
        if title:
            ax.set_title(title)
        ax.legend(loc="upper right", frameon=True, framealpha=0.85)
    return fig


def _check_boundary_points(X: Sequence[Sequence[float]], y: Sequence[int], resolution: int) -> None:
    """Refuse what :func:`plot_decision_boundary` cannot draw, saying why."""
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} points but y has {len(y)} labels")
    if not X:
        raise ValueError("no points to plot")
    if any(len(x) != 2 for x in X):
        raise ValueError("plot_decision_boundary needs 2-D points (two features per example)")
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, int)
        or not 2 <= resolution <= 400
    ):
        raise ValueError(f"resolution must be an int in 2…400, got {resolution!r}")


def _padded_range(xs: list[float], padding: float) -> tuple[float, float]:
    return min(xs) - padding, max(xs) + padding


def _shade_scores(
    ax: Any, gx: list[float], gy: list[float], scores: list[list[float]], thr: float
) -> None:
    """One output: shade it from blue (below ``thr``) to orange, a black line at ``thr``."""
    flat = [v for row in scores for v in row]
    span = max(max(abs(v - thr) for v in flat), 1e-9)
    norm = mcolors.TwoSlopeNorm(vcenter=thr, vmin=thr - span, vmax=thr + span)
    cmap = mcolors.LinearSegmentedColormap.from_list(
        "mg_boundary", ["#7eaee3", "#f7f7f7", "#f4b47e"]
    )
    ax.contourf(gx, gy, scores, levels=24, cmap=cmap, norm=norm)
    if min(flat) < thr < max(flat):
        ax.contour(gx, gy, scores, levels=[thr], colors="k", linewidths=2)


def _shade_classes(
    ax: Any, gx: list[float], gy: list[float], classes: list[list[int]], n_labels: int
) -> None:
    """Several outputs: each arg-max region in a light tint of its class's colour, with grey
    lines between regions (``n_labels``: one more than the largest label in the data)."""
    k = max(max(max(row) for row in classes) + 1, n_labels)
    light = [mcolors.to_rgba(_PALETTE[i % len(_PALETTE)], 0.28) for i in range(k)]
    regions = mcolors.ListedColormap(light)
    ax.contourf(gx, gy, classes, levels=[i - 0.5 for i in range(k + 1)], cmap=regions)
    ax.contour(gx, gy, classes, levels=[i + 0.5 for i in range(k - 1)], colors="0.25",
               linewidths=1)  # fmt: skip


def _scatter_classes(
    ax: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    labels: list[int],
    colours: dict[int, str],
) -> None:
    """The data points, one colour and one legend entry per class."""
    for c in labels:
        pts = [p for p, t in zip(X, y, strict=True) if int(t) == c]
        ax.scatter(
            [p[0] for p in pts],
            [p[1] for p in pts],
            s=36,
            color=colours.get(c, "0.3"),
            edgecolor="white",
            linewidth=0.8,
            label=f"class {c}",
            zorder=3,
        )


def plot_grad_norms(history: Any, *, title: str | None = None) -> Figure:
    """Gradient norm of each layer per training step, on a log scale.

    ``history`` is the :class:`History` returned by ``fit()`` or a playground's history
    (``pg.history``): anything with ``grad_norms``, a list of norms per layer.
    Lines that sit far below the others (toward the input) show vanishing gradients; lines
    that grow far above show exploding ones.

    Example:
        >>> h = History(loss=[1.0], grad_norms={"layer1": [1e-3, 2e-3], "layer2": [0.1, 0.2]})
        >>> fig = plot_grad_norms(h)
        >>> fig.axes[0].get_yscale(), [ln.get_label() for ln in fig.axes[0].lines]
        ('log', ['layer1', 'layer2'])
    """
    norms = getattr(history, "grad_norms", None)
    if not isinstance(norms, Mapping):
        raise TypeError(
            "expected the History returned by fit() or a playground's history, "
            f"got {type(history).__name__}"
        )
    if not norms or not any(norms.values()):
        raise ValueError("the history has no gradient norms: train for at least one step first")
    names = list(norms)
    with _rc():
        fig = _figure(7, 4.4)
        ax = fig.add_subplot()
        cmap = mpl.colormaps["viridis"]
        for i, name in enumerate(names):
            vals = norms[name]
            steps = list(range(1, len(vals) + 1))
            safe = [v if v > 0 else math.nan for v in vals]  # log scale: leave zeros out
            colour = cmap(0.85 * i / max(len(names) - 1, 1))
            ax.plot(steps, safe, color=colour, lw=2, label=name)
        ax.set_yscale("log")
        ax.set(
            title=title or "Gradient norm per layer",
            xlabel="training step",
            ylabel="‖∂loss/∂parameters‖ (log scale)",
        )
        ax.legend(title="input → output", loc="best", ncols=2 if len(names) > 5 else 1)
    return fig


def _layer_weights(model: Module) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for name, group in model.grad_groups().items():
        ws = [p.data for p in group if p.label.startswith("w")]
        out[name] = ws or [p.data for p in group]
    return out


def plot_weight_histograms(model: Module, *, bins: int = 30, title: str | None = None) -> Figure:
    """A histogram of the weights of each layer (biases left out), side by side.

    Example:
        >>> from microgrand.nn import MLP
        >>> fig = plot_weight_histograms(MLP(2, [8, 8, 1], rng=0))
        >>> [ax.get_title() for ax in fig.axes]
        ['layer1', 'layer2', 'layer3']
    """
    if not isinstance(model, Module):
        raise TypeError(f"expected a Module, got {type(model).__name__}")
    groups = {k: v for k, v in _layer_weights(model).items() if v}
    if not groups:
        raise ValueError("the model has no parameters")
    n = len(groups)
    with _rc():
        fig = _figure(min(3.2 * n, 16), 3.4)
        axes = fig.subplots(1, n, squeeze=False, sharey=False)[0]
        for i, (ax, (name, ws)) in enumerate(zip(axes, groups.items(), strict=True)):
            colour = mpl.colormaps["viridis"](0.85 * i / max(n - 1, 1))
            ax.hist(ws, bins=bins, color=colour, edgecolor="white", linewidth=0.5)
            mean = sum(ws) / len(ws)
            std = math.sqrt(sum((w - mean) ** 2 for w in ws) / len(ws))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(name)
            ax.set_xlabel(f"weight (std {std:.2g}, n={len(ws)})")
            if i == 0:
                ax.set_ylabel("count")
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def plot_digits(
    X: Sequence[Sequence[float]],
    y: Sequence[int] | None = None,
    predictions: Sequence[int] | None = None,
    *,
    n: int = 24,
    cols: int = 8,
    title: str | None = None,
) -> Figure:
    """A grid of 8×8 digit images; with ``predictions`` wrong ones get a red title.

    Example:
        >>> fig = plot_digits([[i / 64 for i in range(64)]] * 3, [1, 2, 3], [1, 2, 0], n=3)
        >>> [ax.get_title() for ax in fig.axes]
        ['1', '2', '0 (true 3)']
    """
    if not X:
        raise ValueError("no images to plot")
    if any(len(x) != 64 for x in X):
        raise ValueError("plot_digits needs 8×8 images: 64 pixel values per example")
    for name, seq in (("y", y), ("predictions", predictions)):
        if seq is not None and len(seq) != len(X):
            raise ValueError(f"{name} has {len(seq)} entries but there are {len(X)} images")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    count = min(n, len(X))
    cols = max(1, min(cols, count))
    rows = math.ceil(count / cols)
    with _rc(axes__titleweight="normal", axes__titlesize=11):
        fig = _figure(1.3 * cols, 1.45 * rows + (0.4 if title else 0))
        for i in range(count):
            ax = fig.add_subplot(rows, cols, i + 1)
            img = [list(X[i][r * 8 : r * 8 + 8]) for r in range(8)]
            ax.imshow(img, cmap="gray_r", vmin=0.0, vmax=max(1.0, max(X[i])))
            ax.set_xticks([])
            ax.set_yticks([])
            for s in ax.spines.values():
                s.set_visible(False)
            if predictions is not None:
                wrong = y is not None and int(predictions[i]) != int(y[i])
                text = f"{predictions[i]}" + (f" (true {y[i]})" if wrong and y is not None else "")
                ax.set_title(text, color="#c0392b" if wrong else "black")
            elif y is not None:
                ax.set_title(f"{y[i]}")
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def plot_confusion_matrix(
    y_true: Sequence[int],
    y_pred: Sequence[int],
    *,
    labels: Sequence[int] | None = None,
    normalize: bool = False,
    title: str | None = "Confusion matrix",
) -> Figure:
    """Counts of (true class, predicted class) pairs; the diagonal holds the correct ones.

    ``normalize=True`` shows each row as fractions of that true class.

    Example:
        >>> fig = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
        >>> fig.axes[0].get_xlabel(), len(fig.axes[0].texts)
        ('predicted class', 9)
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}")
    if not y_true:
        raise ValueError("no labels to compare")
    classes = list(labels) if labels is not None else sorted({*map(int, y_true), *map(int, y_pred)})
    index = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    counts = [[0] * k for _ in range(k)]
    for t, p in zip(y_true, y_pred, strict=True):
        if int(t) not in index or int(p) not in index:
            raise ValueError(
                f"label {t if int(t) not in index else p!r} is not in labels={classes}"
            )
        counts[index[int(t)]][index[int(p)]] += 1
    cells: list[list[float]] = [
        [c / max(sum(row), 1) for c in row] if normalize else [float(c) for c in row]
        for row in counts
    ]
    vmax = max(max(row) for row in cells) or 1.0
    with _rc(axes__grid=False):
        size = min(3 + 0.55 * k, 9)
        fig = _figure(size + 0.8, size)
        ax = fig.add_subplot()
        im = ax.imshow(cells, cmap="Blues", vmin=0, vmax=vmax)
        for i in range(k):
            for j in range(k):
                v = cells[i][j]
                txt = f"{v:.2f}" if normalize else f"{int(v)}"
                colour = "white" if v > 0.55 * vmax else "black"
                ax.text(j, i, txt, ha="center", va="center", color=colour, fontsize=10)
        ax.set_xticks(range(k), [str(c) for c in classes])
        ax.set_yticks(range(k), [str(c) for c in classes])
        ax.set(xlabel="predicted class", ylabel="true class")
        for s in ax.spines.values():
            s.set_visible(False)
        fig.colorbar(im, ax=ax, shrink=0.8, label="fraction" if normalize else "count")
        if title:
            total = sum(counts[i][i] for i in range(k))
            ax.set_title(f"{title} — accuracy {100 * total / len(y_true):.1f}%")
    return fig


def plot_regression(
    model: Callable[..., Any],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    *,
    points: int = 200,
    title: str | None = "Model vs data",
) -> Figure:
    """A 1-D regression: the data as dots and the model's curve over the same range.

    Example:
        >>> from microgrand.nn import MLP
        >>> fig = plot_regression(MLP(1, [4, 1], rng=0), [[0.0], [1.0]], [0.0, 1.0], points=20)
        >>> len(fig.axes[0].lines[0].get_xdata())
        20
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} points but y has {len(y)} targets")
    if not X or any(len(x) != 1 for x in X):
        raise ValueError("plot_regression needs 1-D inputs: X = [[x1], [x2], …]")
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ValueError(f"points must be an int >= 2, got {points!r}")
    xs = [float(x[0]) for x in X]
    lo, hi = min(xs), max(xs)
    pad = 0.05 * (hi - lo or 1.0)
    grid = [lo - pad + (hi - lo + 2 * pad) * i / (points - 1) for i in range(points)]
    with no_grad():
        curve = []
        for g in grid:
            out = model([g])
            if not isinstance(out, Value):
                raise ValueError("plot_regression needs a model with one output")
            curve.append(out.data)
    with _rc():
        fig = _figure(6.5, 4.2)
        ax = fig.add_subplot()
        ax.plot(grid, curve, color=_POS, lw=2.5, label="model", zorder=2)
        ax.scatter(xs, [float(t) for t in y], s=22, color=_NEG, label="data", zorder=3)
        ax.set(xlabel="x", ylabel="y")
        if title:
            ax.set_title(title)
        ax.legend()
    return fig
