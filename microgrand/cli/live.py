"""The ``live`` and ``quiz`` sub-commands of ``microgrand``: interactive pages as files.

Example:
    $ microgrand live "tanh(x*w + b)" x=2 w=-3 b=6.88 -o live.html
    $ microgrand quiz "tanh(x*w + b)" x=2 w=-3 b=6.88 --ask both -o quiz.html
    $ microgrand quiz --random --seed 3 --difficulty 2 -o quiz.html
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..pages.live import LiveTooLargeError, LiveView, live
from ..pages.problems import DIFFICULTIES
from ..pages.quiz import quiz
from ..render.engine import ENGINE_NAMES
from ..render.themes import THEMES
from ..value import Value
from ._common import (
    EPILOG,
    UsageError,
    add_precision_argument,
    build,
    check_output,
    check_precision_arg,
    parse_assignments,
    prog,
)

__all__ = ["add_commands"]


def _output(p: argparse.ArgumentParser, rankdir: str | None) -> None:
    p.add_argument("-o", "--output", required=True, help="output file (.html)")
    p.add_argument("--theme", choices=tuple(THEMES), default="light")
    p.add_argument(
        "--rankdir",
        choices=("LR", "TB"),
        default=rankdir,
        help=f"layout direction (default {rankdir})"
        if rankdir
        else "layout direction (default: left to right where the text stays readable in a "
        "notebook cell, else top to bottom)",
    )
    p.add_argument("--engine", choices=ENGINE_NAMES, default=None, help="layout engine")
    add_precision_argument(p)


def add_commands(sub: Any) -> None:
    """Add ``microgrand live`` and ``microgrand quiz``.

    Example:
        >>> from microgrand.cli import build_parser
        >>> a = build_parser().parse_args(["quiz", "--random", "--seed", "3", "-o", "q.html"])
        >>> a.random, a.seed, a.difficulty, a.ask
        (True, 3, 2, 'grad')
    """
    lv = sub.add_parser(
        "live",
        help="write an HTML page where every input can be dragged and everything recomputes",
        description="Write a standalone HTML page (no network needed): the diagram with a "
        "number box and a slider for every input; values, gradients, colours and edge "
        "derivatives recompute in the page. Example: microgrand live 'tanh(x*w + b)' x=2 "
        "w=-3 b=6.88 -o live.html. " + EPILOG,
    )
    lv.add_argument("expression", metavar="EXPR", help="expression, e.g. 'tanh(x*w + b)'")
    lv.add_argument("assignments", metavar="NAME=VALUE", nargs="*", help="variable values")
    lv.add_argument(
        "--constants",
        action="store_true",
        help="make the numbers written in the expression editable too",
    )
    _output(lv, None)
    lv.set_defaults(func=_cmd_live)

    qz = sub.add_parser(
        "quiz",
        help="write an HTML exercise: fill in the gradients (or values), checked in the page",
        description="Write a standalone HTML exercise with answer boxes in place of the "
        "gradients and/or values; Enter checks, Hint, Show answer, score; prints as a "
        "worksheet with the answer key on its own page. Example: microgrand quiz "
        "'tanh(x*w + b)' x=2 w=-3 b=6.88 -o quiz.html, or microgrand quiz --random --seed 3 "
        "--difficulty 2 -o quiz.html. " + EPILOG,
    )
    qz.add_argument(
        "expression",
        metavar="EXPR",
        nargs="?",
        default=None,
        help="expression, e.g. 'tanh(x*w + b)' (not with --random)",
    )
    qz.add_argument("assignments", metavar="NAME=VALUE", nargs="*", help="variable values")
    qz.add_argument(
        "--ask",
        choices=("grad", "data", "both"),
        default="grad",
        help="what to fill in (default grad)",
    )
    qz.add_argument(
        "--tolerance",
        type=float,
        default=1e-3,
        metavar="REL",
        help="relative tolerance of a right answer (default 0.001)",
    )
    qz.add_argument("--random", action="store_true", help="a generated problem")
    qz.add_argument("--seed", type=int, default=0, help="the generated problem's seed")
    qz.add_argument(
        "--difficulty",
        type=int,
        default=2,
        metavar="D",
        help=f"generated problem: {DIFFICULTIES[0]}-{DIFFICULTIES[-1]} (default 2)",
    )
    _output(qz, "TB")
    qz.set_defaults(func=_cmd_quiz)


def _check_output(args: argparse.Namespace) -> Path:
    out = check_output(args, (".html", ".htm"))
    assert out is not None  # standard output is refused above
    return out


def _root(args: argparse.Namespace) -> Value:
    check_precision_arg(args)
    expr = build(args)
    given = parse_assignments(args.assignments, prog(args))  # names as the parser reads them
    unused = [name for name in given if name not in expr.leaves]
    if unused:
        raise UsageError(
            f"{prog(args)}: {', '.join(unused)} not in the expression {args.expression!r}"
        )
    return expr.root


def _save(args: argparse.Namespace, view: LiveView, out: Path) -> int:
    try:
        path = view.save(out)
    except OSError as e:
        raise UsageError(f"{prog(args)}: cannot write {args.output!r}: {e.strerror or e}") from None
    print(f"wrote {path} (open it in a browser)")
    return 0


def _cmd_live(args: argparse.Namespace) -> int:
    out = _check_output(args)
    root = _root(args)
    try:
        view = live(
            root,
            constants=args.constants,
            precision=args.precision,
            rankdir=args.rankdir,
            theme=args.theme,
            engine=args.engine,
        )
    except LiveTooLargeError as e:
        raise UsageError(f"{prog(args)}: {e}") from None
    return _save(args, view, out)


def _cmd_quiz(args: argparse.Namespace) -> int:
    out = _check_output(args)
    if not 0 < args.tolerance < 1:
        raise UsageError(f"{prog(args)}: --tolerance must be between 0 and 1 (e.g. 0.001)")
    if args.difficulty not in DIFFICULTIES:
        raise UsageError(
            f"{prog(args)}: --difficulty must be from {DIFFICULTIES[0]} to "
            f"{DIFFICULTIES[-1]}, got {args.difficulty}"
        )
    options: dict[str, Any] = {
        "tolerance": args.tolerance,
        "precision": args.precision,
        "rankdir": args.rankdir,
        "theme": args.theme,
        "engine": args.engine,
    }
    if args.random:
        if args.expression is not None or args.assignments:
            raise UsageError(f"{prog(args)}: --random makes its own problem: give no EXPR")
        check_precision_arg(args)
        view: LiveView = quiz.random(args.seed, args.difficulty, ask=args.ask, **options)
    else:
        if args.expression is None:
            raise UsageError(f"{prog(args)}: give an expression (EXPR NAME=VALUE...) or --random")
        view = quiz(_root(args), args.ask, **options)
    return _save(args, view, out)
