"""What the playground shows, computed from a model's weights with the NumPy mirror.

Each function makes one part of a *frame* (plain JSON for the widget and the replay page):
the decision boundary, every neuron over the input plane, the weights as nested lists, the
optimizer's state for the update explanation, the class colours of the theme.

Example:
    >>> from microgrand.nn import MLP
    >>> from microgrand.play import mirror
    >>> W = mirror.weights_of(MLP(2, [3, 1], activation="tanh", rng=0))
    >>> b = boundary(W, ["tanh", "linear"], "bce", [-1.0, 1.0, -1.0, 1.0], 8)
    >>> b["size"], len(b["cls"]) > 0
    (8, True)
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..optim import Optimizer
from ..render.themes import Theme
from . import mirror

__all__ = [
    "b64",
    "boundary",
    "class_colours",
    "grid",
    "nest",
    "neuron_maps",
    "optimizer_state",
    "palette",
    "signed_bytes",
]

Shape = Sequence[Sequence[int]]
"""Per layer, per neuron: its number of parameters (inputs + 1 for the bias)."""


def b64(a: np.ndarray[Any, Any]) -> str:
    """Bytes of ``a`` (as uint8) in base64, the frame's compact form of a heatmap.

    Example:
        >>> b64(np.array([0, 255]))
        'AP8='
    """
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode("ascii")


def signed_bytes(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Values in [-1, 1] (clipped) to bytes 0…255 with 0 at 127.5.

    Example:
        >>> signed_bytes(np.array([-2.0, 0.0, 1.0])).tolist()
        [0, 128, 255]
    """
    a = np.nan_to_num(np.asarray(a, dtype=np.float64), nan=0.0)
    out: np.ndarray[Any, Any] = np.rint((np.clip(a, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    return out


def grid(bounds: Sequence[float], g: int) -> np.ndarray[Any, Any]:
    """The centres of a ``g`` × ``g`` grid over ``bounds`` (x0, x1, y0, y1), row 0 at the top.

    Example:
        >>> grid([0.0, 2.0, 0.0, 2.0], 2).tolist()
        [[0.5, 1.5], [1.5, 1.5], [0.5, 0.5], [1.5, 0.5]]
    """
    x0, x1, y0, y1 = bounds
    xs = x0 + (np.arange(g) + 0.5) * (x1 - x0) / g
    ys = y1 - (np.arange(g) + 0.5) * (y1 - y0) / g
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def boundary(
    weights: Sequence[tuple[Any, Any]],
    activations: Sequence[str],
    loss: str,
    bounds: Sequence[float],
    size: int,
) -> dict[str, Any]:
    """The decision boundary: each grid cell's class and confidence (0 = a coin toss).

    Example:
        >>> W = [(np.array([[1.0, 0.0]]), np.array([0.0]))]
        >>> b = boundary(W, ["linear"], "hinge", [-1.0, 1.0, -1.0, 1.0], 2)
        >>> list(base64.b64decode(b["cls"]))
        [0, 1, 0, 1]
    """
    out = mirror.forward(weights, activations, grid(bounds, size))[-1]
    proba = np.nan_to_num(mirror.predict_proba(out, loss), nan=0.0)
    k = proba.shape[1]
    conf = (proba.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k)
    return {
        "size": size,
        "cls": b64(proba.argmax(axis=1)),
        "conf": b64(np.rint(np.clip(conf, 0, 1) * 255)),
    }


def neuron_maps(
    weights: Sequence[tuple[Any, Any]],
    activations: Sequence[str],
    bounds: Sequence[float],
    size: int,
) -> dict[str, Any]:
    """Every neuron's output over the input plane (the inputs first), as signed bytes.

    Example:
        >>> W = [(np.array([[1.0, 0.0]]), np.array([0.0]))]
        >>> [len(layer) for layer in neuron_maps(W, ["tanh"], [-1, 1, -1, 1], 4)["maps"]]
        [2, 1]
    """
    small = grid(bounds, size)
    acts = mirror.forward(weights, activations, small)
    scale = max(abs(bounds[0]), abs(bounds[1]))
    maps = [[b64(signed_bytes(small[:, j] / scale)) for j in range(2)]]
    for a in acts:
        maps.append([b64(signed_bytes(a[:, j])) for j in range(a.shape[1])])
    return {"size": size, "maps": maps}


def nest(flat: Sequence[float], shape: Shape) -> list[list[list[float]]]:
    """One number per parameter → per layer, per neuron, per input (the bias last).

    Example:
        >>> nest([1, 2, 3, 4, 5], [[3], [2]])
        [[[1.0, 2.0, 3.0]], [[4.0, 5.0]]]
    """
    out: list[list[list[float]]] = []
    i = 0
    for layer in shape:
        rows = []
        for m in layer:
            rows.append([float(v) for v in flat[i : i + m]])
            i += m
        out.append(rows)
    return out


def optimizer_state(opt: Optimizer, shape: Shape) -> dict[str, Any]:
    """The optimizer's public :meth:`~microgrand.optim.Optimizer.state`, each per-parameter
    list nested as the weights are (for the "how was this update made" panel).

    Example:
        >>> from microgrand import Value
        >>> from microgrand.optim import Adam
        >>> s = optimizer_state(Adam([Value(1.0), Value(2.0)]), [[2]])
        >>> s["kind"], s["m"]
        ('Adam', [[[0.0, 0.0]]])
    """
    state = opt.state()
    n = len(opt.params)
    return {
        k: nest(v, shape) if isinstance(v, list) and len(v) == n else v for k, v in state.items()
    }


def class_colours(theme: Theme, classes: int) -> list[str]:
    """The colour of each class, from the theme (``Theme.classes``), in class order.

    Example:
        >>> from microgrand.render.themes import THEMES
        >>> class_colours(THEMES["print"], 2)
        ['#000000', '#8c8c8c']
    """
    palette = theme.classes
    if classes > len(palette):
        raise ValueError(f"theme {theme.name!r} has {len(palette)} class colours, not {classes}")
    return list(palette[:classes])


def palette(theme: Theme) -> dict[str, str]:
    """The heatmaps' colours (background, negative, positive) as data for the front-end, so
    that the first picture has its real colours even before the page's style sheet applies;
    and the colours of a weight's sign drawn as a line (``negative_line``, ``positive_line``),
    which must stand out 3:1 from the background: the theme's first two class colours, which
    are the line versions of its negative and positive colours.

    Example:
        >>> from microgrand.render.themes import THEMES
        >>> palette(THEMES["light"])["background"], palette(THEMES["print"])["negative_line"]
        ('#ffffff', '#000000')
    """
    return {
        "background": theme.background,
        "negative": theme.negative,
        "positive": theme.positive,
        "negative_line": theme.negative_line,
        "positive_line": theme.positive_line,
    }
