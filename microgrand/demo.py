"""The main demo: train a small network on a 2-D dataset and write the pictures.

``run_demo()`` (also ``microgrand demo``) trains micrograd's demo network — a 2-16-16-1 ReLU
MLP with the SVM hinge loss, L2 penalty 1e-4 and SGD with the learning rate falling
linearly from 1.0 to 0.1 — on two moons, prints the training and test accuracy, and writes:

* ``decision_boundary.png`` — the learned regions with the training and test points,
* ``loss.png`` — loss and accuracy per epoch, training vs test,
* ``network.svg`` / ``network.png`` — the network's graph for one input, one box per layer,
* ``example.svg`` / ``example.png`` — the README's neuron ``tanh(x·w + b)`` after backward,
* ``explore.html`` — the trained network on one example as a page to explore: layers that
  open into neurons and operations, zoom, details, the backward pass layer by layer.

Example:
    >>> import tempfile
    >>> result = run_demo(epochs=2, out_dir=tempfile.mkdtemp(), quiet=True)
    >>> sorted(result.files)  # doctest: +NORMALIZE_WHITESPACE
    ['decision_boundary.png', 'example.png', 'example.svg', 'explore.html', 'loss.png',
     'network.png', 'network.svg']
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import data, optim
from .data import DATASETS
from .examples import readme_example
from .graph import Graph
from .nn import MLP
from .pages.explore import explore
from .render import draw
from .train import History, accuracy, fit
from .value import Value

__all__ = ["DATASETS", "DemoResult", "run_demo"]

# The datasets the demo can train on: every registered one (``data.DATASETS``, here as the
# name the demo has always had), made with 150 points, 2 classes and its entry's ``demo``
# keywords (a noise that shows its shape well).


@dataclass
class DemoResult:
    """What :func:`run_demo` did: accuracies, the training history and the files written."""

    dataset: str
    train_accuracy: float
    test_accuracy: float
    history: History
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0


def run_demo(
    dataset: str = "moons",
    epochs: int = 100,
    out_dir: str | os.PathLike[str] = ".",
    quiet: bool = False,
    seed: int = 0,
) -> DemoResult:
    """Train micrograd's demo MLP on ``dataset``, print accuracies, write the pictures.

    Args:
        dataset: ``"moons"`` (default), ``"circles"``, ``"spirals"``, ``"xor"``, ``"blobs"``
            or any dataset registered in :data:`microgrand.data.DATASETS` (with 2 classes);
            150 points, a third of them kept aside for testing.
        epochs: full-batch training steps (the learning rate goes from 1.0 to 0.1).
        out_dir: the folder for the pictures (created if missing).
        quiet: no progress bar and no printing.
        seed: seeds the data and the initial weights.

    Returns a :class:`DemoResult`.
    """
    if dataset not in DATASETS:
        raise ValueError(
            f"unknown dataset {dataset!r}; choose one of: {', '.join(DATASETS.names())}"
        )
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {str(out)!r} is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    say: Callable[..., None] = (lambda *a, **k: None) if quiet else print
    t0 = time.perf_counter()

    entry = DATASETS[dataset]
    if entry.classes not in (None, 2):
        raise ValueError(f"the demo trains on 2 classes; dataset {dataset!r} has {entry.classes}")
    X, y01 = entry(150, classes=2, seed=seed, **entry.demo)
    y = data.to_pm1(y01)  # the hinge loss wants -1/+1
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=50, seed=seed)
    model = MLP(2, [16, 16, 1], activation="relu", init="uniform", rng=seed)
    say(f"microgrand demo: {dataset}, {len(X_train)} training and {len(X_test)} test points")
    say("model:\n  " + repr(model).replace("\n", "\n  "))
    say(f"{len(model.parameters())} parameters; hinge loss + 1e-4·L2; SGD, lr 1.0 → 0.1\n")

    opt = optim.SGD(model.parameters(), lr=1.0)
    sched = optim.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=max(epochs, 1))
    history = fit(
        model,
        X_train,
        y_train,
        loss="hinge",
        optimizer=opt,
        scheduler=sched,
        epochs=epochs,
        regularization=1e-4,
        validation=(X_test, y_test),
        progress=not quiet,
    )
    train_acc = accuracy(model, X_train, y_train)
    test_acc = accuracy(model, X_test, y_test)
    say(f"train accuracy: {100 * train_acc:.1f}%   test accuracy: {100 * test_acc:.1f}%")

    train, test = (X_train, y_train), (X_test, y_test)
    files = _write_pictures(model, dataset, train, test, (train_acc, test_acc), history, out, say)
    seconds = time.perf_counter() - t0
    say("wrote " + ", ".join(str(p) for p in files.values()))
    say(f"done in {seconds:.1f} s")
    return DemoResult(dataset, train_acc, test_acc, history, files, seconds)


def _write_pictures(
    model: MLP,
    dataset: str,
    train: tuple[list[list[float]], list[int]],
    test: tuple[list[list[float]], list[int]],
    accuracies: tuple[float, float],
    history: History,
    out: Path,
    say: Callable[..., None],
) -> dict[str, Path]:
    """The demo's pictures and page of the trained ``model``, written into ``out``."""
    from . import plots  # matplotlib loads only when the pictures are drawn

    (X_train, y_train), (X_test, y_test) = train, test
    train_acc, test_acc = accuracies
    files: dict[str, Path] = {}
    fig = plots.plot_decision_boundary(
        model,
        X_train + X_test,
        y_train + y_test,
        title=f"{dataset}: train {100 * train_acc:.0f}%, test {100 * test_acc:.0f}%",
    )
    files["decision_boundary.png"] = fig.save(out / "decision_boundary.png")
    fig = plots.plot_history(history, title=f"Training on {dataset} (test set as validation)")
    files["loss.png"] = fig.save(out / "loss.png")

    # The network for one input, one box per layer (the edges say how many connections).
    x0 = X_test[0]
    net_out = model(x0)
    assert isinstance(net_out, Value)
    net_out.label = "score"
    net_out.backward()
    net = draw(
        net_out, collapse=True, title=f"MLP(2, [16, 16, 1]) on x = ({x0[0]:.2f}, {x0[1]:.2f})"
    )
    files["network.svg"] = net.save(out / "network.svg")
    files["network.png"] = net.save(out / "network.png")
    files["explore.html"] = explore(net_out).save(out / "explore.html")

    neuron = readme_example()
    w = next(v for v in Graph.of(neuron).leaves if v.label == "w")
    say(f"README example: out = tanh(x·w + b) = {neuron.data:.4f} at x=2, w=-3, b=6.88; "
        f"∂out/∂w = {w.grad:.4f}")  # fmt: skip
    ex = draw(neuron, edge_labels=True, title="out = tanh(x·w + b) after backward()")
    files["example.svg"] = ex.save(out / "example.svg")
    files["example.png"] = ex.save(out / "example.png")

    return files
