"""The ``lessons`` sub-command: write the lessons for a class from the installed package.

Example:
    $ microgrand lessons class/              # student copies: no solutions, no claims
    $ microgrand lessons teacher/ --teacher  # teacher copies: every solution shown
    $ microgrand lessons week1/ --only 01,02   # just these lessons
    $ microgrand lessons --list
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..lessons import AnswerLeakError, lesson_paths, read_notebook, write_lessons
from ._common import UsageError, prog

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    """Add ``microgrand lessons``.

    Example:
        >>> from microgrand.cli import build_parser
        >>> a = build_parser().parse_args(["lessons", "class", "--only", "01,04", "--teacher"])
        >>> a.directory, a.only, a.teacher, a.force
        ('class', ['01', '04'], True, False)
    """
    p = sub.add_parser(
        "lessons",
        help="write the lessons for a class: student copies (no answers) or --teacher copies",
        description="Write the twelve lessons (Jupyter notebooks) from the installed package "
        "into DIR. Student copies have no solution and no claim cell and no stored answer; "
        "hand these out (hiding a cell only collapses it in JupyterLab and Notebook 7: VS "
        "Code, Colab and GitHub show it). Teacher copies have every cell, the solutions "
        "shown. Lesson files already in DIR are replaced only with --force. Example: "
        "microgrand lessons class/",
    )
    p.add_argument("directory", metavar="DIR", nargs="?", help="folder to write the lessons into")
    p.add_argument(
        "--only",
        metavar="LESSONS",
        type=_names,
        default=[],
        help="only these lessons, by number or name, separated by commas (e.g. 01,04_neuron)",
    )
    p.add_argument(
        "--teacher", action="store_true", help="teacher copies: every cell, the solutions shown"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace lesson files already in DIR (they may hold edits)",
    )
    p.add_argument("--list", action="store_true", help="list the lessons and exit")
    p.set_defaults(func=_cmd_lessons)


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _title(nb: dict[str, Any]) -> str:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            first = text.strip().splitlines()[0] if text.strip() else ""
            return first.lstrip("#").strip()
    return ""


def _cmd_lessons(args: argparse.Namespace) -> int:
    name = prog(args)
    try:
        paths = lesson_paths(only=args.only)
    except ValueError as e:
        raise UsageError(f"{name}: {e}") from None
    except FileNotFoundError as e:
        print(f"{name}: {e}", file=sys.stderr)
        return 1
    if args.list:
        for path in paths:
            print(f"{path.stem:<26} {_title(read_notebook(path))}")
        return 0
    if not args.directory:
        raise UsageError(f"{name}: give a folder to write the lessons into (DIR), or --list")
    kind = "teacher" if args.teacher else "student"
    try:
        written = write_lessons(
            args.directory, teacher=args.teacher, force=args.force, only=args.only
        )
    except NotADirectoryError as e:
        raise UsageError(f"{name}: {e}") from None
    except (FileExistsError, AnswerLeakError) as e:
        print(f"{name}: {e}", file=sys.stderr)
        return 1
    except PermissionError as e:
        print(f"{name}: cannot write into {args.directory!r}: {e.strerror or e}", file=sys.stderr)
        return 1
    lessons = [p for p in written if p.suffix == ".ipynb"]
    what = "every solution shown" if args.teacher else "no solutions, no claims: hand these out"
    print(
        f"wrote {len(lessons)} {kind} {'copy' if len(lessons) == 1 else 'copies'} "
        f"to {args.directory} ({what})"
    )
    return 0
