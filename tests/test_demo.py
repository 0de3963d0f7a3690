"""The demo: trains, reports accuracies and writes real pictures (PNG and SVG parsed back)."""

from __future__ import annotations

import contextlib
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from microgrand.cli import main
from microgrand.demo import DATASETS, run_demo

SVG = "{http://www.w3.org/2000/svg}"
FILES = ["decision_boundary.png", "example.png", "example.svg", "explore.html", "loss.png",
         "network.png", "network.svg"]  # fmt: skip


def _svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return [(t.text or "").strip() for t in root.iter(f"{SVG}text")]


def _check_png(path: Path) -> tuple[int, int]:
    with Image.open(path) as img:
        img.load()
        assert img.format == "PNG"
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 10
        return img.size


@pytest.mark.slow
def test_default_demo_trains_well_and_writes_every_picture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_demo(out_dir=tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == FILES
    assert result.train_accuracy >= 0.95 and result.test_accuracy >= 0.95
    assert result.history.epochs == 100
    out = capsys.readouterr()
    assert f"train accuracy: {100 * result.train_accuracy:.1f}%" in out.out
    assert f"test accuracy: {100 * result.test_accuracy:.1f}%" in out.out
    assert "100/100" in out.err  # the progress bar
    for name in FILES:
        path = tmp_path / "out" / name
        if name.endswith(".png"):
            w, h = _check_png(path)
            assert w > 300 and h > 150
    # The README example: the neuron's values and gradients, with labels.
    texts = _svg_texts(tmp_path / "out" / "example.svg")
    assert {"x", "w", "b", "out", "tanh"} <= set(texts)
    # each label is followed by its data and grad: w = -3 with ∂out/∂w = 1.0019
    i = texts.index("w")
    assert texts[i + 1 : i + 3] == ["data = -3.0000", "grad = 1.0019"]
    j = texts.index("out")
    assert texts[j + 1 : j + 3] == ["data = 0.7064", "grad = 1.0000"]
    # The network collapsed to one box per layer.
    net = " ".join(_svg_texts(tmp_path / "out" / "network.svg"))
    assert all(f"layer{i}" in net for i in (1, 2, 3))
    assert "256 edges" in net  # 16 × 16 connections between the hidden layers


@pytest.mark.parametrize("dataset", DATASETS)
def test_each_dataset_runs_quietly(
    dataset: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_demo(dataset=dataset, epochs=3, out_dir=tmp_path, quiet=True)
    assert result.dataset == dataset and result.history.epochs == 3
    assert sorted(result.files) == FILES
    assert all(p.exists() for p in result.files.values())
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_cli_demo_options(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["demo", "--dataset", "xor", "--epochs", "2", "--out", str(tmp_path / "d")])
    assert code == 0
    assert "microgrand demo: xor" in out.getvalue() and "train accuracy" in out.getvalue()
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == FILES


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["demo", "--dataset", "iris"], 2, "invalid choice: 'iris'"),
        (["demo", "--epochs", "0"], 2, "--epochs must be at least 1"),
        (["demo", "--epochs", "many"], 2, "invalid int value"),
    ],
)
def test_cli_demo_bad_usage(argv: list[str], code: int, message: str) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(argv) == code
    assert message in err.getvalue() and "Traceback" not in err.getvalue()
    assert len(err.getvalue().strip().splitlines()) == 1


def test_out_must_be_a_folder(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        run_demo(epochs=1, out_dir=f, quiet=True)
    with pytest.raises(ValueError, match="unknown dataset 'iris'"):
        run_demo(dataset="iris", epochs=1, out_dir=tmp_path, quiet=True)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        run_demo(epochs=0, out_dir=tmp_path, quiet=True)
