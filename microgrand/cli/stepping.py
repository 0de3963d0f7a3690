"""The ``explain``, ``step`` and ``animate`` sub-commands of ``microgrand``.

Example:
    $ microgrand explain "tanh(x*w + b)" x=2 w=-3 b=6.88
    $ microgrand step "tanh(x*w + b)" x=2 w=-3 b=6.88 -o player.html
    $ microgrand animate "tanh(x*w + b)" x=2 w=-3 b=6.88 -o backward.gif
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..pages.explore import ExploreTooLargeError
from ..pages.player import DEFAULT_MAX_STEPS, PlayerTooLargeError, save_player
from ..render.engine import ENGINE_NAMES
from ..render.themes import THEMES
from ..stepper.animate import animate
from ..stepper.explain import explain
from ..value import Value
from ._common import (
    EPILOG,
    UsageError,
    add_expression_arguments,
    add_layout_timeout_argument,
    add_precision_argument,
    build,
    check_output,
    check_precision_arg,
    write_stdout,
)

__all__ = ["add_commands"]


def _common(p: argparse.ArgumentParser) -> None:
    add_expression_arguments(p)
    add_precision_argument(p)


def _drawing(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="layout direction")
    p.add_argument(
        "--max-steps",
        type=int,
        default=DEFAULT_MAX_STEPS,
        metavar="N",
        help=f"refuse graphs with more nodes (default {DEFAULT_MAX_STEPS})",
    )
    p.add_argument("--engine", choices=ENGINE_NAMES, default=None, help="layout engine")
    add_layout_timeout_argument(p)


def add_commands(sub: Any) -> None:
    """Add ``microgrand explain``, ``microgrand step`` and ``microgrand animate``.

    Example:
        >>> from microgrand.cli import build_parser
        >>> build_parser().parse_args(["step", "x*2", "x=1", "-o", "p.html"]).output
        'p.html'
    """
    e = sub.add_parser(
        "explain",
        help="print the chain rule, step by step, for an expression's backward pass",
        description="Print one chain-rule line per node, in backward order. Example: "
        "microgrand explain 'tanh(x*w + b)' x=2 w=-3 b=6.88. " + EPILOG,
    )
    _common(e)
    e.add_argument("--format", choices=("text", "latex", "markdown"), default="text")
    e.set_defaults(func=_cmd_explain)

    s = sub.add_parser(
        "step",
        help="write a standalone HTML player that steps through the backward pass",
        description="Write an HTML page (no network needed) with Prev/Next/Play buttons that "
        "steps through the backward pass. Example: microgrand step 'tanh(x*w + b)' x=2 w=-3 "
        "b=6.88 -o player.html. " + EPILOG,
    )
    _common(s)
    s.add_argument(
        "-o", "--output", required=True, help="output file (.html), or '-' for standard output"
    )
    s.add_argument("--theme", choices=tuple(THEMES), default="light")
    s.add_argument(
        "--interval",
        type=float,
        default=1.2,
        metavar="SECONDS",
        help="seconds per step when playing (default 1.2)",
    )
    _drawing(s)
    s.set_defaults(func=_cmd_step)

    a = sub.add_parser(
        "animate",
        help="write a GIF (or MP4 with ffmpeg) of the backward or forward pass",
        description="One frame per step. Example: microgrand animate 'tanh(x*w + b)' x=2 "
        "w=-3 b=6.88 -o backward.gif. " + EPILOG,
    )
    _common(a)
    a.add_argument(
        "-o",
        "--output",
        required=True,
        help="output file (.gif, or .mp4), or '-' for a GIF on standard output",
    )
    a.add_argument(
        "--pass",
        dest="pass_",
        choices=("backward", "forward"),
        default="backward",
        help="which pass to animate (default backward)",
    )
    a.add_argument("--fps", type=float, default=1.0, help="frames per second (default 1)")
    a.add_argument("--dpi", type=int, default=72, help="resolution (36-300, default 72)")
    a.add_argument(
        "--theme",
        choices=tuple(THEMES),
        default="light",
        help="colours of the diagram and the captions (default light)",
    )
    _drawing(a)
    a.set_defaults(func=_cmd_animate)


def _root(args: argparse.Namespace) -> Value:
    check_precision_arg(args)
    return build(args).root


def _cmd_explain(args: argparse.Namespace) -> int:
    root = _root(args)
    print(explain(root, args.format, precision=args.precision))
    return 0


def _too_large(args: argparse.Namespace, err: ValueError) -> UsageError:
    return UsageError(f"microgrand {args.command}: {err} (--max-steps)")


def _check_output(args: argparse.Namespace, allowed: tuple[str, ...]) -> None:
    """Refuse a bad ``-o`` before any work (``-o -`` is standard output)."""
    check_output(args, allowed, stdout=True)


def _write(args: argparse.Namespace, name: str, save: Callable[[Path], Path]) -> str:
    """Run ``save(path)`` on ``-o``, or on a temporary file copied to standard output for
    ``-o -``; returns what was written, for the message."""
    if args.output != "-":
        return str(save(Path(args.output)))
    with tempfile.TemporaryDirectory(prefix="microgrand-") as d:
        data = save(Path(d) / name).read_bytes()
    write_stdout(data)
    return "standard output"


def _done(args: argparse.Namespace, text: str) -> None:
    # With -o -, standard output carries the file: the message goes to stderr.
    print(text, file=sys.stderr if args.output == "-" else sys.stdout)


def _cmd_step(args: argparse.Namespace) -> int:
    _check_output(args, (".html", ".htm"))
    if args.max_steps < 1:
        raise UsageError("microgrand step: --max-steps must be at least 1")
    if not 0.05 <= args.interval <= 60:
        raise UsageError("microgrand step: --interval must be from 0.05 to 60 seconds")
    root = _root(args)
    try:
        path = _write(
            args,
            "player.html",
            lambda p: save_player(
                root,
                p,
                precision=args.precision,
                rankdir=args.rankdir,
                theme=args.theme,
                interval=args.interval,
                max_steps=args.max_steps,
                engine=args.engine,
            ),
        )
    except (PlayerTooLargeError, ExploreTooLargeError) as err:
        raise _too_large(args, err) from None
    _done(args, f"wrote {path} (open it in a browser; arrow keys step)")
    return 0


def _cmd_animate(args: argparse.Namespace) -> int:
    _check_output(args, (".gif", ".mp4"))
    if args.output == "-" and sys.stdout.isatty():
        raise UsageError(
            "microgrand animate: not writing a GIF to a terminal; use -o FILE.gif "
            "or redirect standard output"
        )
    if not 0.1 <= args.fps <= 30:
        raise UsageError("microgrand animate: --fps must be from 0.1 to 30")
    if not 36 <= args.dpi <= 300:
        raise UsageError("microgrand animate: --dpi must be from 36 to 300")
    if args.max_steps < 1:
        raise UsageError("microgrand animate: --max-steps must be at least 1")
    root = _root(args)
    try:
        path = _write(
            args,
            "animation.gif",
            lambda p: animate(
                root,
                p,
                args.pass_,
                fps=args.fps,
                dpi=args.dpi,
                precision=args.precision,
                rankdir=args.rankdir,
                theme=args.theme,
                max_steps=args.max_steps,
                engine=args.engine,
            ),
        )
    except PlayerTooLargeError as err:
        raise _too_large(args, err) from None
    _done(args, f"wrote {path}")
    return 0
