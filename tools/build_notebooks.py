"""Sync each lesson's ``.py``/``.ipynb`` pair and execute the notebook in place, keeping outputs.

The lessons live in ``notebooks/NN_topic.py`` (jupytext percent format, the readable source)
paired with ``notebooks/NN_topic.ipynb`` (stored with outputs so that they read well on
GitHub). This script:

1. syncs every pair: the more recently modified file of the pair is the source (as
   ``jupytext --sync`` does); a missing ``.ipynb`` is created from its ``.py``;
2. executes every notebook top to bottom with the ``python3`` kernel of the running
   interpreter and writes the outputs back into the ``.ipynb`` (atomically), as
   :func:`microgrand.lessons.stored_copy` stores a lesson: cells tagged ``check`` without
   outputs (a stored verdict would give the answer away), cells tagged ``solution`` or
   ``claim`` collapsed (``source_hidden`` and ``outputs_hidden``);
3. prints how long each lesson took and fails (exit 1) if any cell raised.

Usage::

    python tools/build_notebooks.py                 # all lessons
    python tools/build_notebooks.py 01 04_neuron    # only these (prefix or stem)
    python tools/build_notebooks.py --sync-only     # sync the pairs, do not execute
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from microgrand.lessons import stored_copy

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
FORMATS = "ipynb,py:percent"
KERNEL = "python3"


def lessons(directory: Path = NOTEBOOKS) -> list[Path]:
    """Every lesson source ``NN_*.py`` (and lessons that exist only as ``.ipynb``), sorted."""
    stems = {p.stem for p in directory.glob("[0-9][0-9]_*.py")}
    stems |= {p.stem for p in directory.glob("[0-9][0-9]_*.ipynb")}
    return [directory / f"{s}.py" for s in sorted(stems)]


def cell_inputs(nb: Any) -> list[tuple[str, str, tuple[str, ...], tuple[Any, ...]]]:
    """What must agree between the two files of a pair: type, source, tags and `jupyter` view."""
    return [
        (
            c.cell_type,
            c.source.strip(),
            tuple(c.get("metadata", {}).get("tags", ())),
            tuple(sorted(c.get("metadata", {}).get("jupyter", {}).items())),
        )
        for c in nb.cells
    ]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        # mkstemp makes the file private (0600); give it the mode a normal write would.
        if path.exists():
            mode = path.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _pair_metadata(nb: Any) -> None:
    nb.metadata.setdefault("jupytext", {})["formats"] = FORMATS
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": KERNEL,
    }


def sync(py: Path) -> tuple[Any, str]:
    """Bring the pair ``py``/``.ipynb`` into agreement; return the notebook and what was done."""
    ipynb = py.with_suffix(".ipynb")
    if not py.exists() and not ipynb.exists():
        raise FileNotFoundError(f"neither {py.name} nor {ipynb.name} exists")
    if not ipynb.exists():
        nb = jupytext.read(py)
        _pair_metadata(nb)
        return nb, f"created {ipynb.name} from {py.name}"
    stored = nbformat.read(ipynb, as_version=4)
    if not py.exists():
        _pair_metadata(stored)
        write_atomic(py, jupytext.writes(stored, fmt="py:percent"))
        return stored, f"created {py.name} from {ipynb.name}"
    text = jupytext.read(py)
    if cell_inputs(text) == cell_inputs(stored):
        _pair_metadata(stored)
        return stored, "in sync"
    if ipynb.stat().st_mtime > py.stat().st_mtime:
        # The notebook was edited last (e.g. in Jupyter without jupytext): it is the source.
        _pair_metadata(stored)
        write_atomic(py, jupytext.writes(stored, fmt="py:percent"))
        return stored, f"updated {py.name} from {ipynb.name} (the newer file)"
    # The .py was edited last: take its cells, keep outputs of cells whose source is unchanged.
    merged = combine_inputs_with_outputs(text, stored, fmt="py:percent")
    nb = merged if merged is not None else text
    _pair_metadata(nb)
    return nb, f"updated {ipynb.name} from {py.name} (the newer file)"


def execute(nb: Any, cwd: Path, timeout: int) -> None:
    """Run every cell of ``nb`` in a fresh ``python3`` kernel (outputs are stored in ``nb``)."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL,
        record_timing=False,  # no timestamps in the stored files: diffs stay readable
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="lesson numbers or stems, e.g. 01 or 02_chain")
    parser.add_argument("--sync-only", action="store_true", help="sync the pairs, do not run")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell (300)")
    parser.add_argument(
        "--notebooks", type=Path, default=NOTEBOOKS, help="folder of the lessons (notebooks)"
    )
    args = parser.parse_args(argv)
    folder = args.notebooks

    paths = lessons(folder)
    if args.only:
        paths = [p for p in paths if any(p.stem.startswith(o) for o in args.only)]
        if not paths:
            parser.error(f"no lesson matches {' '.join(args.only)} in {folder.name}/")
    if not paths:
        print(f"no lessons found in {folder}")
        return 0

    failed: list[str] = []
    total = 0.0
    for py in paths:
        ipynb = py.with_suffix(".ipynb")
        nb, what = sync(py)
        if args.sync_only:
            write_atomic(ipynb, nbformat.writes(stored_copy(nb)))
            print(f"{py.stem:<32} {what}")
            continue
        start = time.perf_counter()
        try:
            execute(nb, folder, args.timeout)
        except CellExecutionError as e:
            failed.append(py.stem)
            # Keep the outputs up to the failing cell so that the error can be read in place.
            print(f"{py.stem:<32} FAILED ({what})\n{e}", file=sys.stderr)
        elapsed = time.perf_counter() - start
        total += elapsed
        write_atomic(ipynb, nbformat.writes(stored_copy(nb)))
        size = ipynb.stat().st_size / 1e6
        print(f"{py.stem:<32} {elapsed:6.1f} s  {size:5.2f} MB  {what}", flush=True)
    if not args.sync_only:
        print(f"{'total':<32} {total:6.1f} s")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
