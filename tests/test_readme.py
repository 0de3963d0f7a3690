"""The README's promises: its code runs, its commands work, its pictures exist."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_pictures_exist_and_are_small() -> None:
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert len(pictures) >= 3
    for rel in pictures:
        path = ROOT / rel
        assert path.is_file(), rel
        assert path.stat().st_size < 300_000, f"{rel} is too large for the README"


def test_the_two_setup_commands_come_first() -> None:
    first = blocks("sh")[0]
    assert [line.split("#")[0].strip() for line in first.strip().splitlines()] == [
        "make demo",
        "make test",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_examples_run(index: int, tmp_path: Path) -> None:
    code = blocks("python")[index]
    code = code.replace("mg.draw(out, edge_labels=True)", "mg.draw(out, edge_labels=True).svg()")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    if "print(w.grad)" in code:
        assert "1.0019" in result.stdout


@pytest.mark.slow
def test_command_line_examples_run(tmp_path: Path) -> None:
    lines = [line.split("  #")[0].strip() for line in blocks("sh")[1].strip().splitlines()]
    assert all(line.startswith("microgrand ") for line in lines)
    exe = Path(sys.executable).parent / "microgrand"
    for line in lines:
        argv = shlex.split(line)[1:]
        if argv[0] == "demo":
            argv += ["--epochs", "3", "--quiet"]  # the full demo runs in `make demo`
        result = subprocess.run(
            [str(exe), *argv], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, (line, result.stderr)
    for made in (
        "graph.svg",
        "worksheet.png",
        "player.html",
        "backward.gif",
        "results/example.svg",
    ):
        assert (tmp_path / made).stat().st_size > 0, made
