"""The wheel alone is enough: installed in a clean environment with no system Graphviz on PATH,
it draws, steps and animates (the layout runs on the pip-installed graphviz-pure)."""

from __future__ import annotations

import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    (whl,) = out.glob("microgrand-*.whl")
    return whl


def test_wheel_contains_every_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "microgrand").rglob("*.py")}
    assert sources <= names
    assert "microgrand/web/engine.js" in names  # package data: the pages' engine
    assert not [n for n in names if n.startswith(("tests/", "notebooks/"))]


def test_clean_install_renders_without_system_graphviz(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    cli = env_dir / "bin" / "microgrand"
    bare = {"PATH": str(tmp_path / "no-such-dir"), "HOME": str(tmp_path)}  # no dot anywhere

    def run(*args: str) -> str:
        p = subprocess.run([str(cli), *args], cwd=tmp_path, env=bare, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert "Traceback" not in p.stderr
        return p.stdout

    assert "layout engine: graphviz-pure" in run("doctor")
    run("render", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "-o", "g.svg")
    texts = {t.text for t in ET.parse(tmp_path / "g.svg").iter("{http://www.w3.org/2000/svg}text")}
    assert "grad = 1.0019" in texts
    run("render", "x*y", "x=2", "y=3", "-o", "g.png")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    run("step", "x*y", "x=2", "y=3", "-o", "p.html")
    run("animate", "x*y", "x=2", "y=3", "-o", "a.gif")
    assert (tmp_path / "p.html").stat().st_size > 0 and (tmp_path / "a.gif").stat().st_size > 0
