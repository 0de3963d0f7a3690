"""The playground's Python side: state, determinism, reset, points, settings, the NumPy mirror
(checked against the engine), the widget's traits and messages, the stored-notebook bundle,
the replay page, ``data.load_csv``/``data.blobs`` and the ``microgrand playground`` command."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrand as mg
from microgrand import data, losses
from microgrand.cli import main
from microgrand.nn import MLP
from microgrand.play import Playground, PlaygroundError, mirror, playground, replay

np = pytest.importorskip("numpy")

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def params(pg: Playground) -> list[float]:
    return [p.data for p in pg.model.parameters()]


# --- determinism, reset, config ---------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop"])
def test_same_config_same_losses_bit_for_bit(optimizer: str) -> None:
    cfg = dict(
        dataset="moons", layers=[5, 4], optimizer=optimizer, lr=0.05, batch_size=7, l2=1e-3, seed=3
    )
    a, b = playground(**cfg), playground(**cfg)
    la = [a.step() for _ in range(15)]
    lb = [b.step() for _ in range(15)]
    assert la == lb and all(math.isfinite(x) for x in la)
    assert a.history == b.history
    assert params(a) == params(b)
    # and a third run with a different seed differs
    c = playground(**{**cfg, "seed": 4})
    assert [c.step() for _ in range(15)] != la


def test_reset_restores_the_initial_weights_exactly_and_replays_the_run() -> None:
    pg = playground(dataset="circles", layers=[6], optimizer="adam", lr=0.1, seed=1)
    w0 = params(pg)
    first = [pg.step() for _ in range(10)]
    assert params(pg) != w0
    pg.reset()
    assert params(pg) == w0 == pg.initial_weights
    assert pg.steps == 0 and pg.history.steps == [] and len(pg.frames) == 1
    assert [p.grad for p in pg.model.parameters()] == [0.0] * len(w0)
    # a fresh optimizer and the same batches: the same losses, bit for bit
    assert [pg.step() for _ in range(10)] == first


def test_config_round_trips() -> None:
    pg = playground(
        dataset="spirals",
        classes=3,
        n=90,
        noise=0.2,
        layers=[7, 3],
        activation="relu",
        init="he",
        optimizer="rmsprop",
        lr=0.01,
        batch_size=12,
        l2=1e-4,
        seed=5,
        record_every=3,
    )
    pg.add_point(0.1, -0.2, 2)
    assert pg.erase_point(*pg.X[3], radius=1e-9)
    assert pg.erase_point(*pg.X_test[0], radius=1e-9)
    cfg = pg.config
    json.dumps(cfg)  # plain data
    again = playground(**cfg)
    assert again.config == cfg
    assert (again.X, again.y, again.X_test, again.y_test) == (pg.X, pg.y, pg.X_test, pg.y_test)
    assert again.initial_weights == pg.initial_weights
    pg.reset()
    assert [pg.step() for _ in range(5)] == [again.step() for _ in range(5)]


def test_own_model_data_and_optimizer() -> None:
    X, y = data.xor(60, seed=2)
    model = MLP(2, [5, 1], activation="tanh", rng=7)
    w0 = [p.data for p in model.parameters()]
    opt = mg.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    pg = playground(model=model, X=X, y=y, optimizer=opt, test_fraction=0.25, seed=1)
    assert pg.model is model and pg.optimizer is opt
    cfg = pg.config
    assert cfg["optimizer"] == "momentum" and cfg["lr"] == 0.2 and cfg["layers"] == [5]
    assert cfg["weights"] == w0 and cfg["X"] == X and cfg["y"] == y
    first = pg.step()
    again = playground(**cfg)
    assert again.initial_weights == w0
    assert again.step() == first
    with pytest.raises(TypeError, match=r"nn\.MLP"):
        playground(model=mg.nn.Neuron(2, rng=0))
    with pytest.raises(PlaygroundError, match="last layer must be linear"):
        playground(model=MLP(2, [3, 1], output_activation="sigmoid", rng=0))


# --- points and weights --------------------------------------------------------------------


def test_an_added_point_is_trained_on_at_the_next_step() -> None:
    pg = playground(dataset="moons", layers=[4], optimizer="sgd", lr=0.1, batch_size=1, seed=0)
    pg.step(3)
    x1, x2, label = 0.3, 2.5, 1
    pg.add_point(x1, x2, label)
    # the loss of that single point, computed independently with the weights before the step
    z = pg.model([x1, x2]).data
    expected = math.log1p(math.exp(-z))  # bce on logits for label 1: softplus(-z)
    loss = pg.step()
    assert pg.last_batch == [len(pg.X) - 1]
    assert loss == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert pg.frame["points"]["train"][-1] == [x1, x2, label]
    # with larger batches the new point is in the next batch too
    pg2 = playground(dataset="moons", layers=[4], batch_size=10, seed=0)
    pg2.step(2)
    pg2.add_point(-1.0, 1.0, 0)
    pg2.step()
    assert len(pg2.X) - 1 in pg2.last_batch


def test_erase_and_set_weight() -> None:
    pg = playground(dataset="xor", layers=[3], seed=0)
    n = len(pg.X)
    x = pg.X[5]
    assert pg.erase_point(x[0] + 1e-9, x[1], radius=1e-6)
    assert len(pg.X) == n - 1 and x not in pg.X
    assert not pg.erase_point(50.0, 50.0)
    pg.set_weight(1, 0, 2, -1.5)
    assert pg.model.layers[1].neurons[0].w[2].data == -1.5
    assert pg.frame["weights"][1][0][2] == -1.5
    with pytest.raises(PlaygroundError, match="no weight"):
        pg.set_weight(5, 0, 0, 1.0)
    with pytest.raises(PlaygroundError, match="class index"):
        pg.add_point(0.0, 0.0, 2)


# --- multi-class and settings ------------------------------------------------------------------


def test_more_than_two_classes() -> None:
    pg = playground(dataset="blobs", classes=4, noise=0.15, layers=[8], lr=0.05, seed=0)
    assert pg.loss == "cross_entropy" and pg.model.sizes[-1] == 4
    assert sorted(set(pg.y)) == [0, 1, 2, 3]
    pg.step(150)
    assert pg.history.train_accuracy[-1] > 0.9
    assert pg.history.train_loss[-1] < pg.history.train_loss[0]
    cls = base64.b64decode(pg.frame["boundary"]["cls"])
    assert set(cls) == {0, 1, 2, 3}  # one colour per class on the boundary
    assert len(pg.view_data()["colors"]) == 4 and len(set(pg.view_data()["colors"])) == 4
    with pytest.raises(PlaygroundError, match="cross_entropy"):
        playground(dataset="spirals", classes=3, loss="mse")


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        ({"lr": -0.1}, "lr must be a finite number > 0"),
        ({"lr": 0}, "lr must be"),
        ({"layers": [4, 0]}, "every hidden layer needs 1…64 neurons"),
        ({"layers": 3}, "layers must be a list"),
        ({"dataset": "swiss_roll"}, "unknown dataset 'swiss_roll'; choose one of"),
        ({"optimizer": "lbfgs"}, "unknown optimizer"),
        ({"activation": "gelu"}, "unknown activation"),
        ({"batch_size": 0}, "batch_size must be"),
        ({"l2": -1.0}, "l2 must be"),
        ({"dataset": "moons", "classes": 3}, "has 2 classes"),
        ({"learning_rate": 0.1}, "unknown setting"),
    ],
)
def test_bad_settings_are_refused(settings_: dict[str, Any], message: str) -> None:
    with pytest.raises(PlaygroundError, match=re.escape(message)):
        playground(**settings_)
    pg = playground(layers=[2])
    if "learning_rate" not in settings_:
        with pytest.raises(PlaygroundError, match=re.escape(message)):
            pg.set(**settings_)
    assert isinstance(PlaygroundError("x"), ValueError)


def test_set_changes_lr_in_place_and_rebuilds_for_the_rest() -> None:
    pg = playground(layers=[3], seed=0)
    pg.step(4)
    pg.set(lr=0.2)
    assert pg.steps == 4 and pg.optimizer.lr == 0.2
    pg.set(layers=[5, 2])
    assert pg.steps == 0 and pg.model.sizes == [2, 5, 2, 1]
    pg.new_seed()
    assert pg.config["seed"] == 1


# --- the NumPy mirror = the engine ----------------------------------------------------------


@settings(max_examples=25)
@given(
    act=st.sampled_from(["tanh", "relu", "sigmoid", "leaky_relu", "linear"]),
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    seed=st.integers(0, 10_000),
    scale=st.sampled_from([0.5, 3.0]),
)
def test_mirror_equals_the_engine(act: str, sizes: list[int], seed: int, scale: float) -> None:
    model = MLP(2, [*sizes, 3], activation=act, init="normal", rng=seed)
    rng = random.Random(seed)
    pts = [[rng.uniform(-scale, scale), rng.uniform(-scale, scale)] for _ in range(6)]
    W = mirror.weights_of(model)
    acts = mirror.forward(W, [layer.activation for layer in model.layers], np.array(pts))
    for i, x in enumerate(pts):
        h: list[Any] = [mg.Value(v) for v in x]
        for layer, a in zip(model.layers, acts, strict=True):
            h = layer.outputs(h)
            for j, v in enumerate(h):
                assert abs(a[i, j] - v.data) <= 1e-12 * max(1.0, abs(v.data))


@pytest.mark.parametrize("loss", ["bce", "mse", "hinge", "cross_entropy"])
def test_mirror_losses_equal_the_library_losses(loss: str) -> None:
    rng = random.Random(1)
    k = 3 if loss == "cross_entropy" else 1
    outs = [[rng.uniform(-4, 4) for _ in range(k)] for _ in range(9)]
    labels = [rng.randrange(3 if k == 3 else 2) for _ in range(9)]
    vals = [[mg.Value(v) for v in row] for row in outs]
    if loss == "bce":
        ref = losses.binary_cross_entropy([r[0] for r in vals], labels, from_logits=True)
    elif loss == "mse":
        ref = losses.mse([r[0] for r in vals], [float(t) for t in labels])
    elif loss == "hinge":
        ref = losses.hinge([r[0] for r in vals], data.to_pm1(labels))
    else:
        ref = losses.cross_entropy(vals, labels)
    got, acc = mirror.loss_and_accuracy(np.array(outs), np.array(labels), loss)
    assert abs(got - ref.data) <= 1e-12
    assert 0.0 <= acc <= 1.0


@pytest.mark.parametrize(
    "cfg",
    [
        dict(loss="bce", batch_size=7, l2=1e-3),
        dict(loss="hinge", batch_size=5, optimizer="adam"),
        dict(loss="mse", batch_size=1000),
        dict(loss="cross_entropy", classes=3, batch_size=6, l2=1e-4),
        dict(loss="cross_entropy", classes=3, batch_size=1000),
    ],
)
def test_replayed_steps_equal_eager_steps(cfg: dict[str, Any], monkeypatch: Any) -> None:
    """Steps replay a recording of the batch loss; they must equal building the graph anew."""
    from microgrand.recording import BatchRecordings

    cfg = dict(dataset="blobs" if cfg.get("classes") else "moons", layers=[5, 4], lr=0.05,
               seed=3, **cfg)  # fmt: skip
    replayed = playground(**cfg)
    la = [replayed.step() for _ in range(12)]
    recordings = replayed._replays.recordings
    if cfg["loss"] != "cross_entropy" or cfg["batch_size"] >= len(replayed.X):
        assert recordings == 1  # one recording served every batch
    monkeypatch.setattr(BatchRecordings, "step", lambda self, xs, ys: None)
    eager = playground(**cfg)
    assert [eager.step() for _ in range(12)] == la
    assert eager.history.grad_norms == replayed.history.grad_norms
    assert params(eager) == params(replayed)


def test_history_losses_are_the_engine_losses() -> None:
    pg = playground(dataset="moons", layers=[4], batch_size=1000, test_fraction=0.2, seed=2)
    pg.step()
    outs = [pg.model(x) for x in pg.X]
    ref = losses.binary_cross_entropy(outs, pg.y, from_logits=True).data
    assert abs(pg.history.train_loss[-1] - ref) <= 1e-12
    # the next step's batch loss (full batch) is the same number, from the engine
    assert abs(pg.step() - ref) <= 1e-12


# --- frames, widget, bundle, replay ---------------------------------------------------------


def test_frames_are_recorded_every_k_steps() -> None:
    pg = playground(layers=[3], record_every=4, seed=0)
    pg.step(10)
    assert [f["step"] for f in pg.frames] == [0, 4, 8]
    pg.step(2)
    assert [f["step"] for f in pg.frames] == [0, 4, 8, 12]
    assert pg.frame["step"] == 12


def test_widget_traits_follow_python_and_messages_act() -> None:
    pytest.importorskip("anywidget")
    pg = playground(dataset="xor", layers=[3], seed=0)
    w = pg.widget
    assert w.frame["step"] == 0 and w.view["sizes"] == [2, 3, 1]
    assert "export default { render }" in w._esm and "--mg-background" in w._css
    pg.step(2)  # from Python: the widget follows
    assert w.frame["step"] == 2 and len(w.history["steps"]) == 2
    w._on_msg(w, {"action": "step", "n": 1}, [])
    assert pg.steps == 3 and w.frame["step"] == 3 and w.frame_index == w.frame_count - 1
    w._on_msg(w, {"action": "set", "key": "lr", "value": -1}, [])
    assert "lr must be" in w.error and pg.optimizer.lr == 0.03
    w._on_msg(w, {"action": "reset"}, [])
    assert w.error == "" and w.frame["step"] == 0 and params(pg) == pg.initial_weights
    w._on_msg(w, {"action": "add_point", "x1": 0.5, "x2": 0.5, "label": 1}, [])
    assert w.points["train"][-1] == [0.5, 0.5, 1] and "points" not in w.frame
    w._on_msg(w, {"action": "set", "key": "layers", "value": [4, 4]}, [])
    assert w.view["sizes"] == [2, 4, 4, 1]


def test_the_notebook_bundle_carries_a_fallback_for_stored_notebooks() -> None:
    pytest.importorskip("anywidget")
    pg = playground(layers=[3], seed=0)
    pg.step(3)
    data, _meta = pg._repr_mimebundle_()
    assert WIDGET_MIME in data
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    html = data["text/html"]
    m = re.match(
        r'<div class="mg-page mg-page-playground" id="[^"]+" data-kind="playground">'
        r'<div class="mg-fallback"><img src="data:image/png;base64,([^"]+)" alt="[^"]+" '
        r'style="[^"]*"><p class="mg-fallback-note">([^<]+)</p></div>',
        html,
    )
    assert m and base64.b64decode(m.group(1)) == png
    assert m.group(2) == replay.FALLBACK_LINE and "Run this cell" in m.group(2)
    # everything after the fallback is <script>, which sanitisers drop whole
    rest = html[m.end() :]
    assert re.fullmatch(r"(<script[^>]*>.*?</script>)+</div>", rest, re.S)
    assert "MG.kinds.playground" in rest and "function replayModel" in rest


def test_without_anywidget_the_bundle_shows_the_picture_and_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "microgrand.play.widget", None)  # import fails
    pg = playground(layers=[3], seed=0)
    pg.step(2)
    data = pg._repr_mimebundle_()
    assert WIDGET_MIME not in data and data["image/png"]
    html = data["text/html"]
    assert "<script" not in html and "anywidget" in html and replay.FALLBACK_LINE not in html
    assert html.count("<img ") == 1


def test_nbconvert_export_shows_the_replay_not_a_dead_widget(tmp_path: Path) -> None:
    pytest.importorskip("anywidget")
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    pg = playground(layers=[3], seed=0)
    pg.step(5)
    data, meta = pg._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("mg.playground()")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
    nb.cells.append(cell)
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    assert "data:image/png;base64," in html and replay.FALLBACK_LINE in html
    assert 'data-kind="playground"' in html and "MG.kinds.playground" in html
    assert 'type="application/vnd.jupyter.widget-view+json"' not in html
    (tmp_path / "export.html").write_text(html, encoding="utf-8")


def test_save_writes_a_self_contained_page(tmp_path: Path) -> None:
    pg = playground(dataset="spirals", layers=[4], record_every=5, seed=0)
    pg.step(12)
    path = pg.save(tmp_path / "run.html")
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing from a network
    payload = page_model(html)
    assert [f["step"] for f in payload["frames"]] == [0, 5, 10, 12]
    assert payload["history"]["steps"] == list(range(1, 13))


# --- data -------------------------------------------------------------------------------------


def test_blobs() -> None:
    X, y = data.blobs(60, classes=3, noise=0.1, seed=1)
    assert (
        len(X) == 60 and sorted(set(y)) == [0, 1, 2] and [y.count(k) for k in range(3)] == [20] * 3
    )
    for k in range(3):
        pts = [x for x, t in zip(X, y, strict=True) if t == k]
        cx = sum(p[0] for p in pts) / len(pts)
        cy = sum(p[1] for p in pts) / len(pts)
        a = 2 * math.pi * k / 3
        assert math.hypot(cx - math.cos(a), cy - math.sin(a)) < 0.1
    assert data.blobs(60, classes=3, noise=0.1, seed=1) == (X, y)
    with pytest.raises(ValueError, match="classes"):
        data.blobs(10, classes=1)


def test_load_csv(tmp_path: Path) -> None:
    p = tmp_path / "pts.csv"
    p.write_text("# my points\nx1;x2;label\n\n0.5;1;0\n-2e-1;3;2\n", encoding="utf-8")
    assert data.load_csv(p) == ([[0.5, 1.0], [-0.2, 3.0]], [0, 2])
    pg = playground(X=data.load_csv(p)[0] * 3, y=data.load_csv(p)[1] * 3, layers=[2])
    assert pg.classes == 3 and pg.loss == "cross_entropy"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x1,x2,label\n1,2,0\n3,4\n", "line 3: expected 3 columns (x1, x2, label), got 2"),
        ("1,2,0\n1,abc,1\n", "line 2: x2 'abc' is not a number"),
        ("1,2,0\n\n1,2,0.5\n", "line 3: label '0.5' is not a class index"),
        ("1,2,0\n1,2,-1\n", "line 2: label -1 is negative"),
        ("1,nan,0\n", "line 1: x2 'nan' is not a finite number"),
        ("x1,x2,label\n", "no data lines"),
        ("a,b,c\nd,e,f\n", "line 2: x1 'd' is not a number"),
    ],
)
def test_load_csv_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as e:
        data.load_csv(p)
    assert str(p) in str(e.value)


# --- the command line ---------------------------------------------------------------------------


def page_model(html: str) -> Any:
    """The page model of a replay page (the frames, the view, the history)."""
    blob = re.search(r'<script type="application/json" class="mg-model">(.*?)</script>', html)
    assert blob, "no page model in the page"
    return json.loads(blob.group(1))["model"]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_cli_writes_the_replay(tmp_path: Path) -> None:
    out = tmp_path / "run.html"
    code, stdout, stderr = run(
        [
            "playground",
            "--dataset",
            "spirals",
            "--layers",
            "4,4",
            "--steps",
            "30",
            "--record-every",
            "10",
            "-o",
            str(out),
        ]
    )
    assert code == 0 and stderr == "" and "30 steps, 4 frames" in stdout
    html = out.read_text(encoding="utf-8")
    assert page_model(html)["view"]["sizes"] == [2, 4, 4, 1]


def test_cli_with_own_points(tmp_path: Path) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text("".join(f"{i / 10},{(i * 7 % 10) / 10},{i % 2}\n" for i in range(20)))
    code, stdout, _ = run(
        [
            "playground",
            "--data",
            str(csv),
            "--layers",
            "3",
            "--steps",
            "5",
            "-o",
            str(tmp_path / "r.html"),
        ]
    )
    assert code == 0 and "5 steps" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layers", "4,0"], "every hidden layer needs"),
        (["--lr", "-1"], "lr must be"),
        (["--layers", "a,b"], "--layers takes neuron counts"),
        (["--dataset", "nope"], "invalid choice"),
        (["--steps", "-3"], "--steps must be 0 or more"),
    ],
)
def test_cli_bad_usage_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.html"
    code, _, stderr = run(["playground", *args, "-o", str(out)])
    assert code == 2 and message in stderr and stderr.count("\n") == 1
    assert not out.exists()


def test_cli_bad_csv_exits_1_naming_the_line(tmp_path: Path) -> None:
    csv = tmp_path / "p.csv"
    csv.write_text("1,2,0\n1,2\n")
    code, _, stderr = run(["playground", "--data", str(csv), "-o", str(tmp_path / "r.html")])
    assert code == 1 and "line 2" in stderr and stderr.count("\n") == 1


def test_import_microgrand_stays_light_and_the_playground_is_callable() -> None:
    import subprocess
    import sys

    code = (
        "import sys, microgrand as mg\n"
        "heavy = [m for m in ('numpy', 'anywidget', 'ipywidgets', 'matplotlib') if m in sys.modules]\n"
        "pg = mg.playground(layers=[2], seed=0)\n"
        "again = mg.playground(layers=[2], seed=0)  # after the package import too\n"
        "print(heavy, pg.initial_weights == again.initial_weights)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True"]
