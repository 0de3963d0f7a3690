"""Write the class handouts: student copies without the solutions, teacher copies with them.

Every lesson ``notebooks/NN_topic.ipynb`` (stored with its outputs) is copied twice:

* ``build/handouts/student/NN_topic.ipynb``: every cell tagged ``solution`` is removed, so
  the answers are not in the file at all (hiding a cell only collapses it);
* ``build/handouts/teacher/NN_topic.ipynb``: every cell, solutions included, with the
  solutions shown (their ``source_hidden``/``outputs_hidden`` flags cleared).

Usage::

    python tools/make_handouts.py                     # into build/handouts/
    python tools/make_handouts.py --out some/folder   # elsewhere
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTION = "solution"


def is_solution(cell: Any) -> bool:
    """True for a cell tagged ``solution``."""
    return SOLUTION in cell.get("metadata", {}).get("tags", ())


def student_copy(nb: Any) -> Any:
    """The notebook without its solution cells."""
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if not is_solution(c)]
    return out


def teacher_copy(nb: Any) -> Any:
    """The notebook with every cell, the solutions expanded."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if is_solution(cell):
            view = cell.metadata.get("jupyter", {})
            view.pop("source_hidden", None)
            view.pop("outputs_hidden", None)
            if not view:
                cell.metadata.pop("jupyter", None)
    return out


def write(nb: Any, path: Path) -> None:
    """Write ``nb`` to ``path`` atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(nbformat.writes(nb), encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "build" / "handouts",
        help="folder for student/ and teacher/ (build/handouts)",
    )
    parser.add_argument(
        "--notebooks", type=Path, default=NOTEBOOKS, help="folder of the lessons (notebooks)"
    )
    args = parser.parse_args(argv)

    paths = sorted(args.notebooks.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        print(f"no lessons (NN_topic.ipynb) found in {args.notebooks}", file=sys.stderr)
        return 1
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        solutions = sum(map(is_solution, nb.cells))
        write(student_copy(nb), args.out / "student" / path.name)
        write(teacher_copy(nb), args.out / "teacher" / path.name)
        print(f"{path.stem:<32} {solutions} solution cells: student without, teacher with")
    print(f"handouts in {args.out}/student and {args.out}/teacher")
    return 0


if __name__ == "__main__":
    sys.exit(main())
