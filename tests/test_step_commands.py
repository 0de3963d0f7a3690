"""The explain / step / animate commands: output, files, exit codes, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from microgrand.cli import main


def test_explain_prints_the_chain_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 6
    assert out[0].startswith("dL/dL = 1.0")
    # hand-computed: do/dw = (1 − tanh(0.88)²) · x = 0.500972 · 2 = 1.00194
    assert out[4] == "dL/dw = dL/d(x·w) · ∂(x·w)/∂w = 0.501 · x = 0.501 · 2.0 = 1.0019"
    assert main(["explain", "x*x", "x=3", "--format", "latex"]) == 0
    assert capsys.readouterr().out.startswith("\\begin{aligned}")


def test_step_and_animate_write_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "player.html"
    assert main(["step", "x*x + 1", "x=2", "-o", str(html)]) == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    gif = tmp_path / "b.gif"
    assert main(["animate", "x*x + 1", "x=2", "-o", str(gif), "--fps", "2"]) == 0
    with Image.open(gif) as im:
        assert im.n_frames == 4
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", "x*", "x=2"], "microgrand explain: bad expression: invalid syntax"),
        (["explain", "x*y", "x=2"], "microgrand explain: bad expression"),
        (["explain", "x", "x=abc"], "microgrand explain: the value of x ('abc') is not a number"),
        (["explain", "log(x)", "x=-1"], "the logarithm needs x > 0"),
        (["step", "x*2", "x=1", "-o", "p.txt"], "must end in .html or .htm"),
        (["step", "x*2+1", "x=1", "-o", "p.html", "--max-steps", "2"], "more than max_steps=2"),
        (["animate", "x*2", "x=1", "-o", "a.png"], "must end in .gif or .mp4"),
        (["animate", "x*2", "x=1", "-o", "a.gif", "--fps", "0"], "--fps must be from"),
        (["step", "x*2", "x=1"], "the following arguments are required: -o/--output"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
