"""Build the zero-install class site: the lessons in JupyterLite (Python in the browser).

The site is static files (``build/site/`` by default), to be put on any web server over
HTTPS (GitHub Pages, a school server) or served locally with ``make serve-site``:

* the **student copies** of the lessons (no solutions), each with one first cell that
  installs microgrand from the site and loads its diagram engine (``await mg.ready()``);
* microgrand's wheel and the pure-Python wheels in ``tools/site-wheels.txt`` (anywidget,
  ipywidgets, …) in the site's own package index, so that cell needs no PyPI;
* the widget front-ends (anywidget, ipywidgets) of the environment that builds the site.

At run time the browser fetches Pyodide and its packages (NumPy, matplotlib, Pillow) from
Pyodide's CDN, unless ``--pyodide`` names a Pyodide distribution (a ``pyodide-*.tar.bz2``
release archive, its URL, or the unpacked folder holding ``pyodide.mjs``) to copy into the
site, for a class without internet.

Usage::

    python tools/build_site.py                        # into build/site/
    python tools/build_site.py --out public --pyodide pyodide-314.0.6.tar.bz2
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
WHEELS = ROOT / "tools" / "site-wheels.txt"
JUPYTER_SETTINGS = ROOT / "jupyter-config" / "overrides.d" / "microgrand.json"
SETUP_TAG = "jupyterlite-setup"
SETUP_SOURCE = """\
# Runs in your browser: install microgrand from this site and load its diagram engine.
%pip install -q microgrand
import microgrand as mg
await mg.ready()"""


PYODIDE_PYTHON = "3.14"  # the Python of the pinned Pyodide (jupyterlite-pyodide-kernel 0.8.6)


def pure_wheels_command(dest: Path, *requirements: str) -> list[str]:
    """The pip command that downloads pure-Python wheels (no dependencies) for Pyodide's
    Python into ``dest``: the one way the site and the tests fetch wheels for the browser."""
    return [
        sys.executable, "-m", "pip", "--disable-pip-version-check", "download", "-q",
        "--no-deps", "--only-binary=:all:", "--platform", "any", "--implementation", "py",
        "--abi", "none", "--python-version", PYODIDE_PYTHON, "-d", str(dest), *requirements,
    ]  # fmt: skip


def run(cmd: list[str], **kwargs: Any) -> None:
    """Run ``cmd``; on failure print its output and exit."""
    r = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if r.returncode != 0:
        print(f"failed: {' '.join(cmd)}\n{r.stdout[-3000:]}{r.stderr[-3000:]}", file=sys.stderr)
        sys.exit(1)


def lessons(into: Path) -> list[Path]:
    """The student copies of the lessons, each with the site's set-up cell first."""
    handouts = into.parent / "handouts"
    run([sys.executable, str(ROOT / "tools" / "make_handouts.py"), "--out", str(handouts)])
    into.mkdir(parents=True, exist_ok=True)
    out = []
    for src in sorted((handouts / "student").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(src, as_version=4)
        cell = nbformat.v4.new_code_cell(SETUP_SOURCE, metadata={"tags": [SETUP_TAG]})
        nb.cells.insert(0, cell)
        nb.metadata["kernelspec"] = {
            "name": "python",
            "display_name": "Python (Pyodide)",
            "language": "python",
        }
        dest = into / src.name
        nbformat.write(nb, dest)
        out.append(dest)
    if not out:
        print("no lessons found (notebooks/NN_topic.ipynb)", file=sys.stderr)
        sys.exit(1)
    return out


def wheels(into: Path) -> list[Path]:
    """microgrand's wheel and the pinned pure-Python wheels of ``tools/site-wheels.txt``
    (downloaded once into ``build/site-wheels/``)."""
    into.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "wheel", "-q", "--no-deps", "-w", str(into), str(ROOT)])
    cache = ROOT / "build" / "site-wheels"
    run(pure_wheels_command(cache, "-r", str(WHEELS)))
    pins = {
        line.split("==")[0].lower().replace("-", "_") + "-" + line.split("==")[1].strip()
        for line in WHEELS.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for whl in cache.glob("*.whl"):
        if "-".join(whl.name.split("-")[:2]).lower() in pins:
            shutil.copy2(whl, into / whl.name)
    return sorted(into.glob("*.whl"))


def build(out: Path, pyodide: str | None) -> None:
    """Build the site into ``out`` (replaced)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        contents = lessons(work / "contents")
        whls = wheels(work / "wheels")
        config = work / "jupyter_lite_config.json"
        config.write_text(json.dumps({"LiteBuildConfig": {"no_sourcemaps": True}}), "utf-8")
        # the settings the wheel gives JupyterLab (save widget state with the notebook)
        shutil.copyfile(JUPYTER_SETTINGS, work / "overrides.json")
        if out.exists():
            shutil.rmtree(out)
        cmd = [
            sys.executable,
            "-m",
            "jupyterlite_core",
            "build",
            "--lite-dir",
            str(work),
            "--output-dir",
            str(out),
            "--contents",
            str(work / "contents"),
            "--no-libarchive",
        ]
        for w in whls:
            cmd += ["--piplite-wheels", str(w)]
        if pyodide and Path(pyodide).is_dir():  # an unpacked release: JupyterLite's own place
            shutil.copytree(pyodide, work / "static" / "pyodide")
        elif pyodide:
            cmd += ["--pyodide", pyodide]
        run(cmd, cwd=work)
        (out / ".nojekyll").touch()  # GitHub Pages: serve the folders starting with "_" too
    print(
        f"built {out}: {len(contents)} lessons, {len(whls)} wheels; "
        f"serve it with: python -m http.server -d {out}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "build" / "site",
        help="folder of the site (build/site; replaced)",
    )
    parser.add_argument(
        "--pyodide",
        default=None,
        help="a Pyodide release (archive, URL or unpacked folder) to serve from the site",
    )
    args = parser.parse_args(argv)
    build(args.out.resolve(), args.pyodide)
    return 0


if __name__ == "__main__":
    sys.exit(main())
