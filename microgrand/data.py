"""Small datasets for learning: generated 2-D classification sets, 1-D curves and 8×8 digits.

Every generator takes a ``seed`` and returns ``(X, y)`` as plain Python lists: ``X`` is a
list of examples, each a list of floats; ``y`` is a list of labels (or of floats for
regression). The same seed always gives the same data.

Label conventions:

* classification sets use class indices ``0, 1, …`` (as scikit-learn and PyTorch);
* the SVM :func:`~microgrand.losses.hinge` loss wants ``-1 / +1``: convert with
  :func:`to_pm1` (and back with :func:`to_01`).

Example:
    >>> from microgrand import data
    >>> X, y = data.moons(100, noise=0.1, seed=0)
    >>> len(X), len(X[0]), sorted(set(y))
    (100, 2, [0, 1])
    >>> sorted(set(data.to_pm1(y)))
    [-1, 1]
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from .csvfile import read_points
from .registry import Registry

__all__ = [
    "circles",
    "digits",
    "moons",
    "regression_1d",
    "spirals",
    "to_01",
    "to_pm1",
    "train_test_split",
    "xor",
]

T = TypeVar("T")
U = TypeVar("U")

MAX_EXAMPLES = 100_000
"""The most examples a generator makes. microgrand trains one scalar ``Value`` at a time: a
small network's step costs about a millisecond per example, so 100,000 examples are minutes
per epoch and 10⁸ would not finish generating in minutes. Raise it
(``microgrand.data.MAX_EXAMPLES = ...``) to make more anyway."""


def _n(n: object, low: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < low:
        raise ValueError(f"n must be an int >= {low}, got {n!r}")
    if n > MAX_EXAMPLES:
        raise ValueError(
            f"n = {n:,} examples is more than this scalar engine can train on (at most "
            f"MAX_EXAMPLES = {MAX_EXAMPLES:,}: every example is a graph of Python objects, "
            "about a millisecond per example and step); use a smaller n, or raise "
            "microgrand.data.MAX_EXAMPLES to make them anyway"
        )
    return n


MAX_NOISE = 1000.0
"""The largest ``noise`` a generator takes: the standard deviation of the jitter, in the units
of the points (which lie within about ±2). Larger values only make overflowing garbage."""


def _noise(noise: object) -> float:
    if (
        isinstance(noise, bool)
        or not isinstance(noise, int | float)
        or not math.isfinite(noise)
        or noise < 0
    ):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if noise > MAX_NOISE:
        raise ValueError(
            f"noise = {noise:g} is the standard deviation of the jitter, in the units of the "
            f"points (which lie within about ±2); use at most {MAX_NOISE:g} (0.1–0.5 is typical)"
        )
    return float(noise)


def _shuffled(
    X: list[list[float]], y: list[Any], rng: random.Random
) -> tuple[list[list[float]], list[Any]]:
    idx = list(range(len(X)))
    rng.shuffle(idx)
    return [X[i] for i in idx], [y[i] for i in idx]


def _split_counts(n: int, k: int) -> list[int]:
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles (the dataset of micrograd's demo), labels 0 / 1.

    Class 0 is the upper moon ``(cos t, sin t)``, class 1 the lower one
    ``(1 - cos t, 0.5 - sin t)`` for ``t`` in [0, π], plus Gaussian noise of std ``noise``;
    the same construction as ``sklearn.datasets.make_moons``.

    Example:
        >>> X, y = moons(10, noise=0.0, seed=1)
        >>> y.count(0), y.count(1)
        (5, 5)
    """
    n = _n(n, 2)
    s = _noise(noise)
    rng = random.Random(seed)
    n0, n1 = _split_counts(n, 2)
    X: list[list[float]] = []
    y: list[int] = []
    for i in range(n0):
        t = math.pi * i / max(n0 - 1, 1)
        X.append([math.cos(t), math.sin(t)])
        y.append(0)
    for i in range(n1):
        t = math.pi * i / max(n1 - 1, 1)
        X.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        y.append(1)
    X = [[a + rng.gauss(0.0, s), b + rng.gauss(0.0, s)] for a, b in X] if s else X
    return _shuffled(X, y, rng)


def circles(
    n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """A small circle (label 1) inside a big one (label 0); ``factor`` is the radius ratio.

    Example:
        >>> X, y = circles(8, noise=0.0, seed=0)
        >>> sorted({round(math.hypot(*x), 6) for x in X})
        [0.5, 1.0]
    """
    n = _n(n, 2)
    s = _noise(noise)
    if not (isinstance(factor, int | float) and 0 < factor < 1):
        raise ValueError(f"factor must be between 0 and 1 (exclusive), got {factor!r}")
    rng = random.Random(seed)
    n_out, n_in = _split_counts(n, 2)
    X: list[list[float]] = []
    y: list[int] = []
    for count, r, label in ((n_out, 1.0, 0), (n_in, float(factor), 1)):
        for i in range(count):
            t = 2 * math.pi * i / count
            X.append([r * math.cos(t) + rng.gauss(0.0, s), r * math.sin(t) + rng.gauss(0.0, s)])
            y.append(label)
    return _shuffled(X, y, rng)


def spirals(
    n: int = 150, classes: int = 2, noise: float = 0.1, turns: float = 1.0, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """``classes`` interleaved spiral arms (labels ``0 … classes-1``) in the unit disc.

    A classic set that a linear model cannot separate; with 3+ classes use
    :func:`~microgrand.losses.cross_entropy`.

    Example:
        >>> X, y = spirals(30, classes=3, seed=0)
        >>> sorted(set(y)), all(math.hypot(*x) < 1.5 for x in X)
        ([0, 1, 2], True)
    """
    n = _n(n, 2)
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"classes must be an int >= 2, got {classes!r}")
    s = _noise(noise)
    if not (isinstance(turns, int | float) and turns > 0):
        raise ValueError(f"turns must be a number > 0, got {turns!r}")
    rng = random.Random(seed)
    X: list[list[float]] = []
    y: list[int] = []
    for k, count in enumerate(_split_counts(n, classes)):
        for i in range(count):
            r = (i + 1) / count
            t = 2 * math.pi * (turns * r + k / classes) + rng.gauss(0.0, s)
            X.append([r * math.cos(t), r * math.sin(t)])
            y.append(k)
    return _shuffled(X, y, rng)


def xor(n: int = 100, noise: float = 0.0, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """Points in the square [-1, 1]²; label 1 where ``x·y < 0`` (2nd and 4th quadrant), else 0.

    Points closer than 0.1 to an axis are left out, so the classes have a gap; ``noise``
    (std of Gaussian jitter added after labelling) blurs it.

    Example:
        >>> X, y = xor(50, seed=0)
        >>> all((a * b < 0) == (label == 1) for (a, b), label in zip(X, y))
        True
    """
    n = _n(n, 1)
    s = _noise(noise)
    rng = random.Random(seed)
    X: list[list[float]] = []
    y: list[int] = []
    while len(X) < n:
        a, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
        if abs(a) < 0.1 or abs(b) < 0.1:
            continue
        y.append(1 if a * b < 0 else 0)
        X.append([a + rng.gauss(0.0, s), b + rng.gauss(0.0, s)] if s else [a, b])
    return X, y


def regression_1d(
    n: int = 50,
    kind: Literal["sin", "poly", "abs"] = "sin",
    noise: float = 0.1,
    seed: int = 0,
) -> tuple[list[list[float]], list[float]]:
    """A noisy 1-D curve on [-1, 1] for regression: ``X`` is ``[[x], …]``, ``y`` floats.

    ``kind``: ``"sin"`` is ``sin(πx)``, ``"poly"`` is ``x³ - 0.5x``, ``"abs"`` is ``|x|``
    (a kink that ReLU networks fit exactly). The x are sorted, which makes line plots easy.

    Example:
        >>> X, y = regression_1d(5, kind="poly", noise=0.0)
        >>> X[0], y[0]
        ([-1.0], -0.5)
    """
    n = _n(n, 2)
    s = _noise(noise)
    curves = {
        "sin": lambda x: math.sin(math.pi * x),
        "poly": lambda x: x**3 - 0.5 * x,
        "abs": abs,
    }
    if kind not in curves:
        raise ValueError(f"unknown kind {kind!r}; valid kinds: {', '.join(map(repr, curves))}")
    f = curves[kind]
    rng = random.Random(seed)
    xs = [-1.0 + 2.0 * i / (n - 1) for i in range(n)]
    return [[x] for x in xs], [f(x) + (rng.gauss(0.0, s) if s else 0.0) for x in xs]


def digits(
    n: int | None = None, seed: int = 0, classes: Sequence[int] | None = None
) -> tuple[list[list[float]], list[int]]:
    """Handwritten digits, 8×8 pixels (64 floats in [0, 1]), labels ``0 … 9``.

    The 1797 images bundled with scikit-learn (``sklearn.datasets.load_digits``, no
    download), scaled from 0–16 to 0–1. ``n`` takes a random subset of that size (with
    ``seed``); ``classes`` keeps only those digits (labels stay the digit values).
    Needs scikit-learn: ``pip install "microgrand[digits]"``.

    Example:
        >>> X, y = digits(20, seed=0)
        >>> len(X), len(X[0]), max(max(x) for x in X) <= 1.0
        (20, 64, True)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError(
            "microgrand.data.digits() needs scikit-learn; install it with "
            '`pip install "microgrand[digits]"` (or `pip install scikit-learn`)'
        ) from e
    bunch = load_digits()
    X = [[float(v) / 16.0 for v in row] for row in bunch.data]
    y = [int(t) for t in bunch.target]
    if classes is not None:
        keep = set()
        for c in classes:
            if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c <= 9:
                raise ValueError(f"classes must be digits 0…9, got {c!r}")
            keep.add(c)
        if not keep:
            raise ValueError("classes is empty: name at least one digit, e.g. classes=[0, 1]")
        X, y = [x for x, t in zip(X, y, strict=True) if t in keep], [t for t in y if t in keep]
    rng = random.Random(seed)
    X, y = _shuffled(X, y, rng)
    if n is not None:
        n = _n(n, 1)
        if n > len(X):
            raise ValueError(f"n = {n} but only {len(X)} digit images are available")
        X, y = X[:n], y[:n]
    return X, y


def train_test_split(
    X: Sequence[T], y: Sequence[U], test_size: float | int = 0.25, seed: int = 0
) -> tuple[list[T], list[T], list[U], list[U]]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size`` is a fraction in (0, 1) or a number of examples.

    Example:
        >>> X_tr, X_te, y_tr, y_te = train_test_split([[i] for i in range(10)], list(range(10)),
        ...                                           test_size=0.3, seed=0)
        >>> len(X_tr), len(X_te), sorted(y_tr + y_te) == list(range(10))
        (7, 3, True)
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} labels; they must match")
    n = len(X)
    if n < 2:
        raise ValueError(f"need at least 2 examples to split, got {n}")
    if isinstance(test_size, bool) or not isinstance(test_size, int | float):
        raise TypeError(f"test_size must be a fraction or a count, got {test_size!r}")
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be in (0, 1), got {test_size!r}")
        k = max(1, min(n - 1, math.ceil(test_size * n)))
    else:
        if not 1 <= test_size < n:
            raise ValueError(f"test_size as a count must be in 1…{n - 1}, got {test_size!r}")
        k = test_size
    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    test, train = idx[:k], idx[k:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def to_pm1(y: Sequence[int]) -> list[int]:
    """Labels 0/1 → -1/+1 (for the hinge loss). Labels already -1/+1 are returned as they are.

    Example:
        >>> to_pm1([0, 1, 1])
        [-1, 1, 1]
    """
    vals = _labels(y)
    if vals <= {-1, 1}:
        return [int(t) for t in y]
    if vals <= {0, 1}:
        return [2 * int(t) - 1 for t in y]
    raise ValueError(f"to_pm1 needs binary labels 0/1, got {sorted(vals)}")


def to_01(y: Sequence[int]) -> list[int]:
    """Labels -1/+1 → 0/1 (for binary cross-entropy). Labels already 0/1 stay as they are.

    Example:
        >>> to_01([-1, 1, 1])
        [0, 1, 1]
    """
    vals = _labels(y)
    if vals <= {0, 1}:
        return [int(t) for t in y]
    if vals <= {-1, 1}:
        return [(int(t) + 1) // 2 for t in y]
    raise ValueError(f"to_01 needs binary labels -1/+1, got {sorted(vals)}")


def _labels(y: Sequence[Any]) -> set[int]:
    if isinstance(y, str | bytes) or not isinstance(y, Sequence):
        raise TypeError(f"labels must be a list, got {type(y).__name__}")
    if not y:
        raise ValueError("labels: empty list")
    out: set[int] = set()
    for t in y:
        if isinstance(t, bool) or not isinstance(t, int | float) or float(t) != int(t):
            raise ValueError(f"labels must be integers, got {t!r}")
        out.add(int(t))
    return out


# --- added for the playground: Gaussian blobs and your own points from a CSV file -------------

__all__ += ["blobs", "load_csv"]


def blobs(
    n: int = 100, classes: int = 2, noise: float = 0.3, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """``classes`` Gaussian blobs of std ``noise``, centred evenly on the unit circle.

    Labels are ``0 … classes-1`` (as equal as possible in number); class ``k`` is centred at
    angle ``2πk / classes``. With a small ``noise`` the classes are linearly separable.

    Example:
        >>> X, y = blobs(30, classes=3, noise=0.0, seed=0)
        >>> sorted(set(y)), sorted({(round(x1, 6), round(x2, 6)) for x1, x2 in X})[0]
        ([0, 1, 2], (-0.5, -0.866025))
    """
    n = _n(n, 1)
    s = _noise(noise)
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"classes must be an int >= 2, got {classes!r}")
    rng = random.Random(seed)
    X: list[list[float]] = []
    y: list[int] = []
    for k, count in enumerate(_split_counts(n, classes)):
        a = 2 * math.pi * k / classes
        cx, cy = math.cos(a), math.sin(a)
        for _ in range(count):
            X.append([cx + rng.gauss(0.0, s), cy + rng.gauss(0.0, s)])
            y.append(k)
    return _shuffled(X, y, rng)


def load_csv(path: str | Any) -> tuple[list[list[float]], list[int]]:
    """Your own 2-D points: a CSV file with two feature columns and an integer class label.

    Each line is ``x1,x2,label`` (commas, semicolons or tabs; a cell may be quoted, as
    spreadsheets write ``"0.5"``); a first line none of whose cells is a number is taken as a
    header; blank lines and lines starting with ``#`` are skipped. Only regular files are read
    (not folders, pipes or devices), of at most ``microgrand.csvfile.MAX_CSV_BYTES``.
    Labels are class indices ``0, 1, …``. A bad file raises ``ValueError`` naming the file
    and the line (``points.csv line 4: label '0.5' is not a class index``).

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "points.csv"
        >>> _ = p.write_text("x1,x2,label\\n0.5,1.0,0\\n-1,2e-1,1\\n")
        >>> load_csv(p)
        ([[0.5, 1.0], [-1.0, 0.2]], [0, 1])
    """
    return read_points(path, max_examples=MAX_EXAMPLES)


# --- the registry: one entry per generated 2-D dataset -----------------------------------------

__all__ += ["DATASETS", "Dataset"]


@dataclass(frozen=True)
class Dataset:
    """One generated 2-D classification set: everything the playground, the demo and the
    command line need to offer it.

    Args:
        name: the name users pass (``dataset="moons"``).
        generator: ``generator(n, noise=…, seed=…)`` returning ``(X, y)`` with class indices,
            and also taking ``classes=`` when ``classes`` is ``None``.
        classes: the number of classes it always has, or ``None`` when it takes ``classes=``.
        noise: the noise it is made with when none is given.
        label: the menu's text (the name when empty).
        demo: extra keywords :func:`microgrand.demo.run_demo` passes (a noise that shows the
            shape well, ``turns=0.75`` for spirals…).

    Calling the entry makes the data: ``entry(n, noise=None, classes=None, seed=0)``.

    Example:
        >>> ring = Dataset("ring", circles, classes=2, noise=0.0, label="A ring")
        >>> X, y = ring(8, seed=0)
        >>> len(X), sorted(set(y))
        (8, [0, 1])
    """

    name: str
    generator: Callable[..., tuple[list[list[float]], list[int]]]
    classes: int | None = 2
    noise: float = 0.1
    label: str = ""
    demo: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not callable(self.generator):
            raise TypeError(
                f"dataset {self.name!r}: generator must be a function, "
                f"got {type(self.generator).__name__}"
            )
        c = self.classes
        if c is not None and (isinstance(c, bool) or not isinstance(c, int) or c < 2):
            raise ValueError(
                f"dataset {self.name!r}: classes must be an int >= 2 or None, got {c!r}"
            )
        _noise(self.noise)

    def __call__(
        self,
        n: int,
        *,
        noise: float | None = None,
        classes: int | None = None,
        seed: int = 0,
        **options: Any,
    ) -> tuple[list[list[float]], list[int]]:
        """``(X, y)``: ``n`` points; ``classes`` only for sets that take a number of classes."""
        kw: dict[str, Any] = dict(options)
        kw["noise"] = self.noise if noise is None else noise
        if self.classes is None:
            kw["classes"] = 2 if classes is None else classes
        elif classes is not None and classes != self.classes:
            raise ValueError(
                f"dataset {self.name!r} has {self.classes} classes, got classes={classes}"
            )
        return self.generator(n, seed=seed, **kw)


DATASETS: Registry[Dataset] = Registry("dataset")
"""The generated 2-D datasets by name (the playground's, the demo's and the CLI's choices).

Register your own with ``DATASETS.register(Dataset("name", generator, classes=2))``; iterating
gives the names, as the tuples ``play.DATASETS`` and ``demo.DATASETS`` did.

Example:
    >>> DATASETS.names()
    ('moons', 'circles', 'spirals', 'xor', 'blobs')
    >>> X, y = DATASETS["spirals"](30, classes=3, seed=0); sorted(set(y))
    [0, 1, 2]
"""
DATASETS.register(Dataset("moons", moons, 2, 0.1, "Two moons", {"noise": 0.1}))
DATASETS.register(Dataset("circles", circles, 2, 0.05, "Circles", {"noise": 0.08, "factor": 0.5}))
DATASETS.register(Dataset("spirals", spirals, None, 0.1, "Spirals", {"noise": 0.05, "turns": 0.75}))
DATASETS.register(Dataset("xor", xor, 2, 0.0, "XOR (quadrants)", {"noise": 0.05}))
DATASETS.register(Dataset("blobs", blobs, None, 0.3, "Gaussian blobs"))
