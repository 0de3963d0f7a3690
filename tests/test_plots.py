"""Plots: rendered headless to real PNGs, with their content read back from the figures."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from microgrand import Value, data, no_grad, plots
from microgrand.nn import MLP, Neuron
from microgrand.train import History, fit, predict_classes


def _png(fig: plots.Figure, tmp_path: Path, name: str) -> Image.Image:
    path = fig.save(tmp_path / name)
    img = Image.open(path)
    img.load()
    assert img.format == "PNG"
    colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20  # not a blank image
    return img


@pytest.fixture(scope="module")
def trained() -> tuple[MLP, History, list[list[float]], list[int]]:
    X, y = data.moons(40, noise=0.1, seed=0)
    Xv, yv = data.moons(20, noise=0.1, seed=1)
    model = MLP(2, [8, 1], activation="tanh", rng=0)
    h = fit(model, X, y, loss="bce_logits", optimizer="adam", lr=0.05, epochs=15,
            validation=(Xv, yv), progress=False)  # fmt: skip
    return model, h, X, y


def test_importing_plots_selects_no_backend_and_no_pyplot() -> None:
    code = (
        "import matplotlib, sys\n"
        "before = matplotlib.rcParams._get_backend_or_none()\n"
        "import microgrand.plots\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "assert matplotlib.rcParams._get_backend_or_none() == before\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_history_plot(
    trained: tuple[MLP, History, list[list[float]], list[int]], tmp_path: Path
) -> None:
    _, h, _, _ = trained
    fig = plots.plot_history(h, title="moons")
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "Loss" and acc_ax.get_title() == "Accuracy"
    train_line, val_line = loss_ax.lines
    assert list(train_line.get_ydata()) == h.loss
    assert list(val_line.get_ydata()) == h.val_loss
    assert list(acc_ax.lines[0].get_ydata()) == pytest.approx([100 * a for a in h.accuracy])
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["training", "validation"]
    _png(fig, tmp_path, "history.png")
    assert plots.plot_history(h, log_loss=True).axes[0].get_yscale() == "log"


def test_decision_boundary_follows_a_known_linear_model(tmp_path: Path) -> None:
    # score = x1 (w = (1, 0), b = 0): the boundary is the vertical line x1 = 0.
    n = Neuron(2, activation="linear", rng=0)
    n.w[0].data, n.w[1].data, n.b.data = 1.0, 0.0, 0.0
    X = [[-1.0, -1.0], [-0.5, 1.0], [0.5, -1.0], [1.0, 1.0]]
    y = [-1, -1, 1, 1]
    fig = plots.plot_decision_boundary(n, X, y, resolution=21)
    ax = fig.axes[0]
    boundary = ax.collections[-3]  # contourf, contour (the boundary), then the scatters
    xs = [v[0] for path in boundary.get_paths() for v in path.vertices]
    assert xs and max(abs(x) for x in xs) < 1e-9
    scat = ax.collections[-2:]
    assert [len(s.get_offsets()) for s in scat] == [2, 2]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class -1", "class 1"]
    _png(fig, tmp_path, "linear.png")


def test_decision_boundary_of_a_trained_model_builds_no_graph(
    trained: tuple[MLP, History, list[list[float]], list[int]], tmp_path: Path
) -> None:
    model, _, X, y = trained
    before = [p.data for p in model.parameters()]
    fig = plots.plot_decision_boundary(model, X, y, threshold=0.0, resolution=30)
    assert [p.data for p in model.parameters()] == before
    _png(fig, tmp_path, "boundary.png")


def test_decision_boundary_model_is_evaluated_under_no_grad() -> None:
    seen: list[bool] = []

    def model(x: list[float]) -> Value:
        out = Value(x[0]) * 2
        seen.append(out.inputs == ())
        return out

    plots.plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [0, 1], resolution=5)
    assert len(seen) == 25 and all(seen)


def test_multiclass_decision_boundary(tmp_path: Path) -> None:
    X, y = data.spirals(60, classes=3, seed=0)
    model = MLP(2, [8, 3], activation="tanh", rng=0)
    fig = plots.plot_decision_boundary(model, X, y, resolution=20)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "class 0",
        "class 1",
        "class 2",
    ]
    _png(fig, tmp_path, "multi.png")


def test_grad_norm_plot(
    trained: tuple[MLP, History, list[list[float]], list[int]], tmp_path: Path
) -> None:
    _, h, _, _ = trained
    fig = plots.plot_grad_norms(h)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert [ln.get_label() for ln in ax.lines] == ["layer1", "layer2"]
    assert list(ax.lines[0].get_ydata()) == h.grad_norms["layer1"]
    _png(fig, tmp_path, "grads.png")


def test_grad_norm_plot_of_a_playground(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    import microgrand as mg

    pg = mg.playground(dataset="xor", layers=[3, 3], seed=0)
    pg.step(4)
    fig = plots.plot_grad_norms(pg.history, title="playground")
    ax = fig.axes[0]
    assert [ln.get_label() for ln in ax.lines] == ["layer1", "layer2", "layer3"]
    assert list(ax.lines[0].get_ydata()) == pg.history.grad_norms["layer1"]
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3, 4]
    _png(fig, tmp_path, "playground_grads.png")
    with pytest.raises(TypeError, match="History returned by fit\\(\\) or a playground"):
        plots.plot_grad_norms([1.0, 2.0])


def test_weight_histograms(tmp_path: Path) -> None:
    model = MLP(2, [8, 8, 1], rng=0)
    fig = plots.plot_weight_histograms(model, bins=10)
    assert [ax.get_title() for ax in fig.axes] == ["layer1", "layer2", "layer3"]
    counts = [sum(p.get_height() for p in ax.patches) for ax in fig.axes]
    assert counts == [16, 64, 8]  # weights only: 2·8, 8·8, 8·1
    _png(fig, tmp_path, "weights.png")


def test_digit_grid(tmp_path: Path) -> None:
    X, y = data.digits(10, seed=0)
    preds = [*y[:9], (y[9] + 1) % 10]
    fig = plots.plot_digits(X, y, preds, n=10, cols=5)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:9] == [str(t) for t in y[:9]]
    assert titles[9] == f"{preds[9]} (true {y[9]})"
    assert fig.axes[9].title.get_color() != fig.axes[0].title.get_color()
    img = fig.axes[0].images[0].get_array()
    assert img.shape == (8, 8) and img[0][0] == X[0][0]
    _png(fig, tmp_path, "digits.png")


def test_confusion_matrix_counts(tmp_path: Path) -> None:
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 2]
    fig = plots.plot_confusion_matrix(y_true, y_pred)
    ax = fig.axes[0]
    cells = ax.images[0].get_array()
    assert cells.tolist() == [[1, 1, 0], [0, 2, 1], [0, 0, 1]]
    assert [t.get_text() for t in ax.texts] == ["1", "1", "0", "0", "2", "1", "0", "0", "1"]
    assert "accuracy 66.7%" in ax.get_title()
    norm = plots.plot_confusion_matrix(y_true, y_pred, normalize=True).axes[0].images[0].get_array()
    assert norm.tolist()[1] == pytest.approx([0, 2 / 3, 1 / 3])
    _png(fig, tmp_path, "confusion.png")


def test_confusion_matrix_for_a_trained_classifier(
    trained: tuple[MLP, History, list[list[float]], list[int]],
) -> None:
    model, _, X, y = trained
    pred = predict_classes(model, X, threshold=0.0)
    cells = plots.plot_confusion_matrix(y, pred).axes[0].images[0].get_array()
    assert cells.sum() == len(y)
    assert cells.trace() == sum(p == t for p, t in zip(pred, y, strict=True))


def test_regression_plot(tmp_path: Path) -> None:
    X, y = data.regression_1d(10, noise=0.0)
    model = MLP(1, [4, 1], rng=0)
    fig = plots.plot_regression(model, X, y, points=50)
    line = fig.axes[0].lines[0]
    with no_grad():
        expected = [model([x]).data for x in line.get_xdata()]
    assert list(line.get_ydata()) == pytest.approx(expected)
    _png(fig, tmp_path, "regression.png")


def test_figure_shows_in_jupyter_and_saves_atomically(tmp_path: Path) -> None:
    fig = plots.plot_confusion_matrix([0, 1], [0, 1])
    png = fig._repr_png_()
    assert Image.open(io.BytesIO(png)).format == "PNG"
    svg = fig.save(tmp_path / "c.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert sorted(os.listdir(tmp_path)) == ["c.svg"]
    with pytest.raises(ValueError, match=r"use \.png, \.svg or \.pdf"):
        fig.save(tmp_path / "c.jpeg")


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: plots.plot_history(History()), ValueError, "history is empty"),
        (lambda: plots.plot_history("h"), TypeError, "History returned by fit"),  # type: ignore[arg-type]
        (lambda: plots.plot_grad_norms(History(loss=[1.0])), ValueError, "no gradient norms"),
        (
            lambda: plots.plot_decision_boundary(MLP(3, [1], rng=0), [[0.0, 0.0, 0.0]], [0]),
            ValueError,
            "2-D points",
        ),
        (
            lambda: plots.plot_decision_boundary(MLP(2, [1], rng=0), [[0.0, 0.0]], [0, 1]),
            ValueError,
            "1 points but y has 2",
        ),
        (
            lambda: plots.plot_decision_boundary(
                MLP(2, [1], rng=0), [[0.0, 0.0]], [0], resolution=1
            ),
            ValueError,
            "resolution",
        ),
        (lambda: plots.plot_digits([[0.0] * 10]), ValueError, "64 pixel values"),
        (lambda: plots.plot_confusion_matrix([0, 1], [0]), ValueError, "y_true has 2"),
        (
            lambda: plots.plot_confusion_matrix([0, 3], [0, 1], labels=[0, 1]),
            ValueError,
            "not in labels",
        ),
        (lambda: plots.plot_regression(MLP(2, [1], rng=0), [[0.0, 1.0]], [0.0]), ValueError, "1-D"),
    ],
)
def test_bad_inputs(call: object, err: type[Exception], match: str) -> None:
    with pytest.raises(err, match=match):
        call()  # type: ignore[operator]
