"""Write the class handouts from the lessons in ``notebooks/``: student and teacher copies.

The copies are made by :mod:`microgrand.lessons`, exactly as ``microgrand lessons DIR``
(student) and ``microgrand lessons DIR --teacher`` make them from the installed package:

* ``build/handouts/student/NN_topic.ipynb``: no cell tagged ``solution`` or ``claim`` (the
  answers are not in the file at all: hiding a cell only collapses it), an empty cell where
  an exercise's solution was, check cells without outputs;
* ``build/handouts/teacher/NN_topic.ipynb``: every cell, the solutions shown, with the
  lessons' README.md and TEACHING.md.

The build folder is regenerated: files in it are replaced.

Usage::

    python tools/make_handouts.py                     # into build/handouts/
    python tools/make_handouts.py --out some/folder   # elsewhere
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from microgrand.lessons import AnswerLeakError, write_lessons

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


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
    try:
        for kind in ("student", "teacher"):
            written = write_lessons(
                args.out / kind, teacher=kind == "teacher", force=True, source=args.notebooks
            )
            lessons = [p for p in written if p.suffix == ".ipynb"]
            print(f"{len(lessons)} {kind} copies in {args.out / kind}")
    except (AnswerLeakError, OSError) as e:
        print(f"make_handouts: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
