"""GIF animation: one frame per step, gradients appear, frames the same size."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from microgrand import Value
from microgrand.stepper import trace
from microgrand.stepper.animate import AnimationError, animate, frames


def neuron() -> Value:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    return (x * w + b).tanh()


def test_gif_has_one_frame_per_step_and_frames_differ(tmp_path: Path) -> None:
    root = neuron()
    n = len(trace(root))
    out = animate(root, tmp_path / "backward.gif", fps=2)
    with Image.open(out) as im:
        assert im.n_frames == n == 6
        size = im.size
        pics = []
        for i in range(im.n_frames):
            im.seek(i)
            assert im.size == size
            pics.append(im.convert("RGB"))
            assert im.info["duration"] == (500 if i < n - 1 else 1500)
    for a, b in itertools.pairwise(pics):
        assert ImageChops.difference(a, b).getbbox() is not None


def test_gradients_fill_in_the_diagram_area() -> None:
    # The diagram part (above the caption) changes from frame to frame only where a
    # gradient appears or the highlight moves; the last frame differs from the first.
    fs = frames(neuron())
    assert len({f.size for f in fs}) == 1
    assert ImageChops.difference(fs[0], fs[-1]).getbbox() is not None


def test_forward_pass_frames(tmp_path: Path) -> None:
    root = neuron()
    out = animate(root, tmp_path / "forward.gif", "forward")
    with Image.open(out) as im:
        assert im.n_frames == len(trace(root))


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.gif or \.mp4"):
        animate(neuron(), tmp_path / "a.png")
    with pytest.raises(ValueError, match="fps"):
        animate(neuron(), tmp_path / "a.gif", fps=0)
    with pytest.raises(ValueError, match="pass_"):
        animate(neuron(), tmp_path / "a.gif", "sideways")  # type: ignore[arg-type]
    if shutil.which("ffmpeg") is None:
        with pytest.raises(AnimationError, match="needs ffmpeg"):
            animate(neuron(), tmp_path / "a.mp4")
        assert not (tmp_path / "a.mp4").exists()
