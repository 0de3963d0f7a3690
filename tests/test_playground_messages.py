"""The widget's messages carry what changed: curves bounded whatever the number of steps,
points sent only when they change, several steps per message while playing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from microgrand.play import playground, replay
from microgrand.play.widget import HISTORY_ROWS

pytest.importorskip("numpy")


def test_a_message_stays_small_however_long_the_run() -> None:
    pytest.importorskip("anywidget")
    pg = playground(seed=0)
    w = pg.widget
    sent: list[str] = []
    w.observe(lambda change: sent.append(change["name"]), names=["points", "history", "frame"])
    pg.step(1000, progress=False)
    w._on_msg(w, {"action": "step", "n": 1}, [])
    assert len(w.history["steps"]) <= HISTORY_ROWS and w.history["steps"][-1] == 1001
    size = len(json.dumps({"frame": w.frame, "history": w.history}))
    assert size < 60_000, size  # was ~190 KB by step 1,000 (the whole history)
    assert "points" not in sent and "points" not in w.frame  # unchanged points are not re-sent
    w._on_msg(w, {"action": "add_point", "x1": 0.1, "x2": 0.2, "label": 1}, [])
    assert "points" in sent and w.points["train"][-1] == [0.1, 0.2, 1]


def test_playing_runs_several_steps_per_message_within_its_time() -> None:
    pytest.importorskip("anywidget")
    pg = playground(seed=0)
    w = pg.widget
    w._on_msg(w, {"action": "step", "n": 1000, "seconds": 0.05}, [])
    assert 1 < pg.steps < 1000 and w.frame["step"] == pg.steps
    assert len(pg.history.steps) == pg.steps


def test_step_seconds_stops_early_but_after_at_least_one_step() -> None:
    pg = playground(layers=[2], seed=0)
    pg.step(50, seconds=0.0)
    assert pg.steps == 1
    pg.step(7, seconds=60.0)
    assert pg.steps == 8


def test_the_replay_sends_the_points_once() -> None:
    pg = playground(layers=[2], seed=0, record_every=1)
    pg.step(5)
    frames: list[dict[str, Any]] = replay.payload(pg)["frames"]
    assert "points" in frames[0] and all("points" not in f for f in frames[1:])
    pg.add_point(0.0, 0.0, 1)
    pg.step(1)
    frames = replay.payload(pg)["frames"]
    assert "points" in frames[-1]
