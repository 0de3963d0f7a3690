"""The learning side's registries: one entry per dataset, loss, optimizer and activation, and
every consumer (the playground and its widget's menus, ``fit``'s checks, the demo, the command
line's choices, ``init="auto"``) reads them, so a registered item appears everywhere."""

from __future__ import annotations

import contextlib
import io
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import microgrand as mg
from microgrand import data, losses, optim
from microgrand.activations import ACTIVATIONS, Activation
from microgrand.cli import build_parser, main
from microgrand.data import DATASETS, Dataset
from microgrand.init import INITIALIZERS, get
from microgrand.losses import LOSSES, Loss
from microgrand.optim import OPTIMIZERS, OptimizerEntry, optimizer_name
from microgrand.registry import Registry
from microgrand.render.themes import THEMES


def ring(n: int, noise: float = 0.0, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """Class 0 on a circle of radius 0.4, class 1 on one of radius 1."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t, r = 2 * math.pi * i / n, (1.0 if i % 2 else 0.4)
        X.append([r * math.cos(t) + rng.gauss(0, noise), r * math.sin(t) + rng.gauss(0, noise)])
        y.append(i % 2)
    return X, y


@pytest.fixture
def ring_dataset() -> Iterator[Dataset]:
    entry = DATASETS.register(Dataset("ring", ring, classes=2, noise=0.05, label="A ring"))
    try:
        yield entry
    finally:
        DATASETS.unregister("ring")


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


# --- a new dataset, everywhere ------------------------------------------------------------------


def test_a_registered_dataset_is_a_playground_setting_and_a_menu_item(
    ring_dataset: Dataset,
) -> None:
    pytest.importorskip("numpy")
    pg = mg.playground(dataset="ring", n=40, noise=0.0, test_fraction=0.25, layers=[3], seed=1)
    X, y = ring(40, noise=0.0, seed=1)
    assert sorted(map(tuple, pg.X + pg.X_test)) == sorted(map(tuple, X))
    assert sorted(pg.y + pg.y_test) == sorted(y)
    assert pg.classes == 2 and math.isfinite(pg.step(2))
    menu = pg.view_data()["choices"]["dataset"]
    assert {"name": "ring", "label": "A ring"} in menu
    assert "ring" not in pg.view_data()["variable_classes"]
    with pytest.raises(mg.play.PlaygroundError, match=r"'ring' has 2 classes.*'spirals' or"):
        mg.playground(dataset="ring", classes=3)


def test_a_registered_dataset_is_in_the_widgets_menu(ring_dataset: Dataset) -> None:
    pytest.importorskip("anywidget")
    w = mg.playground(dataset="ring", n=20, layers=[2], seed=0).widget
    assert [o["name"] for o in w.view["choices"]["dataset"]] == [*DATASETS.names()]
    assert w.view["config"]["dataset"] == "ring"


def test_a_registered_dataset_is_a_choice_of_the_command_line(
    ring_dataset: Dataset, tmp_path: Path
) -> None:
    pytest.importorskip("numpy")
    out = tmp_path / "ring.html"
    code, stdout, stderr = run(
        ["playground", "--dataset", "ring", "--n", "30", "--layers", "3", "--steps", "2",
         "-o", str(out)]
    )  # fmt: skip
    assert code == 0, stderr
    assert "2 steps" in stdout and out.exists()
    assert build_parser().parse_args(["demo", "--dataset", "ring"]).dataset == "ring"


def test_after_unregistering_the_dataset_is_gone_everywhere(tmp_path: Path) -> None:
    DATASETS.register(Dataset("ring", ring))
    DATASETS.unregister("ring")
    assert "ring" not in DATASETS
    code, _, stderr = run(["playground", "--dataset", "ring", "-o", str(tmp_path / "x.html")])
    assert code == 2 and "invalid choice: 'ring'" in stderr


def test_the_demo_trains_on_a_registered_dataset(ring_dataset: Dataset, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from microgrand.demo import run_demo

    result = run_demo("ring", epochs=1, out_dir=tmp_path, quiet=True)
    assert result.dataset == "ring" and 0.0 <= result.test_accuracy <= 1.0


def test_entries_make_the_same_data_as_the_generators() -> None:
    assert DATASETS["moons"](30, seed=2) == data.moons(30, noise=0.1, seed=2)
    assert DATASETS["circles"](30, seed=2) == data.circles(30, seed=2)
    assert DATASETS["blobs"](30, classes=4, seed=2) == data.blobs(30, classes=4, seed=2)
    assert DATASETS["spirals"](30, noise=0.2, seed=1) == data.spirals(30, noise=0.2, seed=1)
    with pytest.raises(ValueError, match="'xor' has 2 classes, got classes=3"):
        DATASETS["xor"](10, classes=3)


# --- the registry itself ---------------------------------------------------------------------


def test_registry_refuses_a_taken_name_and_a_bad_one() -> None:
    reg: Registry[Dataset] = Registry("dataset")
    reg.register(Dataset("a", ring), aliases=("b",))
    with pytest.raises(ValueError, match="named 'b' is registered already"):
        reg.register(Dataset("b", ring))
    with pytest.raises(ValueError, match="must be a non-empty str"):
        reg.register(Dataset(" c", ring))
    reg.register(Dataset("a", data.moons), replace=True)
    assert reg["a"].generator is data.moons and reg["b"].generator is ring
    with pytest.raises(ValueError, match="unknown dataset 'z'; choose one of: 'a', 'b'"):
        reg.lookup("z")
    assert reg.names() == ("a",) and len(reg) == 2


# --- losses ------------------------------------------------------------------------------------


def test_fit_reads_a_registered_loss_its_labels_and_its_boundary() -> None:
    def squared_hinge(pred: Any, target: Any) -> mg.Value:
        return losses.hinge(pred, target) ** 2

    LOSSES.register(Loss("squared_hinge", squared_hinge, labels="pm1", scores=True))
    try:
        model = mg.MLP(2, [3, 1], rng=0)
        X, y = [[0.0, 1.0], [1.0, 0.0]], [-1, 1]
        h = mg.train.fit(model, X, y, loss="squared_hinge", epochs=2, progress=False)
        assert len(h.loss) == 2 and len(h.accuracy) == 2  # a classification loss: accuracy
        with pytest.raises(ValueError, match="'squared_hinge' needs labels -1/\\+1"):
            mg.train.fit(model, X, [0, 1], loss="squared_hinge", epochs=1, progress=False)
    finally:
        LOSSES.unregister("squared_hinge")


@pytest.mark.parametrize("name", ["mse", "hinge", "bce_logits", "cross_entropy"])
def test_numpy_forms_equal_the_value_forms(name: str) -> None:
    np = pytest.importorskip("numpy")
    entry = LOSSES[name]
    rng = random.Random(3)
    k = 3 if entry.per_class else 1
    outs = [[rng.uniform(-5, 5) for _ in range(k)] for _ in range(7)]
    targets = entry.targets([rng.randrange(k if k > 1 else 2) for _ in range(7)])
    assert entry.numpy is not None and entry.proba is not None
    terms = entry.numpy(np.array(outs), np.array(targets))
    for row, t, term in zip(outs, targets, terms, strict=True):
        pred = [mg.Value(v) for v in row] if k > 1 else mg.Value(row[0])
        assert abs(entry(pred, t).data - term) <= 1e-12 * max(1.0, abs(term))
    p = entry.proba(np.array(outs))
    assert p.shape == (7, max(k, 2)) and np.allclose(p.sum(axis=1), 1.0)


def test_label_forms() -> None:
    assert LOSSES["hinge"].targets([0, 1, 1]) == [-1, 1, 1]
    assert LOSSES["cross_entropy"].targets([2, 0]) == [2, 0]
    assert LOSSES["bce"].targets([1]) == [1.0]
    assert losses.for_scores("binary_cross_entropy").name == "bce_logits"
    assert losses.score_losses() == ["mse", "hinge", "bce", "cross_entropy"]


# --- optimizers --------------------------------------------------------------------------------


def test_optimizer_entries_build_their_optimizer_with_its_default_lr() -> None:
    params = [mg.Value(1.0)]
    opt = OPTIMIZERS["rmsprop"](params)
    assert isinstance(opt, optim.RMSProp) and opt.lr == OPTIMIZERS["rmsprop"].lr
    assert OPTIMIZERS["momentum"](params, lr=0.3).momentum == 0.9
    assert [optimizer_name(OPTIMIZERS[n](params)) for n in OPTIMIZERS.names()] == list(
        OPTIMIZERS.names()
    )
    assert optimizer_name(optim.AdamW(params)) == "adam"  # a subclass: its nearest kind
    with pytest.raises(TypeError, match="no registered optimizer describes"):
        optimizer_name(optim.Optimizer(params, lr=0.1))


def test_fit_and_the_playground_take_a_registered_optimizer() -> None:
    entry = OPTIMIZERS.register(OptimizerEntry("nesterov", optim.SGD, 0.05, {"momentum": 0.9,
                                "nesterov": True}, "Nesterov"))  # fmt: skip
    try:
        model = mg.MLP(2, [2, 1], rng=0)
        h = mg.train.fit(model, [[1.0, 0.0]], [1.0], loss="mse", optimizer="nesterov",
                         epochs=1, progress=False)  # fmt: skip
        assert len(h.loss) == 1
        pytest.importorskip("numpy")
        pg = mg.playground(optimizer="nesterov", layers=[2], seed=0)
        assert pg.optimizer.nesterov and pg.optimizer.lr == 0.03  # the playground's lr
        assert {"name": "nesterov", "label": "Nesterov"} in pg.view_data()["choices"]["optimizer"]
        assert entry.describes(pg.optimizer)
    finally:
        OPTIMIZERS.unregister("nesterov")


def test_state_shows_the_running_averages_the_update_used() -> None:
    w = mg.Value(1.0)
    adam = optim.Adam([w], lr=0.1, betas=(0.5, 0.75))
    w.grad = 2.0
    adam.step()
    s = adam.state()
    assert s["kind"] == "Adam" and s["t"] == 1 and (s["beta1"], s["beta2"]) == (0.5, 0.75)
    assert s["m"] == [pytest.approx(1.0)] and s["v"] == [pytest.approx(1.0)]
    s["m"][0] = 99.0  # a copy
    assert adam.state()["m"] == [pytest.approx(1.0)]
    sgd = optim.SGD([w], lr=0.1, momentum=0.5)
    assert sgd.state()["buf"] is None
    sgd.step()
    sgd.step()
    assert sgd.state()["buf"] == [pytest.approx(2.0 * 0.5 + 2.0)]
    rms = optim.RMSProp([w], lr=0.1, alpha=0.5)
    rms.step()
    assert rms.state()["v"] == [pytest.approx(0.5 * 4.0)] and rms.state()["b"] is None


def test_the_playground_frame_carries_the_optimizer_state() -> None:
    pytest.importorskip("numpy")
    pg = mg.playground(optimizer="adam", layers=[2], seed=0)
    pg.step(3)
    o = pg.frame["optimizer"]
    flat = [x for layer in o["m"] for row in layer for x in row]
    assert flat == pytest.approx(pg.optimizer.state()["m"], abs=0) and o["t"] == 3


# --- activations ---------------------------------------------------------------------------------


def test_activation_numpy_forms_equal_the_value_forms() -> None:
    np = pytest.importorskip("numpy")
    zs = [-30.0, -2.5, -1e-3, 0.0, 1e-3, 0.7, 40.0]
    for entry in ACTIVATIONS.entries():
        got = entry.numpy(np.array(zs))
        for z, g in zip(zs, got, strict=True):
            assert abs(entry(mg.Value(z)).data - g) <= 1e-12, (entry.name, z)
        assert entry.init in INITIALIZERS


def test_a_registered_activation_reaches_nn_init_and_the_playground() -> None:
    np = pytest.importorskip("numpy")
    ACTIVATIONS.register(
        Activation("softplus", mg.Value.softplus, lambda z: np.logaddexp(0.0, z), "he", "softplus")
    )
    try:
        assert get("auto", "softplus") is INITIALIZERS["he"]
        model = mg.MLP(2, [3, 1], activation="softplus", rng=0)
        assert model([1.0, 2.0]).data == pytest.approx(model([1.0, 2.0]).data)
        pg = mg.playground(activation="softplus", layers=[3], seed=0)
        assert math.isfinite(pg.step(2))
        assert {"name": "softplus", "label": "softplus"} in pg.view_data()["choices"]["activation"]
    finally:
        ACTIVATIONS.unregister("softplus")


# --- class colours from the theme --------------------------------------------------------------


def test_class_colours_come_from_the_theme_and_print_is_grey() -> None:
    pytest.importorskip("numpy")
    for name, theme in THEMES.items():
        colours = mg.playground(dataset="blobs", classes=8, theme=name, layers=[2]).view_data()[
            "colors"
        ]
        assert colours == list(theme.classes) and len(set(colours)) == 8
    grey = [c for c in THEMES["print"].classes if c[1:3] == c[3:5] == c[5:7]]
    assert grey == list(THEMES["print"].classes)
    two = mg.playground(theme="print", layers=[2]).view_data()["colors"]
    assert two[0] != two[1]  # the two classes of a print were one grey before


def test_labels_as_inputs_follows_the_entries() -> None:
    got = list(losses.LABELS_AS_INPUTS)
    assert got == [losses.mse, losses.mae, losses.hinge, losses.binary_cross_entropy,
                   LOSSES["bce_logits"].fn]  # fmt: skip
    assert losses.cross_entropy not in losses.LABELS_AS_INPUTS

    def l1_loss(pred: Any, target: Any) -> mg.Value:
        return losses.mae(pred, target)

    LOSSES.register(Loss("l1", l1_loss, labels_as_inputs=True))
    try:
        assert l1_loss in losses.LABELS_AS_INPUTS
    finally:
        LOSSES.unregister("l1")
    assert l1_loss not in losses.LABELS_AS_INPUTS


def test_entries_refuse_what_would_break_later() -> None:
    with pytest.raises(ValueError, match="classes must be an int >= 2 or None, got 1"):
        Dataset("one", ring, classes=1)
    with pytest.raises(TypeError, match="generator must be a function"):
        Dataset("bad", "ring")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="labels must be one of 'real', 'unit', 'pm1', 'index'"):
        Loss("bad", losses.mse, labels="01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cls must be an Optimizer class"):
        OptimizerEntry("bad", dict, 0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        OptimizerEntry("bad", optim.SGD, 0.0)
    with pytest.raises(TypeError, match="numpy must be a function"):
        Activation("bad", mg.Value.tanh, None)  # type: ignore[arg-type]
    ACTIVATIONS.register(Activation("odd", mg.Value.tanh, lambda z: z, init="lecun"))
    try:
        with pytest.raises(ValueError, match="suggests init 'lecun'"):
            mg.MLP(2, [2, 1], activation="odd", rng=0)
    finally:
        ACTIVATIONS.unregister("odd")


def test_the_playground_refuses_a_generator_with_labels_out_of_range() -> None:
    pytest.importorskip("numpy")

    def three(n: int, noise: float = 0.0, seed: int = 0) -> tuple[list[list[float]], list[int]]:
        return [[float(i), 0.0] for i in range(n)], [i % 3 for i in range(n)]

    from microgrand.play import PlaygroundError

    DATASETS.register(Dataset("three", three, classes=2))
    try:
        with pytest.raises(PlaygroundError, match="made the label 2, not a class index"):
            mg.playground(dataset="three", n=12)
    finally:
        DATASETS.unregister("three")
