"""GIF animation: one frame per step, gradients appear, frames the same size."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from microgrand import Value
from microgrand.render.themes import THEMES
from microgrand.stepper import trace
from microgrand.stepper.animate import AnimationError, animate, caption_fill, frames


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


def _on_segment(c: tuple[int, int, int], a: str, b: str, tol: float = 6.0) -> bool:
    """True when colour ``c`` lies (within ``tol``) between theme colours ``a`` and ``b``."""
    pa = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    pb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    d = [y - x for x, y in zip(pa, pb, strict=True)]
    n = sum(v * v for v in d)
    t = 0.0 if n == 0 else max(0.0, min(1.0, sum((c[i] - pa[i]) * d[i] for i in range(3)) / n))
    return all(abs(c[i] - (pa[i] + t * d[i])) <= tol for i in range(3))


@pytest.mark.parametrize("theme", ["print", "dark"])
def test_gif_uses_only_its_theme_colours(tmp_path: Path, theme: str) -> None:
    # Every pixel of the caption (and of the diagram) is a theme colour or a blend of two of
    # them (anti-aliased text): for print that means greys only, no orange anywhere.
    th = THEMES[theme]
    colours = {
        th.background,
        th.text,
        th.accent,
        th.muted,
        th.node_fill,
        th.node_border,
        th.op_fill,
        th.op_border,
        th.edge,
        caption_fill(th),
    }
    out = animate(neuron(), tmp_path / "a.gif", theme=theme)  # type: ignore[arg-type]
    with Image.open(out) as im:
        im.seek(2)
        rgb = im.convert("RGB")
    found = {c for _, c in rgb.getcolors(1 << 20) or []}
    bad = [c for c in found if not any(_on_segment(c, a, b) for a in colours for b in colours)]
    assert bad == []
    if theme == "print":
        assert all(max(c) - min(c) <= 6 for c in found)  # grey: no colour at all
    # the caption is there, drawn in the theme's caption colour and text colour
    cap = rgb.crop((0, rgb.height - 20, rgb.width, rgb.height))
    fill = tuple(int(caption_fill(th)[i : i + 2], 16) for i in (1, 3, 5))
    assert max(cap.getcolors(1 << 20) or [])[1] == fill


def test_frames_are_composed_from_one_layout() -> None:
    # Frame k shows exactly the gradients of the first k steps: the diagram part of the last
    # frame equals the full diagram's numbers, the first shows only the output's.
    fs = frames(neuron(), theme="light")
    assert len({f.size for f in fs}) == 1
    # frames differ from each other in the diagram area, not only in the caption
    h = fs[0].height - 120
    assert (
        ImageChops.difference(
            fs[0].crop((0, 0, fs[0].width, h)), fs[-1].crop((0, 0, fs[0].width, h))
        ).getbbox()
        is not None
    )


def test_cli_animate_theme(tmp_path: Path) -> None:
    from microgrand.cli import main

    gif = tmp_path / "p.gif"
    assert (
        main(
            [
                "animate",
                "tanh(x*w + b)",
                "x=2",
                "w=-3",
                "b=6.88",
                "-o",
                str(gif),
                "--theme",
                "print",
            ]
        )
        == 0
    )
    with Image.open(gif) as im:
        im.seek(im.n_frames - 1)
        found = {c for _, c in im.convert("RGB").getcolors(1 << 20) or []}
    assert all(max(c) - min(c) <= 6 for c in found)  # greys only


def test_frames_check_their_options_before_drawing() -> None:
    x = Value(2.0, label="x")
    for options, message in (
        ({"rankdir": "BT"}, "rankdir must be 'LR' or 'TB'"),
        ({"precision": 99}, "precision must be an int"),
        ({"theme": "neon"}, "unknown theme 'neon'"),
        ({"engine": "nope"}, "unknown layout engine 'nope'"),
    ):
        with pytest.raises(ValueError, match=message):
            frames(x * 3, **options)  # type: ignore[arg-type]
