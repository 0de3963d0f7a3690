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
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .. import __version__
from . import demo, doctor, live, render, stepping
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
