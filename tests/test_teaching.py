"""TEACHING.md's set-up works as written: its pip recipe, run line by line in a fresh folder with
no clone (only microgrand's wheel, built from this checkout, in the recipe's `wheels` folder),
installs microgrand with the notebook extras, writes the student copies, starts JupyterLab on
them, and a student lesson opens and runs in a kernel.

The recipe is the fenced block right after the line ``<!-- tested: pip recipe -->`` in
``notebooks/TEACHING.md``: one command a line, ``#`` starts a comment. Its dependencies come
from the package index (or pip's cache), as in tests/test_packaging.py.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from lesson_rules import PENDING

ROOT = Path(__file__).resolve().parent.parent
TEACHING = ROOT / "notebooks" / "TEACHING.md"
MARK = "<!-- tested: pip recipe -->"

pytestmark = pytest.mark.slow


def recipe() -> list[list[str]]:
    """The commands of the marked block, each split as a shell would (comments removed)."""
    text = TEACHING.read_text(encoding="utf-8")
    assert text.count(MARK) == 1, f"TEACHING.md marks one block with {MARK}"
    block = re.match(r"\s*```[a-z]*\n(.*?)\n```", text.split(MARK, 1)[1], re.S)
    assert block, f"a fenced block follows {MARK}"
    return [
        words for line in block.group(1).splitlines() if (words := shlex.split(line, comments=True))
    ]


def test_the_recipe_is_the_one_the_guide_explains() -> None:
    commands = recipe()
    assert commands[0][:3] == ["python3", "-m", "venv"]
    env = commands[0][3]
    assert [c[0] for c in commands[1:]] == [
        f"{env}/bin/python",
        f"{env}/bin/microgrand",
        f"{env}/bin/jupyter",
    ]
    install, lessons, lab = commands[1:]
    assert install[1:4] == ["-m", "pip", "install"] and "microgrand[notebooks]" in install
    assert lessons[1:] == ["lessons", "class"] and lab[1:] == ["lab", "class"]
    # the Windows lines say the same with the venv's Scripts folder
    text = TEACHING.read_text(encoding="utf-8")
    for words in commands[1:]:
        windows = " ".join(
            [
                words[0].replace(f"{env}/bin/", f"{env}\\Scripts\\"),
                *(f'"{w}"' if "[" in w else w for w in words[1:]),
            ]
        )
        assert windows in text, f"no Windows line for: {' '.join(words)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_lab(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[list[str], str]:
    """Start `jupyter lab DIR` (on localhost, no browser), wait until it prints its address,
    list the notebooks it serves (its contents API), stop it; return them and its log."""
    port = free_port()
    address = f"127.0.0.1:{port}/lab"
    log = cwd / "lab.log"
    served: list[str] = []
    with log.open("w") as out:
        root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        lab = subprocess.Popen(
            [*command, "--no-browser", "--ip=127.0.0.1", f"--port={port}", *root],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and lab.poll() is None:
                token = re.search(re.escape(address) + r"\?token=(\w+)", log.read_text())
                if token:
                    url = f"http://127.0.0.1:{port}/api/contents?token={token.group(1)}"
                    with urllib.request.urlopen(url, timeout=30) as answer:
                        served = [item["name"] for item in json.load(answer)["content"]]
                    break
                time.sleep(0.5)
        finally:
            lab.terminate()
            lab.wait(timeout=30)
    return served, log.read_text()


def test_pip_recipe_in_a_fresh_folder(wheel: Path, tmp_path: Path) -> None:
    (tmp_path / "wheels").mkdir()
    shutil.copy(wheel, tmp_path / "wheels")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        MPLBACKEND="agg",
    )
    env.pop("VIRTUAL_ENV", None)
    env.pop("JUPYTER_PATH", None)
    commands = recipe()
    for words in commands[:-1]:
        if words[0] == "python3":  # the machine's Python: here, the one running the tests
            words = [sys.executable, *words[1:]]
        p = subprocess.run(words, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert p.returncode == 0, f"{' '.join(words)}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
        assert "Traceback" not in p.stderr
    venv_bin = tmp_path / commands[0][3] / "bin"
    assert (venv_bin / "microgrand").exists() and not (tmp_path / "microgrand").exists()

    # the student copies: no solution, no claim, no stored verdict
    lessons = sorted((tmp_path / "class").glob("[0-9][0-9]_*.ipynb"))
    shipped = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.name for p in lessons] == shipped, "`microgrand lessons class` writes every lesson"
    for path in lessons:
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["microgrand"] == {"copy": "student"}
        for cell in nb["cells"]:
            assert not {"solution", "claim"} & set(cell["metadata"].get("tags", ())), path.name
            if "check" in cell["metadata"].get("tags", ()):
                assert not cell["outputs"], path.name

    # `jupyter lab class` serves them
    served, log = start_lab(commands[-1], tmp_path, env)
    assert sorted(n for n in served if n.endswith(".ipynb")) == shipped, log[-3000:]
    assert "Traceback" not in log, log[-3000:]

    # a student opens one and runs it top to bottom in the environment's kernel
    runs = [p for p in lessons if p.stem not in PENDING.get("student copy runs", ())]
    lesson = next(p for p in runs if p.stem.startswith("02_"))
    p = subprocess.run(
        [
            str(venv_bin / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--output-dir",
            str(tmp_path / "ran"),
            str(lesson),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    ran = json.loads((tmp_path / "ran" / lesson.name).read_text(encoding="utf-8"))
    outputs = [o for c in ran["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert outputs and not [o for o in outputs if o["output_type"] == "error"]
    printed = "".join("".join(o.get("text", "")) for o in outputs)
    assert "✓" not in printed, "no verdict before the student answers"
