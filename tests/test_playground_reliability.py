"""The playground refuses what it cannot train on and cannot get stuck: labels and coordinates
checked, ``auto`` settings kept, a refused ``set()`` changes nothing, divergence reported with
advice (in Python and in the widget), history aligned under Ctrl-C, long runs bounded and
shown, replay pages bounded."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

import pytest

from microgrand.cli import main
from microgrand.play import Playground, PlaygroundError, playground, replay
from microgrand.play.state import MAX_STEPS

pytest.importorskip("numpy")

FOUR = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [0.0, 2.0]]


def aligned(pg: Playground) -> bool:
    h = pg.history
    lists = [h.steps, h.loss, h.train_loss, h.test_loss, h.train_accuracy, h.test_accuracy]
    lists += list(h.grad_norms.values())
    return {len(xs) for xs in lists} == {pg.steps} and (not h.steps or h.steps[-1] == pg.steps)


# --- labels and coordinates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "named"),
    [([0.9, 1.99, 0.5, 1.2], "label #0 = 0.9"), ([True, False, True, False], "label #0 = True")],
)
def test_labels_that_are_not_whole_numbers_are_refused_not_truncated(
    y: list[Any], named: str
) -> None:
    with pytest.raises(PlaygroundError, match=named):
        playground(X=FOUR, y=y)


def test_whole_number_floats_and_numpy_ints_are_labels() -> None:
    np = pytest.importorskip("numpy")
    pg = playground(X=FOUR, y=[0.0, 1.0, 0.0, 1.0], test_fraction=0.0)
    assert pg.y == [0, 1, 0, 1]
    assert playground(X=FOUR, y=np.array([0, 1, 1, 0]), test_fraction=0.0).y == [0, 1, 1, 0]


@pytest.mark.parametrize(
    ("added", "message"),
    [
        ([[0, 0, 1.7]], "the label of added point #0 = 1.7"),
        ([[0, 0, True]], "the label of added point #0 = True"),
        ([[0, 0, 5]], "added point #0 has label 5, not a class index 0…1"),
        ([[float("nan"), 0, 1]], "added point #0 has x1 = nan"),
        ([[1e308, -1e308, 1]], r"added point #0 has x1 = 1e\+308: coordinates must lie within"),
        ("x", "added must be a list of points"),
        ([[0, 0]], r"added point #0 must be \[x1, x2, label\]"),
    ],
)
def test_bad_added_points_are_refused_naming_the_point(added: Any, message: str) -> None:
    with pytest.raises(PlaygroundError, match=message):
        playground(layers=[2], added=added)


@pytest.mark.parametrize("removed", ["ab", [["a", "b"]], [[0.0]], [[float("inf"), 0.0]]])
def test_bad_removed_points_are_refused(removed: Any) -> None:
    with pytest.raises(PlaygroundError, match="removed"):
        playground(layers=[2], removed=removed)


def test_huge_coordinates_of_your_own_points_are_refused_without_numpy_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PlaygroundError, match=r"point #1 has x2 = 1e\+300.*scale your data"):
            playground(X=[[0.0, 0.0], [1.0, 1e300]], y=[0, 1])
        with pytest.raises(PlaygroundError, match="point #0 must be two finite numbers"):
            playground(X=[[0.0, 0.0, 0.0], [1.0, 1.0]], y=[0, 1])


def test_noise_above_the_generators_limit_says_the_limit() -> None:
    with pytest.raises(PlaygroundError, match=r"noise must be at most 1000 .*got 1e\+308"):
        playground(noise=1e308)


@pytest.mark.parametrize(
    "args", [(True, 0, 0, 0.5), (0, False, 0, 0.5), (0, 0, True, 0.5), (0.0, 0, 0, 0.5)]
)
def test_set_weight_refuses_bools_and_floats_as_indices(args: tuple[Any, ...]) -> None:
    pg = playground(layers=[2], seed=0)
    with pytest.raises(PlaygroundError, match="must be an int"):
        pg.set_weight(*args)


# --- auto settings and set() ----------------------------------------------------------------


def test_loss_auto_stays_auto_and_follows_the_classes() -> None:
    pg = playground(dataset="spirals", classes=3, layers=[4], seed=0)
    assert pg.config["loss"] == "auto" and pg.loss == "cross_entropy"
    pg.set(dataset="moons")  # the widget's path: spirals -> classes=3 -> moons
    assert (pg.config["classes"], pg.config["loss"], pg.loss) == (2, "auto", "bce")
    assert pg.model.sizes[-1] == 1
    pg.new_seed()
    assert playground(**pg.config).initial_weights == pg.initial_weights


def test_a_refused_set_changes_nothing() -> None:
    pg = playground(dataset="moons", layers=[3], seed=0)
    pg.step(3)
    before = (pg.config, pg.steps, [p.data for p in pg.model.parameters()])
    with pytest.raises(PlaygroundError, match="dataset 'moons' has 2 classes"):
        pg.set(classes=3)
    assert (pg.config, pg.steps, [p.data for p in pg.model.parameters()]) == before
    pg.set(lr=0.1)  # later settings, new seeds and rebuilds keep working
    pg.new_seed()
    playground(**pg.config).step()


def test_the_loss_menu_offers_auto() -> None:
    view = playground(layers=[2]).view_data()
    assert view["config"]["loss"] == "auto"
    assert view["choices"]["loss"][0] == {"name": "auto", "label": "auto (bce)"}


# --- divergence, interruption -----------------------------------------------------------------


def test_divergence_is_reported_with_advice_and_the_model_stays_usable() -> None:
    pg = playground(lr=1e308, optimizer="sgd", layers=[4], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match=r"diverged at step \d+.*lower the learning"):
            pg.step(20)
    assert aligned(pg)
    assert all(abs(p.data) < float("inf") for p in pg.model.parameters())
    pg.set(lr=0.01)
    pg.reset()
    pg.step(2)
    assert aligned(pg)


def test_the_widget_shows_divergence_and_keeps_answering() -> None:
    pytest.importorskip("anywidget")
    pg = playground(lr=1e308, optimizer="sgd", layers=[4], seed=0)
    w = pg.widget
    for _ in range(5):
        w._on_msg(w, {"action": "step", "n": 5}, [])
    assert "diverged" in w.error and "lower the learning rate" in w.error
    w._on_msg(w, {"action": "set", "key": "lr", "value": 0.01}, [])
    w._on_msg(w, {"action": "reset"}, [])
    w._on_msg(w, {"action": "step", "n": 1}, [])
    assert w.error == "" and w.frame["step"] == 1


@pytest.mark.parametrize("where", ["_evaluate", "_append_row"])
def test_ctrl_c_inside_a_step_keeps_the_history_aligned(
    where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg = playground(layers=[3], seed=0)
    original = getattr(pg, where)
    calls = {"n": 0}

    def interrupted(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            if where == "_append_row":  # half a row written, then Ctrl-C
                pg.history.steps.append(pg.steps)
                pg.history.loss.append(0.0)
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(pg, where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        pg.step(10)
    assert aligned(pg), (pg.steps, len(pg.history.steps), len(pg.history.train_loss))
    pg.step(2)
    assert aligned(pg)


# --- long runs --------------------------------------------------------------------------------


def test_absurd_step_counts_are_refused_with_advice() -> None:
    pg = playground(layers=[2])
    with pytest.raises(PlaygroundError, match=r"at most 100,000 steps per call.*call it again"):
        pg.step(10**9)
    assert MAX_STEPS == 100_000 and pg.steps == 0


def test_long_steps_show_a_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    pg = playground(layers=[2], n=20, batch_size=4)
    pg.step(3, progress=True)
    assert "training" in capsys.readouterr().err
    pg.step(3)  # short runs: no bar
    assert capsys.readouterr().err == ""


def test_a_shown_widget_is_refreshed_during_a_long_step(monkeypatch: pytest.MonkeyPatch) -> None:
    from microgrand.play import training as state

    monkeypatch.setattr(state, "_REFRESH_SECONDS", 0.0)
    pg = playground(layers=[2], n=20, batch_size=4)
    seen: list[int] = []
    pg._listen(lambda: seen.append(pg.frame["step"]))
    pg.step(5, progress=False)
    assert seen[:5] == [1, 2, 3, 4, 5]


def test_the_cli_reports_progress_on_long_runs(tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(
            ["playground", "--layers", "2", "--n", "20", "--steps", "1200",
             "-o", str(tmp_path / "run.html")]
        )  # fmt: skip
    assert code == 0
    assert "step 1200/1200" in err.getvalue()


def test_the_cli_refuses_absurd_step_counts_before_training(tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["playground", "--steps", str(10**9), "-o", str(tmp_path / "r.html")])
    assert code == 2 and "at most 100,000" in err.getvalue()


def test_the_replay_page_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    X = [[(i % 200) / 100 - 1.0, (i // 200) / 100 - 0.5] for i in range(20_000)]
    y = [i % 2 for i in range(20_000)]
    pg = playground(X=X, y=y, layers=[2], record_every=1, grid=8, neuron_grid=4)
    pg.step(100, progress=False)
    assert len(pg.frames) > 60
    html = replay.page(pg)
    assert len(html) <= replay.MAX_PAGE_BYTES
    data = replay.payload(pg)
    assert data["frames"][-1]["step"] == 100  # the last picture is always kept
    assert data["frames"][0]["points"]["train"]  # the points are in the first frame
