"""The wheel alone is enough: installed in a clean environment with no system Graphviz on PATH,
it draws, steps and animates (the layout runs on the pip-installed graphviz-pure), and writes
the lessons for a class (they travel inside the wheel; no clone, no Jupyter needed)."""

from __future__ import annotations

import json
import subprocess
import venv
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from lesson_rules import PENDING

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_WHEEL_BYTES = 20_000_000


# `wheel` (conftest.py): the wheel built once from this checkout.


def test_wheel_contains_every_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "microgrand").rglob("*.py")}
    assert sources <= names
    assert "microgrand/web/engine.js" in names  # package data: the pages' engine
    assert not [n for n in names if n.startswith(("tests/", "notebooks/"))]


def test_wheel_carries_the_lessons(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert LESSONS
    assert {f"microgrand/lessons_data/{name}" for name in LESSONS} <= names
    assert {"microgrand/lessons_data/README.md", "microgrand/lessons_data/TEACHING.md"} <= names
    size = wheel.stat().st_size
    assert size <= MAX_WHEEL_BYTES, f"the wheel is {size / 1e6:.1f} MB (at most 20 MB)"


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel (and its dependencies) installed."""
    env_dir = tmp_path_factory.mktemp("env")
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True
    )
    return env_dir


def test_clean_install_renders_without_system_graphviz(installed: Path, tmp_path: Path) -> None:
    cli = installed / "bin" / "microgrand"
    bare = {"PATH": str(tmp_path / "no-such-dir"), "HOME": str(tmp_path)}  # no dot anywhere

    def run(*args: str) -> str:
        p = subprocess.run(
            [str(cli), *args], cwd=tmp_path, env=bare, capture_output=True, text=True
        )
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


def test_lessons_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    """`microgrand lessons DIR` in an environment with no clone and no Jupyter (the notebooks
    are handled as JSON): student and teacher copies of the lessons inside the wheel."""
    py = installed / "bin" / "python"
    where = subprocess.run(
        [
            str(py),
            "-c",
            "import importlib.util as u, microgrand.lessons as m; "
            "print(m.lesson_dir()); print(u.find_spec('nbformat'))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert Path(where[0]).is_relative_to(installed) and where[0].endswith("lessons_data")
    assert where[1] == "None", "the clean environment has no nbformat"

    def run(*args: str, code: int = 0) -> str:
        p = subprocess.run(
            [str(installed / "bin" / "microgrand"), "lessons", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert p.returncode == code, p.stderr
        assert "Traceback" not in p.stderr
        return p.stdout + p.stderr

    assert len(run("--list").splitlines()) == len(LESSONS)
    assert f"wrote {len(LESSONS)} teacher copies" in run("teacher", "--teacher")
    assert sorted(p.name for p in (tmp_path / "teacher").iterdir()) == sorted(
        [*LESSONS, "README.md", "TEACHING.md"]
    )
    # Lessons listed as not fixed yet (a stored ✓) are left out; see tests/lesson_rules.py.
    ready = [n[:-6] for n in LESSONS if n[:-6] not in PENDING.get("student copy", ())]
    assert f"wrote {len(ready)} student" in run("class", "--only", ",".join(ready))
    for name in ready:
        student = json.loads((tmp_path / "class" / f"{name}.ipynb").read_text(encoding="utf-8"))
        teacher = json.loads((tmp_path / "teacher" / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert student["metadata"]["microgrand"] == {"copy": "student"}
        kinds = [set(c["metadata"].get("tags", ())) for c in student["cells"]]
        assert not [k for k in kinds if k & {"solution", "claim"}], name
        assert [c for c in teacher["cells"] if "solution" in c["metadata"].get("tags", ())]
        assert all(
            not c["outputs"] for c, k in zip(student["cells"], kinds, strict=True) if "check" in k
        )
    assert "already has" in run("class", "--only", ready[0], code=1)
