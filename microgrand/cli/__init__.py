"""The ``microgrand`` command line.

Exit codes: 0 success, 1 failure, 2 bad usage (one line on stderr, never a traceback).

Each command family is a module of this package with an ``add_commands(sub)`` function that
adds its sub-command(s) with ``set_defaults(func=...)``; ``func(args) -> int`` returns the
exit code and raises :class:`UsageError` for bad input. :data:`COMMANDS` lists them in the
order ``--help`` shows them. The shared pieces (``NAME=VALUE`` parsing, the expression
arguments, the precision range) are in :mod:`microgrand.cli._common`.

Example:
    $ microgrand render "tanh(x*w + b)" x=2 w=-3 b=6.88 -o neuron.svg
    $ microgrand doctor
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .. import __version__
from .._files import remove_temporary_files
from ..render.engine import TIMEOUT_ENV_VAR, kill_children, layout_timeout
from . import demo, doctor, explore, lessons, live, playground, render, stepping
from ._common import Parser, UsageError, parse_assignment, parse_assignments

__all__ = [
    "COMMANDS",
    "UsageError",
    "build_parser",
    "main",
    "parse_assignment",
    "parse_assignments",
]

CommandAdder = Callable[[Any], None]

#: One function per command family; each adds its sub-commands. Extend this list to add one.
COMMANDS: list[CommandAdder] = [
    demo.add_commands,
    render.add_commands,
    stepping.add_commands,
    live.add_commands,
    explore.add_commands,
    playground.add_commands,
    lessons.add_commands,
    doctor.add_commands,
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand (one adder per family in COMMANDS).

    Example:
        >>> build_parser().parse_args(["render", "x*2", "x=1"]).expression
        'x*2'
    """
    p = Parser(prog="microgrand", description="See backpropagation: draw, step, explain.")
    p.add_argument("--version", action="version", version=f"microgrand {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for add in COMMANDS:
        add(sub)
    return p


def _one_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return " ".join(text.split("\n")[0].split()) if "\n" in text else text


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived: unwind (stopping Graphviz, removing temporary files)."""


def _terminate(signum: int, frame: object) -> None:
    # Stop the layout engine and remove half-written temporary files now, then unwind.
    kill_children()
    remove_temporary_files()
    raise Terminated(128 + signum)


@contextlib.contextmanager
def _signals() -> Iterator[None]:
    """SIGTERM/SIGHUP stop the command cleanly (only from the main thread, where Python allows
    handlers); the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    old = {s: signal.signal(s, _terminate) for s in wanted}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def _layout_budget(args: argparse.Namespace) -> Iterator[None]:
    """``--layout-timeout S``: this command's layout budget (``$MICROGRAND_LAYOUT_TIMEOUT``)."""
    seconds = getattr(args, "layout_timeout", None)
    if seconds is None:
        yield
        return
    try:
        layout_timeout(seconds)
    except ValueError:
        raise UsageError(
            f"microgrand {args.command}: --layout-timeout must be a positive number of seconds"
        ) from None
    old = os.environ.get(TIMEOUT_ENV_VAR)
    os.environ[TIMEOUT_ENV_VAR] = repr(float(seconds))
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(TIMEOUT_ENV_VAR, None)
        else:
            os.environ[TIMEOUT_ENV_VAR] = old


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 failure, 2 bad usage).

    Example:
        >>> main(["render", "x +", "x=1"])  # bad expression: one line on stderr
        2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            parser.print_help(sys.stderr)
            return 2
        with _signals(), _layout_budget(args):
            code: int = args.func(args)
        return code
    except SystemExit as e:  # --help and --version
        return e.code if isinstance(e.code, int) else 0
    except UsageError as e:
        msg = _one_line(e)
        if "unrecognized arguments" in msg and any(
            a.startswith("-") for a in (argv if argv is not None else sys.argv[1:])
        ):
            msg += " (an expression starting with '-' goes after '--')"
        print(msg, file=sys.stderr)
        return 2
    except Terminated as e:
        return e.code if isinstance(e.code, int) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except (OSError, ValueError, TypeError, ArithmeticError, RuntimeError) as e:
        print(f"microgrand: error: {_one_line(e)}", file=sys.stderr)
        return 1
    except Exception as e:  # never a traceback
        print(f"microgrand: internal error: {type(e).__name__}: {_one_line(e)}", file=sys.stderr)
        return 1
